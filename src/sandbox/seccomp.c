/* seccomp.c - the syscall filter of every sandbox.
 *
 * Invariants (tests/integration/t-invariants.sh names each):
 * MUST-S1 tiocsti: the terminal-injection ioctls TIOCSTI and TIOCLINUX fail
 *         with EPERM, matched on the command's low 32 bits (the kernel
 *         ignores the high bits, so a value with high bits set is the same
 *         command).
 * MUST-S2 denied-groups: every syscall of the groups below fails with its
 *         group's errno (EPERM, or ENOSYS where a caller must fall back).
 * MUST-S3 native-only: syscalls of another architecture (the 32-bit x86 ABI
 *         on x86-64) are refused.
 * MUST-S4 personality: personality() can only query (0xffffffff) or set the
 *         default (PER_LINUX, 0); ADDR_NO_RANDOMIZE, READ_IMPLIES_EXEC and the
 *         other flags fail with EPERM (gdb then says it cannot disable
 *         address randomisation, and carries on).
 * MUST-S5 no-userns: unless the policy says nested_userns = on, clone and
 *         unshare with CLONE_NEWUSER fail with EPERM, and clone3 (whose
 *         flags a filter cannot read: they are behind a pointer) with ENOSYS,
 *         so that libc falls back to clone, where the flags are checked.
 * MUST-S6 notify: with a listener, a refused call of a notifying group does
 *         not run: it waits for the supervisor, which answers the group's
 *         errno (seccomp_notify_answer; with the creation guard, whose
 *         helper receives the notifications and passes these on to it
 *         unanswered, seccomp_notify_handle) and never lets it continue;
 *         the filter is the same, only who says "no" changes.
 * With the creation guard (mode 2), the calls that make a name go to the
 * listener as well, and openat2 fails with ENOSYS: guard.c, GUARD-1.
 * Job control (TIOCSPGRP, setpgid), ptrace of the sandbox's own processes and
 * everything a dev shell does stay allowed.  The sandbox's own setup uses
 * mount_setattr and the other mount calls before pid 1 loads the filter
 * (sandbox.c), never after.
 */
#include "sandbox/seccomp.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <seccomp.h>
#include <stdint.h>
#include <stdio.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#include "base/dl.h"
#include "base/util.h"

/* libseccomp, loaded when first needed (base/dl.h): a join never needs it
 * (the filter is precompiled, and the shell that joins inherits it from
 * pid 1), and linking it cost every exec of nsbsh about 0.06 ms.  Whoever
 * builds a sandbox loads it first (seccomp_lib_load): pid 1, past its
 * pivot_root, could no longer open it, and builds the filter with it when
 * the kernel refuses the precompiled one. */
static struct {
	bool tried;
	int error;
	typeof(&seccomp_init) init;
	typeof(&seccomp_attr_set) attr_set;
	typeof(&seccomp_rule_add) rule_add;
	typeof(&seccomp_release) release;
	typeof(&seccomp_load) load;
	typeof(&seccomp_export_bpf) export_bpf;
	typeof(&seccomp_api_get) api_get;
	typeof(&seccomp_notify_fd) notify_fd;
	typeof(&seccomp_notify_alloc) notify_alloc;
	typeof(&seccomp_notify_free) notify_free;
	typeof(&seccomp_notify_receive) notify_receive;
	typeof(&seccomp_notify_respond) notify_respond;
	typeof(&seccomp_notify_id_valid) notify_id_valid;
	typeof(&seccomp_syscall_resolve_name) resolve_name;
	typeof(&seccomp_syscall_resolve_num_arch) resolve_num_arch;
	typeof(&seccomp_version) version;
} lib;

