/* session-cmd.c - sessions at the top level (see session-cmd.h): what a
 * start, `nsb enter` and `nsb sessions` do with session.c's work trees. */
#include "shell/session.h"

#include <getopt.h>
#include <stdio.h>
#include <sys/stat.h>
#include <time.h>

#include "env/cache.h"
#include "policy/config.h"
#include "base/log.h"
#include "shell/picker.h"
#include "git/session.h"
#include "base/util.h"

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

static int discover(const char *cwd, struct project *ret, char **ret_err)
{
	return project_discover(cwd, PROJECT_MEMO, ret, ret_err);
}

/* The session's project and the directory to start in: the same place
 * relative to the work tree, when the session has it, else its root. */
static int switch_to(struct project *p, char **cwd, const char *branch, const char *from,
		     const struct policy *pol, char **ret_err)
{
	struct session s = { 0 };
	int r = session_enter(p->worktree, branch, from, policy_session_copy(pol), &s, ret_err);
	if (r < 0)
		return r;
	if (s.created)
		warn("created the session '%s' at '%s'", branch, s.path);
	for (char *line = s.notes; line && *line;) {
		size_t n = strcspn(line, "\n");
		warn("%.*s", (int)n, line);
		line += n + (line[n] == '\n');
	}
	const char *rel = *cwd + strlen(p->worktree);
	_cleanup_free_ char *there = NULL;
	struct stat st;
	if (asprintf(&there, "%s%s", s.path, rel) < 0) {
		session_release(&s);
		return -ENOMEM;
	}
	if (stat(there, &st) < 0 || !S_ISDIR(st.st_mode)) {
		free(there);
		there = strdup(s.path);
	}
	session_release(&s);
	if (!there)
		return -ENOMEM;
	struct project q = { 0 };
	_cleanup_free_ char *err = NULL;
	r = discover(there, &q, &err);
	if (r == -ENOENT)
		return (asprintf(ret_err, "the session '%s' at '%s' has no flake.nix: nothing to enter there", branch, there) < 0)
			       ? -ENOMEM : -ENOENT;
	if (r < 0) {
		*ret_err = steal_pointer(&err);
		return r;
	}
	project_release(p);
	*p = q;
	free(*cwd);
	*cwd = steal_pointer(&there);
	return 0;
}

void session_for_start(struct project *p, char **cwd, bool interactive,
		       const struct policy *pol, char **ret_session)
{
	const char *want = getenv("NSBSH_SESSION");
	_cleanup_free_ char *picked = NULL, *err = NULL;

	*ret_session = NULL;
	if (want && !*want)
		return; /* in place, chosen */
	if (!want && !interactive)
		return;
	if (!want) {
		if (!pol->picker)
			return;
		struct session_list l = { 0 };
		int r = session_list(p->worktree, false, &l, &err);
		if (r == 0)
			r = picker_run(&l, &picked);
		session_list_release(&l);
		if (r < 0 && r != -ENOTTY)
			warn("cannot show the session picker: %s; the shell runs in place", err ? err : strerror(-r));
		if (!picked)
			return;
		want = picked;
	}
	int r = switch_to(p, cwd, want, NULL, pol, &err);
	if (r < 0) {
		warn("cannot enter the session '%s': %s; the shell runs in place in '%s'", want,
		     err ? err : strerror(-r), p->worktree);
		return;
	}
	*ret_session = strdup(want);
}

/* chdir DIR (when given), then the project there; prints why not. */
static int project_at(const char *dir, struct project *ret, char **ret_cwd)
{
	_cleanup_free_ char *err = NULL;
	if (dir && chdir(dir) < 0) {
		warn("cannot enter '%s': %s", dir, strerror(errno));
		return 1;
	}
	*ret_cwd = getcwd(NULL, 0);
	if (!*ret_cwd) {
		warn("cannot read the current directory: %s", strerror(errno));
		return 1;
	}
	int r = discover(*ret_cwd, ret, &err);
	if (r == -ENOENT) {
		warn("'%s' is not in a project (a Git work tree with a flake.nix)", *ret_cwd);
		return 1;
	}
	if (r < 0) {
		warn("%s", err ? err : strerror(-r));
		return 1;
	}
	return 0;
}

