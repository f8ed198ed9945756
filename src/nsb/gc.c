/* gc.c - `nsb gc [--dry-run] [--older-than DURATION] [--homes]`: remove what
 * the cache holds for nobody, and say what went.
 *
 * What goes:
 *   - an entry (ROOT/env/KEY/) whose project no longer exists: the work tree
 *     in its meta has no .git any more, or the env file is gone;
 *   - with --older-than, an entry not used for that long (a cache hit
 *     refreshes the times of its links, or of its meta);
 *   - an entry without meta (a build that never finished) after a minute;
 *   - ROOT/last/ pointers and ROOT/discovery/ memos of projects gone;
 *   - ROOT/fastjoin/ records written over FASTJOIN_KEEP_DAYS ago (one a
 *     directory; a record still good costs its next start one full
 *     decision, which writes it again).
 * What stays, whatever its age:
 *   - the entry each existing project uses now (its last/ pointer), and
 *     that of a pointer whose project cannot be told (an older pointer
 *     that names no work tree, and no memo or meta names one for it);
 *   - an entry whose `lock` a build holds (flock): it is being written.
 * Private homes ($XDG_DATA_HOME/nsbsh/home/) of projects gone may hold the
 * user's data: they are listed, and removed only with --homes; a project's
 * pointer stays while its home does, so a later --homes still knows whose
 * home it is.
 *
 * Removing an entry removes its GC roots: `profile` is the link Nix
 * registered (as /nix/var/nix/gcroots/auto/HASH -> ENTRY/profile-N-link,
 * which only root may remove; nix-collect-garbage drops such a root itself
 * once its target is gone), and so are a flake's inputs (ENTRY/input,
 * input-N) and the policy's tools (ENTRY/tool, tool-N...).  devenv keeps its own roots in the project's
 * .devenv/, so they go when the project does.
 *
 * An entry is removed under its lock: renamed away first (a lookup misses
 * at once and never sees half of it), then deleted.  --dry-run takes the
 * same decisions and changes nothing. */
#include "nsb/gc.h"
#include "nsb/nsb.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>

#include "base/dirs.h"
#include "base/file.h"
#include "base/log.h"
#include "base/util.h"
#include "env/cache.h"
#include "git/project.h"

#define INCOMPLETE_GRACE 60 /* s: between a build's mkdir and its lock */
#define FASTJOIN_KEEP_DAYS 30

/* --- durations (pure) ------------------------------------------------------- */

int gc_parse_duration(const char *s, long long *ret)
{
	long long total = 0;
	if (!s || !*s)
		return -EINVAL;
	while (*s) {
		long long n = 0, unit;
		if (*s < '0' || *s > '9')
			return -EINVAL;
		for (; *s >= '0' && *s <= '9'; s++) {
			if (n > (LLONG_MAX - (*s - '0')) / 10)
				return -EINVAL;
			n = n * 10 + (*s - '0');
		}
		switch (*s++) {
		case 's': unit = 1; break;
		case 'm': unit = 60; break;
		case 'h': unit = 3600; break;
		case 'd': unit = 86400; break;
		case 'w': unit = 7 * 86400; break;
		default: return -EINVAL;
		}
		if (n > (LLONG_MAX - total) / unit)
			return -EINVAL;
		total += n * unit;
	}
	*ret = total;
	return 0;
}

/* --- the run ------------------------------------------------------------------- */

struct known {
	char *worktree;
	char *env_rel;
};

struct gc {
	const char *root;
	char *homes_dir;
	bool dry_run, homes;
	long long older_than; /* -1: no age limit */
	time_t now;
	struct known *projects;
	size_t n_projects;
	char (*kept)[65]; /* keys some existing (or unknown) project uses now */
	size_t n_kept;
	/* what happened */
	size_t removed, removed_bytes, kept_current, kept_busy, kept_other;
	size_t pointers, memos, homes_gone, homes_gone_bytes, homes_removed, records;
	int status;
};

static void gc_release(struct gc *g)
{
	for (size_t i = 0; i < g->n_projects; i++) {
		free(g->projects[i].worktree);
		free(g->projects[i].env_rel);
	}
	free(g->projects);
	free(g->kept);
	free(g->homes_dir);
}

static bool gone(const char *path)
{
	struct stat st;
	return lstat(path, &st) < 0 && (errno == ENOENT || errno == ENOTDIR);
}

