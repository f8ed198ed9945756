/* seccomp.h - the sandbox's syscall filter (libseccomp), loaded last before exec. */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

struct seccomp_options {
	bool nested_userns;  /* policy nested_userns = on: user namespaces and mounts inside them */
	bool notify;         /* refusals of the notifying groups go to a listener (MUST-S6) */
};

/* Build and load the filter in the calling process; 0 or a negative errno.
 * Requires no_new_privs.  *ret_listener: the listener fd (close-on-exec)
 * when o->notify and the kernel has user notification, else -1; whoever
 * holds it must answer (seccomp_notify_answer), or the callers wait. */
int seccomp_install(const struct seccomp_options *o, int *ret_listener);

/* The filter's BPF (as seccomp_export_bpf writes it) to fd: for
 * tools/gen-seccomp, which compiles the four filters at build time, and the
 * test that they still match.  0 or a negative errno. */
int seccomp_filter_export(bool nested_userns, bool notify, int fd);

/* The filter compiled at build time (len 0: none for this variant). */
struct sock_fprog;
const struct sock_fprog *seccomp_precompiled_filter(bool nested_userns, bool notify);

struct seccomp_denial {
	pid_t pid;           /* in the listener's pid namespace */
	pid_t pid_inside;    /* in the sandbox's (0: unknown) */
	pid_t sid_inside;    /* its session there: the shell's pid (0: unknown) */
	char comm[16];       /* /proc/PID/comm as the process set it, or "?" */
	char syscall[32];
	const char *group;   /* the group's name in the table */
	int error;           /* the errno answered */
};

/* Wait for one refused call on listener, answer it with its group's errno,
 * and say what it was: 0 and *ret, or a negative errno when nothing was
 * received (-ENOENT: the caller was gone before it could be). */
int seccomp_notify_answer(int listener, struct seccomp_denial *ret);

/* What the filter refuses, group by group, for nsb status --view. */
struct seccomp_group_info {
	const char *name;
	const char *why;
	const char *const *calls;  /* NULL-ended */
	int error;                 /* what a refused call gets */
	bool logged;               /* a refusal goes to the denial log (nsb log) */
};
/* The i-th group a sandbox gets (with nested_userns, those it lifts are
 * left out): true and *ret, or false past the last. */
bool seccomp_group_at(size_t i, bool nested_userns, struct seccomp_group_info *ret);
