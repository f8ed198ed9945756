/* protect-scan.c - protect_find (protect.h): the host's side of the plan.
 * It reads the config files git would read for a work tree, following
 * their includes, and the repository's hooks directory; plans
 * (protect.c); then looks at each planned path from the work tree without
 * following a link (PROT-5), and makes the few that are made when missing
 * (a hooks directory the config names, a file inside the main git dir:
 * both unseen by git status).
 *
 * Cost, on the start path: three to five small files and the hooks
 * directory (only its stubs' first 4 KiB; *.sample skipped), then one
 * openat2 per planned path: 45 to 60 us here (a loop of protect_find on a
 * fixture project, with /etc/gitconfig and ~/.gitconfig).  libgit2 would
 * cost 7 ms to load (gitlib.h). */
#include "git/protect.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <sys/stat.h>

#include "base/file.h"
#include "base/path.h"
#include "base/util.h"
#include "git/gitconfig.h"
#include "git/linked.h"
#include "policy/config.h"

#define HOOKS_MAX 64

struct configs {
	struct protect_config v[PROTECT_MAX_CONFIGS];
	size_t n;
};

static void configs_release(struct configs *c)
{
	for (size_t i = 0; i < c->n; i++) {
		free((char *)c->v[i].path);
		free((char *)c->v[i].text);
	}
	c->n = 0;
}

static bool configs_have(const struct configs *c, const char *path)
{
	for (size_t i = 0; i < c->n; i++)
		if (streq(c->v[i].path, path))
			return true;
	return false;
}

/* path read into c, then what it includes (depth first, in git's order).
 * A file that is missing, unreadable or not a regular file: git reads
 * nothing there either (or refuses to run).  One over GITCONFIG_MAX_FILE,
 * or more files than PROTECT_MAX_CONFIGS: -E2BIG (nsbsh cannot tell what
 * git would run: the start is refused). */
static int config_add(struct configs *c, const char *path, const char *home, int depth)
{
	if (depth > PROTECT_INCLUDE_DEPTH || configs_have(c, path))
		return 0;
	char *text = NULL;
	size_t len = 0;
	int r = file_read(AT_FDCWD, path, GITCONFIG_MAX_FILE, 0, &text, &len);
	if (r == -EFBIG)
		return -E2BIG;
	if (r == -ENOMEM)
		return r;
	if (r < 0)
		return 0;
	if (c->n >= PROTECT_MAX_CONFIGS) {
		free(text);
		return -E2BIG;
	}
	char *p = strdup(path);
	if (!p) {
		free(text);
		return -ENOMEM;
	}
	struct protect_config *cfg = &c->v[c->n++];
	*cfg = (struct protect_config){ .path = p, .text = text, .len = len };
	char **inc = NULL;
	size_t n_inc = 0;
	r = protect_includes(cfg, home, &inc, &n_inc);
	for (size_t i = 0; i < n_inc; i++) {
		if (r == 0)
			r = config_add(c, inc[i], home, depth + 1);
		free(inc[i]);
	}
	free(inc);
	return r;
}

/* The files git reads, in its order: the system's, the user's, the
 * repository's, the work tree's (git-config(1) FILES), as the user's
 * environment names them. */
