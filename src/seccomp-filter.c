/* seccomp-filter.c - the syscall filter of every sandbox.
 *
 * Invariants (tests/integration/t-invariants.sh names each):
 * MUST-S1 tiocsti: the terminal-injection ioctls TIOCSTI and TIOCLINUX fail
 *         with EPERM, matched on the command's low 32 bits (the kernel
 *         ignores the high bits, so a value with high bits set is the same
 *         command).
 * MUST-S2 denied-groups: every syscall of the groups below fails with EPERM.
 * MUST-S3 native-only: syscalls of another architecture (the 32-bit x86 ABI
 *         on x86-64) are refused.
 * MUST-S4 personality: personality() can only query (0xffffffff) or set the
 *         default (PER_LINUX, 0); ADDR_NO_RANDOMIZE, READ_IMPLIES_EXEC and the
 *         other flags fail with EPERM (gdb then says it cannot disable
 *         address randomisation, and carries on).
 * Job control (TIOCSPGRP, setpgid), ptrace of the sandbox's own processes and
 * everything a dev shell does stay allowed.
 */
#include "seccomp-filter.h"

#include <errno.h>
#include <stdint.h>
#include <seccomp.h>
#include <sys/ioctl.h>

#include "util.h"

struct syscall_group {
	const char *name;
	const char *why;
	const char *const *calls;
};

static const char *const g_keyring[] = { "keyctl", "add_key", "request_key", NULL };
static const char *const g_kernel[] = { "bpf", "perf_event_open", "userfaultfd", "kexec_load",
					"kexec_file_load", "init_module", "finit_module",
					"delete_module", "swapon", "swapoff", "reboot", "acct",
					"quotactl", "syslog", NULL };
static const char *const g_handles[] = { "open_by_handle_at", "name_to_handle_at", NULL };
static const char *const g_mounts[] = { "mount", "umount2", "pivot_root", "move_mount",
					"open_tree", "fsopen", "fsconfig", "fsmount", "fspick",
					"mount_setattr", "setns", "chroot", NULL };
static const char *const g_io_uring[] = { "io_uring_setup", "io_uring_enter",
					  "io_uring_register", NULL };

static const struct syscall_group groups[] = {
	{ "keyring", "the kernel keyring is not namespaced: keys of the user outside are reachable",
	  g_keyring },
	{ "kernel", "tracing, module, swap and reboot interfaces: no business in a dev shell, large attack surface",
	  g_kernel },
	{ "handles", "open_by_handle_at opens files by inode, past the mount tree (the shocker escape)",
	  g_handles },
	{ "mounts", "the sandbox is built; changing mounts or namespaces afterwards could undo it",
	  g_mounts },
	{ "io_uring", "its operations bypass this filter; nothing in a dev shell needs it",
	  g_io_uring },
	/* ptrace stays allowed: gdb and strace on the sandbox's own processes must
	 * work, and the pid and user namespaces already keep outer processes out. */
};

static void ctx_releasep(scmp_filter_ctx *ctx)
{
	if (*ctx)
		seccomp_release(*ctx);
}

int seccomp_install(void)
{
	_cleanup_(ctx_releasep) scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	if (!ctx)
		return -ENOMEM;
	/* MUST-S3: only the native architecture is in the filter; others are killed. */
	int r = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
	if (r < 0)
		return r;

	for (size_t g = 0; g < ARRAY_SIZE(groups); g++) {
		for (const char *const *c = groups[g].calls; *c; c++) {
			int nr = seccomp_syscall_resolve_name(*c);
			if (nr == __NR_SCMP_ERROR)
				continue; /* not on this architecture */
			r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), nr, 0);
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
		r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(ioctl), 1,
				     SCMP_A1(SCMP_CMP_MASKED_EQ, 0xFFFFFFFFul, tty_injection[i]));
		if (r < 0)
			return r;
	}
	return seccomp_load(ctx);
}
