/* nsb.c - the control command.  Bash has no such command line, so nsb's
 * subcommands never collide with a shell's arguments: each is a row of the
 * table below, a function in its own module. */
#include "nsb/nsb.h"

#include <stdio.h>

#include "base/log.h"
#include "base/util.h"
#include "git/project.h"

struct nsb_command {
	const char *name;
	const char *usage;
	int (*run)(int argc, char **argv); /* argv[0] is the subcommand */
};

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

int nsb_project_at(const char *dir, struct project *ret, char **ret_cwd)
{
	_cleanup_free_ char *err = NULL;
	int r = nsb_project_here(dir, ret_cwd, ret, &err);
	if (r == -EIO && !err)
		return 1; /* said */
	if (r == -ENOENT)
		warn("'%s' is not in a project (a Git work tree with a flake.nix)", *ret_cwd);
	else if (r < 0)
		warn("%s", err ? err : strerror(-r));
	return r < 0;
}

static int cmd_help(int argc, char **argv);
static void usage(FILE *f);

static const struct nsb_command commands[] = {
	{ "enter", "nsb enter [--session BRANCH [--from REF]] [--pick] [DIR]", nsb_cmd_enter },
	{ "sessions", "nsb sessions [DIR] | nsb sessions rm BRANCH [--force] [DIR] | nsb sessions prune [DIR]",
	  nsb_cmd_sessions },
	{ "status", "nsb status [DIR]", nsb_cmd_status },
	{ "trust", "nsb trust [--remove] [DIR]", nsb_cmd_trust },
	{ "doctor", "nsb doctor", nsb_cmd_doctor },
	{ "gc", "nsb gc [--dry-run] [--older-than DURATION] [--homes]", nsb_cmd_gc },
	{ "log", "nsb log [-n N] [DIR]", nsb_cmd_log },
	{ "ps", "nsb ps [DIR]", nsb_cmd_ps },
	{ "stop", "nsb stop [DIR] [--all]", nsb_cmd_stop },
	{ "version", "nsb version", nsb_cmd_version },
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
