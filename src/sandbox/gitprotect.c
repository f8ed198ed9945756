/* gitprotect.c - git metadata that git outside the sandbox acts on.
 *
 * Invariants (each has a check in tests/integration/t-sessions.sh, or for
 * nested repositories t-limits.sh, that starts with its id):
 * MUST-C1 common-top-ro: in a session's sandbox nothing can be created,
 *         changed or removed at the top of the common git dir C (commondir,
 *         config, hooks/ included); only objects/, refs/, logs/ and the
 *         session's own git dir G are writable.
 * MUST-C2 links-pinned: G's commondir and config.worktree and the work
 *         tree's .git file are read-only, in the session's sandbox and in
 *         the main work tree's.
 * MUST-C3 links-agree: C is shown only when G = C/worktrees/NAME, G names
 *         the work tree's .git back, and both are the user's (git/linked.c).
 * NEST-1, NEST-2: see git/nested.c; what is bound here is checked by device
 *         and inode on what got mounted (layout_add_checked).
 *
 * Code in the sandbox must not plant what git outside will run: a hook, a
 * config key (core.fsmonitor, core.hooksPath, aliases, filters...), or a new
 * .git with either.  So:
 * - .git is bound onto itself: a mount point cannot be renamed, removed or
 *   replaced (EBUSY), while what is inside stays writable for normal work
 *   (objects, refs, index, HEAD, stash, fetch);
 * - hooks/ and config are read-only (hooks/ is created first when missing,
 *   as git init would have, so that there is something to protect);
 * - the same for every submodule's git dir under modules/ (nested too) and
 *   config.worktree of every linked work tree under worktrees/;
 * - a .git file (a linked work tree or submodule checkout) is read-only: its
 *   gitdir: line decides which repository git opens;
 * - worktrees/ and each worktrees/NAME are pinned, and NAME's commondir,
 *   gitdir and config.worktree are read-only (see linked work trees below).
 * Repositories nested in the work tree get the same, from the list of
 * git/nested.c (gitprotect_nested).
 * Not yet: files that do not exist when the shell starts in place, e.g.
 * .git/commondir, and nested repositories made after the last walk.  (A
 * session's sandbox has no such gap for its common dir: see below.)
 *
 * Linked work trees (git/linked.h): W/.git, G/commondir, G/gitdir and
 * G/config.worktree are read-only, and G and C/worktrees are pinned (mount
 * points: no rename, no rmdir), in the main work tree's sandbox too; a
 * session's sandbox sees C read-only but for what commits write: objects/,
 * refs/, logs/ and its own G.  So nothing can be created at the top of C:
 * no commondir (which would point git outside at another directory's
 * config), no new hooks/ or config; hooks/, config, info/, modules/ and the
 * other work trees' git dirs stay as they are.  C is shown only when the
 * links agree both ways and C is the user's: a .git file written by code in
 * a sandbox cannot name another repository's git dir and get it mounted
 * read-write.
 */
#include "sandbox/gitprotect.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <sys/stat.h>

#include "base/file.h"
#include "base/path.h"
#include "base/util.h"
#include "git/nested.h"

#define GIT_MODULES_MAX 256

/* path read-only at itself, when it is there and not a link (a bind would
 * follow a link elsewhere). */
static void protect_ro(struct layout *l, const char *path)
{
	struct stat st;
	if (lstat(path, &st) == 0 && !S_ISLNK(st.st_mode))
		layout_add(l, SB_BIND_RO, path, path);
}

/* A directory bound onto itself: a mount point, which cannot be renamed or
 * removed. */
static void pin_dir(struct layout *l, const char *path)
{
	struct stat st;
	if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode))
		layout_add(l, SB_BIND_RW, path, path);
}

static void protect_linked_gitdir(struct layout *l, const char *gitdir, bool pin)
{
	static const char *const pinned[] = { "commondir", "gitdir", "config.worktree" };
	if (pin)
		pin_dir(l, gitdir);
	for (size_t i = 0; i < ARRAY_SIZE(pinned); i++) {
		_cleanup_free_ char *f = path_join(gitdir, pinned[i]);
		if (!f)
			layout_set_error(l, -ENOMEM);
		else
			protect_ro(l, f);
	}
}

static void protect_gitdir(struct layout *l, const char *gitdir, int depth, int *budget);

/* Submodules' git dirs live in modules/NAME, NAME possibly with slashes:
 * a directory with a HEAD is a git dir, any other is searched further. */
static void protect_modules(struct layout *l, const char *dir, int depth, int *budget)
{
	if (depth >= 8)
		return;
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *de;
	while (!layout_error(l) && (de = readdir(d))) {
		if (de->d_name[0] == '.' || --*budget < 0)
			continue;
		_cleanup_free_ char *sub = path_join(dir, de->d_name), *head = sub ? path_join(sub, "HEAD") : NULL;
		if (!head) {
			layout_set_error(l, -ENOMEM);
			break;
		}
		struct stat st;
		if (lstat(sub, &st) < 0 || !S_ISDIR(st.st_mode))
			continue;
		if (lstat(head, &st) == 0)
			protect_gitdir(l, sub, depth + 1, budget);
		else
			protect_modules(l, sub, depth + 1, budget);
	}
	closedir(d);
}

