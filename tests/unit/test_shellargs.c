/* Unit tests for shellargs.c: bash's command line, read as bash reads it. */
#include "shell/args.h"
#include "unit.h"

/* argv literals: bash's argv is char *[], the tests pass string constants. */
#pragma GCC diagnostic ignored "-Wdiscarded-qualifiers"

#define PARSE(a, ...)                                                   \
	do {                                                            \
		char *argv_[] = { __VA_ARGS__, NULL };                  \
		shellargs_parse((int)(sizeof(argv_) / sizeof(argv_[0])) - 1, argv_, &(a)); \
	} while (0)

static void test_command(void)
{
	struct shellargs a;
	PARSE(a, "nsbsh", "-c", "echo hi", "name", "x");
	CHECK(a.mode == SHELL_MODE_COMMAND);
	CHECK(a.operand == 2);
	CHECK(!a.login && !a.invalid);
	PARSE(a, "nsbsh", "-ec", "false");
	CHECK(a.mode == SHELL_MODE_COMMAND && a.operand == 2);
	PARSE(a, "nsbsh", "-o", "pipefail", "-c", "true");
	CHECK(a.mode == SHELL_MODE_COMMAND && a.operand == 4);
	PARSE(a, "nsbsh", "+O", "extglob", "-xc", "true");
	CHECK(a.mode == SHELL_MODE_COMMAND && a.operand == 4);
	PARSE(a, "nsbsh", "-c");
	CHECK(a.invalid);
	/* -c after --: "--" ends options, so this -c is not seen as one. */
	PARSE(a, "nsbsh", "--", "-c");
	CHECK(a.mode == SHELL_MODE_SCRIPT && a.operand == 2);
}

static void test_login(void)
{
	struct shellargs a;
	PARSE(a, "-nsbsh");
	CHECK(a.login && a.mode == SHELL_MODE_STDIN);
	PARSE(a, "nsbsh", "-l", "-c", "true");
	CHECK(a.login && a.mode == SHELL_MODE_COMMAND);
	PARSE(a, "nsbsh", "--login");
	CHECK(a.login);
	PARSE(a, "nsbsh", "-lc", "true");
	CHECK(a.login);
	PARSE(a, "nsbsh", "+l");
	CHECK(!a.login);
}

static void test_long_options(void)
{
	struct shellargs a;
	PARSE(a, "nsbsh", "--norc", "--noprofile", "-i");
	CHECK(a.norc && a.noprofile && a.interactive);
	PARSE(a, "nsbsh", "--rcfile", "/x", "-c", "true");
	CHECK(a.rcfile && a.mode == SHELL_MODE_COMMAND && a.operand == 4);
	PARSE(a, "nsbsh", "--rcfile");
	CHECK(a.invalid);
	PARSE(a, "nsbsh", "--version");
	CHECK(a.info_only && a.version);
	PARSE(a, "nsbsh", "--help");
	CHECK(a.info_only && !a.version);
	PARSE(a, "nsbsh", "--no-such-option");
	CHECK(a.invalid);
	/* Long options only count before the first short one, as in bash. */
	PARSE(a, "nsbsh", "-c", "true", "--norc");
	CHECK(!a.norc && a.mode == SHELL_MODE_COMMAND);
}

static void test_script_and_stdin(void)
{
	struct shellargs a;
	PARSE(a, "nsbsh", "script.sh", "a", "b");
	CHECK(a.mode == SHELL_MODE_SCRIPT && a.operand == 1);
	PARSE(a, "nsbsh", "-x", "script.sh", "-c");
	CHECK(a.mode == SHELL_MODE_SCRIPT && a.operand == 2);
	PARSE(a, "nsbsh", "-s", "a", "b");
	CHECK(a.mode == SHELL_MODE_STDIN && a.operand == 2);
	PARSE(a, "nsbsh", "-", "file");
	CHECK(a.mode == SHELL_MODE_SCRIPT && a.operand == 2);
	PARSE(a, "nsbsh", "-Q");
	CHECK(a.invalid);
}

static void test_interactive(void)
{
	struct shellargs a;
	PARSE(a, "nsbsh");
	CHECK(shellargs_interactive(&a, true, true));
	CHECK(!shellargs_interactive(&a, false, true));
	CHECK(!shellargs_interactive(&a, true, false));
	PARSE(a, "nsbsh", "-c", "true");
	CHECK(!shellargs_interactive(&a, true, true));
	PARSE(a, "nsbsh", "-i", "-c", "true");
	CHECK(shellargs_interactive(&a, false, false));
	PARSE(a, "nsbsh", "-s", "x");
	CHECK(shellargs_interactive(&a, true, true));
	PARSE(a, "nsbsh", "script");
	CHECK(!shellargs_interactive(&a, true, true));
}

UNIT_MAIN("shellargs", test_command, test_login, test_long_options, test_script_and_stdin,
	  test_interactive)