static int configs_read(struct configs *c, const char *home, const char *common, const char *gitdir)
{
	_cleanup_free_ char *xdg = NULL, *global = NULL, *local = NULL, *wtcfg = NULL;
	const char *sys = getenv("GIT_CONFIG_SYSTEM"), *glob = getenv("GIT_CONFIG_GLOBAL"),
		   *xdg_home = getenv("XDG_CONFIG_HOME");
	const char *nosys = getenv("GIT_CONFIG_NOSYSTEM");
	int r = 0;
	if (!(nosys && *nosys && !streq(nosys, "0") && !streq(nosys, "false")))
		r = config_add(c, sys && *sys ? sys : "/etc/gitconfig", home, 0);
	if (r == 0 && glob && *glob) {
		r = config_add(c, glob, home, 0);
	} else if (r == 0 && home) {
		if ((xdg_home && xdg_home[0] == '/' ? asprintf(&xdg, "%s/git/config", xdg_home)
						    : asprintf(&xdg, "%s/.config/git/config", home)) < 0 ||
		    asprintf(&global, "%s/.gitconfig", home) < 0)
			return -ENOMEM;
		r = config_add(c, xdg, home, 0);
		if (r == 0)
			r = config_add(c, global, home, 0);
	}
	if (r == 0 && common) {
		if (!(local = path_join(common, "config")))
			return -ENOMEM;
		r = config_add(c, local, home, 0);
	}
	if (r == 0 && gitdir) {
		if (!(wtcfg = path_join(gitdir, "config.worktree")))
			return -ENOMEM;
		r = config_add(c, wtcfg, home, 0);
	}
	return r;
}

struct hooks {
	struct protect_hook v[HOOKS_MAX];
	size_t n;
};

static void hooks_release(struct hooks *h)
{
	for (size_t i = 0; i < h->n; i++) {
		free((char *)h->v[i].name);
		free((char *)h->v[i].link);
		free((char *)h->v[i].head);
	}
	h->n = 0;
}

/* The hooks directory's entries that git would run: a link's target, a
 * file's first bytes (opened without blocking, never through a link). */