int seccomp_lib_load(void)
{
	if (lib.tried)
		return lib.error;
	const struct dl_sym syms[] = {
		{ (void **)&lib.init, "seccomp_init" },
		{ (void **)&lib.attr_set, "seccomp_attr_set" },
		{ (void **)&lib.rule_add, "seccomp_rule_add" },
		{ (void **)&lib.release, "seccomp_release" },
		{ (void **)&lib.load, "seccomp_load" },
		{ (void **)&lib.export_bpf, "seccomp_export_bpf" },
		{ (void **)&lib.api_get, "seccomp_api_get" },
		{ (void **)&lib.notify_fd, "seccomp_notify_fd" },
		{ (void **)&lib.notify_alloc, "seccomp_notify_alloc" },
		{ (void **)&lib.notify_free, "seccomp_notify_free" },
		{ (void **)&lib.notify_receive, "seccomp_notify_receive" },
		{ (void **)&lib.notify_respond, "seccomp_notify_respond" },
		{ (void **)&lib.notify_id_valid, "seccomp_notify_id_valid" },
		{ (void **)&lib.resolve_name, "seccomp_syscall_resolve_name" },
		{ (void **)&lib.resolve_num_arch, "seccomp_syscall_resolve_num_arch" },
		{ (void **)&lib.version, "seccomp_version" },
	};
	void *handle = NULL;
	char *err = NULL;
	lib.tried = true;
	lib.error = dl_load(LIBSECCOMP_SONAME, syms, ARRAY_SIZE(syms), &handle, &err);
	free(err);
	return lib.error;
}

/* Every call below goes through the table (loaded by the function of this
 * file that a caller enters first). */
#define seccomp_init (*lib.init)
#define seccomp_attr_set (*lib.attr_set)
#define seccomp_rule_add (*lib.rule_add)
#define seccomp_release (*lib.release)
#define seccomp_load (*lib.load)
#define seccomp_export_bpf (*lib.export_bpf)
#define seccomp_api_get (*lib.api_get)
#define seccomp_notify_fd (*lib.notify_fd)
#define seccomp_notify_alloc (*lib.notify_alloc)
#define seccomp_notify_free (*lib.notify_free)
#define seccomp_notify_receive (*lib.notify_receive)
#define seccomp_notify_respond (*lib.notify_respond)
#define seccomp_notify_id_valid (*lib.notify_id_valid)
#define seccomp_syscall_resolve_name (*lib.resolve_name)
#define seccomp_syscall_resolve_num_arch (*lib.resolve_num_arch)

const struct scmp_version *seccomp_lib_version(void)
{
	return seccomp_lib_load() == 0 ? lib.version() : NULL;
}

struct syscall_group {
	const char *name;
	const char *why;
	const char *const *calls;
	int error;           /* what a refused call returns */
	bool notify;         /* worth telling the user: goes to the listener */
	bool nested_userns;  /* lifted by nested_userns = on */
};

static const char *const g_keyring[] = { "keyctl", "add_key", "request_key", NULL };
static const char *const g_kernel[] = { "bpf", "perf_event_open", "userfaultfd", "kexec_load",
					"kexec_file_load", "init_module", "finit_module",
					"delete_module", "swapon", "swapoff", "reboot", "acct",
					"quotactl", "syslog", NULL };
static const char *const g_handles[] = { "open_by_handle_at", "name_to_handle_at", NULL };
static const char *const g_mounts[] = { "mount", "umount2", "pivot_root", "setns", "chroot", NULL };
static const char *const g_mount_api[] = { "fsopen", "fsconfig", "fsmount", "fspick", "open_tree",
					   "move_mount", "mount_setattr", NULL };
static const char *const g_io_uring[] = { "io_uring_setup", "io_uring_enter",
					  "io_uring_register", NULL };
static const char *const g_clone3[] = { "clone3", NULL };
/* Only with CLONE_NEWUSER in their flags (rules with an argument, below). */
static const char *const g_userns[] = { "clone", "unshare", NULL };
static const char *const g_terminal[] = { "ioctl", NULL };

