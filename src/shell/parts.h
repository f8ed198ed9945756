/* parts.h - what a shell's view is made of that nsbsh finds on the host. */
#pragma once

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
