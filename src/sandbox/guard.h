/* guard.h - the creation guard: names that tools outside the sandbox act
 * on cannot be made inside (issue 15).  The seccomp filter notifies the
 * calls that make a name (seccomp.c); a helper inside (a thread of pid 1)
 * receives the notifications, copies their paths, checks and makes them;
 * what it does not answer itself (refusals, to be logged, and the filter's
 * other calls) it passes on to the supervisor.  Invariants GUARD-1..10: see
 * guard.c. */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

struct sandbox_spec;
struct seccomp_notif;
struct seccomp_denial;

/* pid 1 of a live sandbox, after its capabilities are dropped and Landlock
 * is taken, before its filter: starts the helper, a thread of its own (not
 * under the filter, which pid 1 loads for itself alone after this; its own
 * fd table and umask).  0, *ret_sock (requests of the supervisor's, and
 * the listener first: guard_helper_listener) and *ret_fwd (what the helper
 * passes on), the supervisor's ends, or a negative errno. */
int guard_helper_start(const struct sandbox_spec *s, int *ret_sock, int *ret_fwd);
/* pid 1, once its filter is loaded: the listener to the helper. */
int guard_helper_listener(int sock, int listener);

/* The supervisor, once the filter's listener is there: whether the kernel
 * can hand an fd to a caller (SECCOMP_IOCTL_NOTIF_ADDFD, 5.9): 1, and with
 * SECCOMP_ADDFD_FLAG_SEND (5.14) *ret_send; or -ENOSYS. */
int guard_probe_addfd(int listener, bool *ret_send);

/* The supervisor: answers one notified creating call req through the
 * helper at helper.  0: answered (made, or failed as the kernel would
 * have); 1: refused by a rule, not answered yet (*ret's group and detail
 * say which and where; the caller answers EPERM and logs it); a negative
 * errno: could not be asked (the caller answers EPERM). */
int guard_answer(int listener, int helper, bool addfd_send, const struct seccomp_notif *req,
		 struct seccomp_denial *ret);

/* What the helper passed on: a call of the filter's to refuse (DENY), a
 * creating call a rule refused (REFUSED: *ret's group and detail set), or
 * one to ask the helper about with guard_answer (ASK: the helper may not
 * read the caller's memory). */
enum { GUARD_FWD_DENY, GUARD_FWD_REFUSED, GUARD_FWD_ASK };
/* The supervisor: one message of the helper's on fwd: 0, *ret_req (its pid
 * the caller's outside, 0 when it cannot be told) and *ret_kind; -EPIPE
 * when the helper is gone, or another negative errno. */
int guard_forwarded(int fwd, struct seccomp_notif *ret_req, int *ret_kind, struct seccomp_denial *ret);