#define GROUP_USERNS 0
#define GROUP_TERMINAL 1
static const struct syscall_group groups[] = {
	[GROUP_USERNS] = { "userns", "a user namespace of its own gives a process every capability there: the kernel's attack surface of a root user (MUST-S5)",
	  g_userns, EPERM, true, true },
	[GROUP_TERMINAL] = { "terminal", "TIOCSTI and TIOCLINUX push keystrokes into the terminal outside (MUST-S1)",
	  g_terminal, EPERM, true, false },
	{ "keyring", "the kernel keyring is not namespaced: keys of the user outside are reachable",
	  g_keyring, EPERM, true, false },
	{ "kernel", "tracing, module, swap and reboot interfaces: no business in a dev shell, large attack surface",
	  g_kernel, EPERM, true, false },
	{ "handles", "open_by_handle_at opens files by inode, past the mount tree (the shocker escape)",
	  g_handles, EPERM, true, false },
	{ "mounts", "the sandbox is built; changing mounts or namespaces afterwards could undo it",
	  g_mounts, EPERM, true, true },
	/* ENOSYS, not EPERM: mount(8) and libmount then fall back to mount(2),
	 * which the group above refuses with the error they know. */
	{ "mount-api", "the new mount API: the same power as mount(2), in calls libraries try first",
	  g_mount_api, ENOSYS, true, true },
	{ "io_uring", "its operations bypass this filter; nothing in a dev shell needs it",
	  g_io_uring, EPERM, true, false },
	/* Not notified: glibc tries it for every thread and posix_spawn, and
	 * falls back to clone, which is checked (MUST-S5); a log line for each
	 * would be noise, and a round trip to the supervisor a cost. */
	{ "clone3", "its flags are behind a pointer, out of the filter's sight: libc falls back to clone",
	  g_clone3, ENOSYS, false, true },
	/* ptrace stays allowed: gdb and strace on the sandbox's own processes must
	 * work, and the pid and user namespaces already keep outer processes out.
	 * personality (MUST-S4) is not notified: gdb tries ADDR_NO_RANDOMIZE on
	 * every run. */
};

/* GUARD-1: the calls that make a name; open and openat only with O_CREAT
 * (argument index of their flags), the others always. */
static const struct { const char *name; int flags_arg; } guard_calls[] = {
	{ "open", 1 }, { "openat", 2 }, { "creat", -1 }, { "mkdir", -1 }, { "mkdirat", -1 },
	{ "mknod", -1 }, { "mknodat", -1 }, { "symlink", -1 }, { "symlinkat", -1 },
	{ "link", -1 }, { "linkat", -1 }, { "rename", -1 }, { "renameat", -1 }, { "renameat2", -1 },
};

/* Resolved once: libseccomp looks a name up in its whole table. */
static bool is_guard_call(int nr)
{
	static int nrs[ARRAY_SIZE(guard_calls)];
	static bool resolved;
	for (size_t i = 0; !resolved && i < ARRAY_SIZE(guard_calls); i++)
		nrs[i] = seccomp_syscall_resolve_name(guard_calls[i].name);
	resolved = true;
	for (size_t i = 0; i < ARRAY_SIZE(guard_calls); i++)
		if (nrs[i] == nr)
			return true;
	return false;
}

/* GUARD-10: the calls after which the guard must read a caller's umask
 * again (umask) or can no longer cache it (a thread or process whose fs,
 * and so umask, is its own: seccomp.h, SECCOMP_FS_APART_*), to the
 * listener too; the helper notes them and lets them continue. */
static int guard_mask_rules(scmp_filter_ctx ctx, bool nested_userns)
{
	int r = seccomp_rule_add(ctx, SCMP_ACT_NOTIFY, SCMP_SYS(umask), 0);
	if (r == 0)
		r = seccomp_rule_add(ctx, SCMP_ACT_NOTIFY, SCMP_SYS(clone), 1,
				     SCMP_A0(SCMP_CMP_MASKED_EQ, SECCOMP_FS_APART_CLONE_MASK, CLONE_THREAD));
	if (r == 0)
		r = seccomp_rule_add(ctx, SCMP_ACT_NOTIFY, SCMP_SYS(unshare), 1,
				     SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_FS | CLONE_NEWUSER, CLONE_FS));
	if (r == 0)
		r = seccomp_rule_add(ctx, SCMP_ACT_NOTIFY, SCMP_SYS(unshare), 1,
				     SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_NEWNS | CLONE_NEWUSER, CLONE_NEWNS));
	/* a user namespace unshared takes an fs of its own; without
	 * nested_userns, MUST-S5 refuses it */
	if (r == 0 && nested_userns)
		r = seccomp_rule_add(ctx, SCMP_ACT_NOTIFY, SCMP_SYS(unshare), 1,
				     SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_NEWUSER, CLONE_NEWUSER));
	return r;
}

