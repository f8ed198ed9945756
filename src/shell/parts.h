/* parts.h - what a shell's view is made of that nsbsh finds on the host. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

struct cache_entry;
struct closure;
struct policy;

/* The bash that the sandbox runs, bound at /bin/bash: the policy's (said
 * when it cannot be run), else the environment's own from /nix/store, else
 * the packaged static one.  malloc'ed, or NULL with *ret_err. */
char *shell_bash(const struct policy *pol, const struct cache_entry *e, char **ret_err);

/* The directories the shell view keeps read-only (SV-2), physical paths,
 * malloc'ed (NULL: none): nsbsh's cache and data, and the user's
 * configuration directory (which may not exist yet: its parent is
 * resolved). */
void own_dirs(const char *cache, const char *data, char *ret[static 3]);

/* store = closure: the environment's closure, from e's ENTRY/closure
 * (env/closure.h, written when it was built): 0; -ENOENT when the entry
 * has none (an older nsbsh built it, or nix could not say), -EINVAL for
 * one that is not nsbsh's list, -E2BIG past CLOSURE_MAX. */
int shell_closure(const struct cache_entry *e, struct closure *ret);

/* network = on: the sandbox's /etc/resolv.conf when the host's names a
 * resolver on its loopback (sandbox/net.h net_resolv_conf, NET-6),
 * malloc'ed; NULL: the host's file is shown as it is. */
char *shell_resolv(void);

/* store = closure, as a start and nsb status --view both take it: never
 * the environment without its closure.  With the policy's store = closure
 * and e, e's closure into ret: 0; -ENOMEM; or another negative errno and
 * *ret_why, one phrase (malloc'ed, or NULL): the environment is not shown.
 * 0 with nothing done for store = all or no e. */
int shell_env_closure(const struct policy *pol, const struct cache_entry *e, struct closure *ret, char **ret_why);

/* NET-5: the shell's sandbox does not see the daemon's socket: true;
 * why[0] nonzero when the daemon itself is the reason (it trusts the user,
 * or builds without its sandbox: nsb doctor), read only where it counts. */
bool shell_daemon_hidden(const struct policy *pol, char why[static 160]);

struct project;
struct shell_view;

/* The host's pieces of a shell's view, found one way for a start (main.c,
 * start: makes the runtime directory and the denial log's) and for nsb
 * status --view (makes nothing but the private home), so that the view
 * shown is the view a start builds.  All malloc'ed or NULL. */
struct shell_host {
	char *private_home, *live, *inside_rc, *bash, *sh, *env_program, *env_rc, *connect;
	char *pasta;  /* network = on: pasta on the host's PATH (NET-3), or NULL */
	char *resolv; /* with pasta: the sandbox's resolv.conf (NET-6), or NULL */
	char *nested, *denials;
	size_t nested_len;
	char **watch;
	size_t n_watch;
	char *own[3];
	char *rc_dir; /* the user's startup files for the private home (HOMERC-1), or NULL: none */
};

/* Fills ret for the project p (its worktree NULL: a sandbox outside any
 * project) with the environment e (NULL: none): 0, or a negative errno
 * with *ret_err (one line, malloc'ed, or NULL). */
int shell_host_get(const struct project *p, const struct policy *pol, const struct cache_entry *e,
		   const char *cache, const char *data, bool start, struct shell_host *ret, char **ret_err);
void shell_host_release(struct shell_host *h);

/* The host's pieces into a shell view (v's other fields left as they are). */
void shell_host_view(const struct shell_host *h, struct shell_view *v);