static bool worktree_gone(const char *worktree)
{
	_cleanup_free_ char *git = NULL;
	return asprintf(&git, "%s/.git", worktree) >= 0 && gone(git);
}

/* Gone: the work tree is no longer one, or its env directory holds neither
 * env file.  What cannot be read counts as existing. */
static bool project_gone(const char *worktree, const char *env_rel)
{
	if (worktree_gone(worktree))
		return true;
	static const enum env_kind kinds[] = { ENV_FLAKE, ENV_DEVENV };
	for (size_t k = 0; k < ARRAY_SIZE(kinds); k++) {
		_cleanup_free_ char *f = NULL;
		if (asprintf(&f, "%s%s%s/%s", worktree, *env_rel ? "/" : "", env_rel,
			     project_envfile_name(kinds[k])) < 0 || !gone(f))
			return false;
	}
	return true;
}

static int known_add(struct gc *g, const char *worktree, const char *env_rel)
{
	for (size_t i = 0; i < g->n_projects; i++)
		if (streq(g->projects[i].worktree, worktree) && streq(g->projects[i].env_rel, env_rel))
			return 0;
	struct known *n = realloc(g->projects, (g->n_projects + 1) * sizeof(*n));
	if (!n)
		return -ENOMEM;
	g->projects = n;
	char *wt = strdup(worktree), *rel = strdup(env_rel);
	if (!wt || !rel) {
		free(wt);
		free(rel);
		return -ENOMEM;
	}
	g->projects[g->n_projects++] = (struct known){ wt, rel };
	return 0;
}

static int kept_add(struct gc *g, const char *key)
{
	char (*n)[65] = realloc(g->kept, (g->n_kept + 1) * sizeof(*n));
	if (!n)
		return -ENOMEM;
	g->kept = n;
	memcpy(g->kept[g->n_kept++], key, 65);
	return 0;
}

static bool kept(const struct gc *g, const char *key)
{
	for (size_t i = 0; i < g->n_kept; i++)
		if (streq(g->kept[i], key))
			return true;
	return false;
}

/* envfile's directory relative to worktree, or NULL. */
static char *rel_of(const char *worktree, const char *envfile)
{
	size_t wl = strlen(worktree);
	const char *slash = strrchr(envfile, '/');
	if (!slash || strncmp(envfile, worktree, wl) != 0 || (envfile[wl] != '/'))
		return NULL;
	if (slash == envfile + wl)
		return strdup("");
	return strndup(envfile + wl + 1, (size_t)(slash - envfile - wl - 1));
}

typedef int each_fn(struct gc *g, const char *path, const char *name);

/* Each name in dir, to fn with its path; a missing directory is empty. */
static int each_name(struct gc *g, const char *dir, each_fn *fn)
{
	DIR *d = opendir(dir);
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	int r = 0;
	struct dirent *de;
	while (r == 0 && (de = readdir(d))) {
		_cleanup_free_ char *path = NULL;
		if (streq(de->d_name, ".") || streq(de->d_name, ".."))
			continue;
		if (asprintf(&path, "%s/%s", dir, de->d_name) < 0)
			r = -ENOMEM;
		else
			r = fn(g, path, de->d_name);
	}
	closedir(d);
	return r;
}

static bool is_key(const char *name)
{
	return strlen(name) == 64 && strspn(name, "0123456789abcdef") == 64;
}

/* --- removing and measuring ------------------------------------------------------ */

/* Bytes a tree takes on disk (du), links not followed. */
static size_t du_at(int dfd, const char *name, int depth)
{
	struct stat st;
	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return 0;
	size_t total = (size_t)st.st_blocks * 512;
	if (!S_ISDIR(st.st_mode) || depth > REMOVE_TREE_DEPTH_MAX)
		return total;
	int fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	DIR *d = fd < 0 ? NULL : fdopendir(fd);
	if (!d) {
		if (fd >= 0)
			close(fd);
		return total;
	}
	struct dirent *de;
	while ((de = readdir(d)))
		if (!streq(de->d_name, ".") && !streq(de->d_name, ".."))
			total += du_at(dirfd(d), de->d_name, depth + 1);
	closedir(d);
	return total;
}

