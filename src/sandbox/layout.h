/* layout.h - what each sandbox shows: the shell's and the evaluation's views.
 * sandbox.c knows how to build a view; this file decides what is in it. */
#pragma once

#include "git/project.h"
#include "sandbox/sandbox.h"

/* The bash the sandbox runs when the environment has none: static, so it
 * needs nothing of the host (Debian's bash-static). */
#ifndef NSBSH_STATIC_BASH
#define NSBSH_STATIC_BASH "/bin/bash-static"
#endif

struct layout {
	struct sandbox_spec spec;
	char **owned;      /* strings the spec borrows, freed with the layout */
	size_t n_owned;
	char *envp[256];   /* the program's environment (strings owned) */
	size_t n_env;
	const char *writable[24]; /* Landlock: the only places writes may go */
	size_t n_writable;
};

struct layout_user {
	const char *name;
	const char *home;   /* the user's $HOME path, shown inside */
	uid_t uid;
	gid_t gid;
};

void layout_init(struct layout *l);
void layout_release(struct layout *l);
/* Take ownership of a malloc'ed string, which stays valid until release. */
const char *layout_keep(struct layout *l, char *s);
/* Set NAME=VALUE in the program's environment, replacing an earlier NAME. */
int layout_setenv(struct layout *l, const char *name, const char *value);
struct policy;
/* Copy the variables of the outer environment that the policy passes (the
 * built-in allowlist TERM, LANG, ... when p is NULL). */
int layout_pass_env(struct layout *l, const struct policy *p);

/* Add a place where the program may write (Landlock's list; borrowed). */
int layout_writable(struct layout *l, const char *path);

/* Common to both views: base (/dev /proc /tmp /run/nsbsh), /nix/store
 * read-only, the daemon socket's directory, a minimal /etc. */
int layout_common(struct layout *l, const struct layout_user *u);
/* The host's system directories, read-only (the evaluation's, and the
 * shell's with host_system = ro). */
int layout_host_system(struct layout *l);

/* Git metadata that git outside the sandbox acts on (see layout.c): .git
 * pinned in place, its hooks/ and config read-only, and those of submodules
 * and linked work trees.  Called after the work tree's bind. */
int layout_protect_git(struct layout *l, const char *worktree);
/* The same for the repositories nested in the work tree (nested.c NEST-1,
 * NEST-2): list holds their paths relative to worktree, each ended by a
 * NUL; each bind is checked on what got mounted.  After layout_protect_git. */
int layout_protect_nested(struct layout *l, const char *worktree, const char *list, size_t len);

/* A linked work tree (a session, or any `git worktree add`): its git dir G
 * (C/worktrees/NAME), the repository's common git dir C (real paths), the
 * branch G's HEAD names (NULL: detached), and the repository's name (the
 * main work tree's base name). */
struct layout_linked {
	char *gitdir;
	char *commondir;
	char *branch;
	char *name;
};
/* 0 and *ret when worktree's .git file names a git dir G of a common dir C
 * that agree both ways (G = C/worktrees/NAME, G/gitdir names this .git)
 * and are the user's; -ENOENT when worktree is not a linked work tree;
 * -EPERM and *ret_err when its .git file names git dirs that do not agree
 * (then nothing of them may be shown). */
int layout_linked_find(const char *worktree, struct layout_linked *ret, char **ret_err);
void layout_linked_release(struct layout_linked *lk);
/* The shell's view of C: read-only at the top (nothing can be created
 * there, commondir included), objects/ refs/ logs/ and G read-write (so
 * commits work), G's commondir, gitdir, config.worktree read-only. */
int layout_protect_common(struct layout *l, const struct layout_linked *lk);
/* The evaluation's view of C: read-only (nix reads the flake with git). */
int layout_show_common(struct layout *l, const struct layout_linked *lk);

/* The shell's view of a session: for a linked work tree, its common dir
 * (layout_protect_common); NSBSH_PROJECT_NAME (the repository's name) and
 * NSBSH_SESSION (session, else the linked work tree's branch).  A .git
 * file whose links do not agree shows no git dir, with *ret_note saying
 * why; 0 or a negative errno. */
int layout_session(struct layout *l, const char *worktree, const char *session, char **ret_note);

/* The project's denial log (denylog.h): the supervisor keeps it in dir.
 * shown (a shell with a prompt; dir must exist): the sandbox sees dir
 * read-only, and NSBSH_DENIALS_FLAG names the flag file of this session
 * there, which the prompt hook tests. */
int layout_denial_log(struct layout *l, const char *dir, bool shown);

/* The daemon socket path ($NIX_DAEMON_SOCKET_PATH or the default). */
const char *layout_daemon_socket(void);