bool seccomp_fs_apart(int nr, uint64_t flags, bool nested_userns)
{
	if (nr == SYS_clone)
		return (flags & SECCOMP_FS_APART_CLONE_MASK) == CLONE_THREAD;
	if (nr != SYS_unshare)
		return false;
	if (flags & CLONE_NEWUSER)
		return nested_userns;
	return (flags & (CLONE_FS | CLONE_NEWNS)) != 0;
}

static int guard_rules(scmp_filter_ctx ctx, bool nested_userns)
{
	int r0 = guard_mask_rules(ctx, nested_userns);
	if (r0 < 0)
		return r0;
	for (size_t i = 0; i < ARRAY_SIZE(guard_calls); i++) {
		int nr = seccomp_syscall_resolve_name(guard_calls[i].name), r;
		if (nr == __NR_SCMP_ERROR)
			continue; /* not on this architecture */
		if (guard_calls[i].flags_arg >= 0)
			r = seccomp_rule_add(ctx, SCMP_ACT_NOTIFY, nr, 1,
					     SCMP_CMP((unsigned)guard_calls[i].flags_arg, SCMP_CMP_MASKED_EQ,
						      O_CREAT, O_CREAT));
		else
			r = seccomp_rule_add(ctx, SCMP_ACT_NOTIFY, nr, 0);
		if (r < 0)
			return r;
	}
	return seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(openat2), 0);
}

static void ctx_releasep(scmp_filter_ctx *ctx)
{
	if (*ctx)
		seccomp_release(*ctx);
}

/* The action of a group's rule: to the listener, or the errno at once. */
static uint32_t group_action(const struct syscall_group *g, bool notify)
{
	return notify && g->notify ? SCMP_ACT_NOTIFY : SCMP_ACT_ERRNO((uint32_t)g->error);
}

/* The rules of the filter into a new context: the one description of the
 * filter, whether it is loaded from here or compiled at build time. */
static int filter_build(bool nested_userns, int mode, scmp_filter_ctx *ret)
{
	bool notify = mode >= 1;
	if (seccomp_lib_load() < 0)
		return -ENOSYS;
	if (mode < 0 || mode >= SECCOMP_MODES)
		return -EINVAL;
	_cleanup_(ctx_releasep) scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	if (!ctx)
		return -ENOMEM;
	/* MUST-S3: only the native architecture is in the filter; others are killed. */
	int r = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
	if (r < 0)
		return r;

	for (size_t g = 0; g < ARRAY_SIZE(groups); g++) {
		if (g == GROUP_TERMINAL || (groups[g].nested_userns && nested_userns))
			continue;
		for (const char *const *c = groups[g].calls; *c; c++) {
			int nr = seccomp_syscall_resolve_name(*c);
			if (nr == __NR_SCMP_ERROR)
				continue; /* not on this architecture */
			uint32_t act = group_action(&groups[g], notify);
			if (g == GROUP_USERNS) /* MUST-S5: flags are the first argument of both */
				r = seccomp_rule_add(ctx, act, nr, 1,
						     SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_NEWUSER, CLONE_NEWUSER));
			else
				r = seccomp_rule_add(ctx, act, nr, 0);
			if (r < 0)
				return r;
		}
	}

	/* MUST-S4: libseccomp takes one comparison per argument and rule, so
	 * "neither 0 nor 0xffffffff" is written as the aligned blocks that make
	 * up [1, 0xfffffffe]: [2^k, 2^(k+1)) and [2^32 - 2^(k+1), 2^32 - 2^k),
	 * k = 0..30; the kernel reads the argument as 32 bits. */
	for (int k = 0; k <= 30; k++) {
		uint64_t mask = (0xFFFFFFFFull << k) & 0xFFFFFFFFull;
		uint64_t low = 1ull << k, high = 0x100000000ull - (2ull << k);
		r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(personality), 1,
				     SCMP_A0(SCMP_CMP_MASKED_EQ, mask, low));
		if (r == 0)
			r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(personality), 1,
					     SCMP_A0(SCMP_CMP_MASKED_EQ, mask, high));
		if (r < 0)
			return r;
	}

	/* MUST-S1 */
	static const unsigned long tty_injection[] = { TIOCSTI, TIOCLINUX };
	for (size_t i = 0; i < ARRAY_SIZE(tty_injection); i++) {
		r = seccomp_rule_add(ctx, group_action(&groups[GROUP_TERMINAL], notify), SCMP_SYS(ioctl), 1,
				     SCMP_A1(SCMP_CMP_MASKED_EQ, 0xFFFFFFFFul, tty_injection[i]));
		if (r < 0)
			return r;
	}
	if (mode == 2 && (r = guard_rules(ctx, nested_userns)) < 0)
		return r;
	*ret = steal_pointer(&ctx);
	return 0;
}

