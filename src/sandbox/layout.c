/* layout.c - the contents of the sandboxes (see layout.h and DESIGN.md 5). */
#include "sandbox/layout.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <sys/stat.h>

#include "policy/config.h"
#include "sandbox/denylog.h"
#include "git/nested.h"
#include "base/file.h"
#include "base/path.h"
#include "base/util.h"

#define DEFAULT_DAEMON_SOCKET "/nix/var/nix/daemon-socket/socket"

void layout_init(struct layout *l)
{
	*l = (struct layout){ 0 };
	sandbox_spec_init(&l->spec);
}

void layout_release(struct layout *l)
{
	for (size_t i = 0; i < l->n_owned; i++)
		free(l->owned[i]);
	free(l->owned);
	for (size_t i = 0; i < l->n_env; i++)
		free(l->envp[i]);
	sandbox_spec_release(&l->spec);
	*l = (struct layout){ 0 };
}

const char *layout_keep(struct layout *l, char *s)
{
	if (!s)
		return NULL;
	char **o = realloc(l->owned, (l->n_owned + 1) * sizeof(*o));
	if (!o) {
		free(s);
		return NULL;
	}
	l->owned = o;
	l->owned[l->n_owned++] = s;
	return s;
}

static int layout_putenv(struct layout *l, char *entry)
{
	size_t nlen = strcspn(entry, "=");
	for (size_t i = 0; i < l->n_env; i++) {
		if (strncmp(l->envp[i], entry, nlen + 1) == 0) {
			free(l->envp[i]);
			l->envp[i] = entry;
			return 0;
		}
	}
	if (l->n_env + 1 >= ARRAY_SIZE(l->envp)) {
		free(entry);
		return -E2BIG;
	}
	l->envp[l->n_env++] = entry;
	l->envp[l->n_env] = NULL;
	return 0;
}

int layout_setenv(struct layout *l, const char *name, const char *value)
{
	char *e = NULL;
	if (asprintf(&e, "%s=%s", name, value) < 0)
		return -ENOMEM;
	return layout_putenv(l, e);
}

int layout_pass_env(struct layout *l, const struct policy *p)
{
	extern char **environ;
	for (char **e = environ; *e; e++) {
		size_t nlen = strcspn(*e, "=");
		if ((*e)[nlen] != '=')
			continue;
		_cleanup_free_ char *name = strndup(*e, nlen);
		if (!name)
			return -ENOMEM;
		if (!policy_passes_env(p, name))
			continue;
		char *copy = strdup(*e);
		if (!copy)
			return -ENOMEM;
		int r = layout_putenv(l, copy);
		if (r < 0)
			return r;
	}
	return 0;
}

int layout_writable(struct layout *l, const char *path)
{
	if (!path)
		return -ENOMEM;
	if (l->n_writable == ARRAY_SIZE(l->writable))
		return -E2BIG;
	l->writable[l->n_writable++] = path;
	l->spec.writable = l->writable;
	l->spec.n_writable = l->n_writable;
	return 0;
}

int layout_denial_log(struct layout *l, const char *dir, bool shown)
{
	_cleanup_free_ char *flag = NULL;
	const char *d = layout_keep(l, strdup(dir));
	if (!d)
		return -ENOMEM;
	l->spec.denial_log = d;
	if (!shown)
		return 0;
	if (denylog_flag_path(DENYLOG_INSIDE, getpid(), &flag) < 0)
		return -ENOMEM;
	int r = sandbox_add(&l->spec, SB_BIND_RO, d, DENYLOG_INSIDE, NULL, 0);
	if (r == 0)
		r = layout_setenv(l, "NSBSH_DENIALS_FLAG", flag);
	return r;
}

const char *layout_daemon_socket(void)
{
	const char *s = getenv("NIX_DAEMON_SOCKET_PATH");
	return s && s[0] == '/' ? s : DEFAULT_DAEMON_SOCKET;
}

static int add(struct layout *l, enum sandbox_op_kind k, const char *src, const char *dest)
{
	return sandbox_add(&l->spec, k, src, dest, NULL, 0);
}

