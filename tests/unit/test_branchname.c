/* Unit tests for branchname.c: git's branch-name rules with their reasons,
 * checked against libgit2's own git_branch_name_is_valid, and the folder
 * names of sessions (feature/x and feature-x never collide). */
#include <stdbool.h>
#include <stdlib.h>

#include "git/branchname.h"
#include "git/gitlib.h"
#include "unit.h"

static const char *const good[] = {
	"main", "feature/x", "feature-x", "feature_x", "fix/a/b/c", "v1.2", "a.b", "x@y",
	"caf\xc3\xa9", "$(touch${IFS}x)", "@", "a{b}", "Ünïcode/名前", "-x-"+1, "a-", "1",
};

static const struct {
	const char *name, *why;
} bad[] = {
	{ "", "is empty" },
	{ "-x", "starts with '-' (git would read it as an option)" },
	{ "HEAD", "is 'HEAD', which git keeps for the checked-out commit" },
	{ "a..b", "contains '..'" },
	{ "a@{1}", "contains '@{'" },
	{ "a b", "contains a space" },
	{ "a\tb", "contains a control character" },
	{ "a\x7f", "contains a control character" },
	{ "a~1", "contains '~', which git does not allow in a ref" },
	{ "a^", "contains '^', which git does not allow in a ref" },
	{ "a:b", "contains ':', which git does not allow in a ref" },
	{ "a?", "contains '?', which git does not allow in a ref" },
	{ "a*", "contains '*', which git does not allow in a ref" },
	{ "a[", "contains '[', which git does not allow in a ref" },
	{ "a\\b", "contains a backslash, which git does not allow in a ref" },
	{ "/a", "has an empty part ('/' at the start or end, or '//')" },
	{ "a/", "has an empty part ('/' at the start or end, or '//')" },
	{ "a//b", "has an empty part ('/' at the start or end, or '//')" },
	{ ".a", "has a part that starts with '.'" },
	{ "a/.b", "has a part that starts with '.'" },
	{ "a.lock", "has a part that ends with '.lock'" },
	{ "a.lock/b", "has a part that ends with '.lock'" },
	{ "a.", "ends with '.'" },
};

static void test_refusals(void)
{
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		const char *why = branchname_refusal(good[i]);
		CHECK(why == NULL);
		if (why)
			fprintf(stderr, "  '%s': %s\n", good[i], why);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *why = branchname_refusal(bad[i].name);
		CHECK_STREQ(why, bad[i].why);
	}
	char *huge = malloc(BRANCHNAME_MAX + 2);
	memset(huge, 'a', BRANCHNAME_MAX + 1);
	huge[BRANCHNAME_MAX + 1] = '\0';
	CHECK_STREQ(branchname_refusal(huge), "is longer than 1024 bytes");
	free(huge);
}

/* The reasons are nsbsh's; the verdict must be git's (libgit2's). */
static void test_agrees_with_libgit2(void)
{
	const struct gitlib *g = NULL;
	char *err = NULL;
	if (gitlib_load(&g, &err) < 0) {
		fprintf(stderr, "test_branchname: libgit2 not loaded: %s\n", err);
		CHECK(0);
		return;
	}
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		int valid = 0;
		CHECK(g->branch_name_is_valid(&valid, good[i]) == 0 && valid);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int valid = 1;
		/* git refuses DEL (check-ref-format(1)); libgit2 1.5 takes it:
		 * nsbsh refuses what either refuses. */
		if (strchr(bad[i].name, 0x7f))
			continue;
		CHECK(g->branch_name_is_valid(&valid, bad[i].name) == 0 && !valid);
		if (valid)
			fprintf(stderr, "  libgit2 takes '%s'\n", bad[i].name);
	}
}

static void test_encode(void)
{
	char a[BRANCHNAME_ENCODED_MAX + 1], b[BRANCHNAME_ENCODED_MAX + 1];
	branchname_encode("feature/x", a);
	branchname_encode("feature-x", b);
	CHECK_STREQ(a, "feature%2Fx");
	CHECK_STREQ(b, "feature-x");
	branchname_encode("feature%2Fx", b);
	CHECK_STREQ(b, "feature%252Fx");
	branchname_encode("caf\xc3\xa9 $x", a);
	CHECK_STREQ(a, "caf%C3%A9%20%24x");
	branchname_encode(".hidden", a);
	CHECK(a[0] != '.');

	/* Long names: cut, then '~' and the hash of the whole name. */
	char long1[600], long2[600];
	memset(long1, 'x', sizeof(long1) - 1);
	long1[sizeof(long1) - 1] = '\0';
	memcpy(long2, long1, sizeof(long1));
	long2[500] = 'y';
	size_t n1 = branchname_encode(long1, a), n2 = branchname_encode(long2, b);
	CHECK(n1 <= BRANCHNAME_ENCODED_MAX && n2 <= BRANCHNAME_ENCODED_MAX);
	CHECK(strlen(a) == n1 && strchr(a, '~') && strcmp(a, b) != 0);
	char slashes[400];
	memset(slashes, '/', sizeof(slashes) - 1);
	slashes[sizeof(slashes) - 1] = '\0';
	CHECK(branchname_encode(slashes, a) <= BRANCHNAME_ENCODED_MAX);
	CHECK(strspn(a, "%2F~0123456789abcdef") == strlen(a));
}

UNIT_MAIN("branchname", test_refusals, test_agrees_with_libgit2, test_encode)