static int hooks_read(struct hooks *h, const char *dir)
{
	_cleanup_close_ int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return 0;
	DIR *d = fdopendir(dfd);
	if (!d)
		return -errno;
	dfd = -1;
	struct dirent *e;
	int r = 0;
	while (r == 0 && h->n < HOOKS_MAX && (e = readdir(d))) {
		size_t n = strlen(e->d_name);
		if (e->d_name[0] == '.' || (n > 7 && streq(e->d_name + n - 7, ".sample")))
			continue;
		struct stat st;
		if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		struct protect_hook *k = &h->v[h->n];
		*k = (struct protect_hook){ .name = strdup(e->d_name) };
		if (!k->name) {
			r = -ENOMEM;
			break;
		}
		h->n++;
		if (S_ISLNK(st.st_mode)) {
			char target[PATH_MAX];
			ssize_t len = readlinkat(dirfd(d), e->d_name, target, sizeof(target) - 1);
			if (len > 0) {
				target[len] = '\0';
				if (!(k->link = strdup(target)))
					r = -ENOMEM;
			}
		} else if (S_ISREG(st.st_mode)) {
			_cleanup_close_ int fd = openat(dirfd(d), e->d_name,
							O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
			char *buf = fd >= 0 ? malloc(PROTECT_HOOK_HEAD) : NULL;
			ssize_t got = buf ? read_full(fd, buf, PROTECT_HOOK_HEAD) : -1;
			if (got > 0) {
				k->head = buf;
				k->head_len = (size_t)got;
			} else {
				free(buf);
			}
		}
	}
	closedir(d);
	return r;
}

/* Where path really lies when it is not lexically in the work tree: its
 * deepest existing ancestor resolved, the rest appended.  NULL: outside
 * (or out of memory: *oom). */
static char *map_into(const char *path, const char *worktree, bool *oom)
{
	_cleanup_free_ char *anc = strdup(path);
	if (!anc) {
		*oom = true;
		return NULL;
	}
	size_t keep = strlen(anc);
	for (;;) {
		_cleanup_free_ char *real = realpath(anc, NULL);
		if (real) {
			char *out = NULL;
			if (asprintf(&out, "%s%s", streq(real, "/") ? "" : real, path + keep) < 0) {
				*oom = true;
				return NULL;
			}
			char *norm = protect_normalize(out);
			free(out);
			if (!norm)
				*oom = true;
			if (norm && path_at_or_below(norm, worktree))
				return norm;
			free(norm);
			return NULL;
		}
		if (errno == ENOMEM) {
			*oom = true;
			return NULL;
		}
		if (!path_up(anc))
			return NULL;
		keep = strlen(anc);
		if (streq(anc, "/"))
			keep = 0;
	}
}

/* rel's directories made beneath top, one at a time, no link followed. */
static int make_dirs_beneath(int top, const char *rel)
{
	_cleanup_close_ int fd = fcntl(top, F_DUPFD_CLOEXEC, 3);
	if (fd < 0)
		return -errno;
	const char *p = rel;
	while (*p) {
		size_t n = strcspn(p, "/");
		char name[NAME_MAX + 1];
		if (n == 0 || n > NAME_MAX)
			return -EINVAL;
		memcpy(name, p, n);
		name[n] = '\0';
		p += n;
		p += strspn(p, "/");
		if (mkdirat(fd, name, 0755) < 0 && errno != EEXIST)
			return -errno;
		int sub = openat(fd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sub < 0)
			return -errno;
		close(fd);
		fd = sub;
	}
	return 0;
}

/* An empty file made at rel beneath top (its directory must be there). */
static int make_file_beneath(int top, const char *rel)
{
	_cleanup_free_ char *dir = strdup(rel);
	if (!dir)
		return -ENOMEM;
	char *slash = strrchr(dir, '/');
	const char *name = rel;
	_cleanup_close_ int dfd = -1;
	if (slash) {
		*slash = '\0';
		name = slash + 1;
		dfd = open_beneath(top, dir, O_PATH | O_DIRECTORY, 0);
		if (dfd < 0)
			return dfd;
	}
	int fd = openat(slash ? dfd : top, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		return errno == EEXIST ? 0 : -errno;
	close(fd);
	return 0;
}

/* What is at e->path now, seen from the work tree without following a
 * link (PROT-5); made first when it is to be made. */
static int state_of(int top, const char *worktree, struct protect_path *e)
{
	const char *rel = e->path + strlen(worktree);
	rel += *rel == '/';
	struct stat st;
	if (!*rel) {
		if (fstat(top, &st) < 0)
			return -errno;
		e->state = PROTECT_DIR;
		e->dev = st.st_dev;
		e->ino = st.st_ino;
		return 0;
	}
	for (int pass = 0; pass < 2; pass++) {
		int fd = open_beneath(top, rel, O_PATH, 0);
		if (fd >= 0) {
			int r = fstat(fd, &st) < 0 ? -errno : 0;
			close(fd);
			if (r < 0)
				return r;
			e->state = S_ISDIR(st.st_mode) ? PROTECT_DIR
				 : S_ISREG(st.st_mode) ? PROTECT_FILE
				 : S_ISLNK(st.st_mode) ? PROTECT_LINK
						       : PROTECT_OTHER;
			e->dev = st.st_dev;
			e->ino = st.st_ino;
			return 0;
		}
		if (fd == -ELOOP) {
			e->state = PROTECT_LINK;
			return 0;
		}
		if (fd != -ENOENT && fd != -ENOTDIR)
			return fd == -ENOMEM ? fd : 0; /* unreadable: nothing to bind, kept for the guard */
		e->state = PROTECT_MISSING;
		if (pass > 0 || !e->make)
			return 0;
		int r = e->dir ? make_dirs_beneath(top, rel) : make_file_beneath(top, rel);
		if (r == -ENOMEM)
			return r;
		if (r < 0)
			return 0; /* cannot be made (a read-only tree): missing, for the guard */
	}
	return 0;
}

/* The git dirs of worktree: its .git directory (common dir and git dir at
 * once), or a linked work tree's (lk filled: git/linked.h); NULLs when it
 * is neither (a submodule's checkout: nothing of a repository to read).
 * 0 or -ENOMEM. */
static int git_dirs(const char *worktree, const char *dotgit, struct linked *lk, const char **ret_common,
		    const char **ret_gitdir)
{
	struct stat st;
	*ret_common = *ret_gitdir = NULL;
	if (lstat(dotgit, &st) == 0 && S_ISDIR(st.st_mode)) {
		*ret_common = *ret_gitdir = dotgit;
		return 0;
	}
	_cleanup_free_ char *err = NULL;
	int r = linked_find(worktree, lk, &err);
	if (r == -ENOMEM)
		return r;
	if (r == 0) {
		*ret_common = lk->commondir;
		*ret_gitdir = lk->gitdir;
	}
	return 0;
}

int protect_find(const char *worktree, const char *home, const struct policy *pol,
		 struct protect_list *ret)
{
	_cleanup_free_ char *dotgit = path_join(worktree, ".git"), *hooks = NULL;
	struct configs c = { .n = 0 };
	struct hooks h = { .n = 0 };
	struct linked lk = { 0 };
	struct protect_list plan = { 0 };
	const char *common = NULL, *gitdir = NULL;

	*ret = (struct protect_list){ 0 };
	if (!dotgit)
		return -ENOMEM;
	int r = git_dirs(worktree, dotgit, &lk, &common, &gitdir);
	if (r == 0 && common && !(hooks = path_join(common, "hooks")))
		r = -ENOMEM;
	if (r == 0)
		r = configs_read(&c, home, common, gitdir);
	if (r == 0 && hooks)
		r = hooks_read(&h, hooks);
	size_t n_extra = policy_protect_count(pol);
	_cleanup_free_ char **extra = calloc(n_extra + 1, sizeof(*extra));
	if (r == 0 && !extra)
		r = -ENOMEM;
	for (size_t i = 0; r == 0 && i < n_extra; i++)
		extra[i] = (char *)policy_protect_path(pol, i);
	if (r == 0) {
		struct protect_input in = {
			.worktree = worktree, .home = home, .hooks_dir = hooks ? hooks : worktree,
			/* PROT-4 is the main work tree's: a session's is gitprotect_common's */
			.gitdir = gitdir == dotgit ? gitdir : NULL, .configs = c.v, .n_configs = c.n, .hooks = h.v, .n_hooks = h.n,
			.extra = extra, .n_extra = n_extra,
		};
		r = protect_plan(&in, &plan);
	}
	configs_release(&c);
	hooks_release(&h);
	linked_release(&lk);
	if (r < 0)
		return r;

	/* Only what lies in the work tree, each once, with its state. */
	_cleanup_close_ int top = open(worktree, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (top < 0)
		r = -errno;
	struct protect_list out = { 0 };
	for (size_t i = 0; r == 0 && i < plan.n; i++) {
		struct protect_path *e = &plan.v[i];
		bool oom = false;
		if (!path_at_or_below(e->path, worktree)) {
			char *mapped = map_into(e->path, worktree, &oom);
			if (oom) {
				r = -ENOMEM;
				break;
			}
			if (!mapped)
				continue;
			free(e->path);
			e->path = mapped;
		}
		bool dup = false;
		for (size_t j = 0; j < out.n && !dup; j++)
			if (streq(out.v[j].path, e->path)) {
				out.v[j].dir |= e->dir;
				dup = true;
			}
		if (dup)
			continue;
		if (out.n >= PROTECT_MAX) {
			r = -E2BIG;
			break;
		}
		struct protect_path *v = realloc(out.v, (out.n + 1) * sizeof(*v));
		if (!v) {
			r = -ENOMEM;
			break;
		}
		out.v = v;
		out.v[out.n] = *e;
		e->path = NULL;
		r = state_of(top, worktree, &out.v[out.n]);
		out.n++;
	}
	protect_list_release(&plan);
	if (r < 0) {
		protect_list_release(&out);
		return r;
	}
	*ret = out;
	return 0;
}

/* ---- git in the evaluation ------------------------------------------------ */

/* The settings that keep the repository's config from running code in the
 * git that nix runs there (git 2.39: git-config(1) ENVIRONMENT): none of
 * them is needed to read a repository. */
static const char *const git_env_fixed[][2] = {
	{ "core.fsmonitor", "false" },
	{ "core.hooksPath", "/dev/null" },
	{ "safe.bareRepository", "explicit" },
	{ "core.sshCommand", "ssh" },
	{ "core.askPass", "" },
	{ "core.alternateRefsCommand", "" },
	{ "credential.helper", "" },
	{ "protocol.ext.allow", "never" },
	{ "diff.external", "" },
};

struct filter_walk {
	char **names;
	size_t n;
};

static int on_filter(const struct gitconfig_entry *e, void *ctx)
{
	struct filter_walk *w = ctx;
	if (!streq(e->section, "filter") || !e->subsection || w->n >= 64)
		return 0;
	for (size_t i = 0; i < w->n; i++)
		if (streq(w->names[i], e->subsection))
			return 0;
	char **v = realloc(w->names, (w->n + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	w->names = v;
	if (!(w->names[w->n] = strdup(e->subsection)))
		return -ENOMEM;
	w->n++;
	return 0;
}

static int env_add(char ***v, size_t *n, size_t *k, const char *key, const char *value)
{
	char **nv = realloc(*v, (*n + 3) * sizeof(**v));
	if (!nv)
		return -ENOMEM;
	*v = nv;
	if (asprintf(&nv[*n], "GIT_CONFIG_KEY_%zu=%s", *k, key) < 0)
		return -ENOMEM;
	if (asprintf(&nv[*n + 1], "GIT_CONFIG_VALUE_%zu=%s", *k, value) < 0) {
		free(nv[*n]);
		return -ENOMEM;
	}
	*n += 2;
	(*k)++;
	return 0;
}

int protect_git_env(const char *worktree, const char *home, char ***ret, size_t *ret_n)
{
	_cleanup_free_ char *dotgit = path_join(worktree, ".git");
	struct configs c = { .n = 0 };
	struct linked lk = { 0 };
	struct filter_walk fw = { 0 };
	const char *common = NULL, *gitdir = NULL;
	char **v = NULL;
	size_t n = 0, k = 0;
	if (!dotgit)
		return -ENOMEM;
	/* the filters any of its configs name (what git reads in there: the
	 * system's and the repository's; the home is empty) */
	int r = git_dirs(worktree, dotgit, &lk, &common, &gitdir);
	if (r == 0)
		r = configs_read(&c, home, common, gitdir);
	for (size_t i = 0; r != -ENOMEM && i < c.n; i++)
		if (gitconfig_parse(c.v[i].text, c.v[i].len, on_filter, &fw, NULL) == -ENOMEM)
			r = -ENOMEM;
	configs_release(&c);
	linked_release(&lk);
	if (r == -E2BIG)
		r = 0; /* the fixed ones still hold */
	for (size_t i = 0; r == 0 && i < ARRAY_SIZE(git_env_fixed); i++)
		r = env_add(&v, &n, &k, git_env_fixed[i][0], git_env_fixed[i][1]);
	static const char *const parts[] = { "clean", "smudge", "process" };
	for (size_t i = 0; r == 0 && i < fw.n; i++) {
		for (size_t j = 0; r == 0 && j < ARRAY_SIZE(parts); j++) {
			_cleanup_free_ char *key = NULL;
			if (asprintf(&key, "filter.%s.%s", fw.names[i], parts[j]) < 0)
				r = -ENOMEM;
			else
				r = env_add(&v, &n, &k, key, "");
		}
		_cleanup_free_ char *req = NULL;
		if (r == 0 && asprintf(&req, "filter.%s.required", fw.names[i]) < 0)
			r = -ENOMEM;
		if (r == 0)
			r = env_add(&v, &n, &k, req, "false");
	}
	for (size_t i = 0; i < fw.n; i++)
		free(fw.names[i]);
	free(fw.names);
	char **nv = r == 0 ? realloc(v, (n + 2) * sizeof(*v)) : NULL;
	if (r == 0 && (!nv || asprintf(&nv[n], "GIT_CONFIG_COUNT=%zu", k) < 0))
		r = -ENOMEM;
	if (nv)
		v = nv;
	if (r < 0) {
		for (size_t i = 0; i < n; i++)
			free(v[i]);
		free(v);
		return r;
	}
	v[n + 1] = NULL;
	*ret = v;
	*ret_n = n + 1;
	return 0;
}