static void fmt_bytes(size_t n, char buf[32])
{
	if (n < 1024)
		snprintf(buf, 32, "%zu B", n);
	else if (n < 1024 * 1024)
		snprintf(buf, 32, "%.1f KiB", (double)n / 1024);
	else if (n < 1024ul * 1024 * 1024)
		snprintf(buf, 32, "%.1f MiB", (double)n / (1024 * 1024));
	else
		snprintf(buf, 32, "%.1f GiB", (double)n / (1024.0 * 1024 * 1024));
}

static void fmt_age(long long s, char buf[32])
{
	if (s < 120)
		snprintf(buf, 32, "%lld s", s < 0 ? 0 : s);
	else if (s < 7200)
		snprintf(buf, 32, "%lld min", s / 60);
	else if (s < 2 * 86400)
		snprintf(buf, 32, "%lld h", s / 3600);
	else
		snprintf(buf, 32, "%lld d", s / 86400);
}

/* --- pass 1: the projects nsbsh knows of ---------------------------------------- */

static int learn_last(struct gc *g, const char *path, const char *name)
{
	struct cache_last last;
	if (cache_last_read(path, &last) < 0)
		return 0;
	int r = last.worktree ? known_add(g, last.worktree, last.env_rel) : 0;
	cache_last_release(&last);
	return r;
}

static int learn_meta(struct gc *g, const char *path, const char *name)
{
	_cleanup_free_ char *wt = NULL, *envfile = NULL, *rel = NULL;
	if (!is_key(name) || cache_meta_get(g->root, name, "worktree", &wt) < 0 ||
	    cache_meta_get(g->root, name, "envfile", &envfile) < 0 || !(rel = rel_of(wt, envfile)))
		return 0;
	return known_add(g, wt, rel);
}

static int learn_memo(struct gc *g, const char *path, const char *name)
{
	struct project p;
	if (project_memo_read(path, &p) < 0)
		return 0;
	int r = known_add(g, p.worktree, p.env_rel);
	project_release(&p);
	return r;
}

/* --- pass 2: last/ pointers ------------------------------------------------------- */

/* Whether the private home of worktree exists (and --homes will not remove it). */
static bool home_stays(const struct gc *g, const char *worktree)
{
	_cleanup_free_ char *name = NULL, *path = NULL;
	if (g->homes || dirs_worktree_name(worktree, &name) < 0 ||
	    asprintf(&path, "%s/%s", g->homes_dir, name) < 0)
		return false;
	return !gone(path);
}

static int sweep_last(struct gc *g, const char *path, const char *name)
{
	struct cache_last last;
	if (cache_last_read(path, &last) < 0)
		return 0;
	/* The project: named in the pointer, or found by the pointer's name. */
	const struct known *k = NULL;
	for (size_t i = 0; i < g->n_projects && !k; i++) {
		_cleanup_free_ char *n = cache_last_name(g->projects[i].worktree, g->projects[i].env_rel);
		if (n && streq(n, name))
			k = &g->projects[i];
	}
	int r = 0;
	if (!k || !project_gone(k->worktree, k->env_rel)) {
		r = kept_add(g, last.key);
	} else if (!home_stays(g, k->worktree)) {
		g->pointers++;
		if (!g->dry_run && unlink(path) < 0 && errno != ENOENT) {
			warn("cannot remove '%s': %s", path, strerror(errno));
			g->status = 1;
		}
	}
	cache_last_release(&last);
	return r;
}

/* --- pass 3: entries --------------------------------------------------------------- */

static time_t mtime_of(const char *dir, const char *name, bool follow)
{
	_cleanup_free_ char *path = NULL;
	struct stat st;
	if (asprintf(&path, "%s%s%s", dir, name ? "/" : "", name ? name : "") < 0 ||
	    (follow ? stat(path, &st) : lstat(path, &st)) < 0)
		return 0;
	return st.st_mtime;
}

