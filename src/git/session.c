/* session.c - sessions' work trees with libgit2 (see session.h).
 *
 * What a session folder may be, checked before it is used:
 * - BRANCH checked out in some work tree (main included): that work tree;
 * - else the fixed place, which must not exist (an empty directory left by
 *   a crash is removed): a folder there that is not this repository's work
 *   tree for BRANCH is refused, never reused or overwritten.
 * The branch is created only when missing, never moved or deleted.
 *
 * Over 700 lines: making, listing and removing work trees share the
 * repository opened at its common dir, its lock, the meta files and the
 * list of work trees (struct repo); apart, each would carry them all. */
#include "git/session.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "base/dirs.h"
#include "base/file.h"
#include "base/path.h"
#include "base/sha256.h"
#include "base/util.h"
#include "git/branchname.h"
#include "git/gitlib.h"
#include "policy/config.h"

#define COPY_MAX (16u << 20)  /* bytes of one file of session_copy */
#define IGNORED_SHOWN 5

struct repo {
	const struct gitlib *g;
	git_repository *repo;  /* opened at the common dir */
	char *commondir;       /* real path, no trailing slash */
	char *main_wt;         /* NULL: a bare repository */
	char *name;
	char *dir;             /* DATA/nsbsh/sessions/REPO-ID, created */
	int lock;
};

static void repo_close(struct repo *r)
{
	if (r->repo)
		r->g->repository_free(r->repo);
	if (r->lock >= 0)
		close(r->lock);
	free(r->commondir);
	free(r->main_wt);
	free(r->name);
	free(r->dir);
	*r = (struct repo){ .lock = -1 };
}

void session_release(struct session *s)
{
	free(s->branch);
	free(s->path);
	free(s->notes);
	*s = (struct session){ 0 };
}

static void info_release(struct session_info *i)
{
	free(i->branch);
	free(i->path);
	free(i->name);
	free(i->base);
	*i = (struct session_info){ 0 };
}

void session_list_release(struct session_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		info_release(&l->v[i]);
	free(l->v);
	for (size_t i = 0; i < l->n_branches; i++)
		free(l->branches[i]);
	free(l->branches);
	free(l->name);
	*l = (struct session_list){ 0 };
}

/* "WHAT 'SUBJECT': libgit2's reason" */
static int git_fail(const struct repo *r, char **ret_err, const char *what, const char *subject)
{
	const git_error *e = r->g->error_last();
	if (asprintf(ret_err, "%s '%s': %s", what, subject, e && e->message ? e->message : "unknown error") < 0)
		*ret_err = NULL;
	return -EIO;
}

