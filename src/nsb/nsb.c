/* nsb.c - the control command.  Bash has no such command line, so nsb's
 * subcommands never collide with a shell's arguments: each is a row of the
 * table below, a function in its own module. */
#include "nsb/nsb.h"

#include <stdbool.h>
#include <stdio.h>

#include "base/log.h"
#include "base/util.h"
#include "git/project.h"

struct nsb_command {
	const char *name;
	const char *usage;
	int (*run)(int argc, char **argv); /* argv[0] is the subcommand */
	const char *summary;               /* one line, for --help */
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

/* The one place that says each command's command line (--help, its usage
 * errors, and the bash completion, which reads `nsb help`). */
static const struct nsb_command commands[] = {
	{ "enter", "nsb enter [--session BRANCH [--from REF]] [--pick] [DIR]", nsb_cmd_enter,
	  "an interactive shell in the project around DIR, in place or in BRANCH's session" },
	{ "sessions", "nsb sessions [DIR] | nsb sessions rm BRANCH [--force] [DIR] | nsb sessions prune [DIR]",
	  nsb_cmd_sessions, "the repository's work trees; remove one; forget those whose folder is gone" },
	{ "status", "nsb status [--view [--json]] [DIR]", nsb_cmd_status,
	  "the project around DIR: env file, policy, cache key and entry, sandbox layers; --view: what its sandbox would see" },
	{ "trust", "nsb trust [--remove] [DIR]", nsb_cmd_trust,
	  "trust the project's own .nsbsh.conf (pinned to its SHA-256), or forget it" },
	{ "doctor", "nsb doctor", nsb_cmd_doctor, "whether this machine and account are ready for nsbsh" },
	{ "gc", "nsb gc [--dry-run] [--older-than DURATION] [--homes]", nsb_cmd_gc,
	  "remove the cache entries (and their GC roots) of projects gone, or unused for DURATION" },
	{ "log", "nsb log [-n N] [DIR]", nsb_cmd_log,
	  "the last N calls the sandbox of the project around DIR was refused" },
	{ "ps", "nsb ps [DIR]", nsb_cmd_ps, "the live sandboxes and what runs in them" },
	{ "stop", "nsb stop [DIR] [--all]", nsb_cmd_stop,
	  "end the live sandbox of the project around DIR (or all), with everything in it" },
	{ "version", "nsb version", nsb_cmd_version, "nsbsh's version and those of its libraries" },
	{ "help", "nsb help [COMMAND]", cmd_help, "this list, or one command's usage (nsb COMMAND --help)" },
};

static const struct nsb_command *command(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		if (streq(name, commands[i].name))
			return &commands[i];
	return NULL;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: nsb COMMAND [ARGS...]\n");
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		fprintf(f, "  %s\n      %s\n", commands[i].usage, commands[i].summary);
	fprintf(f, "nsbsh itself is a login shell: use it as $SHELL (see README.md)\n");
}

const char *nsb_usage_line(const char *name)
{
	const struct nsb_command *c = command(name);
	return c ? c->usage : "nsb help";
}

int nsb_usage(const char *name)
{
	warn("usage: %s", nsb_usage_line(name));
	return EXIT_USAGE;
}

static int command_help(const struct nsb_command *c)
{
	printf("usage: %s\n%s\n", c->usage, c->summary);
	return 0;
}

static int cmd_help(int argc, char **argv)
{
	if (argc > 2)
		return nsb_usage("help");
	if (argc == 2) {
		const struct nsb_command *c = command(argv[1]);
		if (!c) {
			warn("unknown command '%s' (nsb help lists them)", argv[1]);
			return EXIT_USAGE;
		}
		return command_help(c);
	}
	usage(stdout);
	return 0;
}

/* --help (or -h first) anywhere before "--": the command's usage. */
static bool asks_help(int argc, char **argv)
{
	for (int i = 1; i < argc && !streq(argv[i], "--"); i++)
		if (streq(argv[i], "--help") || (i == 1 && streq(argv[i], "-h")))
			return true;
	return false;
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
	const struct nsb_command *c = command(name);
	if (!c) {
		warn("unknown command '%s' (nsb help lists them)", argv[1]);
		return EXIT_USAGE;
	}
	if (asks_help(argc - 1, argv + 1))
		return command_help(c);
	return c->run(argc - 1, argv + 1);
}
