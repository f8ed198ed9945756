/* test_nixconf.c - trusted-users and sandbox as the daemon's nix.conf says
 * them (env/nixconf.c), with includes served from a table. */
#include "env/nixconf.h"

#include <stdlib.h>

#include "unit.h"

static const char *const files[][2] = {
	{ "/etc/nix/more.conf", "trusted-users = alice\n" },
	{ "/etc/nix/sub/deep.conf", "include /etc/nix/more.conf\nsandbox = relaxed\n" },
	{ "/etc/nix/groups.conf", "extra-trusted-users = @wheel\n" },
};

static int read_table(const char *path, char **ret)
{
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		if (strcmp(files[i][0], path) == 0)
			return (*ret = strdup(files[i][1])) ? 0 : -12;
	return -2;
}

static struct nixconf_trust parse(const char *text, const char *user, const char *group)
{
	struct nixconf_trust t;
	const char *groups[] = { group };
	nixconf_parse(text, "/etc/nix", read_table, user, groups, group ? 1 : 0, &t);
	return t;
}

static void test_defaults(void)
{
	/* nix's own: only root trusted, builds sandboxed */
	struct nixconf_trust t = parse("# nothing\n", "bob", "users");
	CHECK(!t.trusted && !t.no_sandbox && t.why[0] == '\0');
	t = parse("", "root", NULL);
	CHECK(t.trusted && !t.no_sandbox);
}

static void test_values(void)
{
	struct nixconf_trust t = parse("sandbox = false\n", "bob", NULL);
	CHECK(!t.trusted && t.no_sandbox);
	CHECK_STREQ(t.why, "the daemon does not sandbox builds (sandbox = false)");
	t = parse("trusted-users = root bob  # and bob\n", "bob", NULL);
	CHECK(t.trusted && !t.no_sandbox);
	CHECK_STREQ(t.why, "the daemon trusts you (trusted-users has bob): a trusted client may build as root");
	t = parse("trusted-users = root bobby\n", "bob", NULL);
	CHECK(!t.trusted);
	t = parse("trusted-users = *\n", "bob", NULL);
	CHECK(t.trusted);
	t = parse("trusted-users = root @wheel\n", "bob", "wheel");
	CHECK(t.trusted);
	/* a later line wins; extra- appends */
	t = parse("trusted-users = bob\ntrusted-users = root\nsandbox = false\nsandbox = true\n", "bob", NULL);
	CHECK(!t.trusted && !t.no_sandbox);
	t = parse("trusted-users = root\nextra-trusted-users = bob\n", "bob", NULL);
	CHECK(t.trusted);
}

static void test_includes(void)
{
	struct nixconf_trust t = parse("include more.conf\n", "alice", NULL);
	CHECK(t.trusted);
	t = parse("!include missing.conf\ninclude sub/deep.conf\n", "alice", NULL);
	CHECK(t.trusted && t.no_sandbox);
	t = parse("include groups.conf\n", "carol", "wheel");
	CHECK(t.trusted);
	/* an include later than the line it would override does override */
	t = parse("trusted-users = carol\ninclude more.conf\n", "carol", NULL);
	CHECK(!t.trusted);
}

UNIT_MAIN("nixconf", test_defaults, test_values, test_includes)
