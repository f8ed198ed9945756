/* session-cmd.h - sessions at the top level: a start's session (from
 * NSBSH_SESSION or the picker), `nsb enter` and `nsb sessions`.  These
 * print (one line per failure, log.c), like the rest of the top level. */
#pragma once

#include <stdbool.h>

#include "git/project.h"

/* Turns *p and *cwd (malloc'ed) into those of the session asked for:
 * NSBSH_SESSION=BRANCH, or the picker on an interactive start when policy
 * says picker = on (NSBSH_SESSION set and empty: in place, no picker).
 * *ret_session: the branch (malloc'ed), or NULL in place.  When the
 * session cannot be entered it says why and leaves *p and *cwd as they
 * are: the shell runs in place, never nowhere.  pol: the start's policy
 * (picker, session_copy).  No libgit2 is loaded when
 * no session is asked for. */
struct policy;
void session_for_start(struct project *p, char **cwd, bool interactive,
		       const struct policy *pol, char **ret_session);

/* nsb enter [--session BRANCH [--from REF]] [--pick] [DIR] */
int session_cmd_enter(int argc, char **argv);
/* nsb sessions [DIR] | nsb sessions rm BRANCH [--force] [DIR] | nsb sessions prune [DIR] */
int session_cmd_sessions(int argc, char **argv);
