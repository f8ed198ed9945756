/* test_closure.c - store = closure's pure parts (env/closure.c). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "env/closure.h"
#include "unit.h"

#define H1 "0123456789abcdfghijklmnpqrsvwxyz"
#define H2 "zyxwvsrqpnmlkjihgfdcba9876543210"

static void test_path_ok(void)
{
	const char *ok[] = { "/nix/store/" H1 "-bash-5.2", "/nix/store/" H1 "-a+b_c.d?e=f-g" };
	const char *bad[] = { "/nix/store/" H1, "/nix/store/" H1 "-", "/nix/store/" H1 "-a/b",
			      "/nix/store/0123456789abcdefghijklmnpqrsvwxyz-e" /* 'e' is no digit */,
			      "/nix/stor/" H1 "-a", "/nix/store/" H1 "-a b", "/nix/store/" H1 "-.." "/x" };
	for (size_t i = 0; i < sizeof(ok) / sizeof(*ok); i++)
		CHECK(closure_path_ok(ok[i], strlen(ok[i])));
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		CHECK(!closure_path_ok(bad[i], strlen(bad[i])));
}

static void test_scan(void)
{
	const char text[] = "PATH=/nix/store/" H1 "-bash-5.2/bin:/nix/store/" H2 "-tools/bin\n"
			    "x='/nix/store/" H1 "-bash-5.2'; y=\"/nix/store/short-x\" /nix/store/" H2 "-tools";
	struct store_paths acc = { 0 };
	CHECK(closure_scan(text, sizeof(text) - 1, &acc) == 0);
	CHECK(acc.n == 2);
	if (acc.n == 2) {
		CHECK_STREQ(acc.v[0], "/nix/store/" H1 "-bash-5.2");
		CHECK_STREQ(acc.v[1], "/nix/store/" H2 "-tools");
	}
	/* a name cut at the end of the text is the name so far */
	const char cut[] = "/nix/store/" H1 "-ab";
	CHECK(closure_scan(cut, sizeof(cut) - 1, &acc) == 0 && acc.n == 3);
	/* no name at all: nothing */
	const char none[] = "/nix/store/" H1 "-";
	CHECK(closure_scan(none, sizeof(none) - 1, &acc) == 0 && acc.n == 3);
	store_paths_release(&acc);
}

static void test_parse(void)
{
	char *t = strdup("/nix/store/" H1 "-a\n/nix/store/" H2 "-l ../" H1 "-a\n");
	struct closure c;
	CHECK(closure_parse(t, strlen(t), &c) == 0 && c.n == 2 && c.text == t && c.len == strlen(t));
	closure_release(&c);

	const char *bad[] = { "/nix/store/" H1 "-a", /* no last newline */
			      "/etc/passwd\n", "/nix/store/" H1 "-a/../../etc\n", "/nix/store/" H1 "-a \n",
			      "/nix/store/" H1 "-a b c\n", "\n" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		char *b = strdup(bad[i]);
		CHECK(closure_parse(b, strlen(b), &c) == -EINVAL && c.n == 0 && !c.text);
		free(b);
	}
	t = strdup("");
	CHECK(closure_parse(t, 0, &c) == 0 && c.n == 0);
	closure_release(&c);
}

static void test_bounds(void)
{
	size_t line = strlen("/nix/store/" H1 "-") + 6 + 1;
	size_t n = CLOSURE_MAX + 1;
	char *t = malloc(n * line + 1), *p = t;
	for (size_t i = 0; i < n; i++)
		p += sprintf(p, "/nix/store/" H1 "-%06zu\n", i);
	struct closure c;
	CHECK(closure_parse(t, (size_t)(p - t), &c) == -E2BIG && c.n == 0);
	struct store_paths acc = { 0 };
	CHECK(closure_scan(t, (size_t)(p - t), &acc) == -E2BIG && acc.n == CLOSURE_MAX);
	store_paths_release(&acc);
	free(t);
}

UNIT_MAIN("closure", test_path_ok, test_scan, test_parse, test_bounds)
