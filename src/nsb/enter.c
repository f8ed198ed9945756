/* enter.c - `nsb enter [--session BRANCH [--from REF]] [--pick] [DIR]`:
 * the session's work tree made if need be, then nsbsh started there (a
 * new process: the start does the rest, NSBSH_SESSION naming the session). */
#include "nsb/nsb.h"

#include <getopt.h>
#include <stdio.h>

#include "base/log.h"
#include "base/util.h"
#include "git/session.h"
#include "policy/config.h"
#include "shell/picker.h"
#include "shell/session.h"

/* The policy `nsb enter` reads (session_copy); a start hands its own to
 * session_for_start.  A bad file is said once and the defaults apply
 * (config_load never returns a half-read policy). */
static void policy_for_sessions(struct policy *ret)
{
	struct config_error err;
	const char *home = getenv("HOME");
	if (config_load_standard(home && home[0] == '/' ? home : NULL, ret, &err) < 0)
		warn("%s (the built-in policy applies)", err.message);
}

int nsb_cmd_enter(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "session", required_argument, NULL, 's' },
		{ "from", required_argument, NULL, 'f' },
		{ "pick", no_argument, NULL, 'p' },
		{ 0 },
	};
	const char *branch = NULL, *from = NULL;
	bool pick = false;
	int c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		switch (c) {
		case 's': branch = optarg; break;
		case 'f': from = optarg; break;
		case 'p': pick = true; break;
		default:
			return nsb_usage("enter");
		}
	}
	if (argc - optind > 1 || (from && !branch) || (pick && branch)) {
		return nsb_usage("enter");
	}
	struct project p = { 0 };
	_cleanup_free_ char *cwd = NULL, *picked = NULL, *err = NULL;
	_cleanup_(policy_release) struct policy pol = { 0 };
	if (nsb_project_at(optind < argc ? argv[optind] : NULL, &p, &cwd))
		return 1;
	policy_for_sessions(&pol);
	if (pick) {
		struct session_list l = { 0 };
		int r = session_list(p.worktree, false, &l, &err);
		if (r == 0)
			r = picker_run(&l, &picked, &err);
		session_list_release(&l);
		if (r < 0) {
			warn("cannot show the session picker: %s", r == -ENOTTY ? "no terminal" : err ? err : strerror(-r));
			project_release(&p);
			return 1;
		}
		branch = picked;
	}
	if (branch) {
		int r = session_switch(&p, &cwd, branch, from, &pol, &err);
		if (r < 0) {
			warn("cannot enter the session '%s': %s", branch, err ? err : strerror(-r));
			project_release(&p);
			return r == -ENOMEM ? EXIT_SYSTEM : 1;
		}
	}
	project_release(&p);
	/* The start does the rest: NSBSH_SESSION names the session (empty: in
	 * place, so that the picker is not shown twice). */
	if (chdir(cwd) < 0 || setenv("NSBSH_SESSION", branch ? branch : "", 1) < 0 ||
	    setenv("PWD", cwd, 1) < 0) {
		warn("cannot enter '%s': %s", cwd, strerror(errno));
		return 1;
	}
	char *args[] = { (char *)"nsbsh", NULL };
	execv("/proc/self/exe", args);
	warn("cannot run nsbsh: %s", strerror(errno));
	return EXIT_SYSTEM;
}

