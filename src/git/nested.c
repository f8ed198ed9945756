/* nested.c - git repositories nested in a work tree, found at every start
 * (see nested.h).
 *
 * A repository nested in the project's work tree (vendor/x/.git: a vendored
 * clone, not a submodule) runs its own hooks and config when git is run in
 * it outside the sandbox, so the sandbox must not write them.  A bind mount
 * can protect only what exists, and a whole walk of a large tree costs too
 * much for every start (0.12 s for 93,000 entries here).  So the memo keeps
 * every directory the last walk read, with its inode and change time
 * (ctime: the kernel sets it whenever an entry is made, removed or renamed
 * in the directory, and no user can set it back); a start checks each one
 * with one fstatat and reads again only those that changed, and walks only
 * what is new.  The memo is a cache that proves itself: any version of it,
 * stale or not, gives the tree as it is now.
 *
 * Over 700 lines: the walk, the memo's text and the check of a memo share
 * one structure of what a walk found and its bounds (NEST-3); apart, each
 * would have to trust the other's half of those bounds.
 *
 * Invariants (each has a check in tests/integration/t-limits.sh or
 * t-failclosed.sh, and tests/unit/test_nested.c, that names it):
 * NEST-1 found: every nested repository is protected at the start like the
 *        project's own (sandbox/gitprotect.c): its .git pinned (a mount
 *        point), hooks/ (made when missing) and config read-only, a .git
 *        file read-only.  What a start finds that the memo before it lacked
 *        is kept apart, and a start with a prompt says it once
 *        (nested_take_new).
 * NEST-2 no-follow: the walk never follows a symbolic link, and what gets
 *        bound is exactly what was checked: each nested directory is opened
 *        beneath the work tree one component at a time with O_NOFOLLOW, and
 *        its .git, hooks/ and config are checked again by device and inode
 *        on what got mounted (sandbox_bind_id).  A link planted on the way
 *        is skipped, never followed to the user's files.
 * NEST-3 bounded-closed: a directory NESTED_WALK_DEPTH levels down (or whose
 *        path would not fit) is not entered but listed, read-only whole;
 *        the rest of the walk goes on.  Past NESTED_WALK_ENTRIES entries, or
 *        past NESTED_MAX repositories and such directories, the list says
 *        NESTED_WHOLE: the whole work tree is read-only.  A bound never
 *        leaves a repository unprotected.
 * NEST-4 memo-out-of-reach: the memo is in nsbsh's cache directory, which
 *        no sandbox can write (sandbox/shell-view.c SV-2, TRUST-2).
 * NEST-5 fresh: the list a start protects is the work tree as it is at that
 *        start, whatever the memo's age: every directory of the memo whose
 *        inode or ctime differ (or whose ctime was too recent to trust, a
 *        second around its read) is read again, what is new in it walked; a
 *        repository that still exists is never dropped.  Cost: one fstatat
 *        per directory of the tree (tests/bench: 12 to 22 ms in a work tree
 *        of 100,000 entries and 11,111 directories here).
 */
#include "git/nested.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include "base/dirs.h"
#include "base/file.h"
#include "base/log.h"
#include "base/sha256.h"
#include "base/strbuf.h"
#include "base/util.h"

#define MEMO_HEADER "nsbsh-nested 2"
/* A ctime this close to the moment its directory was read may hide a
 * change made in the same tick of the file system's clock: read it again. */
#define RACY_NS 1000000000LL

/* ---- what a walk found --------------------------------------------------- */

struct dirrec {
	char *rel;        /* "." for the work tree itself */
	ino_t ino;
	struct timespec ctime;
	bool racy;        /* read again at the next start */
};

struct found {
	struct dirrec *dirs;
	size_t n_dirs, cap_dirs;
	struct strbuf repos;     /* NUL-ended relative paths */
	struct strbuf unwalked;  /* the same: directories not entered */
	size_t n_repos, n_unwalked;
	bool too_big;            /* NESTED_WALK_ENTRIES met */
	unsigned long entries;   /* read, against the bound */
	bool oom;
};

static void found_release(struct found *f)
{
	for (size_t i = 0; i < f->n_dirs; i++)
		free(f->dirs[i].rel);
	free(f->dirs);
	strbuf_release(&f->repos);
	strbuf_release(&f->unwalked);
	*f = (struct found){ 0 };
}

/* rel's record: copied, or taken when own (then NULL after); racy when its
 * ctime is within RACY_NS of t0, the moment it was read (t0 NULL: never). */
