/* ctl.c - the control channel of a shell (see ctl.h).
 *
 * Invariants (tests/integration/t-cd.sh names each):
 * CTL-1 at-that-prompt: a request counts only when the shell ended with
 *       CTL_EXIT_STATUS, the status that nsbsh's own cd and nsb reload end
 *       it with: one planted by another process of the sandbox does
 *       nothing at the person's ordinary exit.
 * CTL-2 bounded: a request is read without following a link or blocking,
 *       at most CTL_REQUEST_MAX bytes of a regular file.
 * CTL-3 target-checked: a cd's target is the host's path, resolved by the
 *       start (main.c place_cd); one the sandbox could write (the work tree,
 *       a private home, a writable bind, beneath them) gets a sandbox again,
 *       never a plain bash. */
#include "shell/ctl.h"

#include <stdio.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "base/dirs.h"
#include "base/file.h"
#include "base/path.h"
#include "base/util.h"
#include "sandbox/shell-view.h"

int ctl_sandbox_dir(const char *cache_root, const char *id, char **ret)
{
	_cleanup_free_ char *ctl = NULL;
	int r = dirs_subdir(cache_root, "ctl", &ctl);
	return r < 0 ? r : dirs_subdir(ctl, id, ret);
}

int ctl_shell_path(const char *sandbox_dir, char **ret_host, char **ret_inside)
{
	char name[32];
	snprintf(name, sizeof(name), "%d.request", (int)getpid());
	_cleanup_free_ char *host = path_join(sandbox_dir, name), *inside = NULL;
	if (!host || asprintf(&inside, "%s/%s", SHELL_CTL_DIR, name) < 0)
		return -ENOMEM;
	ctl_remove(host); /* one left by a process of this pid before */
	*ret_host = steal_pointer(&host);
	*ret_inside = steal_pointer(&inside);
	return 0;
}

void ctl_remove(const char *path)
{
	unlink(path);
}

void ctl_request_release(struct ctl_request *q)
{
	free(q->dir);
	free(q->target);
	*q = (struct ctl_request){ 0 };
}

/* A directory the shell was in, from inside: kept when it is in the
 * project (the same path inside and out); anywhere else (the private home,
 * /tmp) the new shell starts at the project's root, or the home when there
 * is no project. */
static char *inside_dir(const char *worktree, const char *home, const char *dir)
{
	char *real = dir[0] == '/' ? realpath(dir, NULL) : NULL;
	if (real && worktree && path_at_or_below(real, worktree))
		return real;
	free(real);
	return strdup(worktree ? worktree : home);
}

struct ctl_request ctl_take(const char *path, int status, bool interactive, const char *worktree,
			    const char *home)
{
	struct ctl_request q = { CTL_NONE };
	_cleanup_free_ char *buf = NULL;
	size_t n = 0;
	/* CTL-2 */
	int r = file_read(AT_FDCWD, path, CTL_REQUEST_MAX, FILE_NOFOLLOW, &buf, &n);
	unlink(path);
	/* CTL-1 */
	if (r < 0 || n == 0 || !WIFEXITED(status) || WEXITSTATUS(status) != CTL_EXIT_STATUS)
		return q;
	char *line[3] = { buf, NULL, NULL };
	for (int i = 1; i < 3 && line[i - 1]; i++) {
		char *nl = strchr(line[i - 1], '\n');
		if (nl) {
			*nl = '\0';
			line[i] = nl + 1;
		}
	}
	if (streq(line[0], "reload") && line[1] && worktree) {
		q.dir = inside_dir(worktree, home, line[1]);
		q.kind = q.dir ? CTL_RELOAD : CTL_NONE;
		return q;
	}
	/* cd: only an interactive shell asks; a script's exit stays an exit */
	if (streq(line[0], "cd") && line[1] && line[1][0] == '/' && line[2] && interactive) {
		q.target = strdup(line[1]);
		q.dir = inside_dir(worktree, home, line[2]);
		q.kind = q.target && q.dir ? CTL_CD : CTL_NONE;
		if (q.kind == CTL_NONE)
			ctl_request_release(&q);
	}
	return q;
}