int seccomp_filter_export(bool nested_userns, int mode, int fd)
{
	_cleanup_(ctx_releasep) scmp_filter_ctx ctx = NULL;
	int r = filter_build(nested_userns, mode, &ctx);
	return r < 0 ? r : seccomp_export_bpf(ctx, fd);
}

#ifndef SECCOMP_NO_PRECOMPILED
/* The six filters compiled by tools/gen-seccomp at build time, from
 * filter_build() itself (tests/unit/test_seccomp checks that they are what
 * it builds now): building one here costs a start 1.3 to 2 ms. */
#include "seccomp-bpf.inc"

/* Loads the precompiled filter: 0 and *ret_listener, or a negative errno
 * with nothing loaded (the caller then builds it with libseccomp). */
static int load_precompiled(bool nested_userns, int mode, int *ret_listener)
{
	const struct sock_fprog *prog = &seccomp_precompiled[nested_userns][mode];
	bool notify = mode >= 1;
	if (!prog->len)
		return -ENOENT;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -errno;
	/* With the guard, a caller whose call the supervisor took waits for
	 * its answer through signals (5.19: else the signal restarts a call
	 * the helper may have made already). */
	unsigned flags = notify ? SECCOMP_FILTER_FLAG_NEW_LISTENER : 0;
	long r = -1;
	if (mode == 2)
		r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags | SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV, prog);
	if (r < 0)
		r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, prog);
	if (r < 0)
		return -errno;
	/* The kernel's listener is close-on-exec already. */
	*ret_listener = notify ? (int)r : -1;
	return 0;
}
#endif

const struct sock_fprog *seccomp_precompiled_filter(bool nested_userns, int mode)
{
#ifndef SECCOMP_NO_PRECOMPILED
	return &seccomp_precompiled[nested_userns][mode];
#else
	return NULL;
#endif
}

int seccomp_install(const struct seccomp_options *o, int *ret_listener)
{
	*ret_listener = -1;
	int mode = o->notify ? (o->guard ? 2 : 1) : 0;
	if (o->guard && !o->notify)
		return -EINVAL;
#ifndef SECCOMP_NO_PRECOMPILED
	/* A kernel without user notification refuses the notifying filter
	 * (EINVAL): then the one that answers at once; never without the
	 * guard that was asked for (GUARD-6). */
	if (load_precompiled(o->nested_userns, mode, ret_listener) == 0 ||
	    (mode == 1 && load_precompiled(o->nested_userns, 0, ret_listener) == 0))
		return 0;
#endif
	if (seccomp_lib_load() < 0)
		return -ENOSYS;
	/* API level 6: the kernel has user notification and its ioctls;
	 * without it the same calls fail at once (MUST-S6 needs a listener). */
	bool notify = o->notify && seccomp_api_get() >= 6;
	if (o->guard && !notify)
		return -ENOSYS; /* GUARD-6 */
	_cleanup_(ctx_releasep) scmp_filter_ctx ctx = NULL;
	int r = filter_build(o->nested_userns, notify ? mode : 0, &ctx);
	if (r == 0)
		r = seccomp_load(ctx);
	if (r < 0)
		return r;
	if (notify) {
		/* libseccomp asked the kernel for a listener (close-on-exec) as it
		 * loaded a filter with notify rules; it stays open after release. */
		int fd = seccomp_notify_fd(ctx);
		if (fd < 0)
			return fd;
		*ret_listener = fd;
	}
	return 0;
}

/* The group that refused nr, or NULL (a creating call: the guard's). */
static const struct syscall_group *group_of(int nr)
{
	if (is_guard_call(nr))
		return NULL;
	for (size_t g = 0; g < ARRAY_SIZE(groups); g++)
		for (const char *const *c = groups[g].calls; *c; c++)
			if (seccomp_syscall_resolve_name(*c) == nr)
				return &groups[g];
	return NULL;
}

