/* session.c - a start's session (see session.h). */
#include "shell/session.h"

#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>

#include "base/log.h"
#include "base/util.h"
#include "git/session.h"
#include "policy/config.h"
#include "shell/picker.h"

int session_switch(struct project *p, char **cwd, const char *branch, const char *from,
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
	r = project_discover(there, PROJECT_MEMO, &q, &err);
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

/* SESS-1: asked on the terminal whether to run in place after all; no
 * terminal, or anything but yes, is no. */
static bool ask_in_place(const char *branch, const char *why, const char *worktree)
{
	_cleanup_close_ int tty = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
	char name[128], where[512];
	if (tty < 0)
		return false;
	dprintf(tty, "nsbsh: cannot enter the session '%s': %s\n"
		     "nsbsh: run the shell in '%s' instead, not in a session? [y/N] ",
		printable(branch, name, sizeof(name)), why, printable(worktree, where, sizeof(where)));
	char line[16] = "";
	ssize_t n = read(tty, line, sizeof(line) - 1);
	if (n <= 0) {
		dprintf(tty, "\n");
		return false;
	}
	line[n] = '\0';
	return line[0] == 'y' || line[0] == 'Y';
}

int session_for_start(struct project *p, char **cwd, bool interactive,
		      const struct policy *pol, char **ret_session)
{
	const char *want = getenv("NSBSH_SESSION");
	_cleanup_free_ char *picked = NULL, *err = NULL;

	*ret_session = NULL;
	if (want && !*want)
		return 0; /* in place, chosen */
	if (!want && !interactive)
		return 0;
	if (!want) {
		if (!pol->picker)
			return 0;
		struct session_list l = { 0 };
		int r = session_list(p->worktree, false, &l, &err);
		if (r == 0)
			r = picker_run(&l, &picked, &err);
		session_list_release(&l);
		if (r < 0 && r != -ENOTTY)
			warn("cannot show the session picker: %s; the shell runs in place", err ? err : strerror(-r));
		if (!picked)
			return 0;
		want = picked;
	}
	int r = session_switch(p, cwd, want, NULL, pol, &err);
	if (r < 0) {
		/* SESS-1: a session asked for is a promise: never the main
		 * work tree instead, unless the person at the terminal says so */
		char name[128];
		const char *why = err ? err : strerror(-r);
		if (interactive && ask_in_place(want, why, p->worktree))
			return 0;
		warn("cannot enter the session '%s': %s; nothing runs in '%s' instead (refused, status %d)",
		     printable(want, name, sizeof(name)), why, p->worktree, EXIT_REFUSED);
		return -ECANCELED;
	}
	*ret_session = strdup(want);
	return 0;
}
