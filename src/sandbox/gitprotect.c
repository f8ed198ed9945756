/* gitprotect.c - git metadata that git outside the sandbox acts on.
 *
 * Invariants (each has a check in tests/integration/t-sessions.sh, or for
 * nested repositories t-limits.sh, for the bounds t-failclosed.sh, that
 * starts with its id):
 * MUST-C1 common-top-ro: in a session's sandbox nothing can be created,
 *         changed or removed at the top of the common git dir C (commondir,
 *         config, hooks/ included); only objects/, refs/, logs/ and the
 *         session's own git dir G are writable.
 * MUST-C2 links-pinned: G's commondir and config.worktree and the work
 *         tree's .git file are read-only, in the session's sandbox and in
 *         the main work tree's.
 * MUST-C3 links-agree: C is shown only when G = C/worktrees/NAME, G names
 *         the work tree's .git back, and both are the user's (git/linked.c).
 * GITP-1 bounded-closed: past GIT_MODULES_MAX entries searched under
 *         .git/modules, or GIT_MODULES_DEPTH levels, all of modules/ is
 *         read-only; past GIT_WORKTREES_MAX entries of .git/worktrees, all of
 *         worktrees/ is: a bound never leaves a submodule or a linked work
 *         tree's git dir writable (each budget its own).
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
#include "git/gitconfig.h"
#include "git/nested.h"
#include "git/protect.h"

/* GITP-1: bounds on what a start walks in a git dir.  Past one, the whole
 * place is read-only, never less protected. */
#define GIT_MODULES_MAX 256    /* entries searched under modules/, all levels */
#define GIT_MODULES_DEPTH 8    /* directories deep under modules/ */
#define GIT_WORKTREES_MAX 256  /* entries of worktrees/ */

/* Whether at/name (not a link) holds at most max entries. */
static bool entries_at_most(int at, const char *name, int max)
{
	int fd = openat(at, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return true; /* nothing there to walk */
	DIR *d = fdopendir(fd);
	if (!d) {
		close(fd);
		return false;
	}
	int n = 0;
	struct dirent *de;
	while (n <= max && (de = readdir(d)))
		if (!streq(de->d_name, ".") && !streq(de->d_name, ".."))
			n++;
	closedir(d);
	return n <= max;
}

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
	layout_guard_gitdir(l, gitdir);
	for (size_t i = 0; i < ARRAY_SIZE(pinned); i++) {
		_cleanup_free_ char *f = path_join(gitdir, pinned[i]);
		if (!f)
			layout_set_error(l, -ENOMEM);
		else
			protect_ro(l, f);
	}
}

/* The submodules' git dirs under modules/, found before anything is
 * bound: their hooks/ and config, to be read-only. */
struct modules_walk {
	char **ro;
	size_t n;
	int left;   /* entries still allowed */
	bool over;  /* a bound was met: modules/ goes read-only whole */
	int error;
};

static void walk_ro(struct modules_walk *w, char *path)
{
	struct stat st;
	if (!path) {
		w->error = -ENOMEM;
		return;
	}
	char **v = NULL;
	if (lstat(path, &st) < 0 || S_ISLNK(st.st_mode)) {
		free(path);
		return;
	}
	if (!(v = realloc(w->ro, (w->n + 1) * sizeof(*v)))) {
		free(path);
		w->error = -ENOMEM;
		return;
	}
	w->ro = v;
	w->ro[w->n++] = path;
}

static void walk_modules(struct modules_walk *w, const char *dir, int depth);

/* hooks/ is made first when missing, as git init would have, so that
 * there is something to protect. */
/* false: a git dir that cannot be looked into (chmod 000, say), listed
 * read-only whole, rather than less, and not searched further. */
