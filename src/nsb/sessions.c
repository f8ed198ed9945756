/* sessions.c - `nsb sessions [DIR]`, `nsb sessions rm BRANCH [--force]
 * [DIR]`, `nsb sessions prune [DIR]`: a repository's work trees, listed,
 * removed, forgotten (git/session.c does the work). */
#include "nsb/nsb.h"

#include <stdio.h>
#include <time.h>

#include "base/log.h"
#include "base/util.h"
#include "git/project.h"
#include "git/session.h"
#include "sandbox/live.h"

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
	if (nsb_project_at(dir, &p, &cwd))
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

/* HOST-5: a session's work tree is not removed from under a sandbox that
 * runs in it (its shells would go on in a tree that is gone, and git there
 * would lose its work), --force or not: the live sandboxes' registry
 * (sandbox/live.h) says which run; one that only lingers, with nothing in
 * it, is stopped first.  Said, then true. */
static bool session_in_use(const struct project *p, const char *branch)
{
	struct session_list l = { 0 };
	_cleanup_free_ char *err = NULL, *live = NULL;
	struct live_info *v = NULL;
	size_t n = 0;
	bool busy = false;
	if (session_list(p->worktree, false, &l, &err) < 0)
		return false; /* session_remove says what is wrong */
	if (live_dir_path(&live) < 0 || live_list(live, &v, &n) < 0)
		n = 0;
	for (size_t i = 0; i < l.n && !busy; i++) {
		const struct session_info *s = &l.v[i];
		if (!s->branch || !streq(s->branch, branch) || s->main || s->missing)
			continue;
		for (size_t j = 0; j < n && !busy; j++) {
			struct live_stat st;
			if (!v[j].worktree || !streq(v[j].worktree, s->path) || live_stat(live, v[j].id, &st) < 0)
				continue; /* another's, or one that ended */
			if (st.processes == 0) {
				/* lingering, nothing in it: it goes first */
				(void)live_stop(live, v[j].id);
				continue;
			}
			warn("the session '%s' is in use: its sandbox runs in '%s' (%ld processes); end them, or nsb stop '%s', then remove it",
			     branch, s->path, st.processes, s->path);
			busy = true;
		}
	}
	live_list_release(v, n);
	session_list_release(&l);
	return busy;
}

int nsb_cmd_sessions(int argc, char **argv)
{
	if (argc < 2 || (argv[1][0] != '-' && !streq(argv[1], "rm") && !streq(argv[1], "prune"))) {
		if (argc > 2) {
			return nsb_usage("sessions");
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
			return nsb_usage("sessions");
		} else
			pos[n++] = argv[i];
	}
	bool rm = streq(pos[0], "rm");
	if ((rm && (n < 2 || n > 3)) || (!rm && (n > 2 || force))) {
		return nsb_usage("sessions");
	}
	struct project p = { 0 };
	_cleanup_free_ char *cwd = NULL, *err = NULL, *out = NULL;
	if (nsb_project_at(rm ? pos[2] : pos[1], &p, &cwd))
		return 1;
	if (rm && session_in_use(&p, pos[1])) {
		project_release(&p);
		return 1;
	}
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
