/* session.h - a start's session: NSBSH_SESSION=BRANCH or the picker, and
 * the switch into a session's work tree that `nsb enter` makes too
 * (git/session.c makes the work trees).  These print (one line per
 * failure), like the rest of the top level. */
#pragma once

#include <stdbool.h>

#include "git/project.h"

struct policy;

/* Turns *p and *cwd (malloc'ed) into those of the session asked for:
 * NSBSH_SESSION=BRANCH (nsb enter --session sets it), or the picker on an
 * interactive start when policy says picker = on (NSBSH_SESSION set and
 * empty: in place, no picker).  *ret_session: the branch (malloc'ed), or
 * NULL in place.  SESS-1: a session asked for that cannot be entered is
 * never quietly replaced by the main work tree: an interactive start says
 * why and asks whether to run in place (yes: 0, *p and *cwd as they were);
 * otherwise it says why and returns -ECANCELED, and the start must run
 * nothing (EXIT_REFUSED).  pol: the start's policy (picker, session_copy).
 * No libgit2 is loaded when no session is asked for. */
int session_for_start(struct project *p, char **cwd, bool interactive,
		      const struct policy *pol, char **ret_session);

/* The session BRANCH of p's repository, made from `from` (NULL: HEAD)
 * when it does not exist: *p and *cwd become its project and the same
 * place relative to its work tree (else its root).  Says what it made or
 * copied.  0, or a negative errno with *ret_err. */
int session_switch(struct project *p, char **cwd, const char *branch, const char *from,
		   const struct policy *pol, char **ret_err);
