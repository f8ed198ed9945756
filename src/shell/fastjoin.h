/* fastjoin.h - a start that joins the live sandbox a start before it
 * joined, without deciding again, when nothing that start decided from
 * reads differently now (base/inputs.h).  The decision costs most of a
 * join's own time (about 1.4 ms of 1.9: policy, project, environment, the
 * view's fingerprint); checking that its inputs are the same costs a
 * fraction of it.
 *
 * Invariants (tests/integration/t-fastjoin.sh names each):
 * FJ-1 same-decision: a fast join runs only from a record written by a
 *      full start that joined this very way (the same uid and gid, current
 *      directory, bash options, terminals), said nothing, and whose every
 *      input replays the same now (IN-1..3); any difference, any doubt, an
 *      ssh session (its parent is an input no list keeps), is the full start.
 * FJ-2 record-own: a record is read only from nsbsh's own cache (SV-2: no
 *      sandbox can write there), only when it is a regular file of the user,
 *      mode 0600, not a link; it names no program outside the sandbox.
 * FJ-3 per-start: what a start gives (its arguments, its outer environment
 *      through the policy's allowlist and passthrough, its control file,
 *      its terminal) is this start's own, built by the same code as a full
 *      start's; only what the decision made comes from the record.
 * FJ-4 not-twice: a fast join that did not start its shell (no sandbox
 *      serves, it ended as the start came, it refused) leaves the start to
 *      the full path, which starts it once; a shell that started is never
 *      started again. */
#pragma once

#include <stdbool.h>

#include "shell/ctl.h"

struct layout;
struct policy;

/* First in main(): the fast join when this start's record holds.  Returns
 * false when it started no shell (the full start follows and records,
 * fastjoin_record); exits with the shell's status when the shell ended;
 * returns true with the shell's status and its pending request (nsb reload,
 * a cd out of the sandbox) for the full start to follow. */
bool fastjoin_try(int argc, char **argv, int *ret_status, struct ctl_request *ret_q);

/* What a full start decided, for the record: kept when the start said
 * nothing and its inputs are whole (IN-1, IN-3); a no-op otherwise. */
struct fastjoin_decision {
	const char *live, *id, *ctl, *denials;  /* denials: NULL when none */
	const char *worktree, *home;            /* for ctl_take */
	bool interactive;
	const struct policy *policy;            /* its passthrough */
	const struct layout *program;           /* shell_program_build's */
	int argc;                               /* the start's argc */
	bool ctl_shell;                         /* NSBSH_CTL is this start's own */
};
void fastjoin_record(const struct fastjoin_decision *d);
