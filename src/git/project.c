/* project.c - project discovery: the work tree enclosing a directory
 * (libgit2: GIT_CEILING_DIRECTORIES honoured, no crossing of filesystems,
 * repositories owned by someone else refused), and the nearest env file
 * between that directory and the work-tree root: flake.nix or devenv.nix,
 * flake.nix winning when one directory has both.
 *
 * A start must not pay for libgit2 when it cannot matter (see gitlib.h):
 * 1. A pre-scan walks up from cwd with stat() alone, to the nearest `.git`.
 *    No `.git` above, or no env file between cwd and it, means no project
 *    whatever libgit2 would say (it would find that `.git`, a bare
 *    repository, or nothing), so plain bash starts at once.
 * 2. Otherwise libgit2 decides, and its answer is kept in a memo together
 *    with a fingerprint of everything the answer depended on: device, inode,
 *    mtime, ctime, mode and owner of every directory from cwd up to the work
 *    tree (an entry created, removed or renamed in any of them changes its
 *    mtime; a chown changes ctime), of `.git` and of `.git/config`, plus the
 *    uid and GIT_CEILING_DIRECTORIES.  A memo is used only when the
 *    fingerprint is identical, so a re-entry gets libgit2's own answer
 *    without loading it. */
#include "git/project.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/stat.h>

#include "base/dirs.h"
#include "base/file.h"
#include "base/path.h"
#include "base/sha256.h"
#include "base/strbuf.h"
#include "base/util.h"
#include "git/gitlib.h"

#define MEMO_MAX (256u << 10)

void project_release(struct project *p)
{
	free(p->worktree);
	free(p->envdir);
	free(p->envfile);
	free(p->env_rel);
	*p = (struct project){ 0 };
}