static int sweep_entry(struct gc *g, const char *entry, const char *name)
{
	_cleanup_free_ char *lockpath = NULL, *trash = NULL;
	_cleanup_free_ char *wt = NULL, *envfile = NULL, *kind = NULL;
	/* What an interrupted gc left behind. */
	if (strncmp(name, ".gc-", 4) == 0) {
		if (!g->dry_run)
			remove_tree(entry);
		return 0;
	}
	if (!is_key(name))
		return 0;
	if (kept(g, name)) {
		g->kept_current++;
		return 0;
	}
	if (asprintf(&lockpath, "%s/lock", entry) < 0)
		return -ENOMEM;
	_cleanup_close_ int lock = open(lockpath, O_RDWR | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY);
	if (lock >= 0 && flock(lock, LOCK_EX | LOCK_NB) < 0) {
		g->kept_busy++;
		return 0;
	}

	const char *why = NULL;
	char age[32], why_buf[64], size[32];
	long long used;
	bool complete = cache_meta_get(g->root, name, "worktree", &wt) == 0 &&
			cache_meta_get(g->root, name, "envfile", &envfile) == 0;
	_cleanup_free_ char *rel = complete ? rel_of(wt, envfile) : NULL;
	if (!complete) {
		used = mtime_of(entry, NULL, false);
		if (g->now - used >= INCOMPLETE_GRACE)
			why = "incomplete (a build that did not finish)";
	} else {
		time_t a = mtime_of(entry, "profile", false), b = mtime_of(entry, "meta", true);
		used = a > b ? a : b;
		if (rel && project_gone(wt, rel)) {
			why = "project gone";
		} else if (g->older_than >= 0 && g->now - used > g->older_than) {
			fmt_age(g->older_than, age);
			snprintf(why_buf, sizeof(why_buf), "not used for more than %s", age);
			why = why_buf;
		}
	}
	if (!why) {
		g->kept_other++;
		return 0;
	}
	if (cache_meta_get(g->root, name, "kind", &kind) < 0)
		kind = NULL;
	size_t bytes = du_at(AT_FDCWD, entry, 0);
	fmt_age(g->now - used, age);
	fmt_bytes(bytes, size);
	if (!g->dry_run) {
		/* Renamed first: a lookup misses at once, never sees half. */
		if (asprintf(&trash, "%s/env/.gc-%s", g->root, name) < 0)
			return -ENOMEM;
		int r = rename(entry, trash) < 0 ? -errno : remove_tree(trash);
		if (r < 0) {
			warn("cannot remove the cache entry '%s': %s", entry, strerror(-r));
			g->status = 1;
			return 0;
		}
	}
	printf("%s %.12s  %s  (%s, last used %s ago, %s): %s\n", g->dry_run ? "would remove" : "removed",
	       name, envfile ? envfile : "(no project recorded)", kind ? kind : "?", age, size, why);
	g->removed++;
	g->removed_bytes += bytes;
	return 0;
}

/* --- pass 4: discovery memos, private homes ------------------------------------------- */

static int sweep_memo(struct gc *g, const char *path, const char *name)
{
	struct project p;
	if (project_memo_read(path, &p) < 0)
		return 0;
	if (project_gone(p.worktree, p.env_rel)) {
		g->memos++;
		if (!g->dry_run && unlink(path) < 0 && errno != ENOENT) {
			warn("cannot remove '%s': %s", path, strerror(errno));
			g->status = 1;
		}
	}
	project_release(&p);
	return 0;
}

static int sweep_home(struct gc *g, const char *path, const char *name)
{
	const char *wt = NULL;
	for (size_t i = 0; i < g->n_projects && !wt; i++) {
		_cleanup_free_ char *n = NULL;
		if (dirs_worktree_name(g->projects[i].worktree, &n) == 0 && streq(n, name))
			wt = g->projects[i].worktree;
	}
	if (!wt || !worktree_gone(wt))
		return 0;
	char size[32];
	size_t bytes = du_at(AT_FDCWD, path, 0);
	fmt_bytes(bytes, size);
	g->homes_gone++;
	g->homes_gone_bytes += bytes;
	if (!g->homes) {
		printf("kept home %s  of %s (%s): project gone; 'nsb gc --homes' removes it\n", path, wt, size);
		return 0;
	}
	if (!g->dry_run) {
		int r = remove_tree(path);
		if (r < 0) {
			warn("cannot remove the private home '%s': %s", path, strerror(-r));
			g->status = 1;
			return 0;
		}
	}
	printf("%s home %s  of %s (%s): project gone\n", g->dry_run ? "would remove" : "removed", path, wt, size);
	g->homes_removed++;
	return 0;
}

/* --- pass 5: fast-join records (shell/fastjoin.c) ------------------------------------ */

static int sweep_record(struct gc *g, const char *path, const char *name)
{
	struct stat st;
	if (!is_key(name) || lstat(path, &st) < 0 || !S_ISREG(st.st_mode) ||
	    g->now - st.st_mtime < (time_t)FASTJOIN_KEEP_DAYS * 86400)
		return 0;
	if (!g->dry_run && unlink(path) < 0 && errno != ENOENT) {
		warn("cannot remove '%s': %s", path, strerror(errno));
		g->status = 1;
		return 0;
	}
	g->records++;
	return 0;
}