int session_cmd_enter(int argc, char **argv)
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
			warn("usage: nsb enter [--session BRANCH [--from REF]] [--pick] [DIR]");
			return EXIT_USAGE;
		}
	}
	if (argc - optind > 1 || (from && !branch) || (pick && branch)) {
		warn("usage: nsb enter [--session BRANCH [--from REF]] [--pick] [DIR]");
		return EXIT_USAGE;
	}
	struct project p = { 0 };
	_cleanup_free_ char *cwd = NULL, *picked = NULL, *err = NULL;
	_cleanup_(policy_release) struct policy pol = { 0 };
	if (project_at(optind < argc ? argv[optind] : NULL, &p, &cwd))
		return 1;
	policy_for_sessions(&pol);
	if (pick) {
		struct session_list l = { 0 };
		int r = session_list(p.worktree, false, &l, &err);
		if (r == 0)
			r = picker_run(&l, &picked);
		session_list_release(&l);
		if (r < 0) {
			warn("cannot show the session picker: %s", r == -ENOTTY ? "no terminal" : err ? err : strerror(-r));
			project_release(&p);
			return 1;
		}
		branch = picked;
	}
	if (branch) {
		int r = switch_to(&p, &cwd, branch, from, &pol, &err);
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

static void age_text(time_t t, char buf[32])
{
	long long age = (long long)(time(NULL) - t);
	if (!t)
		snprintf(buf, 32, "-");
	else if (age < 120)
		snprintf(buf, 32, "%lld s ago", age < 0 ? 0 : age);
	else if (age < 7200)
		snprintf(buf, 32, "%lld min ago", age / 60);
	else if (age < 172800)
		snprintf(buf, 32, "%lld h ago", age / 3600);
	else
		snprintf(buf, 32, "%lld days ago", age / 86400);
}

static int sessions_list(const char *dir)
{
	struct project p = { 0 };
	_cleanup_free_ char *cwd = NULL, *err = NULL;
	if (project_at(dir, &p, &cwd))
		return 1;
	struct session_list l = { 0 };
	int r = session_list(p.worktree, true, &l, &err);
	project_release(&p);
	if (r < 0) {
		warn("%s", err ? err : strerror(-r));
		return r == -ENOMEM ? EXIT_SYSTEM : 1;
	}
	int w = 6;
	for (size_t i = 0; i < l.n; i++)
		if (l.v[i].branch && (int)strlen(l.v[i].branch) > w)
			w = (int)strlen(l.v[i].branch);
	printf("%-*s  %-7s  %-24s  %-12s  %s\n", w, "BRANCH", "STATE", "BASE", "LAST USED", "PATH");
	for (size_t i = 0; i < l.n; i++) {
		const struct session_info *s = &l.v[i];
		char base[96] = "-";
		if (s->counted)
			snprintf(base, sizeof(base), "+%zu -%zu %s", s->ahead, s->behind, s->base);
		printf("%-*s  %-7s  %-24s  ", w, s->branch ? s->branch : "(detached)",
		       s->missing ? "missing" : s->dirty > 0 ? "dirty" : s->dirty == 0 ? "clean" : "?", base);
		char used[32];
		age_text(s->last_used, used);
		printf("%-12s  %s%s%s\n", used, s->path, s->main ? " (main work tree)" : "",
		       !s->main && !s->nsbsh ? " (not made by nsbsh)" : "");
	}
	session_list_release(&l);
	return 0;
}

int session_cmd_sessions(int argc, char **argv)
{
	static const char usage[] =
		"usage: nsb sessions [DIR] | nsb sessions rm BRANCH [--force] [DIR] | nsb sessions prune [DIR]";
	if (argc < 2 || (argv[1][0] != '-' && !streq(argv[1], "rm") && !streq(argv[1], "prune"))) {
		if (argc > 2) {
			warn("%s", usage);
			return EXIT_USAGE;
		}
		return sessions_list(argc == 2 ? argv[1] : NULL);
	}
	bool force = false;
	const char *pos[3] = { NULL };
	int n = 0;
	for (int i = 1; i < argc; i++) {
		if (streq(argv[i], "--force") || streq(argv[i], "-f"))
			force = true;
		else if (argv[i][0] == '-' || n == 3) {
			warn("%s", usage);
			return EXIT_USAGE;
		} else
			pos[n++] = argv[i];
	}
	bool rm = streq(pos[0], "rm");
	if ((rm && (n < 2 || n > 3)) || (!rm && (n > 2 || force))) {
		warn("%s", usage);
		return EXIT_USAGE;
	}
	struct project p = { 0 };
	_cleanup_free_ char *cwd = NULL, *err = NULL, *out = NULL;
	if (project_at(rm ? pos[2] : pos[1], &p, &cwd))
		return 1;
	int r = rm ? session_remove(p.worktree, pos[1], force, &out, &err)
		   : session_prune(p.worktree, &out, &err);
	project_release(&p);
	if (r < 0) {
		warn("%s", err ? err : strerror(-r));
		return r == -ENOMEM ? EXIT_SYSTEM : 1;
	}
	if (rm)
		printf("removed the session '%s' (%s); the branch '%s' is kept\n", pos[1], out, pos[1]);
	else if (!out)
		printf("nothing to prune\n");
	else
		for (char *line = strtok(out, "\n"); line; line = strtok(NULL, "\n"))
			printf("pruned %s (its folder is gone)\n", line);
	return 0;
}
