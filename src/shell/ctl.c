/* ctl.c - the control channel of a shell with a prompt (see ctl.h). */
#include "shell/ctl.h"

#include <stdio.h>
#include <sys/stat.h>

#include "base/dirs.h"
#include "base/file.h"
#include "base/path.h"
#include "base/util.h"

int ctl_make(const char *cache_root, char **ret)
{
	_cleanup_free_ char *run = NULL;
	int r = dirs_subdir(cache_root, "run", &run);
	if (r < 0)
		return r;
	char *dir = NULL;
	if (asprintf(&dir, "%s/%d", run, (int)getpid()) < 0)
		return -ENOMEM;
	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		r = -errno;
		free(dir);
		return r;
	}
	*ret = dir;
	return 0;
}

void ctl_remove(const char *dir)
{
	_cleanup_free_ char *path = path_join(dir, "request");
	if (path)
		unlink(path);
	rmdir(dir);
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

struct ctl_request ctl_take(const char *dir, bool interactive, const char *worktree, const char *home)
{
	struct ctl_request q = { CTL_NONE };
	_cleanup_free_ char *path = path_join(dir, "request"), *buf = NULL;
	size_t n = 0;
	if (!path)
		return q;
	int r = file_read(AT_FDCWD, path, CTL_REQUEST_MAX, FILE_NOFOLLOW, &buf, &n);
	unlink(path);
	if (r < 0 || n == 0)
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