static void found_dir_take(struct found *f, const char *rel, char **own, const struct stat *st,
			   const struct timespec *t0)
{
	if (f->n_dirs == f->cap_dirs) {
		size_t cap = f->cap_dirs ? f->cap_dirs * 2 : 256;
		struct dirrec *v = realloc(f->dirs, cap * sizeof(*v));
		if (!v) {
			f->oom = true;
			return;
		}
		f->dirs = v;
		f->cap_dirs = cap;
	}
	struct dirrec *d = &f->dirs[f->n_dirs];
	long long c = (long long)st->st_ctim.tv_sec * 1000000000LL + st->st_ctim.tv_nsec;
	long long now = t0 ? (long long)t0->tv_sec * 1000000000LL + t0->tv_nsec : 0;
	*d = (struct dirrec){ .rel = own ? steal_pointer(own) : strdup(rel), .ino = st->st_ino,
			      .ctime = st->st_ctim, .racy = t0 && c >= now - RACY_NS };
	if (!d->rel)
		f->oom = true;
	else
		f->n_dirs++;
}

static void found_dir(struct found *f, const char *rel, const struct stat *st, const struct timespec *t0)
{
	found_dir_take(f, rel, NULL, st, t0);
}

static void list_add(struct strbuf *b, size_t *n, const char *rel)
{
	strbuf_add(b, rel, strlen(rel) + 1);
	(*n)++;
}

/* ---- the walk ------------------------------------------------------------ */

struct walk {
	struct found *f;
	int top;                 /* the work tree */
	size_t path_max;         /* longest relative path whose bind fits PATH_MAX */
	unsigned long max_entries;
	struct timespec t0;      /* when this walk began (CLOCK_REALTIME, as ctimes) */
	char path[PATH_MAX];
};

static bool list_has(const char *buf, size_t len, const char *rel);

static size_t depth_of(const char *rel)
{
	if (streq(rel, "."))
		return 0;
	size_t d = 1;
	for (const char *p = rel; *p; p++)
		d += *p == '/';
	return d;
}

static void walk_tree(struct walk *w, int fd, size_t plen, size_t depth);

/* A directory at w->path (plen bytes) met in its parent: entered, or
 * listed whole when it is too deep or its path too long (NEST-3). */
static void walk_child(struct walk *w, int parent, const char *name, size_t plen, size_t depth)
{
	size_t n = strlen(name), sublen = plen ? plen + 1 + n : n;
	if (depth + 1 >= NESTED_WALK_DEPTH || sublen > w->path_max) {
		char rel[PATH_MAX];
		snprintf(rel, sizeof(rel), "%s", plen ? w->path : ".");
		/* the child's own path would not fit: the parent, whole */
		if (sublen > w->path_max) {
			if (!list_has(w->f->unwalked.s, w->f->unwalked.len, rel))
				list_add(&w->f->unwalked, &w->f->n_unwalked, rel);
		}
		else {
			snprintf(rel, sizeof(rel), "%.*s%s%s", (int)plen, w->path, plen ? "/" : "", name);
			list_add(&w->f->unwalked, &w->f->n_unwalked, rel);
		}
		return;
	}
	int sub = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (sub < 0)
		return; /* unreadable, or swapped for a link meanwhile */
	if (plen)
		w->path[plen] = '/';
	memcpy(w->path + (plen ? plen + 1 : 0), name, n);
	w->path[sublen] = '\0';
	walk_tree(w, sub, sublen, depth + 1);
	w->path[plen] = '\0';
}

/* fd: the directory at w->path (plen bytes; 0 at the top), consumed: its
 * record, then its entries; a .git in it makes it a repository (never
 * entered), its directories are walked in turn. */
static void walk_tree(struct walk *w, int fd, size_t plen, size_t depth)
{
	struct found *f = w->f;
	struct stat st;
	/* the ctime before the entries: a change after it shows next time */
	if (fstat(fd, &st) < 0) {
		close(fd);
		return;
	}
	found_dir(f, plen ? w->path : ".", &st, &w->t0);
	DIR *d = fdopendir(fd);
	if (!d) {
		close(fd);
		return;
	}
	struct dirent *e;
	while (!f->too_big && !f->oom && (e = readdir(d))) {
		const char *name = e->d_name;
		if (streq(name, ".") || streq(name, ".."))
			continue;
		if (++f->entries > w->max_entries) {
			f->too_big = true;
			break;
		}
		if (streq(name, ".git")) {
			/* the work tree's own is the project's; never into a git dir */
			if (plen > 0)
				list_add(&f->repos, &f->n_repos, w->path);
			continue;
		}
		bool is_dir = e->d_type == DT_DIR;
		if (e->d_type == DT_UNKNOWN)
			is_dir = fstatat(dirfd(d), name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode);
		if (is_dir) /* never a link (NEST-2) */
			walk_child(w, dirfd(d), name, plen, depth);
	}
	closedir(d);
}

