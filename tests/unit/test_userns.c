/* test_userns.c - which knob refuses user namespaces, for each of them, and
 * what the start and nsb doctor then say (the kernels that have each knob
 * are not the one the tests run on; tests/integration/t-limits.sh and
 * t-failures.sh check the real user.max_user_namespaces). */
#include <stdio.h>
#include <string.h>

#include "base/util.h"
#include "sandbox/userns.h"
#include "unit.h"

/* The hint of a sysctl knob names it with the value that refuses, and the
 * command that sets the value nsb doctor also proposes. */
static void hint_names_the_fix(enum userns_block b)
{
	const struct userns_setting *s = userns_setting_of(b);
	CHECK(s != NULL);
	if (!s)
		return;
	char is[128], fix[160];
	snprintf(is, sizeof(is), "%s is %s", s->sysctl, s->bad);
	snprintf(fix, sizeof(fix), "sysctl -w %s=%s", s->sysctl, s->good);
	CHECK(strstr(userns_hint(b), is) == userns_hint(b));
	CHECK(strstr(userns_hint(b), fix) != NULL);
	CHECK(strcmp(s->good, s->bad) != 0);
}

static void test_knobs(void)
{
	/* No knob at all (a kernel without them): nothing to blame. */
	struct userns_knobs k = { 0 };
	CHECK(userns_blocker_of(&k) == USERNS_BLOCK_UNKNOWN);
	CHECK(userns_setting_of(USERNS_BLOCK_UNKNOWN) == NULL);
	CHECK_STREQ(userns_hint(USERNS_BLOCK_UNKNOWN), "check the kernel's user namespace settings");

	/* Every knob allowing them. */
	k = (struct userns_knobs){ .unprivileged_userns_clone = "1", .max_user_namespaces = "63439",
				   .apparmor_restrict = "0", .self_label = "unconfined" };
	CHECK(userns_blocker_of(&k) == USERNS_BLOCK_UNKNOWN);

	k.unprivileged_userns_clone = "0";
	CHECK(userns_blocker_of(&k) == USERNS_BLOCK_DEBIAN);
	hint_names_the_fix(USERNS_BLOCK_DEBIAN);
	CHECK_STREQ(userns_setting_of(USERNS_BLOCK_DEBIAN)->sysctl, "kernel.unprivileged_userns_clone");
	k.unprivileged_userns_clone = "1";

	k.max_user_namespaces = "0";
	CHECK(userns_blocker_of(&k) == USERNS_BLOCK_MAX);
	hint_names_the_fix(USERNS_BLOCK_MAX);
	CHECK_STREQ(userns_setting_of(USERNS_BLOCK_MAX)->sysctl, "user.max_user_namespaces");
	k.max_user_namespaces = "10"; /* "10" is not "0" */
	CHECK(userns_blocker_of(&k) == USERNS_BLOCK_UNKNOWN);

	/* The first that refuses is named: the Debian knob before the count. */
	k.unprivileged_userns_clone = "0";
	k.max_user_namespaces = "0";
	CHECK(userns_blocker_of(&k) == USERNS_BLOCK_DEBIAN);
	k = (struct userns_knobs){ .unprivileged_userns_clone = "1", .max_user_namespaces = "10",
				   .apparmor_restrict = "0", .self_label = "unconfined" };

	/* AppArmor's restriction applies to an unconfined nsbsh only. */
	k.apparmor_restrict = "1";
	CHECK(userns_blocker_of(&k) == USERNS_BLOCK_APPARMOR);
	k.self_label = NULL; /* no AppArmor label to read: unconfined */
	CHECK(userns_blocker_of(&k) == USERNS_BLOCK_APPARMOR);
	const char *aa = userns_hint(USERNS_BLOCK_APPARMOR);
	CHECK(strstr(aa, "kernel.apparmor_restrict_unprivileged_userns = 1") != NULL);
	CHECK(strstr(aa, "apparmor_parser -r /etc/apparmor.d/nsbsh") != NULL);
	k.self_label = "nsbsh (unconfined)"; /* confined by the package's profile */
	CHECK(userns_blocker_of(&k) == USERNS_BLOCK_UNKNOWN);

	/* This machine: whatever it says, it is one of the answers. */
	enum userns_block here = userns_blocker();
	CHECK(here == USERNS_BLOCK_UNKNOWN || here == USERNS_BLOCK_DEBIAN || here == USERNS_BLOCK_MAX ||
	      here == USERNS_BLOCK_APPARMOR);
}

UNIT_MAIN("userns", test_knobs)
