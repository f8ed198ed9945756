/* project.h - find the Git project around a directory and its env file. */
#pragma once

#include <stdbool.h>

enum env_kind {
	ENV_FLAKE,   /* flake.nix: nix print-dev-env */
	ENV_DEVENV,  /* devenv.nix: devenv print-dev-env */
};

/* "flake.nix" / "devenv.nix", and the kind's name in keys and messages. */
const char *project_envfile_name(enum env_kind kind);
const char *project_kind_name(enum env_kind kind);

struct project {
	char *worktree;  /* absolute, physical, no trailing slash */
	char *envdir;    /* directory of the env file */
	char *envfile;   /* absolute path of flake.nix or devenv.nix */
	char *env_rel;   /* envdir relative to worktree: "" or "sub/dir" */
	enum env_kind kind;
};

/* 0: a project, *ret filled.  -ENOENT: not a project (no work tree, a bare
 * repository, or no env file between cwd and the work-tree root).
 * -ENOTDIR: a project's repository does not open (gone since the last
 * start, unreadable, corrupt: code in a sandbox can do each to it): *ret
 * is the project it is or was, *ret_err says why.  Other negative
 * errno: discovery failed, with a one-line reason in *ret_err.
 * With PROJECT_MEMO, libgit2's answers are kept in nsbsh's cache
 * (dirs_discovery_path), each checked against the
 * state of the directories it depended on before it is reused. */
#define PROJECT_MEMO 1u
int project_discover(const char *cwd, unsigned flags, struct project *ret, char **ret_err);
/* Whether git tracks the env file (nix cannot see an untracked flake.nix;
 * devenv reads its files from the directory, so a devenv.nix always counts
 * as tracked).  1 tracked, 0 not, negative errno with *ret_err on failure. */
int project_envfile_tracked(const struct project *p, char **ret_err);
void project_release(struct project *p);
/* The answer a discovery memo file holds, whatever its fingerprint (for gc):
 * 0 and *ret, -ENOENT (it says: no project), -ESTALE (not a memo). */
int project_memo_read(const char *path, struct project *ret);
