/* eval-view.h - what the evaluation's sandbox shows: what the shell's
 * shows of the project (read-only here), the host's read-only system
 * directories that nix or devenv needs, a throwaway home, and the cache
 * entry being written.  A hostile flake.nix can name path:/home/you/.ssh
 * as an input; in here, there is no such path to copy into the store. */
#pragma once

#include <stdbool.h>
#include <sys/stat.h>

#include "sandbox/layout.h"
#include "sandbox/view.h"

/* Where the evaluation sees the project as a flake: a path without spaces
 * or other characters that Nix 2.8's URL parser refuses or leaves encoded. */
#define EVAL_FLAKE_VIEW "/run/nsbsh/flake"
/* PATH inside, after the program's own directories. */
#define EVAL_PATH "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin"

/* A host path shown read-only at its own place, refused unless what gets
 * mounted is what st says (it may lie where a sandbox can swap it). */
struct eval_bind {
	const char *path;
	struct stat st;
};

struct eval_view {
	const struct view_user *user;
	const char *worktree;        /* the project, shown read-only, also at EVAL_FLAKE_VIEW */
	const char *entry_dir;       /* the cache entry being written, read-write */
	const char *program;         /* real path, run at the same path inside */
	int argc;
	char *const *argv;
	const char *cwd;
	const char *path_env;        /* PATH inside */
	bool bind_program;           /* not under /nix/store or /usr: shown alone */
	const char *dotfile;         /* devenv: ENVDIR/.devenv, read-write; or NULL */
	const struct stat *dotfile_st;  /* what it was when checked */
	int stdout_fd;               /* the program's stdout */
	char *const *extra_env;      /* "NAME=VALUE"s set last (git/protect.h
				      * protect_git_env), or NULL */
	size_t n_extra_env;
	bool offline;                /* network = off: only lo, nix offline (NET-4) */
	bool no_daemon;              /* the daemon socket not shown (NET-5) */
	/* The policy's tools that name a host path (EV-4): read-only, last. */
	const struct eval_bind *binds;
	size_t n_binds;
};

void eval_view_build(struct layout *l, const struct eval_view *v);