static int walk_init(struct walk *w, struct found *f, const char *worktree, unsigned long max_entries)
{
	*w = (struct walk){ .f = f, .max_entries = max_entries };
	size_t wl = strlen(worktree);
	/* WORKTREE/REL/.git/hooks must fit PATH_MAX for the binds */
	w->path_max = wl + 32 < PATH_MAX ? PATH_MAX - wl - 32 : 0;
	if (w->path_max > sizeof(w->path) - 1)
		w->path_max = sizeof(w->path) - 1;
	clock_gettime(CLOCK_REALTIME, &w->t0);
	w->top = open(worktree, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return w->top < 0 ? -errno : 0;
}

/* ---- the memo's text --------------------------------------------------- */

/* "nsbsh-nested 2", then "d INO SEC.NSEC REL" (SEC "-": racy), "r REL",
 * "u REL", "x" (the walk met its bound), "end N" (N records before it),
 * each ended by a NUL.  A file without its end is no memo. */
static char *memo_text(const struct found *f, size_t *ret_len)
{
	struct strbuf b = { 0 };
	size_t n = 0;
	strbuf_add(&b, MEMO_HEADER, sizeof(MEMO_HEADER));
	for (size_t i = 0; i < f->n_dirs; i++, n++) {
		const struct dirrec *d = &f->dirs[i];
		if (d->racy)
			strbuf_addf(&b, "d %llu - %s", (unsigned long long)d->ino, d->rel);
		else
			strbuf_addf(&b, "d %llu %lld.%09ld %s", (unsigned long long)d->ino,
				    (long long)d->ctime.tv_sec, d->ctime.tv_nsec, d->rel);
		strbuf_add(&b, "", 1);
	}
	const struct strbuf *lists[] = { &f->repos, &f->unwalked };
	for (size_t k = 0; k < 2; k++)
		for (size_t i = 0; lists[k]->s && i < lists[k]->len; i += strlen(lists[k]->s + i) + 1, n++) {
			strbuf_addf(&b, "%c %s", k == 0 ? 'r' : 'u', lists[k]->s + i);
			strbuf_add(&b, "", 1);
		}
	if (f->too_big) {
		strbuf_add(&b, "x", 2);
		n++;
	}
	strbuf_addf(&b, "end %zu", n);
	strbuf_add(&b, "", 1);
	*ret_len = b.len;
	return strbuf_steal(&b);
}

/* The memo's text into f; -EINVAL when it is not one (an older nsbsh's, a
 * torn one): then a walk. */
static int memo_parse(const char *buf, size_t len, struct found *f)
{
	size_t n = 0;
	bool ended = false;
	if (len < sizeof(MEMO_HEADER) || memcmp(buf, MEMO_HEADER, sizeof(MEMO_HEADER)) != 0 ||
	    buf[len - 1] != '\0')
		return -EINVAL;
	for (size_t i = sizeof(MEMO_HEADER); i < len && !ended; i += strlen(buf + i) + 1) {
		const char *r = buf + i;
		if (r[0] && r[1] == ' ' && (r[0] == 'r' || r[0] == 'u')) {
			list_add(r[0] == 'r' ? &f->repos : &f->unwalked, r[0] == 'r' ? &f->n_repos : &f->n_unwalked,
				 r + 2);
		} else if (streq(r, "x")) {
			f->too_big = true;
		} else if (strncmp(r, "end ", 4) == 0) {
			ended = strtoull(r + 4, NULL, 10) == n && i + strlen(r) + 1 == len;
			if (!ended)
				return -EINVAL;
			break;
		} else if (strncmp(r, "d ", 2) == 0) {
			char *end;
			struct stat st = { 0 };
			errno = 0;
			st.st_ino = (ino_t)strtoull(r + 2, &end, 10);
			bool racy = strncmp(end, " - ", 3) == 0;
			if (errno || *end != ' ')
				return -EINVAL;
			const char *rel = end + (racy ? 3 : 1);
			if (!racy) {
				st.st_ctim.tv_sec = (time_t)strtoll(end + 1, &end, 10);
				if (*end != '.')
					return -EINVAL;
				st.st_ctim.tv_nsec = strtol(end + 1, &end, 10);
				if (*end != ' ')
					return -EINVAL;
				rel = end + 1;
			}
			found_dir(f, rel, &st, NULL);
			if (f->n_dirs)
				f->dirs[f->n_dirs - 1].racy = racy;
		} else {
			return -EINVAL;
		}
		n++;
	}
	if (f->oom || f->repos.oom || f->unwalked.oom)
		return -ENOMEM;
	return ended ? 0 : -EINVAL;
}

int nested_memo_path(const char *worktree, char **ret)
{
	_cleanup_free_ char *root = NULL;
	int r = dirs_cache_path(&root);
	if (r < 0)
		return r;
	char hex[65];
	sha256_hex_of(worktree, strlen(worktree), hex);
	return asprintf(ret, "%s/nested/%s", root, hex) < 0 ? -ENOMEM : 0;
}

static int memo_load(const char *worktree, struct found *f, time_t *ret_mtime)
{
	_cleanup_free_ char *memo = NULL, *buf = NULL;
	size_t len = 0;
	int r = nested_memo_path(worktree, &memo);
	if (r < 0)
		return r;
	struct stat st;
	if (stat(memo, &st) < 0)
		return -errno;
	if (ret_mtime)
		*ret_mtime = st.st_mtime;
	r = file_read(AT_FDCWD, memo, 64u << 20, FILE_NOFOLLOW, &buf, &len);
	if (r < 0)
		return r;
	r = memo_parse(buf, len, f);
	if (r < 0)
		found_release(f);
	return r;
}

static int memo_dir(char **ret)
{
	_cleanup_free_ char *root = NULL;
	int r = dirs_cache(&root);
	return r < 0 ? r : dirs_subdir(root, "nested", ret);
}

static int memo_store(const char *worktree, const struct found *f)
{
	_cleanup_free_ char *memo = NULL, *dir = NULL, *text = NULL;
	size_t len = 0;
	int r = nested_memo_path(worktree, &memo);
	if (r == 0)
		r = memo_dir(&dir);
	if (r < 0)
		return r;
	if (!(text = memo_text(f, &len)))
		return -ENOMEM;
	/* a cache that proves itself (its "end" record; NEST-5): no fsync */
	return file_write_cache(dir, strrchr(memo, '/') + 1, text, len, 0600);
}

/* ---- lists --------------------------------------------------------------- */

static bool list_has(const char *buf, size_t len, const char *rel)
{
	for (size_t i = 0; buf && i < len; i += strlen(buf + i) + 1)
		if (streq(buf + i, rel))
			return true;
	return false;
}

static size_t list_count(const char *buf, size_t len)
{
	size_t n = 0;
	for (size_t i = 0; buf && i < len; i += strlen(buf + i) + 1)
		n++;
	return n;
}

/* A list file of ours: absent, or NUL-ended entries (else treated as empty). */
static int list_read(const char *path, char **ret, size_t *ret_len)
{
	int r = file_read(AT_FDCWD, path, (size_t)NESTED_MAX * PATH_MAX, 0, ret, ret_len);
	if (r == 0 && *ret_len > 0 && (*ret)[*ret_len - 1] != '\0')
		*ret_len = 0;
	return r;
}

/* What a start protects (nested.h): the repositories, the directories not
 * entered ("REL/"), or NESTED_WHOLE alone. */
static int found_list(const struct found *f, char **ret, size_t *ret_len)
{
	struct strbuf b = { 0 };
	if (f->too_big || f->n_repos + f->n_unwalked > NESTED_MAX) {
		strbuf_add(&b, NESTED_WHOLE, sizeof(NESTED_WHOLE));
	} else {
		if (f->repos.s)
			strbuf_add(&b, f->repos.s, f->repos.len);
		for (size_t i = 0; f->unwalked.s && i < f->unwalked.len; i += strlen(f->unwalked.s + i) + 1) {
			strbuf_addf(&b, "%s/", streq(f->unwalked.s + i, ".") ? "" : f->unwalked.s + i);
			strbuf_add(&b, "", 1);
		}
	}
	size_t len = b.len;
	char *s = strbuf_steal(&b);
	if (!s)
		return -ENOMEM;
	*ret = s;
	*ret_len = len;
	return 0;
}

/* Kept for the next start with a prompt to say (nested_take_new): the
 * repositories of now that the memo before lacked. */
static void news_keep(const char *worktree, const struct found *old, const struct found *now)
{
	struct strbuf fresh = { 0 };
	for (size_t i = 0; now->repos.s && i < now->repos.len; i += strlen(now->repos.s + i) + 1)
		if (!list_has(old->repos.s, old->repos.len, now->repos.s + i))
			strbuf_add(&fresh, now->repos.s + i, strlen(now->repos.s + i) + 1);
	_cleanup_free_ char *memo = NULL, *dir = NULL, *news = NULL, *path = NULL;
	size_t news_len = 0, len = fresh.len;
	_cleanup_free_ char *text = strbuf_steal(&fresh);
	if (!text || len == 0 || nested_memo_path(worktree, &memo) < 0 || memo_dir(&dir) < 0 ||
	    asprintf(&path, "%s.new", memo) < 0)
		return;
	struct strbuf all = { 0 };
	if (list_read(path, &news, &news_len) == 0)
		strbuf_add(&all, news, news_len);
	for (size_t i = 0; i < len && list_count(all.s, all.len) < NESTED_MAX; i += strlen(text + i) + 1)
		if (!list_has(all.s, all.len, text + i))
			strbuf_add(&all, text + i, strlen(text + i) + 1);
	size_t all_len = all.len;
	_cleanup_free_ char *out = strbuf_steal(&all);
	if (out)
		(void)file_write_atomic(dir, strrchr(path, '/') + 1, out, all_len, 0600);
}

/* ---- the fresh walk, and the check of a memo ----------------------------- */

int nested_walk(const char *worktree, unsigned long max_entries, char **ret, size_t *ret_len)
{
	struct found f = { 0 };
	struct walk w;
	int r = walk_init(&w, &f, worktree, max_entries);
	if (r < 0)
		return r;
	walk_tree(&w, w.top, 0, 0);
	r = f.oom || f.repos.oom || f.unwalked.oom ? -ENOMEM : found_list(&f, ret, ret_len);
	bool whole = !f.too_big;
	found_release(&f);
	return r < 0 ? r : whole;
}

/* Paths in the order of a depth-first walk: '/' before any other byte, so
 * that a directory's records follow it without a gap. */
static int dfs_cmp(const void *a, const void *b)
{
	const unsigned char *x = (const unsigned char *)((const struct dirrec *)a)->rel,
			    *y = (const unsigned char *)((const struct dirrec *)b)->rel;
	if (streq((const char *)x, "."))
		return streq((const char *)y, ".") ? 0 : -1;
	if (streq((const char *)y, "."))
		return 1;
	for (; *x && *x == *y; x++, y++)
		;
	int cx = *x == '/' ? 1 : *x ? *x + 1 : 0, cy = *y == '/' ? 1 : *y ? *y + 1 : 0;
	return cx - cy;
}

/* A small set of strings (the memo's directories), by hash. */
struct set {
	const char **v;
	size_t *idx;
	size_t cap;
};

static uint64_t hash_of(const char *s)
{
	uint64_t h = 1469598103934665603ULL;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static int set_init(struct set *s, const struct found *f)
{
	s->cap = 16;
	while (s->cap < f->n_dirs * 2)
		s->cap *= 2;
	s->v = calloc(s->cap, sizeof(*s->v));
	s->idx = calloc(s->cap, sizeof(*s->idx));
	if (!s->v || !s->idx)
		return -ENOMEM;
	for (size_t i = 0; i < f->n_dirs; i++) {
		size_t h = (size_t)hash_of(f->dirs[i].rel) & (s->cap - 1);
		while (s->v[h])
			h = (h + 1) & (s->cap - 1);
		s->v[h] = f->dirs[i].rel;
		s->idx[h] = i;
	}
	return 0;
}

static ssize_t set_find(const struct set *s, const char *rel)
{
	for (size_t h = (size_t)hash_of(rel) & (s->cap - 1); s->v[h]; h = (h + 1) & (s->cap - 1))
		if (streq(s->v[h], rel))
			return (ssize_t)s->idx[h];
	return -1;
}

static void set_release(struct set *s)
{
	free(s->v);
	free(s->idx);
}

static bool below(const char *rel, const char *dir)
{
	size_t n = strlen(dir);
	return streq(dir, ".") ? !streq(rel, ".") : strncmp(rel, dir, n) == 0 && rel[n] == '/';
}

/* The directories from the work tree down to the last one stat'ed, open
 * (O_PATH, no link followed): each fstatat looks up one name beneath a
 * directory checked on the way, and never goes through a link that code
 * in a sandbox swapped in (to a slow or endless file system, say). */
struct chain {
	int fd[NESTED_WALK_DEPTH + 2];    /* fd[0]: the work tree (not ours) */
	size_t end[NESTED_WALK_DEPTH + 2]; /* where level j's component ends in path */
	int n;                            /* levels open beyond the top */
	char path[PATH_MAX];
};

static void chain_cut(struct chain *c, int n)
{
	for (; c->n > n; c->n--)
		close(c->fd[c->n]);
}

/* The fd of rel's directory, and its last name in *ret_name; -1: a
 * directory on the way is gone or a link. */
static int chain_parent(struct chain *c, const char *rel, const char **ret_name)
{
	const char *slash = strrchr(rel, '/');
	size_t plen = slash ? (size_t)(slash - rel) : 0;
	*ret_name = slash ? slash + 1 : rel;
	/* the levels of the chain that are a prefix of rel's directory */
	int keep = 0;
	while (keep < c->n && c->end[keep + 1] <= plen && strncmp(c->path, rel, c->end[keep + 1]) == 0 &&
	       (rel[c->end[keep + 1]] == '/' || c->end[keep + 1] == plen))
		keep++;
	chain_cut(c, keep);
	size_t at = keep ? c->end[keep] + 1 : 0;
	while (at < plen && c->n < NESTED_WALK_DEPTH) {
		size_t n = strcspn(rel + at, "/");
		char name[NAME_MAX + 1];
		if (n > NAME_MAX)
			return -1;
		memcpy(name, rel + at, n);
		name[n] = '\0';
		int fd = openat(c->fd[c->n], name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			return -1;
		c->n++;
		c->fd[c->n] = fd;
		memcpy(c->path, rel, at + n);
		c->path[at + n] = '\0';
		c->end[c->n] = at + n;
		at += n + 1;
	}
	return at >= plen ? c->fd[c->n] : -1;
}

/* The fstatat of every memo directory, first (the check's cost is almost
 * all these calls: 1.3 us each here; a second thread did not make them
 * faster on two cores).  ok[i]: st[i] is what rel i is now, reached from
 * the work tree without following a link. */
static int prestat_all(const struct found *old, int top, struct stat **ret_st, bool **ret_ok)
{
	struct stat *st = malloc((old->n_dirs + 1) * sizeof(*st));
	bool *ok = calloc(old->n_dirs + 1, sizeof(*ok));
	if (!st || !ok) {
		free(st);
		free(ok);
		return -ENOMEM;
	}
	struct chain c = { .n = 0 };
	c.fd[0] = top;
	c.end[0] = 0;
	for (size_t i = 0; i < old->n_dirs; i++) {
		const char *rel = old->dirs[i].rel, *name;
		bool is_top = streq(rel, ".");
		int fd = is_top ? -1 : chain_parent(&c, rel, &name);
		ok[i] = is_top ? fstat(top, &st[i]) == 0 : fd >= 0 && fstatat(fd, name, &st[i], AT_SYMLINK_NOFOLLOW) == 0;
	}
	chain_cut(&c, 0);
	*ret_st = st;
	*ret_ok = ok;
	return 0;
}

/* The memo old checked against the tree (NEST-5), into now (old's
 * strings are taken); *ret_changed when now differs from old.  -ESTALE:
 * the work tree itself is another directory now (a walk, then). */
static int memo_check(const char *worktree, struct found *old, struct found *now, bool *ret_changed)
{
	enum { UNSEEN, SAME, READ } *state = NULL;
	struct walk w;
	struct set set = { 0 };
	int r = walk_init(&w, now, worktree, NESTED_WALK_ENTRIES);
	if (r < 0)
		return r;
	r = set_init(&set, old);
	if (r == 0 && !(state = calloc(old->n_dirs + 1, sizeof(*state))))
		r = -ENOMEM;
	/* gone[i]: the memo's directory i was replaced by another one, which
	 * was walked whole: its records and those beneath it are not checked */
	bool *gone = r == 0 ? calloc(old->n_dirs + 1, sizeof(*gone)) : NULL;
	if (r == 0 && !gone)
		r = -ENOMEM;
	struct stat *pre = NULL;
	bool *pre_ok = NULL;
	if (r == 0)
		r = prestat_all(old, w.top, &pre, &pre_ok);
	const char *skip = NULL;
	bool changed = false;
	for (size_t i = 0; r == 0 && i < old->n_dirs && !now->too_big && !now->oom; i++) {
		struct dirrec *d = &old->dirs[i];
		if (skip && below(d->rel, skip))
			continue;
		skip = NULL;
		if (gone[i]) {
			skip = d->rel;
			continue;
		}
		struct stat st = pre[i];
		bool top = streq(d->rel, ".");
		if (!pre_ok[i] || !S_ISDIR(st.st_mode) || st.st_ino != d->ino) {
			if (top) {
				r = -ESTALE;
				break;
			}
			/* gone or replaced: walked again if a directory is there now */
			changed = true;
			skip = d->rel;
			int fd = openat(w.top, d->rel, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (fd >= 0) {
				snprintf(w.path, sizeof(w.path), "%s", d->rel);
				walk_tree(&w, fd, strlen(d->rel), depth_of(d->rel));
			}
			continue;
		}
		if (!d->racy && st.st_ctim.tv_sec == d->ctime.tv_sec && st.st_ctim.tv_nsec == d->ctime.tv_nsec) {
			/* unchanged: the same entries, so the same .git or none and
			 * the same directories not entered (carried below) */
			state[i] = SAME;
			found_dir_take(now, NULL, &d->rel, &st, NULL);
			continue;
		}
		/* changed: its entries read again; what is new in it walked */
		changed = true;
		state[i] = READ;
		int fd = top ? openat(w.top, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
			     : openat(w.top, d->rel, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		DIR *dir = fd >= 0 ? fdopendir(fd) : NULL;
		if (!dir) {
			if (fd >= 0)
				close(fd);
			skip = d->rel;
			continue;
		}
		found_dir(now, d->rel, &st, &w.t0);
		size_t plen = top ? 0 : strlen(d->rel), depth = depth_of(d->rel);
		snprintf(w.path, sizeof(w.path), "%s", top ? "" : d->rel);
		struct dirent *e;
		while (!now->too_big && !now->oom && (e = readdir(dir))) {
			const char *name = e->d_name;
			if (streq(name, ".") || streq(name, ".."))
				continue;
			if (++now->entries > w.max_entries) {
				now->too_big = true;
				break;
			}
			if (streq(name, ".git")) {
				if (!top)
					list_add(&now->repos, &now->n_repos, d->rel);
				continue;
			}
			bool is_dir = e->d_type == DT_DIR;
			if (e->d_type == DT_UNKNOWN)
				is_dir = fstatat(dirfd(dir), name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode);
			if (!is_dir)
				continue;
			char rel[PATH_MAX];
			ssize_t k = -1;
			if ((size_t)snprintf(rel, sizeof(rel), "%s%s%s", top ? "" : d->rel, top ? "" : "/", name) <
			    sizeof(rel))
				k = set_find(&set, rel);
			if (k >= 0 && old->dirs[k].ino == e->d_ino)
				continue; /* known: checked in its turn */
			if (k >= 0)
				gone[k] = true; /* another directory there now */
			walk_child(&w, dirfd(dir), name, plen, depth);
			snprintf(w.path, sizeof(w.path), "%s", top ? "" : d->rel);
		}
		closedir(dir);
	}
	/* What unchanged directories held: their .git, their directories not
	 * entered (a directory listed whole because its child's path was too
	 * long is its own owner). */
	for (size_t i = 0; r == 0 && old->repos.s && i < old->repos.len; i += strlen(old->repos.s + i) + 1) {
		ssize_t k = set_find(&set, old->repos.s + i);
		if (k >= 0 && state[k] == SAME)
			list_add(&now->repos, &now->n_repos, old->repos.s + i);
	}
	for (size_t i = 0; r == 0 && old->unwalked.s && i < old->unwalked.len; i += strlen(old->unwalked.s + i) + 1) {
		const char *u = old->unwalked.s + i, *slash = strrchr(u, '/');
		ssize_t k = set_find(&set, u);
		if (k < 0) {
			_cleanup_free_ char *parent = slash ? strndup(u, (size_t)(slash - u)) : strdup(".");
			if (!parent) {
				r = -ENOMEM;
				break;
			}
			k = set_find(&set, parent);
		}
		if (k >= 0 && state[k] == SAME && !list_has(now->unwalked.s, now->unwalked.len, u))
			list_add(&now->unwalked, &now->n_unwalked, u);
	}
	free(state);
	free(gone);
	free(pre);
	free(pre_ok);
	set_release(&set);
	close(w.top);
	if (r == 0 && (now->oom || now->repos.oom || now->unwalked.oom))
		r = -ENOMEM;
	if (r < 0)
		return r;
	changed |= now->too_big != old->too_big || now->n_repos != old->n_repos ||
		   now->n_unwalked != old->n_unwalked;
	if (changed)
		qsort(now->dirs, now->n_dirs, sizeof(*now->dirs), dfs_cmp);
	*ret_changed = changed;
	return 0;
}

/* ---- a start --------------------------------------------------------- */

/* A walk of the whole tree now, written as the memo. */
static int walk_and_store(const char *worktree, struct found *now)
{
	struct walk w;
	int r = walk_init(&w, now, worktree, NESTED_WALK_ENTRIES);
	if (r < 0)
		return r;
	walk_tree(&w, w.top, 0, 0);
	if (now->oom || now->repos.oom || now->unwalked.oom)
		return -ENOMEM;
	qsort(now->dirs, now->n_dirs, sizeof(*now->dirs), dfs_cmp);
	return memo_store(worktree, now);
}

/* Detached from the start: a grandchild, at the lowest priority, with no
 * fd of the start (a terminal, a pipe a caller waits on): a tree too big
 * for a start is walked again, in case it shrank. */
static void refresh_background(const char *worktree)
{
	pid_t pid = fork();
	if (pid < 0)
		return;
	if (pid > 0) {
		waitpid(pid, NULL, 0);
		return;
	}
	if (fork() != 0)
		_exit(0);
	setsid();
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null >= 0) {
		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
	}
	close_range(3, ~0U, 0);
	setpriority(PRIO_PROCESS, 0, 19);
	struct found now = { 0 };
	int r = walk_and_store(worktree, &now);
	found_release(&now);
	_exit(r < 0 ? 1 : 0);
}

int nested_for_start(const char *worktree, char **ret, size_t *ret_len)
{
	struct found old = { 0 }, now = { 0 };
	time_t mtime = 0;
	bool changed = true;
	int r = memo_load(worktree, &old, &mtime);
	if (r == 0 && old.too_big) {
		/* NEST-3: the whole work tree read-only; walked again, in the
		 * background, now and then */
		time_t t = time(NULL);
		if (t - mtime >= NESTED_REFRESH_SECONDS || mtime > t) {
			_cleanup_free_ char *memo = NULL;
			if (nested_memo_path(worktree, &memo) == 0)
				utimensat(AT_FDCWD, memo, NULL, 0); /* claimed now */
			refresh_background(worktree);
		}
		r = found_list(&old, ret, ret_len);
		found_release(&old);
		return r;
	}
	if (r == 0) {
		r = memo_check(worktree, &old, &now, &changed);
		if (r == 0 && changed) {
			news_keep(worktree, &old, &now);
			(void)memo_store(worktree, &now); /* a cache: the list stands */
		}
		if (r == -ESTALE) {
			found_release(&now);
			r = -ENOENT;
		}
	}
	if (r < 0 && r != -ENOMEM) {
		/* the project's first start, an older nsbsh's memo, a work tree
		 * that is another now: a walk now */
		found_release(&now);
		struct walk w;
		r = walk_init(&w, &now, worktree, NESTED_WALK_ENTRIES);
		if (r == 0) {
			walk_tree(&w, w.top, 0, 0);
			if (now.oom || now.repos.oom || now.unwalked.oom)
				r = -ENOMEM;
		}
		if (r == 0) {
			qsort(now.dirs, now.n_dirs, sizeof(*now.dirs), dfs_cmp);
			(void)memo_store(worktree, &now);
		}
	}
	if (r == 0)
		r = found_list(&now, ret, ret_len);
	else if (r != -ENOMEM)
		/* NEST-3: not looked into, so all of it read-only */
		r = (*ret = malloc(sizeof(NESTED_WHOLE))) ? (memcpy(*ret, NESTED_WHOLE, sizeof(NESTED_WHOLE)),
							    *ret_len = sizeof(NESTED_WHOLE), 0)
							 : -ENOMEM;
	found_release(&old);
	found_release(&now);
	return r;
}

/* ---- for nsb status, and a start's notice ---------------------------------- */

int nested_take_new(const char *worktree, char **ret, size_t *ret_len)
{
	_cleanup_free_ char *memo = NULL, *path = NULL;
	int r = nested_memo_path(worktree, &memo);
	if (r < 0)
		return r;
	if (asprintf(&path, "%s.new", memo) < 0)
		return -ENOMEM;
	r = list_read(path, ret, ret_len);
	if (r == 0)
		unlink(path);
	return r;
}

int nested_memo_read(const char *worktree, char **ret, size_t *ret_len, time_t *ret_mtime)
{
	struct found f = { 0 };
	int r = memo_load(worktree, &f, ret_mtime);
	if (r == 0)
		r = found_list(&f, ret, ret_len);
	found_release(&f);
	return r;
}

char *nested_names(const char *list, size_t len)
{
	char *names = NULL;
	size_t size = 0, n = 0, shown = 0;
	FILE *f = open_memstream(&names, &size);
	if (!f)
		return NULL;
	for (size_t i = 0; i < len; i += strlen(list + i) + 1, n++) {
		if (shown < 5) {
			char name[256];
			fprintf(f, "%s%s", shown++ ? ", " : "", printable(list + i, name, sizeof(name)));
		}
	}
	if (n > shown)
		fprintf(f, " and %zu more", n - shown);
	if (fclose(f) != 0) {
		free(names);
		return NULL;
	}
	return names;
}

size_t nested_count(const char *list, size_t len)
{
	return list_count(list, len);
}