/* --- the command -------------------------------------------------------------------- */

static int sweep(struct gc *g, const char *sub, each_fn *fn)
{
	_cleanup_free_ char *dir = NULL;
	if (asprintf(&dir, "%s/%s", g->root, sub) < 0)
		return -ENOMEM;
	return each_name(g, dir, fn);
}

int nsb_cmd_gc(int argc, char **argv)
{
	_cleanup_free_ char *root = NULL, *data = NULL;
	struct gc g = { .older_than = -1, .now = time(NULL) };
	for (int i = 1; i < argc; i++) {
		if (streq(argv[i], "--dry-run") || streq(argv[i], "-n")) {
			g.dry_run = true;
		} else if (streq(argv[i], "--homes")) {
			g.homes = true;
		} else if (streq(argv[i], "--older-than") || strncmp(argv[i], "--older-than=", 13) == 0) {
			const char *v = argv[i][12] == '=' ? argv[i] + 13 : (i + 1 < argc ? argv[++i] : NULL);
			if (!v) {
				warn("--older-than needs a duration, e.g. --older-than 30d");
				return EXIT_USAGE;
			}
			if (gc_parse_duration(v, &g.older_than) < 0) {
				warn("invalid duration '%s' for --older-than: use a number and a unit (s, m, h, d, w), e.g. 30d or 12h", v);
				return EXIT_USAGE;
			}
		} else {
			warn("unknown argument '%s': usage: %s", argv[i], nsb_usage_line("gc"));
			return EXIT_USAGE;
		}
	}
	if (dirs_cache_path(&root) < 0 || dirs_data_path(&data) < 0 ||
	    asprintf(&g.homes_dir, "%s/home", data) < 0) {
		warn("cannot name nsbsh's cache and data directories (is HOME set?)");
		gc_release(&g);
		return EXIT_SYSTEM;
	}
	g.root = root;

	int r = sweep(&g, "last", learn_last);
	if (r == 0)
		r = sweep(&g, "env", learn_meta);
	if (r == 0)
		r = sweep(&g, "discovery", learn_memo);
	if (r == 0)
		r = sweep(&g, "last", sweep_last);
	if (r == 0)
		r = sweep(&g, "env", sweep_entry);
	if (r == 0)
		r = sweep(&g, "discovery", sweep_memo);
	if (r == 0)
		r = each_name(&g, g.homes_dir, sweep_home);
	if (r == 0)
		r = sweep(&g, "fastjoin", sweep_record);
	if (r < 0) {
		warn("cannot collect the cache '%s': %s", root, strerror(-r));
		gc_release(&g);
		return EXIT_SYSTEM;
	}

	char bytes[32];
	fmt_bytes(g.removed_bytes, bytes);
	printf("%s %zu entr%s (%s), %zu pointer%s and %zu discovery memo%s of projects gone; "
	       "kept %zu entr%s (%zu in use by a project, %zu being built, %zu other)\n",
	       g.dry_run ? "would remove" : "removed", g.removed, g.removed == 1 ? "y" : "ies", bytes,
	       g.pointers, g.pointers == 1 ? "" : "s", g.memos, g.memos == 1 ? "" : "s",
	       g.kept_current + g.kept_busy + g.kept_other,
	       g.kept_current + g.kept_busy + g.kept_other == 1 ? "y" : "ies", g.kept_current,
	       g.kept_busy, g.kept_other);
	if (g.homes_gone) {
		fmt_bytes(g.homes_gone_bytes, bytes);
		printf("%zu private home%s of projects gone (%s): %s\n", g.homes_gone,
		       g.homes_gone == 1 ? "" : "s", bytes,
		       !g.homes ? "kept ('nsb gc --homes' removes them)"
				: g.dry_run ? "would be removed" : "removed");
	}
	if (g.records)
		printf("%s %zu fast-join record%s written over %d days ago\n", g.dry_run ? "would remove" : "removed",
		       g.records, g.records == 1 ? "" : "s", FASTJOIN_KEEP_DAYS);
	if (g.removed && !g.dry_run)
		printf("their store paths are no longer rooted: nix-collect-garbage reclaims them\n");
	int status = g.status;
	gc_release(&g);
	return status;
}