static int add_file(struct layout *l, const char *dest, char *content)
{
	const char *c = layout_keep(l, content);
	if (!c)
		return -ENOMEM;
	return sandbox_add(&l->spec, SB_FILE, NULL, dest, c, strlen(c));
}

int layout_common(struct layout *l, const struct layout_user *u)
{
	int r = sandbox_add_base(&l->spec);
	/* Writes: the private /tmp and /dev/shm, the devices (the private
	 * devpts covers /dev/ptmx and new ptys; nothing new can be made in /dev
	 * itself), and the sandbox's own /proc (/proc/self/comm, oom_score_adj;
	 * no capability is left to make more of it). */
	static const char *const writable[] = { "/tmp", "/dev/shm", "/dev/pts", "/dev/null",
						 "/dev/zero", "/dev/full", "/dev/tty", "/proc" };
	for (size_t i = 0; r == 0 && i < ARRAY_SIZE(writable); i++)
		r = layout_writable(l, writable[i]);
	if (r < 0)
		return r;
	r = add(l, SB_BIND_RO, "/nix/store", "/nix/store");
	if (r < 0)
		return r;

	/* The daemon socket's directory, so that a restarted daemon's new socket
	 * is seen; absent when no daemon was ever started (then nix says so). */
	const char *sock = layout_daemon_socket();
	char *sockdir = strdup(sock);
	if (!sockdir)
		return -ENOMEM;
	char *slash = strrchr(sockdir, '/');
	if (slash && slash != sockdir)
		*slash = '\0';
	struct stat st;
	if (stat(sockdir, &st) == 0 && S_ISDIR(st.st_mode)) {
		const char *d = layout_keep(l, sockdir);
		if (!d)
			return -ENOMEM;
		/* Read-only is enough: connect() needs write permission on the
		 * socket, which a read-only mount does not take away (only files,
		 * directories and links become EROFS); nothing can be made there. */
		r = add(l, SB_BIND_RO, d, d);
		if (r < 0)
			return r;
	} else {
		free(sockdir);
	}

	char *passwd = NULL, *group = NULL;
	if (asprintf(&passwd, "%s:x:%u:%u::%s:/bin/bash\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n",
		     u->name, u->uid, u->gid, u->home) < 0)
		return -ENOMEM;
	r = add_file(l, "/etc/passwd", passwd);
	if (r < 0)
		return r;
	if (asprintf(&group, "%s:x:%u:\nnogroup:x:65534:\n", u->name, u->gid) < 0)
		return -ENOMEM;
	r = add_file(l, "/etc/group", group);
	if (r < 0)
		return r;
	char *nss = strdup("passwd: files\ngroup: files\nhosts: files dns\n");
	if (!nss)
		return -ENOMEM;
	r = add_file(l, "/etc/nsswitch.conf", nss);
	if (r == 0)
		r = add(l, SB_BIND_TRY_RO, "/etc/hosts", "/etc/hosts");
	if (r == 0)
		r = add(l, SB_BIND_TRY_RO, "/etc/resolv.conf", "/etc/resolv.conf");
	if (r == 0)
		r = add(l, SB_BIND_TRY_RO, "/etc/ssl/certs", "/etc/ssl/certs");
	return r;
}

int layout_host_system(struct layout *l)
{
	static const char *const dirs[] = { "/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64",
					    "/libx32", "/etc/nix", "/etc/alternatives",
					    "/etc/ca-certificates", "/etc/ld.so.cache" };
	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++) {
		struct stat st;
		if (lstat(dirs[i], &st) < 0)
			continue;
		int r;
		if (S_ISLNK(st.st_mode)) {
			/* merged /usr: /bin -> usr/bin stays a link */
			char target[PATH_MAX];
			ssize_t n = readlink(dirs[i], target, sizeof(target) - 1);
			if (n < 0)
				continue;
			target[n] = '\0';
			const char *t = layout_keep(l, strdup(target));
			if (!t)
				return -ENOMEM;
			r = add(l, SB_SYMLINK, t, dirs[i]);
		} else {
			r = add(l, SB_BIND_RO, dirs[i], dirs[i]);
		}
		if (r < 0)
			return r;
	}
	return 0;
}