static int say(char **ret_err, int r, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int say(char **ret_err, int r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	if (vasprintf(ret_err, fmt, ap) < 0)
		*ret_err = NULL;
	va_end(ap);
	return r;
}

/* The repository of worktree, opened at its common dir, and its sessions
 * folder. */
static int repo_open(const char *worktree, struct repo *ret, char **ret_err)
{
	*ret = (struct repo){ .lock = -1 };
	int r = gitlib_load(&ret->g, ret_err);
	if (r < 0)
		return r;
	const struct gitlib *g = ret->g;
	git_repository *wt = NULL;
	if (g->repository_open_ext(&wt, worktree, GIT_REPOSITORY_OPEN_NO_SEARCH, NULL) < 0)
		return git_fail(ret, ret_err, "cannot open the git repository", worktree);
	ret->commondir = realpath(g->repository_commondir(wt), NULL);
	g->repository_free(wt);
	if (!ret->commondir)
		return say(ret_err, -errno, "cannot resolve the git dir of '%s': %s", worktree, strerror(errno));
	if (g->repository_open(&ret->repo, ret->commondir) < 0)
		return git_fail(ret, ret_err, "cannot open the git repository", ret->commondir);
	const char *wd = g->repository_workdir(ret->repo);
	if (wd && !(ret->main_wt = strdup(wd)))
		return -ENOMEM;
	if (ret->main_wt)
		path_strip_trailing_slashes(ret->main_wt);

	/* REPO-ID: a readable name and the hash of the common dir's path. */
	const char *base = ret->main_wt ? ret->main_wt : ret->commondir;
	const char *slash = strrchr(base, '/');
	ret->name = strdup(slash && slash[1] ? slash + 1 : base);
	if (!ret->name)
		return -ENOMEM;
	char hex[65], safe[33];
	size_t n = 0;
	sha256_hex_of(ret->commondir, strlen(ret->commondir), hex);
	hex[16] = '\0';
	for (const char *c = ret->name; *c && n < 32; c++) {
		bool ok = (strchr("-_.", *c) && n > 0) || (*c >= 'a' && *c <= 'z') ||
			  (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9');
		safe[n++] = ok ? *c : '_';
	}
	safe[n] = '\0';
	_cleanup_free_ char *data = NULL;
	r = dirs_data(&data);
	if (r < 0)
		return say(ret_err, r, "cannot create nsbsh's data directory: %s", strerror(-r));
	if (asprintf(&ret->dir, "%s/sessions/%s-%s", data, n ? safe : "repo", hex) < 0)
		return -ENOMEM;
	r = mkdir_p(ret->dir, 0700);
	if (r < 0)
		return say(ret_err, r, "cannot create '%s': %s", ret->dir, strerror(-r));
	return 0;
}

/* Creation, removal and pruning exclude each other (per repository). */
static int repo_lock(struct repo *r, char **ret_err)
{
	_cleanup_free_ char *path = NULL;
	if (asprintf(&path, "%s/lock", r->dir) < 0)
		return -ENOMEM;
	r->lock = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (r->lock < 0 || flock(r->lock, LOCK_EX) < 0)
		return say(ret_err, -errno, "cannot lock '%s': %s", path, strerror(errno));
	return 0;
}

static char *meta_path(const struct repo *r, const char *branch)
{
	char enc[BRANCHNAME_ENCODED_MAX + 1];
	char *p = NULL;
	branchname_encode(branch, enc);
	if (asprintf(&p, "%s/.meta/%s", r->dir, enc) < 0)
		return NULL;
	return p;
}

/* "base=REF": what ahead/behind count against; its mtime is the last use. */
static int meta_read(const struct repo *r, const char *branch, char **ret_base, time_t *ret_used)
{
	_cleanup_free_ char *path = meta_path(r, branch), *data = NULL;
	size_t len = 0;
	struct stat st;
	if (!path)
		return -ENOMEM;
	if (stat(path, &st) < 0)
		return -errno;
	*ret_used = st.st_mtime;
	int e = file_read(AT_FDCWD, path, 4096, 0, &data, &len);
	if (e < 0)
		return e;
	if (strncmp(data, "base=", 5) == 0) {
		data[strcspn(data, "\n")] = '\0';
		*ret_base = strdup(data + 5);
	}
	return 0;
}

static void meta_touch(const struct repo *r, const char *branch, const char *base)
{
	_cleanup_free_ char *path = meta_path(r, branch), *dir = NULL, *text = NULL;
	if (!path || asprintf(&dir, "%s/.meta", r->dir) < 0 || mkdir_p(dir, 0700) < 0)
		return;
	if (!base) {
		/* Only the time: a meta file exists for each session nsbsh made. */
		utimensat(AT_FDCWD, path, NULL, AT_SYMLINK_NOFOLLOW);
		return;
	}
	if (asprintf(&text, "base=%s\n", base) >= 0)
		file_write_atomic(dir, strrchr(path, '/') + 1, text, strlen(text), 0600);
}

/* "refs/heads/X" of a repository's HEAD, as X; NULL when detached. */
static char *head_branch(const struct gitlib *g, git_repository *repo)
{
	git_reference *head = NULL;
	char *b = NULL;
	if (g->reference_lookup(&head, repo, "HEAD") < 0)
		return NULL;
	const char *t = g->reference_symbolic_target(head);
	if (t && strncmp(t, "refs/heads/", 11) == 0)
		b = strdup(t + 11);
	g->reference_free(head);
	return b;
}

/* The branch in a linked work tree's HEAD file, read without opening it. */
static char *gitdir_branch(const struct repo *r, const char *name)
{
	_cleanup_free_ char *path = NULL, *data = NULL;
	size_t len = 0;
	if (asprintf(&path, "%s/worktrees/%s/HEAD", r->commondir, name) < 0 ||
	    file_read(AT_FDCWD, path, 4096, 0, &data, &len) < 0 || strncmp(data, "ref: refs/heads/", 16) != 0)
		return NULL;
	data[strcspn(data, "\n")] = '\0';
	return strdup(data + 16);
}

static int list_push(struct session_list *l, struct session_info *i)
{
	struct session_info *v = realloc(l->v, (l->n + 1) * sizeof(*v));
	if (!v) {
		info_release(i);
		return -ENOMEM;
	}
	l->v = v;
	l->v[l->n++] = *i;
	*i = (struct session_info){ 0 };
	return 0;
}

/* Every work tree: the main one, then the linked ones git knows. */
static int worktrees(const struct repo *r, struct session_list *ret)
{
	const struct gitlib *g = r->g;
	*ret = (struct session_list){ 0 };
	if (!(ret->name = strdup(r->name)))
		return -ENOMEM;
	if (r->main_wt) {
		struct session_info i = { .main = true, .dirty = -1 };
		i.path = strdup(r->main_wt);
		i.branch = head_branch(g, r->repo);
		if (!i.path || list_push(ret, &i) < 0)
			return -ENOMEM;
	}
	git_strarray names = { 0 };
	if (g->worktree_list(&names, r->repo) < 0)
		return -EIO;
	int e = 0;
	for (size_t k = 0; e == 0 && k < names.count; k++) {
		git_worktree *wt = NULL;
		if (g->worktree_lookup(&wt, r->repo, names.strings[k]) < 0)
			continue;
		struct session_info i = { .dirty = -1 };
		i.name = strdup(names.strings[k]);
		i.path = strdup(g->worktree_path(wt));
		if (!i.name || !i.path) {
			info_release(&i);
			g->worktree_free(wt);
			e = -ENOMEM;
			break;
		}
		path_strip_trailing_slashes(i.path);
		i.nsbsh = path_at_or_below(i.path, r->dir) && !streq(i.path, r->dir);
		struct stat st;
		i.missing = g->worktree_validate(wt) < 0 || stat(i.path, &st) < 0;
		git_repository *wr = NULL;
		if (g->repository_open_from_worktree(&wr, wt) == 0) {
			i.branch = head_branch(g, wr);
			g->repository_free(wr);
		} else {
			i.branch = gitdir_branch(r, i.name); /* its folder is gone */
		}
		g->worktree_free(wt);
		e = list_push(ret, &i);
	}
	g->strarray_dispose(&names);
	return e;
}

/* The repository, locked, and its work trees as they are under the lock. */
static int repo_open_locked(const char *worktree, struct repo *r, struct session_list *l, char **ret_err)
{
	int e = repo_open(worktree, r, ret_err);
	if (e == 0)
		e = repo_lock(r, ret_err);
	if (e == 0)
		e = worktrees(r, l);
	if (e == -EIO)
		return git_fail(r, ret_err, "cannot list the work trees of", r->commondir);
	return e;
}

static const struct session_info *find_branch(const struct session_list *l, const char *branch)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].branch && streq(l->v[i].branch, branch) && !l->v[i].missing)
			return &l->v[i];
	return NULL;
}

