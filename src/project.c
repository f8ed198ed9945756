/* project.c - project discovery with libgit2: the work tree enclosing a
 * directory (GIT_CEILING_DIRECTORIES honoured, no crossing of filesystems,
 * repositories owned by someone else refused), and the nearest env file
 * between that directory and the work-tree root. */
#include "project.h"

#include <git2.h>
#include <stdio.h>
#include <sys/stat.h>

#include "util.h"

static void repo_freep(git_repository **r)
{
	git_repository_free(*r);
}

static int git_reason(const char *what, const char *path, char **ret_err)
{
	const git_error *e = git_error_last();
	if (asprintf(ret_err, "%s '%s': %s", what, path, e && e->message ? e->message : "unknown error") < 0)
		*ret_err = NULL;
	return -EIO;
}

static bool is_file(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

void project_release(struct project *p)
{
	free(p->worktree);
	free(p->envdir);
	free(p->envfile);
	free(p->env_rel);
	*p = (struct project){ 0 };
}

static int repo_open(const char *dir, git_repository **ret)
{
	static bool inited;
	if (!inited) {
		git_libgit2_init();
		inited = true;
	}
	/* No GIT_REPOSITORY_OPEN_CROSS_FS: discovery stops at a filesystem
	 * boundary, as git does without GIT_DISCOVERY_ACROSS_FILESYSTEM. */
	return git_repository_open_ext(ret, dir, 0, getenv("GIT_CEILING_DIRECTORIES"));
}

int project_discover(const char *cwd, struct project *ret, char **ret_err)
{
	_cleanup_(repo_freep) git_repository *repo = NULL;
	int r = repo_open(cwd, &repo);
	if (r == GIT_ENOTFOUND)
		return -ENOENT;
	if (r == GIT_EOWNER) {
		if (asprintf(ret_err, "not entering the repository around '%s': it is owned by someone else", cwd) < 0)
			*ret_err = NULL;
		return -EPERM;
	}
	if (r < 0)
		return git_reason("cannot open the git repository around", cwd, ret_err);

	const char *wd = git_repository_workdir(repo);
	if (!wd)
		return -ENOENT; /* bare: nothing to enter */

	_cleanup_free_ char *worktree = strdup(wd);
	if (!worktree)
		return -ENOMEM;
	size_t wlen = strlen(worktree);
	while (wlen > 1 && worktree[wlen - 1] == '/')
		worktree[--wlen] = '\0';
	if (strncmp(cwd, worktree, wlen) != 0 || (cwd[wlen] != '/' && cwd[wlen] != '\0'))
		return -ENOENT; /* e.g. cwd inside .git */

	/* The nearest flake.nix from cwd up to the work-tree root. */
	_cleanup_free_ char *dir = strdup(cwd);
	if (!dir)
		return -ENOMEM;
	for (;;) {
		_cleanup_free_ char *f = NULL;
		if (asprintf(&f, "%s/flake.nix", streq(dir, "/") ? "" : dir) < 0)
			return -ENOMEM;
		if (is_file(f)) {
			size_t dlen = strlen(dir);
			_cleanup_free_ char *rel = strdup(dlen > wlen ? dir + wlen + 1 : "");
			if (!rel)
				return -ENOMEM;
			*ret = (struct project){
				.worktree = steal_pointer(&worktree),
				.envdir = steal_pointer(&dir),
				.envfile = steal_pointer(&f),
				.env_rel = steal_pointer(&rel),
				.kind = ENV_FLAKE,
			};
			return 0;
		}
		if (strlen(dir) <= wlen)
			return -ENOENT;
		char *slash = strrchr(dir, '/');
		if (!slash)
			return -ENOENT;
		if (slash == dir)
			slash[1] = '\0';
		else
			*slash = '\0';
	}
}

int project_envfile_tracked(const struct project *p, char **ret_err)
{
	_cleanup_(repo_freep) git_repository *repo = NULL;
	if (repo_open(p->worktree, &repo) < 0)
		return git_reason("cannot open the git repository", p->worktree, ret_err);
	_cleanup_free_ char *rel = NULL;
	if (asprintf(&rel, "%s%sflake.nix", p->env_rel, *p->env_rel ? "/" : "") < 0)
		return -ENOMEM;
	unsigned int flags = 0;
	int r = git_status_file(&flags, repo, rel);
	if (r == GIT_ENOTFOUND)
		return 0;
	if (r < 0)
		return git_reason("cannot read the git status of", p->envfile, ret_err);
	return (flags & (GIT_STATUS_WT_NEW | GIT_STATUS_IGNORED)) ? 0 : 1;
}
