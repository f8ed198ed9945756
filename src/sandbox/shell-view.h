/* shell-view.h - what the shell's sandbox shows: the work tree read-write
 * at its own path with its git metadata protected, a private home, the
 * policy's binds, the environment's rc, nsbsh's own files; the shell's
 * environment (an allowlist, then the environment's variables, then
 * nsbsh's) and bash's command line.  Invariants: see shell-view.c. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "git/project.h"
#include "sandbox/layout.h"
#include "sandbox/view.h"

/* The bash the sandbox runs when the environment has none: static, so it
 * needs nothing of the host (Debian's bash-static). */
#ifndef NSBSH_STATIC_BASH
#define NSBSH_STATIC_BASH "/bin/bash-static"
#endif

/* Where the shell finds nsbsh's pieces inside. */
#define SHELL_RC_INSIDE "/run/nsbsh/rc"
#define SHELL_RC_ENV "/run/nsbsh/env.bash"
#define SHELL_RC_WATCH "/run/nsbsh/watch.bash"
/* The policy's setenv as bash (export NAME='VALUE'), sourced by the
 * environment's rc before its shellHook (env/devenv.c). */
#define SHELL_RC_SETENV "/run/nsbsh/setenv.bash"
/* Where a shell asks its start for a restart (nsb reload) or a cd: the one
 * place of /run/nsbsh that the sandbox may write; a directory of each
 * shell's own in it (NSBSH_CTL). */
#define SHELL_CTL_DIR "/run/nsbsh/ctl"
/* network = allow: ssh's ProxyCommand (tools/nsbsh-connect.c) */
#define SHELL_CONNECT "/run/nsbsh/bin/nsbsh-connect"

struct policy;

/* What the view is made of; every path is the host's.  The builder reads
 * the host's file system (what exists, links, owners) but runs nothing. */
struct shell_view {
	const struct view_user *user;
	const struct project *project;  /* worktree NULL: a sandbox with no project */
	const char *session;            /* the session's branch, or NULL in place */
	const struct policy *policy;
	const char *private_home;       /* shown at user->home, read-write */
	const char *inside_rc;          /* shellwrap/inside.bash */
	const char *connect;            /* tools/nsbsh-connect, or NULL: none (network = allow) */
	const char *env_rc;             /* the environment's rc.bash; NULL: no environment */
	const char *environ;            /* its variables, "NAME=VALUE\0"... */
	size_t environ_len;
	const char *bash;               /* at /bin/bash */
	const char *sh;                 /* the environment's sh for /bin/sh, or NULL (bash) */
	const char *env_program;        /* the environment's env for /usr/bin/env, or NULL */
	const char *pasta;              /* network = on: pasta's path (net.h); NULL: the host's network */
	const char *resolv;             /* with pasta: /etc/resolv.conf's text (NET-6), NULL: the host's */
	bool no_daemon;                 /* the Nix daemon's socket not shown (net.c NET-5) */
	const char *store_list;         /* store = closure: what of /nix/store is shown */
	size_t store_len;               /* (view.h struct view_store; none: not known) */
	char *const *watch;             /* the watched files, for the prompt hook */
	size_t n_watch;
	const char *nested;             /* repositories nested in the work tree (git/nested.h) */
	size_t nested_len;
	const char *ctl;                /* the sandbox's control directory, or NULL: none */
	const char *ctl_shell;          /* the shell's own in it, inside (NULL: none) */
	const char *denials;            /* the denial log directory, or NULL: none */
	const char *sandbox_id;         /* the live sandbox's id (live.h): its refusal flag */
	const char *const *own_dirs;    /* nsbsh's own directories, physical paths (NULLs skipped) */
	size_t n_own_dirs;
	const char *live_dir;           /* the join sockets' (live.h): hidden wherever a bind shows it */
	bool interactive;               /* a shell with a prompt (the program's part) */
	bool cd_leaves;                 /* a cd out of the work tree leaves for the host's path */
	bool stale;                     /* the environment is not what the files say now */
	const char *cwd;                /* where the shell starts */
	int argc;                       /* bash's command line, as nsbsh got it */
	char *const *argv;
	const char *rc_dir;             /* the user's sandbox startup files (~/.config/nsbsh/home),
					 * or NULL: none (sandbox/homerc.h) */
};

/* The sandbox's view into l: what it shows, its walls, its limits; one
 * view for every shell of a live sandbox, whatever each is (layout_error
 * says whether it is complete; its notes what was left out). */
void shell_view_build(struct layout *l, const struct shell_view *v);
/* The sandbox's control directory (the host's ctl) shown writable at
 * SHELL_CTL_DIR: what shell_view_build adds last when v->ctl is set, so
 * that a view built without it (hashed for the sandbox's id, which names
 * the directory) becomes the whole view. */
void shell_view_ctl(struct layout *l, const char *ctl);
/* The sandbox's ssh agent's directory (the host's dir, agent.h) shown
 * read-only at AGENT_INSIDE_DIR: added with the control directory, for the
 * same reason. */
void shell_view_agent(struct layout *l, const char *dir);
/* inject's trust store (tls-inject.h), the host file bundle, read-only at
 * INJECT_INSIDE_BUNDLE and over the host's bundle. */
void shell_view_inject(struct layout *l, const char *bundle);
/* One shell's part into l's program: bash's command line, its working
 * directory and its environment (SV-1). */
void shell_program_build(struct layout *l, const struct shell_view *v);
/* bash's command line: argv[0], then opts (nsbsh's, n_opts of them), then
 * argv[1..argc-1]; malloc'ed (the strings are the callers'), NULL-ended,
 * its length in *ret_argc; NULL: out of memory.  A fast join builds it
 * with the options a full start put there (shell/fastjoin.c). */
char **shell_argv(char *const *opts, size_t n_opts, int argc, char *const *argv, int *ret_argc);