/* What the fixed place holds when BRANCH is checked out nowhere: -ENOENT
 * (nothing: go ahead), else -EEXIST with why it cannot be used. */
static int place_check(const struct repo *r, const char *path, const char *branch, char **ret_err)
{
	struct stat st;
	if (lstat(path, &st) < 0)
		return errno == ENOENT ? -ENOENT : say(ret_err, -errno, "cannot read '%s': %s", path, strerror(errno));
	if (S_ISDIR(st.st_mode) && rmdir(path) == 0)
		return -ENOENT; /* empty: left by a crash */
	const struct gitlib *g = r->g;
	git_repository *there = NULL;
	_cleanup_free_ char *common = NULL, *on = NULL;
	if (S_ISDIR(st.st_mode) &&
	    g->repository_open_ext(&there, path, GIT_REPOSITORY_OPEN_NO_SEARCH, NULL) == 0) {
		common = realpath(g->repository_commondir(there), NULL);
		on = head_branch(g, there);
		g->repository_free(there);
	}
	if (common && streq(common, r->commondir))
		return say(ret_err, -EEXIST,
			   "'%s' is a work tree of this repository on %s%s%s, not on '%s': switch it back (git -C '%s' switch '%s') or move it away",
			   path, on ? "'" : "a detached HEAD", on ? on : "", on ? "'" : "", branch, path, branch);
	return say(ret_err, -EEXIST,
		   "'%s' is in the way of the session '%s': it is not a work tree of this repository; move it away",
		   path, branch);
}