static bool walk_gitdir_own(struct modules_walk *w, const char *gitdir)
{
	_cleanup_free_ char *hooks = path_join(gitdir, "hooks");
	if (!hooks) {
		w->error = -ENOMEM;
		return false;
	}
	if (mkdir(hooks, 0755) < 0 && errno != EEXIST) {
		walk_ro(w, strdup(gitdir));
		return false;
	}
	walk_ro(w, steal_pointer(&hooks));
	walk_ro(w, path_join(gitdir, "config"));
	return true;
}

static void walk_gitdir(struct modules_walk *w, const char *gitdir, int depth)
{
	_cleanup_free_ char *modules = path_join(gitdir, "modules");
	if (!modules) {
		w->error = -ENOMEM;
		return;
	}
	if (walk_gitdir_own(w, gitdir))
		walk_modules(w, modules, depth);
}

/* Submodules' git dirs live in modules/NAME, NAME possibly with slashes:
 * a directory with a HEAD is a git dir, any other is searched further. */
static void walk_modules(struct modules_walk *w, const char *dir, int depth)
{
	DIR *d = w->over || w->error ? NULL : opendir(dir);
	if (!d)
		return;
	if (depth >= GIT_MODULES_DEPTH)
		w->over = true;
	struct dirent *de;
	while (!w->over && !w->error && (de = readdir(d))) {
		if (streq(de->d_name, ".") || streq(de->d_name, ".."))
			continue;
		if (--w->left < 0) {
			w->over = true;
			break;
		}
		_cleanup_free_ char *sub = path_join(dir, de->d_name), *head = sub ? path_join(sub, "HEAD") : NULL;
		if (!head) {
			w->error = -ENOMEM;
			break;
		}
		struct stat st;
		if (lstat(sub, &st) < 0 || !S_ISDIR(st.st_mode))
			continue;
		if (lstat(head, &st) == 0)
			walk_gitdir(w, sub, depth + 1);
		else
			walk_modules(w, sub, depth + 1);
	}
	closedir(d);
}

/* The work tree's git dir: hooks/ and config read-only, those of every
 * submodule too; past GITP-1's bounds, all of modules/ read-only. */
