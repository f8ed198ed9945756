/* layout.h - what each sandbox shows: the shell's and the evaluation's views.
 * sandbox.c knows how to build a view; this file decides what is in it. */
#pragma once

#include "project.h"
#include "sandbox.h"

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
/* Copy the allowlisted variables of the outer environment (TERM, LANG, ...). */
int layout_pass_env(struct layout *l);

/* Add a place where the program may write (Landlock's list; borrowed). */
int layout_writable(struct layout *l, const char *path);

/* Common to both views: base (/dev /proc /tmp /run/nsbsh), /nix/store
 * read-only, the daemon socket's directory, a minimal /etc. */
int layout_common(struct layout *l, const struct layout_user *u);
/* The host's system directories, read-only (evaluation only). */
int layout_host_system(struct layout *l);

/* Git metadata that git outside the sandbox acts on (see layout.c): .git
 * pinned in place, its hooks/ and config read-only, and those of submodules
 * and linked work trees.  Called after the work tree's bind. */
int layout_protect_git(struct layout *l, const char *worktree);

/* The project's denial log (denylog.h): the supervisor keeps it in dir.
 * shown (a shell with a prompt; dir must exist): the sandbox sees dir
 * read-only, and NSBSH_DENIALS_FLAG names the flag file of this session
 * there, which the prompt hook tests. */
int layout_denial_log(struct layout *l, const char *dir, bool shown);

/* The daemon socket path ($NIX_DAEMON_SOCKET_PATH or the default). */
const char *layout_daemon_socket(void);
