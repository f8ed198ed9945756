/* nested.c - git repositories nested in a work tree, found and remembered.
 *
 * A repository nested in the project's work tree (vendor/x/.git: a vendored
 * clone, not a submodule) runs its own hooks and config when git is run in
 * it outside the sandbox, so the sandbox must not write them.  A bind
 * mount can protect only what exists, and finding them means walking the
 * whole tree, too slow for every start; so a start uses the list of the
 * last walk (the memo) and refreshes it in the background.
 *
 * Invariants (each has a check in tests/integration/t-limits.sh that names it):
 * NEST-1 found: every nested repository in the memo is protected at the
 *        start like the project's own (sandbox/gitprotect.c): its .git
 *        pinned (a mount point), hooks/ (made when missing) and config
 *        read-only, a .git file read-only.  A project's first start walks
 *        before its sandbox is built; later starts refresh a memo older than
 *        NESTED_REFRESH_SECONDS in the background, for the next start.  What
 *        a walk finds that the memo before it lacked is kept apart, and the
 *        next start with a prompt says it once (nested_take_new).
 * NEST-2 no-follow: the walk never follows a symbolic link, and what gets
 *        bound is exactly what was checked: each nested directory is opened
 *        beneath the work tree one component at a time with O_NOFOLLOW,
 *        and its .git, hooks/ and config are checked again by device and
 *        inode on what got mounted (sandbox_bind_id).  A link planted on the
 *        way is skipped, never followed to the user's files.
 * NEST-3 bounded: the walk stops after NESTED_WALK_ENTRIES entries or below
 *        NESTED_WALK_DEPTH; then the memo keeps the repositories of the last
 *        memo too, so a tree flooded from inside cannot hide one once found.
 *        At most NESTED_MAX repositories are protected.
 * NEST-4 memo-out-of-reach: the memo is in nsbsh's cache directory, which
 *        no sandbox can write (sandbox/shell-view.c SV-2, TRUST-2).
 *
 * Not covered (SECURITY.md): a repository made or cloned after the last
 * walk is not protected until the next start after a walk saw it, and code
 * in a sandbox can create one (and its hooks) at any time: said, not
 * prevented.
 */
#include "git/nested.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include "base/dirs.h"
#include "base/file.h"
#include "base/log.h"
#include "base/sha256.h"
#include "base/util.h"
#include "env/cache.h"

struct walk {
	char *buf;
	size_t len, cap;
	size_t found;
	unsigned long entries, max_entries;
	struct timespec deadline; /* tv_sec 0: none */
	bool stopped;          /* a bound was met */
	char path[PATH_MAX];   /* relative to the work tree */
};

static bool past(const struct timespec *deadline)
{
	struct timespec now;
	if (deadline->tv_sec == 0 || clock_gettime(CLOCK_MONOTONIC, &now) < 0)
		return false;
	return now.tv_sec > deadline->tv_sec ||
	       (now.tv_sec == deadline->tv_sec && now.tv_nsec >= deadline->tv_nsec);
}

static int walk_add(struct walk *w, const char *rel, size_t n)
{
	if (w->found >= NESTED_MAX) {
		w->stopped = true;
		return 0;
	}
	if (w->len + n + 1 > w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 4096;
		while (cap < w->len + n + 1)
			cap *= 2;
		char *b = realloc(w->buf, cap);
		if (!b)
			return -ENOMEM;
		w->buf = b;
		w->cap = cap;
	}
	memcpy(w->buf + w->len, rel, n);
	w->buf[w->len + n] = '\0';
	w->len += n + 1;
	w->found++;
	return 0;
}