static void protect_gitdir(struct layout *l, const char *gitdir)
{
	struct modules_walk w = { .left = GIT_MODULES_MAX };
	_cleanup_free_ char *modules = path_join(gitdir, "modules");
	if (!modules) {
		layout_set_error(l, -ENOMEM);
		return;
	}
	bool open = walk_gitdir_own(&w, gitdir);
	size_t own = w.n;
	if (open)
		walk_modules(&w, modules, 0);
	if (w.error)
		layout_set_error(l, w.error);
	for (size_t i = 0; i < w.n; i++) {
		if (i < own || !w.over)
			layout_add(l, SB_BIND_RO, w.ro[i], w.ro[i]);
		/* each git dir's hooks/ is listed (made when missing): its
		 * directory is a git dir whose top the creation guard keeps */
		size_t n = strlen(w.ro[i]);
		if (n > 6 && streq(w.ro[i] + n - 6, "/hooks")) {
			w.ro[i][n - 6] = '\0';
			layout_guard_gitdir(l, w.ro[i]);
		}
	}
	if (w.over) {
		/* GITP-1: every submodule's git dir at once */
		protect_ro(l, modules);
		layout_note(l, "'%s' holds more than %d entries, or nests deeper than %d: it is read-only in this sandbox (update submodules outside it)",
			    modules, GIT_MODULES_MAX, GIT_MODULES_DEPTH);
	}
	for (size_t i = 0; i < w.n; i++)
		free(w.ro[i]);
	free(w.ro);
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
	protect_gitdir(l, dotgit);

	_cleanup_free_ char *worktrees = path_join(dotgit, "worktrees");
	_cleanup_close_ int g = open(dotgit, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (!worktrees || g < 0 || layout_error(l))
		return;
	if (!entries_at_most(g, "worktrees", GIT_WORKTREES_MAX)) {
		/* GITP-1: the linked work trees' git dirs all at once */
		protect_ro(l, worktrees);
		layout_note(l, "'%s' holds more than %d entries: it is read-only in this sandbox (add or prune work trees outside it)",
			    worktrees, GIT_WORKTREES_MAX);
		return;
	}
	DIR *d = opendir(worktrees);
	if (!d)
		return;
	pin_dir(l, worktrees);
	struct dirent *de;
	while (!layout_error(l) && (de = readdir(d))) {
		if (streq(de->d_name, ".") || streq(de->d_name, ".."))
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
	layout_guard_gitdir(l, dotgit);
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

/* A directory the walk did not enter (NEST-3): read-only whole, checked
 * like the rest. */
static void protect_unwalked(struct layout *l, int top, const char *worktree, const char *rel, size_t n)
{
	_cleanup_free_ char *r = strndup(rel, n), *path = NULL;
	if (!r || asprintf(&path, "%s/%s", worktree, r) < 0) {
		layout_set_error(l, -ENOMEM);
		return;
	}
	_cleanup_close_ int fd = open_beneath(top, r, O_PATH | O_DIRECTORY, 0);
	struct stat st;
	if (fd >= 0 && fstat(fd, &st) == 0)
		layout_add_checked(l, SB_BIND_RO, path, &st);
}

void gitprotect_nested(struct layout *l, const char *worktree, const char *list, size_t len)
{
	if (len == 0)
		return;
	_cleanup_close_ int top = open(worktree, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (top < 0)
		return;
	/* NEST-3: a bound was met: all of it */
	for (size_t i = 0; i < len; i += strlen(list + i) + 1)
		if (streq(list + i, NESTED_WHOLE)) {
			struct stat st;
			if (fstat(top, &st) == 0)
				layout_add_checked(l, SB_BIND_RO, worktree, &st);
			layout_note(l, "'%s' holds more than %d git repositories or directories too deep to look into, or more than %d entries, or cannot be looked into: it is read-only in this sandbox",
				    worktree, NESTED_MAX, NESTED_WALK_ENTRIES);
			return;
		}
	size_t count = 0;
	for (size_t i = 0; !layout_error(l) && i < len && count < NESTED_MAX; i += strlen(list + i) + 1, count++) {
		size_t n = strlen(list + i);
		if (n > 1 && list[i + n - 1] == '/')
			protect_unwalked(l, top, worktree, list + i, n - 1);
		else
			protect_nested_one(l, top, worktree, list + i);
	}
}

void gitprotect_paths(struct layout *l, const char *worktree, const char *home, const struct policy *pol)
{
	if (layout_error(l))
		return;
	struct protect_list list;
	int r = protect_find(worktree, home, pol, &list);
	if (r == -E2BIG) {
		layout_fail(l, r, "cannot tell what programs outside the sandbox would run from '%s': its git config names more than %d paths in it, or is larger than %u KiB or %d files: the sandbox cannot protect them all",
			    worktree, PROTECT_MAX, GITCONFIG_MAX_FILE / 1024, PROTECT_MAX_CONFIGS);
		return;
	}
	if (r < 0) {
		layout_fail(l, r, "cannot read what git's config makes programs outside run from '%s': %s",
			    worktree, strerror(-r));
		return;
	}
	/* PROT-5: each bound only if it is what protect_find saw; a link,
	 * or one missing, is the creation guard's (l->protect). */
	for (size_t i = 0; i < list.n && !layout_error(l); i++) {
		const struct protect_path *e = &list.v[i];
		if (e->state != PROTECT_FILE && e->state != PROTECT_DIR)
			continue;
		struct stat st = { .st_dev = e->dev, .st_ino = e->ino };
		layout_add_checked(l, SB_BIND_RO, e->path, &st);
	}
	protect_list_release(&l->protect);
	l->protect = list;
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
	layout_guard_gitdir(l, lk->gitdir);
	layout_guard_gitdir(l, lk->commondir);
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