/* --- git metadata ----------------------------------------------------------
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
 * nested.c (layout_protect_nested).
 * Not yet: files that do not exist when the shell starts in place, e.g.
 * .git/commondir, and nested repositories made after the last walk.  (A
 * session's sandbox has no such gap for its common dir: see below.) */

#define GIT_MODULES_MAX 256

static int pin_dir(struct layout *l, const char *path);
static int protect_linked_gitdir(struct layout *l, const char *gitdir, bool pin);

static int protect_ro(struct layout *l, const char *path)
{
	struct stat st;
	if (lstat(path, &st) < 0 || S_ISLNK(st.st_mode))
		return 0; /* absent, or a link that the bind would follow elsewhere */
	const char *p = layout_keep(l, strdup(path));
	if (!p)
		return -ENOMEM;
	return sandbox_add(&l->spec, SB_BIND_RO, p, p, NULL, 0);
}

static int protect_gitdir(struct layout *l, const char *gitdir, int depth, int *budget);

/* Submodules' git dirs live in modules/NAME, NAME possibly with slashes:
 * a directory with a HEAD is a git dir, any other is searched further. */
static int protect_modules(struct layout *l, const char *dir, int depth, int *budget)
{
	if (depth >= 8)
		return 0;
	DIR *d = opendir(dir);
	if (!d)
		return 0;
	struct dirent *de;
	int r = 0;
	while (r == 0 && (de = readdir(d))) {
		if (de->d_name[0] == '.' || --*budget < 0)
			continue;
		_cleanup_free_ char *sub = NULL, *head = NULL;
		if (asprintf(&sub, "%s/%s", dir, de->d_name) < 0 || asprintf(&head, "%s/HEAD", sub) < 0) {
			r = -ENOMEM;
			break;
		}
		struct stat st;
		if (lstat(sub, &st) < 0 || !S_ISDIR(st.st_mode))
			continue;
		if (lstat(head, &st) == 0)
			r = protect_gitdir(l, sub, depth + 1, budget);
		else
			r = protect_modules(l, sub, depth + 1, budget);
	}
	closedir(d);
	return r;
}

static int protect_gitdir(struct layout *l, const char *gitdir, int depth, int *budget)
{
	_cleanup_free_ char *hooks = NULL, *config = NULL, *modules = NULL;
	if (asprintf(&hooks, "%s/hooks", gitdir) < 0 || asprintf(&config, "%s/config", gitdir) < 0 ||
	    asprintf(&modules, "%s/modules", gitdir) < 0)
		return -ENOMEM;
	if (mkdir(hooks, 0755) < 0 && errno != EEXIST)
		return -errno;
	int r = protect_ro(l, hooks);
	if (r == 0)
		r = protect_ro(l, config);
	if (r == 0)
		r = protect_modules(l, modules, depth, budget);
	return r;
}

int layout_protect_git(struct layout *l, const char *worktree)
{
	_cleanup_free_ char *dotgit = NULL, *worktrees = NULL;
	struct stat st;
	if (asprintf(&dotgit, "%s/.git", worktree) < 0)
		return -ENOMEM;
	if (lstat(dotgit, &st) < 0)
		return 0;
	if (S_ISREG(st.st_mode))
		return protect_ro(l, dotgit);
	if (!S_ISDIR(st.st_mode))
		return 0;

	const char *g = layout_keep(l, strdup(dotgit));
	if (!g)
		return -ENOMEM;
	int r = sandbox_add(&l->spec, SB_BIND_RW, g, g, NULL, 0);
	int budget = GIT_MODULES_MAX;
	if (r == 0)
		r = protect_gitdir(l, dotgit, 0, &budget);
	if (r < 0)
		return r;

	if (asprintf(&worktrees, "%s/worktrees", dotgit) < 0)
		return -ENOMEM;
	DIR *d = opendir(worktrees);
	if (!d)
		return 0;
	r = pin_dir(l, worktrees);
	struct dirent *de;
	while (r == 0 && (de = readdir(d))) {
		if (de->d_name[0] == '.' || --budget < 0)
			continue;
		_cleanup_free_ char *gd = NULL;
		if (asprintf(&gd, "%s/%s", worktrees, de->d_name) < 0)
			r = -ENOMEM;
		else
			r = protect_linked_gitdir(l, gd, true);
	}
	closedir(d);
	return r;
}

