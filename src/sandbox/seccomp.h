/* seccomp.h - the sandbox's syscall filter (libseccomp), loaded last before exec. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct seccomp_options {
	bool nested_userns;  /* policy nested_userns = on: user namespaces and mounts inside them */
	bool notify;         /* refusals of the notifying groups go to a listener (MUST-S6) */
	bool guard;          /* with notify: the creating calls go to it too (guard.c GUARD-1);
			      * a kernel that cannot is an error, never less guarded */
};

/* libseccomp, loaded (dlopen) when first needed: 0, or -ENOENT when it
 * cannot be.  A builder of a sandbox calls it before pid 1 exists (pid 1
 * builds the filter with it when the kernel refuses the precompiled one,
 * and inside it cannot open it any more). */
int seccomp_lib_load(void);
/* libseccomp's version, or NULL when it cannot be loaded. */
struct scmp_version;
const struct scmp_version *seccomp_lib_version(void);

/* Build and load the filter in the calling process; 0 or a negative errno.
 * Requires no_new_privs.  *ret_listener: the listener fd (close-on-exec)
 * when o->notify and the kernel has user notification, else -1; whoever
 * holds it must answer (seccomp_notify_answer), or the callers wait. */
int seccomp_install(const struct seccomp_options *o, int *ret_listener);

/* The filter's BPF (as seccomp_export_bpf writes it) to fd: for
 * tools/gen-seccomp, which compiles the six filters at build time, and the
 * test that they still match.  mode: 0 no listener, 1 a listener, 2 a
 * listener and the creation guard.  0 or a negative errno. */
#define SECCOMP_MODES 3
int seccomp_filter_export(bool nested_userns, int mode, int fd);

/* With the creation guard, the calls after which a task's fs (its umask)
 * may no longer be its thread group's, notified so that the guard stops
 * caching umasks (guard.c GUARD-10): a clone of a thread without CLONE_FS,
 * an unshare of CLONE_FS or CLONE_NEWNS (which implies it), and with
 * nested_userns an unshare of CLONE_NEWUSER (which implies it too).  The
 * clone's mask leaves out CLONE_NEWUSER, whose clone MUST-S5 refuses.
 * seccomp_fs_apart: whether notified call nr with flags is one of them. */
#define SECCOMP_FS_APART_CLONE_MASK (CLONE_THREAD | CLONE_FS | CLONE_NEWUSER)
bool seccomp_fs_apart(int nr, uint64_t flags, bool nested_userns);

/* The filter compiled at build time (len 0: none for this variant). */
struct sock_fprog;
const struct sock_fprog *seccomp_precompiled_filter(bool nested_userns, int mode);

struct seccomp_denial {
	pid_t pid;           /* in the listener's pid namespace */
	pid_t pid_inside;    /* in the sandbox's (0: unknown) */
	pid_t sid_inside;    /* its session there: the shell's pid (0: unknown) */
	char comm[16];       /* /proc/PID/comm as the process set it, or "?" */
	char syscall[32];
	const char *group;   /* the group's name in the table, or the guard's rule */
	int error;           /* the errno answered */
	char detail[4096];   /* the guard's: the path refused; "" for the others */
};

/* The creation guard's answer to a creating call (guard.c guard_answer):
 * 0 answered, 1 refused (*ret's group and detail set; answered EPERM
 * here), < 0 not answered (EPERM here). */
struct seccomp_notif;
typedef int seccomp_guard_fn(void *ctx, int listener, const struct seccomp_notif *req,
			     struct seccomp_denial *ret);

/* What is kept of a refusal (the denial log), called before the caller
 * gets its answer: so that what it does next (its shell's end) comes
 * after, never before, what the refusal left (the prompt's flag). */
typedef void seccomp_record_fn(void *ctx, const struct seccomp_denial *d);

/* Wait for one notified call on listener; a refused one is recorded (with
 * record) and answered with its group's errno, a creating one (with
 * guard) by guard: 0 and *ret for the log, -EAGAIN when it was answered
 * with nothing to log, or a negative errno when nothing was received
 * (-ENOENT: the caller was gone before it could be). */
int seccomp_notify_answer(int listener, seccomp_guard_fn *guard, seccomp_record_fn *record, void *ctx,
			  struct seccomp_denial *ret);
/* The same for a notification received already (by the guard's helper,
 * which passed it on: guard.c), req->pid in this process's pid namespace
 * (0: unknown, then the log says "?"). */
int seccomp_notify_handle(int listener, const struct seccomp_notif *req, seccomp_guard_fn *guard,
			  seccomp_record_fn *record, void *ctx,
			  struct seccomp_denial *ret);

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