static bool is_file(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

const char *project_envfile_name(enum env_kind kind)
{
	return kind == ENV_DEVENV ? "devenv.nix" : "flake.nix";
}

const char *project_kind_name(enum env_kind kind)
{
	return kind == ENV_DEVENV ? "devenv" : "flake";
}

/* The kind of an env file by its name (memos keep only the path). */
static enum env_kind kind_of(const char *envfile)
{
	const char *base = strrchr(envfile, '/');
	return streq(base ? base + 1 : envfile, "devenv.nix") ? ENV_DEVENV : ENV_FLAKE;
}

/* The env file in dir, or NULL: flake.nix before devenv.nix. */
static char *envfile_in(const char *dir, enum env_kind *ret_kind)
{
	static const enum env_kind kinds[] = { ENV_FLAKE, ENV_DEVENV };
	for (size_t k = 0; k < ARRAY_SIZE(kinds); k++) {
		char *f = path_join(dir, project_envfile_name(kinds[k]));
		if (f && is_file(f)) {
			*ret_kind = kinds[k];
			return f;
		}
		free(f);
	}
	return NULL;
}

/* The nearest env file from cwd up to root (a prefix of cwd). */
static int envfile_find(const char *cwd, const char *root, struct project *ret)
{
	size_t rlen = strlen(root);
	_cleanup_free_ char *dir = strdup(cwd);
	if (!dir)
		return -ENOMEM;
	do {
		enum env_kind kind = ENV_FLAKE;
		_cleanup_free_ char *f = envfile_in(dir, &kind);
		if (f) {
			_cleanup_free_ char *rel = strdup(strlen(dir) > rlen ? dir + rlen + (rlen > 1) : "");
			_cleanup_free_ char *wt = strdup(root);
			if (!rel || !wt)
				return -ENOMEM;
			*ret = (struct project){
				.worktree = steal_pointer(&wt),
				.envdir = steal_pointer(&dir),
				.envfile = steal_pointer(&f),
				.env_rel = steal_pointer(&rel),
				.kind = kind,
			};
			return 0;
		}
	} while (strlen(dir) > rlen && path_up(dir));
	return -ENOENT;
}

/* Step 1: the nearest directory with a `.git` entry, or -ENOENT. */
static int prescan(const char *cwd, char **ret_top)
{
	_cleanup_free_ char *dir = strdup(cwd);
	if (!dir)
		return -ENOMEM;
	do {
		_cleanup_free_ char *g = path_join(dir, ".git");
		struct stat st;
		if (!g)
			return -ENOMEM;
		if (lstat(g, &st) == 0) {
			*ret_top = steal_pointer(&dir);
			return 0;
		}
	} while (path_up(dir));
	return -ENOENT;
}

/* --- the memo ----------------------------------------------------------- */

static void stat_line(struct strbuf *b, char tag, const char *path)
{
	struct stat st;
	strbuf_addf(b, "%c ", tag);
	strbuf_add_escaped(b, path);
	if (lstat(path, &st) < 0) {
		strbuf_addf(b, " -%d\n", errno);
		return;
	}
	strbuf_addf(b, " %llu %llu %lld.%09ld %lld.%09ld %o %u %lld\n", (unsigned long long)st.st_dev,
		   (unsigned long long)st.st_ino, (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec,
		   (long long)st.st_ctim.tv_sec, st.st_ctim.tv_nsec, st.st_mode, st.st_uid,
		   (long long)st.st_size);
}

static int fingerprint(const char *cwd, const char *top, struct strbuf *b)
{
	const char *ceil = getenv("GIT_CEILING_DIRECTORIES");
	strbuf_addf(b, "nsbsh-discovery-1\nuid %u\nceiling ", getuid());
	strbuf_add_escaped(b, ceil ? ceil : "");
	strbuf_add(b, "\n", 1);
	_cleanup_free_ char *dir = strdup(cwd);
	if (!dir)
		return -ENOMEM;
	size_t tlen = strlen(top);
	do
		stat_line(b, 'd', dir);
	while (strlen(dir) > tlen && path_up(dir));
	_cleanup_free_ char *g = path_join(top, ".git"), *c = path_join(top, ".git/config");
	if (!g || !c)
		return -ENOMEM;
	stat_line(b, 'g', g);
	stat_line(b, 'c', c);
	strbuf_add(b, "--\n", 3);
	return b->oom ? -ENOMEM : 0;
}

static char *memo_path(const char *memo_dir, const char *cwd)
{
	char hex[65];
	sha256_hex_of(cwd, strlen(cwd), hex);
	return path_join(memo_dir, hex);
}

/* 0 with *ret (a project), -ENOENT (memo says: none), -ESTALE (no usable
 * memo).  With fp NULL, the answer of the memo whatever its fingerprint. */
static int memo_read(const char *path, const struct strbuf *fp, struct project *ret)
{
	_cleanup_free_ char *data = NULL;
	size_t len = 0;
	if (file_read(AT_FDCWD, path, MEMO_MAX, 0, &data, &len) < 0)
		return -ESTALE;
	const char *p = data, *end = data + len;
	if (fp) {
		if (len < fp->len || memcmp(data, fp->s, fp->len) != 0)
			return -ESTALE;
		p += fp->len;
	} else {
		const char *sep = memmem(data, len, "\n--\n", 4);
		if (!sep)
			return -ESTALE;
		p = sep + 4;
	}
	if (end - p == 5 && memcmp(p, "none\n", 5) == 0)
		return -ENOENT;
	char *fields[4] = { NULL };
	int n = 0;
	while (p < end && n < 4) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			break;
		fields[n++] = line_unescape(p, (size_t)(nl - p));
		p = nl + 1;
	}
	if (n != 4 || p != end || !fields[0] || !fields[1] || !fields[2] || !fields[3]) {
		for (int i = 0; i < n; i++)
			free(fields[i]);
		return -ESTALE;
	}
	*ret = (struct project){ .worktree = fields[0], .envdir = fields[1], .envfile = fields[2],
				 .env_rel = fields[3], .kind = kind_of(fields[2]) };
	return 0;
}

int project_memo_read(const char *path, struct project *ret)
{
	return memo_read(path, NULL, ret);
}

static void memo_write(const char *memo_dir, const char *path, struct strbuf *fp, const struct project *p)
{
	if (p) {
		const char *f[] = { p->worktree, p->envdir, p->envfile, p->env_rel };
		for (size_t i = 0; i < ARRAY_SIZE(f); i++) {
			strbuf_add_escaped(fp, f[i]);
			strbuf_add(fp, "\n", 1);
		}
	} else {
		strbuf_add(fp, "none\n", 5);
	}
	if (fp->oom)
		return;
	const char *name = strrchr(path, '/') + 1;
	/* A memo that cannot be written only costs the next start libgit2. */
	if (mkdir_p(memo_dir, 0700) == 0)
		file_write_atomic(memo_dir, name, fp->s, fp->len, 0600);
}

/* --- libgit2 ------------------------------------------------------------ */

static int git_reason(const struct gitlib *g, const char *what, const char *path, char **ret_err)
{
	const git_error *e = g->error_last();
	if (asprintf(ret_err, "%s '%s': %s", what, path, e && e->message ? e->message : "unknown error") < 0)
		*ret_err = NULL;
	return -EIO;
}

static int repo_open(const char *dir, const struct gitlib **ret_g, git_repository **ret, char **ret_err)
{
	int r = gitlib_load(ret_g, ret_err);
	if (r < 0)
		return r;
	/* No GIT_REPOSITORY_OPEN_CROSS_FS: discovery stops at a filesystem
	 * boundary, as git does without GIT_DISCOVERY_ACROSS_FILESYSTEM. */
	return (*ret_g)->repository_open_ext(ret, dir, 0, getenv("GIT_CEILING_DIRECTORIES"));
}

static int discover_git(const char *cwd, const char *top, struct project *ret, char **ret_err)
{
	const struct gitlib *g = NULL;
	git_repository *repo = NULL;
	int r = repo_open(cwd, &g, &repo, ret_err);
	if (!g)
		return r;
	if (r == GIT_ENOTFOUND) {
		/* The pre-scan saw a .git that libgit2 did not take: say why when
		 * it is unreadable or someone else's (Debian's libgit2 1.5 reports
		 * a refused owner as not found), stay silent when it is simply not
		 * a repository.  Like libgit2, root counts as a safe owner. */
		_cleanup_free_ char *dotgit = path_join(top, ".git");
		struct stat st_top, st_git;
		if (!dotgit)
			return -ENOMEM;
		if (access(dotgit, R_OK | X_OK) < 0 && errno == EACCES) {
			if (asprintf(ret_err, "cannot read the git repository '%s': %s", dotgit, strerror(EACCES)) < 0)
				*ret_err = NULL;
			return -EACCES;
		}
		if (stat(top, &st_top) == 0 && lstat(dotgit, &st_git) == 0 &&
		    ((st_top.st_uid != getuid() && st_top.st_uid != 0) ||
		     (st_git.st_uid != getuid() && st_git.st_uid != 0)))
			r = GIT_EOWNER;
		else
			return -ENOENT;
	}
	if (r == GIT_EOWNER) {
		if (asprintf(ret_err, "not entering the repository around '%s': it is owned by someone else", cwd) < 0)
			*ret_err = NULL;
		return -EPERM;
	}
	if (r < 0)
		return git_reason(g, "cannot open the git repository around", cwd, ret_err);

	const char *wd = g->repository_workdir(repo);
	_cleanup_free_ char *worktree = wd ? strdup(wd) : NULL;
	g->repository_free(repo);
	if (!wd)
		return -ENOENT; /* bare: nothing to enter */
	if (!worktree)
		return -ENOMEM;
	path_strip_trailing_slashes(worktree);
	if (!path_at_or_below(cwd, worktree))
		return -ENOENT; /* e.g. cwd inside .git */
	return envfile_find(cwd, worktree, ret);
}

int project_discover(const char *cwd, unsigned flags, struct project *ret, char **ret_err)
{
	_cleanup_free_ char *top = NULL, *mpath = NULL, *memo_dir = NULL;
	struct project scan;
	int r = prescan(cwd, &top);
	if (r < 0)
		return r;
	r = envfile_find(cwd, top, &scan);
	if (r < 0)
		return r;

	struct strbuf fp = { 0 };
	if ((flags & PROJECT_MEMO) && dirs_discovery_path(&memo_dir) < 0)
		memo_dir = NULL;
	if (memo_dir && fingerprint(cwd, top, &fp) == 0 && (mpath = memo_path(memo_dir, cwd))) {
		r = memo_read(mpath, &fp, ret);
		if (r != -ESTALE) {
			project_release(&scan);
			free(fp.s);
			return r;
		}
	}
	r = discover_git(cwd, top, ret, ret_err);
	if (r < 0 && r != -ENOENT && r != -EPERM && r != -ENOMEM) {
		/* A repository that looks like a project and does not open
		 * (unreadable, corrupt: code in a sandbox can do that to its
		 * .git) is still that project: a sandbox for it, never plain
		 * bash in a tree the sandbox could write.  A repository of
		 * someone else's (-EPERM) is refused as it is. */
		*ret = scan;
		free(fp.s);
		return -ENOTDIR;
	}
	project_release(&scan);
	if (r == -ENOENT && mpath && !getenv("GIT_CEILING_DIRECTORIES")) {
		/* This directory was a project and its .git no longer opens: code
		 * in the sandbox can break a repository to get the next start out
		 * of the sandbox.  Say so rather than fall silently to plain bash. */
		struct project before;
		if (memo_read(mpath, NULL, &before) == 0) {
			if (streq(before.worktree, top) &&
			    asprintf(ret_err, "'%s/.git' was a project's repository and no longer opens as one: before you run git there outside a sandbox, check its .git/config and .git/hooks (code in a sandbox may have made them)", top) >= 0)
				r = -ENOTDIR;
			if (r == -ENOTDIR) {
				*ret = before; /* the work tree it was, for a sandbox without its environment */
				free(fp.s);
				return r; /* the old memo stays: the next start says it again */
			}
			project_release(&before);
		}
	}
	/* Only answers are kept; errors are said again on every start. */
	if (mpath && !fp.oom && fp.s && (r == 0 || r == -ENOENT))
		memo_write(memo_dir, mpath, &fp, r == 0 ? ret : NULL);
	free(fp.s);
	return r;
}

int project_envfile_tracked(const struct project *p, char **ret_err)
{
	const struct gitlib *g = NULL;
	git_repository *repo = NULL;
	if (p->kind == ENV_DEVENV)
		return 1;
	if (repo_open(p->worktree, &g, &repo, ret_err) < 0)
		return g ? git_reason(g, "cannot open the git repository", p->worktree, ret_err) : -ENOENT;
	_cleanup_free_ char *rel = NULL;
	if (asprintf(&rel, "%s%s%s", p->env_rel, *p->env_rel ? "/" : "", project_envfile_name(p->kind)) < 0) {
		g->repository_free(repo);
		return -ENOMEM;
	}
	unsigned int flags = 0;
	int r = g->status_file(&flags, repo, rel);
	if (r < 0 && r != GIT_ENOTFOUND)
		r = git_reason(g, "cannot read the git status of", p->envfile, ret_err);
	g->repository_free(repo);
	if (r == GIT_ENOTFOUND)
		return 0;
	if (r < 0)
		return r;
	return (flags & (GIT_STATUS_WT_NEW | GIT_STATUS_IGNORED)) ? 0 : 1;
}