static int notes_add(char **notes, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int notes_add(char **notes, const char *fmt, ...)
{
	_cleanup_free_ char *line = NULL;
	va_list ap;
	va_start(ap, fmt);
	int n = vasprintf(&line, fmt, ap);
	va_end(ap);
	char *joined = NULL;
	if (n < 0 || asprintf(&joined, "%s%s\n", *notes ? *notes : "", line) < 0)
		return -ENOMEM;
	free(*notes);
	*notes = joined;
	return 0;
}

/* Both through open_beneath (base/path.h): a link planted in a work tree
 * (by code in a sandbox, or by a branch's content) must not make the copy
 * read or write a file elsewhere. */
static int copy_one(int from_dir, int to_dir, const char *rel)
{
	_cleanup_close_ int in = open_beneath(from_dir, rel, O_RDONLY | O_NONBLOCK | O_NOCTTY, 0);
	struct stat st;
	if (in < 0)
		return in;
	if (fstat(in, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	if ((size_t)st.st_size > COPY_MAX)
		return -EFBIG;
	_cleanup_close_ int out = open_beneath(to_dir, rel, O_WRONLY | O_CREAT | O_EXCL, st.st_mode & 0777);
	if (out < 0)
		return out;
	char buf[65536];
	for (;;) {
		ssize_t n = read(in, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return 0;
		int r = write_full(out, buf, (size_t)n);
		if (r < 0)
			return r;
	}
}

static bool listed(const struct policy_list *copy, const char *rel)
{
	size_t n = strlen(rel);
	if (n && rel[n - 1] == '/')
		n--;
	for (size_t i = 0; copy && i < copy->n; i++)
		if (strlen(copy->v[i].value) == n && strncmp(copy->v[i].value, rel, n) == 0)
			return true;
	return false;
}

/* policy session_copy, then a word on the gitignored files left behind:
 * a project's .env is never copied silently, nor forgotten silently. */
static int copy_files(const struct repo *r, const char *from, const char *to,
		      const struct policy_list *copy, char **notes)
{
	_cleanup_close_ int fd_from = open(from, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	_cleanup_close_ int fd_to = open(to, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd_from < 0 || fd_to < 0)
		return notes_add(notes, "no file was copied into the new work tree: cannot open '%s'",
				 fd_from < 0 ? from : to);
	for (size_t i = 0; copy && i < copy->n; i++) {
		const char *rel = copy->v[i].value;
		int e = copy_one(fd_from, fd_to, rel);
		if (e == 0)
			e = notes_add(notes, "copied '%s' into the new work tree (policy session_copy)", rel);
		else if (e == -ENOENT)
			e = 0; /* nothing to copy, or no folder for it in the branch */
		else
			e = notes_add(notes, "not copied: '%s': %s", rel,
				      e == -EEXIST ? "the branch has one" :
				      e == -ELOOP || e == -EXDEV ? "a symbolic link is on its way" :
				      e == -EINVAL ? "not a regular file" : strerror(-e));
		if (e < 0)
			return e;
	}

	/* Ignored files at the top of the source work tree. */
	const struct gitlib *g = r->g;
	git_repository *src = NULL;
	git_status_list *st = NULL;
	git_status_options opts = { .version = GIT_STATUS_OPTIONS_VERSION };
	opts.show = GIT_STATUS_SHOW_WORKDIR_ONLY;
	opts.flags = GIT_STATUS_OPT_INCLUDE_IGNORED | GIT_STATUS_OPT_EXCLUDE_SUBMODULES;
	if (g->repository_open_ext(&src, from, GIT_REPOSITORY_OPEN_NO_SEARCH, NULL) < 0)
		return 0;
	_cleanup_free_ char *shown = NULL;
	size_t n_left = 0;
	if (g->status_list_new(&st, src, &opts) == 0) {
		size_t n = g->status_list_entrycount(st);
		for (size_t i = 0; i < n; i++) {
			const git_status_entry *e = g->status_byindex(st, i);
			const char *p = e && e->index_to_workdir ? e->index_to_workdir->old_file.path : NULL;
			if (!p || !(e->status & GIT_STATUS_IGNORED) || listed(copy, p))
				continue;
			if (n_left++ < IGNORED_SHOWN) {
				char *s = NULL;
				if (asprintf(&s, "%s%s'%s'", shown ? shown : "", shown ? ", " : "", p) < 0)
					break;
				free(shown);
				shown = s;
			}
		}
		g->status_list_free(st);
	}
	g->repository_free(src);
	if (n_left)
		return notes_add(notes, "not copied into the new work tree (gitignored): %s%s; the policy key session_copy names files to copy",
				 shown ? shown : "", n_left > IGNORED_SHOWN ? ", ..." : "");
	return 0;
}

static int create(struct repo *r, const char *worktree, const char *branch, const char *from,
		  const struct policy_list *copy, const char *path, struct session *ret, char **ret_err)
{
	const struct gitlib *g = r->g;
	git_reference *ref = NULL;
	_cleanup_free_ char *base = NULL;
	int e = g->branch_lookup(&ref, r->repo, branch, GIT_BRANCH_LOCAL);
	if (e == 0) {
		if (from)
			notes_add(&ret->notes, "the branch '%s' exists: it is checked out as it is, not made from '%s'", branch, from);
		base = r->main_wt ? head_branch(g, r->repo) : NULL;
	} else if (e == GIT_ENOTFOUND) {
		git_object *obj = NULL, *commit = NULL;
		const char *spec = from ? from : "HEAD";
		e = g->revparse_single(&obj, r->repo, spec);
		if (e == 0) {
			e = g->object_peel(&commit, obj, GIT_OBJECT_COMMIT);
			g->object_free(obj);
		}
		if (e < 0)
			return say(ret_err, -ENOENT, "cannot make the branch '%s' from '%s': %s", branch, spec,
				   from ? "no such commit, branch or tag" : "HEAD has no commit yet");
		e = g->branch_create(&ref, r->repo, branch, (const git_commit *)commit, 0);
		g->object_free(commit);
		if (e < 0)
			return git_fail(r, ret_err, "cannot create the branch", branch);
		base = from ? strdup(from) : head_branch(g, r->repo);
		if (!base)
			base = strdup("HEAD");
		notes_add(&ret->notes, "created the branch '%s' from '%s'", branch, spec);
	} else {
		return git_fail(r, ret_err, "cannot look up the branch", branch);
	}

	/* git's name of the work tree: the folder's, made unique. */
	char enc[BRANCHNAME_ENCODED_MAX + 1];
	branchname_encode(branch, enc);
	_cleanup_free_ char *name = strdup(enc);
	for (int k = 2; name; k++) {
		_cleanup_free_ char *meta = NULL;
		struct stat st;
		if (asprintf(&meta, "%s/worktrees/%s", r->commondir, name) < 0)
			break;
		if (lstat(meta, &st) < 0)
			break;
		free(name);
		if (asprintf(&name, "%.200s-%d", enc, k) < 0)
			name = NULL;
	}
	if (!name) {
		g->reference_free(ref);
		return -ENOMEM;
	}
	git_worktree_add_options opts = {
		.version = GIT_WORKTREE_ADD_OPTIONS_VERSION,
		.checkout_options = { .version = GIT_CHECKOUT_OPTIONS_VERSION, .checkout_strategy = GIT_CHECKOUT_SAFE },
	};
	git_worktree *wt = NULL;
	opts.ref = ref;
	e = g->worktree_add(&wt, r->repo, name, path, &opts);
	g->reference_free(ref);
	if (e < 0)
		return git_fail(r, ret_err, "cannot create the work tree", path);
	g->worktree_free(wt);
	meta_touch(r, branch, base ? base : "HEAD");
	ret->created = true;
	return copy_files(r, worktree, path, copy, &ret->notes);
}

int session_enter(const char *worktree, const char *branch, const char *from,
		  const struct policy_list *copy, struct session *ret, char **ret_err)
{
	const char *why = branchname_refusal(branch);
	char shown[80];
	snprintf(shown, sizeof(shown), "%s", branch);
	for (char *c = shown; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			*c = '?';
	if (why)
		return say(ret_err, -EINVAL, "'%s' is not a valid branch name: it %s", shown, why);

	const struct gitlib *g = NULL;
	int valid = 0, e = gitlib_load(&g, ret_err);
	if (e < 0)
		return e;
	if (g->branch_name_is_valid(&valid, branch) < 0 || !valid)
		return say(ret_err, -EINVAL, "'%s' is not a valid branch name: git refuses it (see git check-ref-format)", shown);
	_cleanup_(repo_close) struct repo r = { .lock = -1 };
	_cleanup_(session_list_release) struct session_list l = { 0 };
	e = repo_open_locked(worktree, &r, &l, ret_err);
	if (e < 0)
		return e;
	*ret = (struct session){ 0 };
	if (!(ret->branch = strdup(branch)))
		return -ENOMEM;
	const struct session_info *have = find_branch(&l, branch);
	if (have) {
		ret->main = have->main;
		if (!(ret->path = strdup(have->path)))
			return -ENOMEM;
		if (have->nsbsh)
			meta_touch(&r, branch, NULL);
		return 0;
	}
	char enc[BRANCHNAME_ENCODED_MAX + 1];
	branchname_encode(branch, enc);
	if (asprintf(&ret->path, "%s/%s", r.dir, enc) < 0)
		return -ENOMEM;
	e = place_check(&r, ret->path, branch, ret_err);
	if (e == -ENOENT)
		e = create(&r, worktree, branch, from, copy, ret->path, ret, ret_err);
	if (e < 0)
		session_release(ret);
	return e;
}

static int dirty_count(const struct gitlib *g, const char *path)
{
	git_repository *repo = NULL;
	git_status_list *st = NULL;
	git_status_options opts = { .version = GIT_STATUS_OPTIONS_VERSION };
	opts.flags = GIT_STATUS_OPT_INCLUDE_UNTRACKED | GIT_STATUS_OPT_EXCLUDE_SUBMODULES;
	if (g->repository_open_ext(&repo, path, GIT_REPOSITORY_OPEN_NO_SEARCH, NULL) < 0)
		return -1;
	int n = -1;
	if (g->status_list_new(&st, repo, &opts) == 0) {
		n = (int)g->status_list_entrycount(st);
		g->status_list_free(st);
	}
	g->repository_free(repo);
	return n;
}

static int branch_oid(const struct gitlib *g, git_repository *repo, const char *spec, git_oid *ret)
{
	git_object *obj = NULL, *commit = NULL;
	int e = g->revparse_single(&obj, repo, spec);
	if (e == 0) {
		e = g->object_peel(&commit, obj, GIT_OBJECT_COMMIT);
		g->object_free(obj);
	}
	if (e == 0) {
		*ret = *g->object_id(commit);
		g->object_free(commit);
	}
	return e;
}

int session_list(const char *worktree, bool with_state, struct session_list *ret, char **ret_err)
{
	_cleanup_(repo_close) struct repo r = { .lock = -1 };
	int e = repo_open(worktree, &r, ret_err);
	if (e == 0)
		e = worktrees(&r, ret);
	if (e < 0)
		return e == -EIO ? git_fail(&r, ret_err, "cannot list the work trees of", r.commondir) : e;
	const struct gitlib *g = r.g;
	_cleanup_free_ char *main_branch = r.main_wt ? head_branch(g, r.repo) : NULL;
	for (size_t i = 0; i < ret->n; i++) {
		struct session_info *s = &ret->v[i];
		if (s->branch && s->nsbsh)
			meta_read(&r, s->branch, &s->base, &s->last_used);
		if (!with_state || s->missing)
			continue;
		s->dirty = dirty_count(g, s->path);
		if (!s->base && !s->main && main_branch)
			s->base = strdup(main_branch);
		_cleanup_free_ char *local = NULL;
		git_oid a, b;
		if (s->branch && s->base && asprintf(&local, "refs/heads/%s", s->branch) >= 0 &&
		    branch_oid(g, r.repo, local, &a) == 0 && branch_oid(g, r.repo, s->base, &b) == 0 &&
		    g->graph_ahead_behind(&s->ahead, &s->behind, r.repo, &a, &b) == 0)
			s->counted = true;
	}
	git_branch_iterator *it = NULL;
	if (g->branch_iterator_new(&it, r.repo, GIT_BRANCH_LOCAL) == 0) {
		git_reference *ref = NULL;
		git_branch_t type;
		while (g->branch_next(&ref, &type, it) == 0) {
			const char *bn = NULL;
			char **v = realloc(ret->branches, (ret->n_branches + 1) * sizeof(*v));
			if (v)
				ret->branches = v;
			if (v && g->branch_name(&bn, ref) == 0 && (v[ret->n_branches] = strdup(bn)))
				ret->n_branches++;
			g->reference_free(ref);
		}
		g->branch_iterator_free(it);
	}
	return 0;
}

/* Whether the tip of BRANCH is on some other branch (local or remote):
 * then no commit of it would be lost with it. */
static int merged_elsewhere(const struct repo *r, const char *branch)
{
	const struct gitlib *g = r->g;
	_cleanup_free_ char *local = NULL;
	git_oid tip;
	if (asprintf(&local, "refs/heads/%s", branch) < 0)
		return -ENOMEM;
	if (branch_oid(g, r->repo, local, &tip) < 0)
		return 1; /* no such branch (any more): nothing of it to lose */
	git_branch_iterator *it = NULL;
	if (g->branch_iterator_new(&it, r->repo, GIT_BRANCH_ALL) < 0)
		return -EIO;
	git_reference *ref = NULL;
	git_branch_t type;
	int found = 0;
	while (!found && g->branch_next(&ref, &type, it) == 0) {
		const char *bn = NULL;
		const git_oid *o = g->reference_target(ref);
		if (o && !(type == GIT_BRANCH_LOCAL && g->branch_name(&bn, ref) == 0 && streq(bn, branch)))
			found = memcmp(o->id, tip.id, sizeof(tip.id)) == 0 ||
				g->graph_descendant_of(r->repo, o, &tip) == 1;
		g->reference_free(ref);
	}
	g->branch_iterator_free(it);
	return found;
}

static int forget(const struct repo *r, const struct session_info *s)
{
	const struct gitlib *g = r->g;
	git_worktree *wt = NULL;
	git_worktree_prune_options opts = GIT_WORKTREE_PRUNE_OPTIONS_INIT;
	opts.flags = GIT_WORKTREE_PRUNE_VALID;
	if (g->worktree_lookup(&wt, r->repo, s->name) < 0)
		return -EIO;
	int e = g->worktree_prune(wt, &opts);
	g->worktree_free(wt);
	if (e < 0)
		return -EIO;
	if (s->nsbsh && s->branch) {
		_cleanup_free_ char *m = meta_path(r, s->branch);
		if (m)
			unlink(m);
	}
	return 0;
}

int session_remove(const char *worktree, const char *branch, bool force, char **ret_path,
		   char **ret_err)
{
	_cleanup_(repo_close) struct repo r = { .lock = -1 };
	_cleanup_(session_list_release) struct session_list l = { 0 };
	int e = repo_open_locked(worktree, &r, &l, ret_err);
	if (e < 0)
		return e;
	const struct session_info *s = NULL;
	for (size_t i = 0; i < l.n && !s; i++)
		if (l.v[i].branch && streq(l.v[i].branch, branch))
			s = &l.v[i];
	if (!s)
		return say(ret_err, -ENOENT, "no session on the branch '%s' (nsb sessions lists them)", branch);
	if (s->main)
		return say(ret_err, -EPERM, "'%s' is checked out in the main work tree '%s': only sessions' work trees are removed",
			   branch, s->path);
	if (!s->nsbsh)
		return say(ret_err, -EPERM, "the work tree '%s' of '%s' was not made by nsbsh: remove it with git worktree remove",
			   s->path, branch);
	if (!force && !s->missing) {
		int dirty = dirty_count(r.g, s->path);
		if (dirty != 0)
			return say(ret_err, -EBUSY, dirty > 0 ? "the session '%s' has %d changed or untracked files: commit or stash them, or use --force"
							    : "cannot read the state of the session '%s' (%d): use --force to remove it anyway",
				   branch, dirty);
		int m = merged_elsewhere(&r, branch);
		if (m < 0)
			return git_fail(&r, ret_err, "cannot compare with the other branches the branch", branch);
		if (m == 0)
			return say(ret_err, -EBUSY, "the branch '%s' has commits that are on no other branch: merge or push them, or use --force (the branch is kept either way)",
				   branch);
	}
	/* fd-relative, following no link: code in the session's sandbox could
	 * swap a link in for a directory while the walk is under way */
	int rr = s->missing ? 0 : remove_tree(s->path);
	if (rr < 0)
		return say(ret_err, rr, "cannot remove '%s': %s", s->path, strerror(-rr));
	if (forget(&r, s) < 0)
		return git_fail(&r, ret_err, "cannot forget the work tree", s->path);
	if (!(*ret_path = strdup(s->path)))
		return -ENOMEM;
	return 0;
}

int session_prune(const char *worktree, char **ret_pruned, char **ret_err)
{
	_cleanup_(repo_close) struct repo r = { .lock = -1 };
	_cleanup_(session_list_release) struct session_list l = { 0 };
	int e = repo_open_locked(worktree, &r, &l, ret_err);
	if (e < 0)
		return e;
	*ret_pruned = NULL;
	for (size_t i = 0; i < l.n; i++) {
		const struct session_info *s = &l.v[i];
		if (!s->missing || s->main)
			continue;
		if (forget(&r, s) < 0)
			return git_fail(&r, ret_err, "cannot forget the work tree", s->path);
		if (notes_add(ret_pruned, "%s %s", s->branch ? s->branch : "(detached)", s->path) < 0)
			return -ENOMEM;
	}
	return 0;
}
