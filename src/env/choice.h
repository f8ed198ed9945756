/* envchoice.h - which environment a start runs: the cached one of the
 * project's current key; a new build when the key changed (asked first
 * when someone can be asked, as the policy says); the last one, marked
 * stale, when the build fails or the user keeps it.  Never an empty
 * environment presented as good. */
#pragma once

#include <stdbool.h>

#include "env/cache.h"
#include "git/project.h"
#include "policy/config.h"
#include "sandbox/view.h"

struct env_request {
	const struct project *project;
	const struct policy *policy;     /* watch and reload_* */
	const struct view_user *user;
	bool interactive;                /* a person may be asked (a tty) */
	bool reload;                     /* nsb reload: evaluate again, ask nothing */
	bool no_daemon;                  /* the evaluation sees no daemon socket (NET-5) */
};

/* 0 with *ret (and *ret_stale: it is not what the files say now), or a
 * negative errno and the reason in *ret_err (malloc'ed; NULL: out of
 * memory).  What it says on the way (building, waiting, keeping the last
 * one) goes to stderr. */
int env_choose(const struct env_request *q, const char *root, struct cache_entry *ret,
	       bool *ret_stale, char **ret_err);

/* The project's cache key under policy (its watched files in it), as a
 * start computes it; for nsb status.  0 or a negative errno. */
int env_key(const struct project *p, const struct policy *policy, const char *nix_id,
	    char ret_hex[65]);

/* The watched files' paths (absolute), as the shell's prompt hook checks
 * them: malloc'ed array of n malloc'ed strings. */
int env_watched_paths(const struct project *p, const struct policy *policy, char ***ret,
		      size_t *ret_n);