/* /proc/PID/FILE's first line, into buf (at most size-1 bytes, no newline). */
static int proc_read(pid_t pid, const char *file, char *buf, size_t size)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	ssize_t n = read(fd, buf, size - 1);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

/* An id as the sandbox sees it: the last field of FIELD ("NSpid",
 * "NSsid") in /proc/PID/status; 0: unknown. */
static pid_t id_inside(pid_t pid, const char *field)
{
	char buf[4096];
	char path[64], key[16];
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	snprintf(key, sizeof(key), "\n%s:", field);
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	char *line = strstr(buf, key);
	if (!line)
		return 0;
	line += strlen(key);
	line[strcspn(line, "\n")] = '\0';
	char *last = strrchr(line, '\t');
	return (pid_t)strtol(last ? last + 1 : line, NULL, 10);
}

int seccomp_notify_answer(int listener, seccomp_guard_fn *guard, seccomp_record_fn *record, void *ctx,
			  struct seccomp_denial *ret)
{
	struct seccomp_notif *req = NULL;
	struct seccomp_notif_resp *resp = NULL;
	if (seccomp_lib_load() < 0)
		return -ENOSYS;
	int r = seccomp_notify_alloc(&req, &resp);
	if (r < 0)
		return r;
	/* The kernel wants the request zeroed (EINVAL otherwise, from 5.10). */
	memset(req, 0, sizeof(*req));
	r = seccomp_notify_receive(listener, req);
	if (r == 0)
		r = seccomp_notify_handle(listener, req, guard, record, ctx, ret);
	seccomp_notify_free(req, resp);
	return r;
}

int seccomp_notify_handle(int listener, const struct seccomp_notif *req, seccomp_guard_fn *guard,
			  seccomp_record_fn *record, void *ctx, struct seccomp_denial *ret)
{
	const struct syscall_group *g = group_of(req->data.nr);
	*ret = (struct seccomp_denial){
		.pid = (pid_t)req->pid,
		.group = g ? g->name : "unknown",
		.error = g ? g->error : EPERM,
	};
	if (guard && !g && is_guard_call(req->data.nr)) {
		int r = guard(ctx, listener, req, ret);
		if (r == 0)
			return -EAGAIN; /* answered: made, or failed as the kernel would */
		if (r < 0)
			ret->group = "guard"; /* could not be asked: refused (GUARD-6) */
		ret->error = EPERM;
	}
	char *name = seccomp_syscall_resolve_num_arch(req->data.arch, req->data.nr);
	snprintf(ret->syscall, sizeof(ret->syscall), "%s", name ? name : "?");
	free(name);
	if (ret->pid <= 0 || proc_read(ret->pid, "comm", ret->comm, sizeof(ret->comm)) < 0)
		snprintf(ret->comm, sizeof(ret->comm), "?");
	ret->pid_inside = ret->pid > 0 ? id_inside(ret->pid, "NSpid") : 0;
	ret->sid_inside = ret->pid > 0 ? id_inside(ret->pid, "NSsid") : 0;
	/* What was read is the caller's only if it still waits: else the pid
	 * may have been reused by another process since. */
	if (seccomp_notify_id_valid(listener, req->id) < 0) {
		snprintf(ret->comm, sizeof(ret->comm), "?");
		ret->pid_inside = ret->sid_inside = 0;
	}
	if (record)
		record(ctx, ret);
	/* MUST-S6: an error, never SECCOMP_USER_NOTIF_FLAG_CONTINUE.
	 * -ENOENT: the caller died meanwhile (a signal); nothing else can be
	 * done for it, and what it tried is worth the log all the same. */
	struct seccomp_notif_resp resp = { .id = req->id, .error = -ret->error };
	(void)ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &resp);
	return 0;
}

bool seccomp_group_at(size_t i, bool nested_userns, struct seccomp_group_info *ret)
{
	for (size_t g = 0; g < ARRAY_SIZE(groups); g++) {
		if (groups[g].nested_userns && nested_userns)
			continue;
		if (i-- == 0) {
			*ret = (struct seccomp_group_info){ groups[g].name, groups[g].why, groups[g].calls,
							    groups[g].error, groups[g].notify };
			return true;
		}
	}
	return false;
}