static void protect_gitdir(struct layout *l, const char *gitdir, int depth, int *budget)
{
	_cleanup_free_ char *hooks = path_join(gitdir, "hooks"), *config = path_join(gitdir, "config"),
			    *modules = path_join(gitdir, "modules");
	if (!hooks || !config || !modules) {
		layout_set_error(l, -ENOMEM);
		return;
	}
	if (mkdir(hooks, 0755) < 0 && errno != EEXIST) {
		/* a git dir that cannot be looked into (chmod 000, say): the
		 * whole of it read-only, rather than less */
		protect_ro(l, gitdir);
		return;
	}
	protect_ro(l, hooks);
	protect_ro(l, config);
	protect_modules(l, modules, depth, budget);
}

void gitprotect_worktree(struct layout *l, const char *worktree)
{
	_cleanup_free_ char *dotgit = path_join(worktree, ".git");
	struct stat st;
	if (!dotgit) {
		layout_set_error(l, -ENOMEM);
		return;
	}
	if (lstat(dotgit, &st) < 0)
		return;
	if (S_ISREG(st.st_mode)) {
		protect_ro(l, dotgit);
		return;
	}
	if (!S_ISDIR(st.st_mode))
		return;

	layout_add(l, SB_BIND_RW, dotgit, dotgit);
	int budget = GIT_MODULES_MAX;
	protect_gitdir(l, dotgit, 0, &budget);

	_cleanup_free_ char *worktrees = path_join(dotgit, "worktrees");
	DIR *d = worktrees && !layout_error(l) ? opendir(worktrees) : NULL;
	if (!d)
		return;
	pin_dir(l, worktrees);
	struct dirent *de;
	while (!layout_error(l) && (de = readdir(d))) {
		if (de->d_name[0] == '.' || --budget < 0)
			continue;
		_cleanup_free_ char *gd = path_join(worktrees, de->d_name);
		if (!gd)
			layout_set_error(l, -ENOMEM);
		else
			protect_linked_gitdir(l, gd, true);
	}
	closedir(d);
}

static void protect_nested_one(struct layout *l, int top, const char *worktree, const char *rel)
{
	_cleanup_close_ int dir = open_beneath(top, rel, O_PATH | O_DIRECTORY, 0);
	struct stat st;
	if (dir < 0 || fstatat(dir, ".git", &st, AT_SYMLINK_NOFOLLOW) < 0)
		return; /* gone, or a link now: nothing of it to protect */
	_cleanup_free_ char *dotgit = NULL, *hooks = NULL, *config = NULL;
	if (asprintf(&dotgit, "%s/%s/.git", worktree, rel) < 0 || !(hooks = path_join(dotgit, "hooks")) ||
	    !(config = path_join(dotgit, "config"))) {
		layout_set_error(l, -ENOMEM);
		return;
	}
	if (S_ISREG(st.st_mode)) {
		layout_add_checked(l, SB_BIND_RO, dotgit, &st);
		return;
	}
	if (!S_ISDIR(st.st_mode))
		return;
	layout_add_checked(l, SB_BIND_RW, dotgit, &st);
	_cleanup_close_ int g = openat(dir, ".git", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (g < 0)
		return;
	/* A .git the user cannot write gets no hooks/: nor can the sandbox make one. */
	(void)mkdirat(g, "hooks", 0755);
	if (fstatat(g, "hooks", &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode))
		layout_add_checked(l, SB_BIND_RO, hooks, &st);
	if (fstatat(g, "config", &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode))
		layout_add_checked(l, SB_BIND_RO, config, &st);
}

void gitprotect_nested(struct layout *l, const char *worktree, const char *list, size_t len)
{
	if (len == 0)
		return;
	_cleanup_close_ int top = open(worktree, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (top < 0)
		return;
	size_t count = 0;
	for (size_t i = 0; !layout_error(l) && i < len && count < NESTED_MAX; i += strlen(list + i) + 1, count++)
		protect_nested_one(l, top, worktree, list + i);
}

/* A directory of C bound read-write: only a real directory of C (a link
 * there could have been left by code in another sandbox, to bind its
 * target). */
static void common_rw(struct layout *l, const char *c, const char *sub)
{
	_cleanup_free_ char *path = path_join(c, sub), *real = NULL;
	if (!path) {
		layout_set_error(l, -ENOMEM);
		return;
	}
	if (mkdir(path, 0755) < 0 && errno != EEXIST) {
		layout_set_error(l, -errno);
		return;
	}
	real = realpath(path, NULL);
	if (!real || !streq(real, path) || !is_own_dir(path)) {
		layout_set_error(l, -EPERM);
		return;
	}
	layout_add(l, SB_BIND_RW, path, path);
	layout_writable(l, path);
}

void gitprotect_common(struct layout *l, const struct linked *lk)
{
	static const char *const rw[] = { "objects", "refs", "logs" };
	layout_add(l, SB_BIND_RO, lk->commondir, lk->commondir);
	for (size_t i = 0; i < ARRAY_SIZE(rw); i++)
		common_rw(l, lk->commondir, rw[i]);
	layout_add(l, SB_BIND_RW, lk->gitdir, lk->gitdir);
	layout_writable(l, lk->gitdir);
	/* An empty config.worktree, so that none can be planted (git reads
	 * it when the repository sets extensions.worktreeConfig). */
	_cleanup_free_ char *cw = path_join(lk->gitdir, "config.worktree");
	if (!cw) {
		layout_set_error(l, -ENOMEM);
		return;
	}
	if (!layout_error(l)) {
		int fd = open(cw, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
		if (fd >= 0)
			close(fd);
	}
	protect_linked_gitdir(l, lk->gitdir, false);
}
