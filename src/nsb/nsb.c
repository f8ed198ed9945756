/* nsb.c - the control command.  Bash has no such command line, so nsb's
 * subcommands never collide with a shell's arguments: each is a row of the
 * table below, a function in its own module. */
#include "nsb/nsb.h"

#include <stdio.h>

#include "env/cache.h"
#include "nsb/doctor.h"
#include "nsb/gc.h"
#include "base/log.h"
#include "nsb/trust.h"
#include "nsb/log.h"
#include "git/project.h"
#include "shell/session.h"
#include "nsb/status.h"
#include "base/util.h"
#include "nsb/version.h"

struct nsb_command {
	const char *name;
	const char *usage;
	int (*run)(int argc, char **argv); /* argv[0] is the subcommand */
};

static int cmd_version(int argc, char **argv)
{
	version_print(stdout, "nsb");
	return 0;
}

int nsb_project_here(const char *dir, char **ret_cwd, struct project *ret, char **ret_err)
{
	if (dir && chdir(dir) < 0) {
		warn("cannot enter '%s': %s", dir, strerror(errno));
		return -EIO;
	}
	_cleanup_free_ char *cwd = getcwd(NULL, 0);
	if (!cwd) {
		warn("cannot read the current directory: %s", strerror(errno));
		return -EIO;
	}
	int r = project_discover(cwd, PROJECT_MEMO, ret, ret_err);
	*ret_cwd = steal_pointer(&cwd);
	return r;
}

static int cmd_help(int argc, char **argv);
static void usage(FILE *f);

static const struct nsb_command commands[] = {
	{ "enter", "nsb enter [--session BRANCH [--from REF]] [--pick] [DIR]", session_cmd_enter },
	{ "sessions", "nsb sessions [DIR] | nsb sessions rm BRANCH [--force] [DIR] | nsb sessions prune [DIR]",
	  session_cmd_sessions },
	{ "status", "nsb status [DIR]", status_main },
	{ "trust", "nsb trust [--remove] [DIR]", trust_main },
	{ "doctor", "nsb doctor", doctor_main },
	{ "gc", "nsb gc [--dry-run] [--older-than DURATION] [--homes]", gc_main },
	{ "log", "nsb log [-n N] [DIR]", nsblog_main },
	{ "version", "nsb version", cmd_version },
	{ "help", "nsb help", cmd_help },
};

static void usage(FILE *f)
{
	fprintf(f, "usage:\n");
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		fprintf(f, "  %s\n", commands[i].usage);
	fprintf(f, "nsbsh itself is a login shell: use it as $SHELL (see README.md)\n");
}

static int cmd_help(int argc, char **argv)
{
	usage(stdout);
	return 0;
}

int nsb_main(int argc, char **argv)
{
	log_init("nsb");
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	const char *name = argv[1];
	if (streq(name, "--version"))
		name = "version";
	else if (streq(name, "--help") || streq(name, "-h"))
		name = "help";
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		if (streq(name, commands[i].name))
			return commands[i].run(argc - 1, argv + 1);
	warn("unknown command '%s' (nsb help lists them)", argv[1]);
	return EXIT_USAGE;
}
