/* guard.h - the creation guard: names that tools outside the sandbox act
 * on cannot be made inside (issue 15).  The seccomp filter notifies the
 * calls that make a name (seccomp.c); the supervisor copies their paths and
 * hands them to a helper inside, which checks and makes them.  Invariants
 * GUARD-1..7: see guard.c. */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

struct sandbox_spec;
struct seccomp_notif;
struct seccomp_denial;

/* pid 1 of a live sandbox, after its capabilities are dropped and Landlock
 * is taken, before its filter: forks the helper (not under the filter, not
 * a child waitpid(-1) sees).  0, *ret_sock (the supervisor's end, to pass
 * it on) and *ret_pid, or a negative errno. */
int guard_helper_start(const struct sandbox_spec *s, int *ret_sock, pid_t *ret_pid);

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