/* A bind of what fstatat found at dirfd/name, checked again by device and
 * inode on what got mounted (NEST-2): a link swapped in on the way makes the
 * start fail, it never gets something else mounted. */
static int bind_checked(struct layout *l, enum sandbox_op_kind kind, const char *path,
			const struct stat *st)
{
	struct sandbox_bind_id *id = malloc(sizeof(*id));
	if (!id || !layout_keep(l, (char *)id))
		return -ENOMEM;
	*id = (struct sandbox_bind_id){ .dev = st->st_dev, .ino = st->st_ino };
	const char *p = layout_keep(l, strdup(path));
	if (!p)
		return -ENOMEM;
	return sandbox_add(&l->spec, kind, p, p, (const char *)id, sizeof(*id));
}

static int protect_nested_one(struct layout *l, int top, const char *worktree, const char *rel)
{
	_cleanup_close_ int dir = open_beneath(top, rel, O_PATH | O_DIRECTORY, 0);
	struct stat st;
	if (dir < 0 || fstatat(dir, ".git", &st, AT_SYMLINK_NOFOLLOW) < 0)
		return 0; /* gone, or a link now: nothing of it to protect */
	_cleanup_free_ char *dotgit = NULL, *hooks = NULL, *config = NULL;
	if (asprintf(&dotgit, "%s/%s/.git", worktree, rel) < 0 ||
	    asprintf(&hooks, "%s/hooks", dotgit) < 0 || asprintf(&config, "%s/config", dotgit) < 0)
		return -ENOMEM;
	if (S_ISREG(st.st_mode))
		return bind_checked(l, SB_BIND_RO, dotgit, &st);
	if (!S_ISDIR(st.st_mode))
		return 0;
	int r = bind_checked(l, SB_BIND_RW, dotgit, &st);
	_cleanup_close_ int g = openat(dir, ".git", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (r < 0 || g < 0)
		return r;
	/* A .git the user cannot write gets no hooks/: nor can the sandbox make one. */
	(void)mkdirat(g, "hooks", 0755);
	if (fstatat(g, "hooks", &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode))
		r = bind_checked(l, SB_BIND_RO, hooks, &st);
	if (r == 0 && fstatat(g, "config", &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode))
		r = bind_checked(l, SB_BIND_RO, config, &st);
	return r;
}

int layout_protect_nested(struct layout *l, const char *worktree, const char *list, size_t len)
{
	if (len == 0)
		return 0;
	_cleanup_close_ int top = open(worktree, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (top < 0)
		return 0;
	int r = 0;
	size_t count = 0;
	for (size_t i = 0; r == 0 && i < len && count < NESTED_MAX; i += strlen(list + i) + 1, count++)
		r = protect_nested_one(l, top, worktree, list + i);
	return r;
}

/* --- linked work trees and their common git dir ------------------------------
 * Invariants (each has a check in tests/integration/t-sessions.sh that
 * starts with its id):
 * MUST-C1 common-top-ro: in a session's sandbox nothing can be created,
 *         changed or removed at the top of the common git dir C (commondir,
 *         config, hooks/ included); only objects/, refs/, logs/ and the
 *         session's own git dir G are writable.
 * MUST-C2 links-pinned: G's commondir and config.worktree and the work
 *         tree's .git file are read-only, in the session's sandbox and in
 *         the main work tree's.
 * MUST-C3 links-agree: C is shown only when G = C/worktrees/NAME, G names
 *         the work tree's .git back, and both are the user's.
 *
 * A linked work tree W (a session) has a .git file "gitdir: G", G is
 * C/worktrees/NAME, G/commondir names C (the repository's common git dir)
 * and G/gitdir names W/.git back.  git outside follows these files, so:
 * - W/.git, G/commondir, G/gitdir and G/config.worktree are read-only, and
 *   G and C/worktrees are pinned (mount points: no rename, no rmdir), in the
 *   main work tree's sandbox too (layout_protect_git);
 * - a session's sandbox sees C read-only but for what commits write:
 *   objects/, refs/, logs/ and its own G.  So nothing can be created at the
 *   top of C: no commondir (which would point git outside at another
 *   directory's config), no new hooks/ or config; hooks/, config, info/,
 *   modules/ and the other work trees' git dirs stay as they are;
 * - C is shown only when the links agree both ways and C is the user's:
 *   a .git file written by code in a sandbox cannot name another
 *   repository's git dir and get it mounted read-write. */

static int pin_dir(struct layout *l, const char *path)
{
	struct stat st;
	if (lstat(path, &st) < 0 || !S_ISDIR(st.st_mode))
		return 0;
	const char *p = layout_keep(l, strdup(path));
	if (!p)
		return -ENOMEM;
	return sandbox_add(&l->spec, SB_BIND_RW, p, p, NULL, 0);
}

static int protect_linked_gitdir(struct layout *l, const char *gitdir, bool pin)
{
	static const char *const pinned[] = { "commondir", "gitdir", "config.worktree" };
	int r = pin ? pin_dir(l, gitdir) : 0;
	for (size_t i = 0; r == 0 && i < ARRAY_SIZE(pinned); i++) {
		_cleanup_free_ char *f = NULL;
		if (asprintf(&f, "%s/%s", gitdir, pinned[i]) < 0)
			return -ENOMEM;
		r = protect_ro(l, f);
	}
	return r;
}

void layout_linked_release(struct layout_linked *lk)
{
	free(lk->gitdir);
	free(lk->commondir);
	free(lk->branch);
	free(lk->name);
	*lk = (struct layout_linked){ 0 };
}

/* The first line of a small file, without its newline; a link is not
 * followed. */
static int read_line(const char *path, char **ret)
{
	size_t len;
	int r = file_read(AT_FDCWD, path, PATH_MAX + 16, FILE_NOFOLLOW, ret, &len);
	if (r == 0)
		(*ret)[strcspn(*ret, "\n")] = '\0';
	return r;
}

/* realpath of rel, taken relative to dir when it is not absolute. */
static char *resolve_in(const char *dir, const char *rel)
{
	_cleanup_free_ char *joined = NULL;
	if (rel[0] != '/' && asprintf(&joined, "%s/%s", dir, rel) < 0)
		return NULL;
	return realpath(joined ? joined : rel, NULL);
}

static bool is_users_dir(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == getuid();
}

int layout_linked_find(const char *worktree, struct layout_linked *ret, char **ret_err)
{
	_cleanup_free_ char *dotgit = NULL, *line = NULL, *g = NULL, *cd = NULL, *c = NULL,
			    *back = NULL, *wt_dotgit = NULL, *back_real = NULL, *parent = NULL,
			    *want_parent = NULL, *head = NULL, *headpath = NULL, *cdpath = NULL,
			    *backpath = NULL;
	struct stat st;
	if (asprintf(&dotgit, "%s/.git", worktree) < 0)
		return -ENOMEM;
	if (lstat(dotgit, &st) < 0 || !S_ISREG(st.st_mode))
		return -ENOENT;
	if (read_line(dotgit, &line) < 0 || strncmp(line, "gitdir: ", 8) != 0)
		return -ENOENT;
	g = resolve_in(worktree, line + 8);
	if (!g || asprintf(&cdpath, "%s/commondir", g) < 0 || read_line(cdpath, &cd) < 0)
		return -ENOENT; /* a submodule's checkout, or a dangling link: no common dir */

	int bad = 0;
	c = resolve_in(g, cd);
	wt_dotgit = realpath(dotgit, NULL);
	parent = strdup(g);
	char *slash = parent ? strrchr(parent, '/') : NULL;
	if (slash)
		*slash = '\0';
	if (!c || !wt_dotgit || !slash || asprintf(&want_parent, "%s/worktrees", c) < 0)
		bad = 1;
	else if (!streq(parent, want_parent))
		bad = 1; /* G is not C/worktrees/NAME */
	else if (asprintf(&backpath, "%s/gitdir", g) < 0 || read_line(backpath, &back) < 0 ||
		 !(back_real = resolve_in(g, back)) || !streq(back_real, wt_dotgit))
		bad = 1; /* G does not name this work tree back */
	else if (!is_users_dir(c) || !is_users_dir(g))
		bad = 1;
	if (bad) {
		if (asprintf(ret_err, "'%s' names the git dir '%s', which is not a work tree's of a repository of yours that names it back", dotgit, line + 8) < 0)
			*ret_err = NULL;
		return -EPERM;
	}
	if (asprintf(&headpath, "%s/HEAD", g) < 0)
		return -ENOMEM;
	if (read_line(headpath, &head) == 0 && strncmp(head, "ref: refs/heads/", 16) == 0)
		ret->branch = strdup(head + 16);
	/* The repository's name: the main work tree's (C = MAIN/.git), else C's. */
	_cleanup_free_ char *name = strdup(c);
	if (!name)
		return -ENOMEM;
	size_t n = strlen(name);
	if (n > 5 && streq(name + n - 5, "/.git"))
		name[n - 5] = '\0';
	else if (n > 4 && streq(name + n - 4, ".git"))
		name[n - 4] = '\0';
	const char *base = strrchr(name, '/');
	ret->name = strdup(base && base[1] ? base + 1 : name);
	ret->gitdir = steal_pointer(&g);
	ret->commondir = steal_pointer(&c);
	return ret->name ? 0 : -ENOMEM;
}

/* A directory of C bound read-write: only a real directory of C (a link
 * there could have been left by code in another sandbox, to bind its
 * target). */
static int common_rw(struct layout *l, const char *c, const char *sub)
{
	_cleanup_free_ char *path = NULL, *real = NULL;
	if (asprintf(&path, "%s/%s", c, sub) < 0)
		return -ENOMEM;
	if (mkdir(path, 0755) < 0 && errno != EEXIST)
		return -errno;
	real = realpath(path, NULL);
	if (!real || !streq(real, path) || !is_users_dir(path))
		return -EPERM;
	const char *p = layout_keep(l, steal_pointer(&path));
	int r = p ? sandbox_add(&l->spec, SB_BIND_RW, p, p, NULL, 0) : -ENOMEM;
	return r == 0 ? layout_writable(l, p) : r;
}

int layout_protect_common(struct layout *l, const struct layout_linked *lk)
{
	static const char *const rw[] = { "objects", "refs", "logs" };
	const char *c = layout_keep(l, strdup(lk->commondir));
	const char *g = layout_keep(l, strdup(lk->gitdir));
	if (!c || !g)
		return -ENOMEM;
	int r = sandbox_add(&l->spec, SB_BIND_RO, c, c, NULL, 0);
	for (size_t i = 0; r == 0 && i < ARRAY_SIZE(rw); i++)
		r = common_rw(l, c, rw[i]);
	if (r == 0)
		r = sandbox_add(&l->spec, SB_BIND_RW, g, g, NULL, 0);
	if (r == 0)
		r = layout_writable(l, g);
	/* An empty config.worktree, so that none can be planted (git reads
	 * it when the repository sets extensions.worktreeConfig). */
	_cleanup_free_ char *cw = NULL;
	if (r == 0 && asprintf(&cw, "%s/config.worktree", g) < 0)
		r = -ENOMEM;
	_cleanup_close_ int fd = r == 0 ? open(cw, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644) : -1;
	if (r == 0)
		r = protect_linked_gitdir(l, g, false);
	return r;
}

int layout_show_common(struct layout *l, const struct layout_linked *lk)
{
	const char *c = layout_keep(l, strdup(lk->commondir));
	return c ? sandbox_add(&l->spec, SB_BIND_RO, c, c, NULL, 0) : -ENOMEM;
}

int layout_session(struct layout *l, const char *worktree, const char *session, char **ret_note)
{
	struct layout_linked lk = { 0 };
	int r = layout_linked_find(worktree, &lk, ret_note);
	const char *base = strrchr(worktree, '/');
	const char *name = r == 0 ? lk.name : base && base[1] ? base + 1 : worktree;
	const char *branch = session ? session : r == 0 ? lk.branch : NULL;
	r = r == 0 ? layout_protect_common(l, &lk) : r == -ENOMEM ? r : 0;
	if (r == 0)
		r = layout_setenv(l, "NSBSH_PROJECT_NAME", name);
	if (r == 0 && branch)
		r = layout_setenv(l, "NSBSH_SESSION", branch);
	layout_linked_release(&lk);
	return r;
}