/* fd: the directory at w->path (plen bytes; 0 at the top), consumed. */
static int walk_dir(struct walk *w, int fd, size_t plen, int depth)
{
	DIR *d = fdopendir(fd);
	if (!d) {
		close(fd);
		return 0;
	}
	int r = 0;
	struct dirent *e;
	while (r == 0 && !w->stopped && (e = readdir(d))) {
		const char *name = e->d_name;
		if (streq(name, ".") || streq(name, ".."))
			continue;
		if (++w->entries > w->max_entries || (w->entries % 1024 == 0 && past(&w->deadline))) {
			w->stopped = true;
			break;
		}
		if (streq(name, ".git")) {
			/* the work tree's own is the project's; never into a git dir */
			if (plen > 0)
				r = walk_add(w, w->path, plen);
			continue;
		}
		bool is_dir = e->d_type == DT_DIR;
		if (e->d_type == DT_UNKNOWN) {
			struct stat st;
			is_dir = fstatat(dirfd(d), name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
				 S_ISDIR(st.st_mode);
		}
		if (!is_dir)
			continue; /* a link (NEST-2), a file */
		size_t n = strlen(name);
		if (depth + 1 >= NESTED_WALK_DEPTH || plen + 1 + n >= sizeof(w->path)) {
			w->stopped = true;
			continue;
		}
		int sub = openat(dirfd(d), name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sub < 0)
			continue; /* unreadable, or swapped for a link meanwhile */
		size_t sublen = plen;
		if (plen > 0)
			w->path[sublen++] = '/';
		memcpy(w->path + sublen, name, n);
		sublen += n;
		w->path[sublen] = '\0';
		r = walk_dir(w, sub, sublen, depth + 1);
		w->path[plen] = '\0';
	}
	closedir(d);
	return r;
}

int nested_walk(const char *worktree, unsigned long max_entries, unsigned max_ms, char **ret,
		size_t *ret_len)
{
	struct walk w = { .max_entries = max_entries };
	if (max_ms && clock_gettime(CLOCK_MONOTONIC, &w.deadline) == 0) {
		w.deadline.tv_sec += max_ms / 1000;
		w.deadline.tv_nsec += (long)(max_ms % 1000) * 1000000;
		if (w.deadline.tv_nsec >= 1000000000) {
			w.deadline.tv_sec++;
			w.deadline.tv_nsec -= 1000000000;
		}
	}
	int fd = open(worktree, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	int r = walk_dir(&w, fd, 0, 0);
	if (r < 0) {
		free(w.buf);
		return r;
	}
	*ret = w.buf;
	*ret_len = w.len;
	return w.stopped ? 0 : 1;
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

static bool list_has(const char *buf, size_t len, const char *rel)
{
	for (size_t i = 0; i < len; i += strlen(buf + i) + 1)
		if (streq(buf + i, rel))
			return true;
	return false;
}

static size_t list_count(const char *buf, size_t len)
{
	size_t n = 0;
	for (size_t i = 0; i < len; i += strlen(buf + i) + 1)
		n++;
	return n;
}

/* Add to *buf the entries of other that it lacks, up to max in all. */
static int list_merge(char **buf, size_t *len, const char *other, size_t other_len, size_t max)
{
	size_t count = list_count(*buf, *len);
	for (size_t i = 0; i < other_len && count < max; i += strlen(other + i) + 1) {
		size_t n = strlen(other + i);
		if (list_has(*buf, *len, other + i))
			continue;
		char *b = realloc(*buf, *len + n + 1);
		if (!b)
			return -ENOMEM;
		*buf = b;
		memcpy(*buf + *len, other + i, n + 1);
		*len += n + 1;
		count++;
	}
	return 0;
}

/* A list file of ours: absent, or NUL-ended entries (else treated as empty). */
static int list_read(const char *path, char **ret, size_t *ret_len)
{
	int r = file_read(AT_FDCWD, path, (size_t)NESTED_MAX * PATH_MAX, 0, ret, ret_len);
	if (r == 0 && *ret_len > 0 && (*ret)[*ret_len - 1] != '\0')
		*ret_len = 0;
	return r;
}

int nested_memo_refresh(const char *worktree, unsigned long max_entries, unsigned max_ms,
			char **ret, size_t *ret_len)
{
	_cleanup_free_ char *buf = NULL, *root = NULL, *dir = NULL, *memo = NULL, *old = NULL,
			    *fresh = NULL, *news = NULL, *news_name = NULL;
	size_t len = 0, old_len = 0, fresh_len = 0, news_len = 0;
	int whole = nested_walk(worktree, max_entries, max_ms, &buf, &len);
	if (whole < 0)
		return whole;
	int r = nested_memo_path(worktree, &memo);
	if (r < 0)
		return r;
	bool had_memo = list_read(memo, &old, &old_len) == 0;
	/* What the last memo did not have is new (the first walk finds none new). */
	for (size_t i = 0; had_memo && i < len; i += strlen(buf + i) + 1)
		if (!list_has(old, old_len, buf + i) &&
		    list_merge(&fresh, &fresh_len, buf + i, strlen(buf + i) + 1, NESTED_MAX) < 0)
			return -ENOMEM;
	if (whole == 0 && list_merge(&buf, &len, old, old_len, NESTED_MAX) < 0)
		return -ENOMEM;
	const char *hex = strrchr(memo, '/') + 1;
	r = dirs_cache(&root);
	if (r == 0)
		r = dirs_subdir(root, "nested", &dir);
	if (r == 0)
		r = file_write_atomic(dir, hex, buf ? buf : "", len, 0600);
	if (r < 0)
		return r;
	/* Kept for the next interactive start to say (nested_take_new). */
	if (fresh_len > 0 && asprintf(&news_name, "%s.new", hex) >= 0) {
		_cleanup_free_ char *path = NULL;
		if (asprintf(&path, "%s/%s", dir, news_name) >= 0)
			(void)list_read(path, &news, &news_len);
		if (list_merge(&news, &news_len, fresh, fresh_len, NESTED_MAX) == 0)
			(void)file_write_atomic(dir, news_name, news, news_len, 0600);
	}
	if (ret) {
		*ret = steal_pointer(&buf);
		*ret_len = len;
	}
	return whole;
}

/* Detached from the start: a grandchild, at the lowest priority, with no
 * fd of the start (a terminal, a pipe a caller waits on). */
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
	_exit(nested_memo_refresh(worktree, NESTED_WALK_ENTRIES, 0, NULL, NULL) < 0 ? 1 : 0);
}

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
	_cleanup_free_ char *memo = NULL;
	int r = nested_memo_path(worktree, &memo);
	if (r < 0)
		return r;
	struct stat st;
	if (stat(memo, &st) < 0)
		return -errno;
	*ret_mtime = st.st_mtime;
	return list_read(memo, ret, ret_len);
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

int nested_for_start(const char *worktree, char **ret, size_t *ret_len)
{
	_cleanup_free_ char *memo = NULL;
	int r = nested_memo_path(worktree, &memo);
	if (r < 0)
		return r;
	char *buf = NULL;
	size_t len = 0;
	time_t mtime;
	r = nested_memo_read(worktree, &buf, &len, &mtime);
	if (r == -ENOENT) {
		r = nested_memo_refresh(worktree, NESTED_WALK_ENTRIES_WAITED, NESTED_WALK_MS_WAITED,
					ret, ret_len);
		if (r == 0)
			refresh_background(worktree); /* the rest of a large tree */
		return r < 0 ? r : 0;
	}
	if (r < 0)
		return r;
	time_t now = time(NULL);
	if (now - mtime >= NESTED_REFRESH_SECONDS || mtime > now) {
		/* Claimed now, so that the starts of the next seconds do not walk too. */
		utimensat(AT_FDCWD, memo, NULL, 0);
		refresh_background(worktree);
	}
	*ret = buf;
	*ret_len = len;
	return 0;
}
