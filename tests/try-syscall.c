/* try-syscall.c - try syscalls and report what the kernel answered.
 *
 *   try-syscall NAME...
 *
 * prints one line per NAME: `NAME ok`, `NAME errno=EPERM` or
 * `NAME signal=SIGSYS`; an unknown NAME is reported on stderr and makes the
 * exit status 2.  tests/integration/t-invariants.sh runs it inside and outside
 * the sandbox and compares the answers, so the arguments are chosen to be
 * harmless and, where the kernel allows it, to fail outside with something
 * other than EPERM (EINVAL, EFAULT, EBADF...): an EPERM inside then comes from
 * the seccomp filter, not from the arguments.
 *
 * Built static (see the Makefile): the sandbox has no /usr/lib.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* An fd that is surely not a terminal: TIOCSTI on a real one would push
 * characters into the terminal of whoever runs this by hand. */
static int not_a_tty(void)
{
	return open("/dev/null", O_RDONLY | O_CLOEXEC);
}

static long try_ioctl(unsigned long cmd)
{
	char c = 'x';
	int fd = not_a_tty();
	if (fd < 0)
		return -1;
	return ioctl(fd, cmd, &c);
}

static long try_tiocsti(void) { return try_ioctl(TIOCSTI); }
/* The kernel reads the command as 32 bits: high bits must not get it past the filter. */
static long try_tiocsti_high(void) { return try_ioctl(TIOCSTI | (1UL << 32)); }
static long try_tioclinux(void) { return try_ioctl(TIOCLINUX); }
static long try_tiocgwinsz(void)
{
	struct winsize ws;
	int fd = not_a_tty();
	if (fd < 0)
		return -1;
	return ioctl(fd, TIOCGWINSZ, &ws);
}

/* On fd 0 when it is a terminal (the test runs this under script(1), on a
 * pty of its own): the injection tried for real. */
static long try_tiocsti_tty(void)
{
	char c = '#';
	if (!isatty(0)) {
		errno = ENOTTY;
		return -1;
	}
	return ioctl(0, TIOCSTI, &c);
}

/* personality(2): query, the default, and a flag that weakens ASLR. */
static long try_personality_query(void) { return syscall(SYS_personality, 0xffffffffUL); }
static long try_personality_default(void) { return syscall(SYS_personality, 0UL); }
static long try_personality_norandom(void) { return syscall(SYS_personality, 0x0040000UL); }

/* Runs in the forked child: the tracer is this program's parent, which only waits. */
static long try_ptrace_traceme(void) { return ptrace(PTRACE_TRACEME, 0, NULL, NULL); }
static long try_setpgid(void) { return setpgid(0, 0); }

/* getpid through the 32-bit x86 entry (nr 20 there); the kernel answers it
 * when IA32 emulation is on, a filter for x86-64 only must kill it. */
static long try_int80_getpid(void)
{
	long ret = 20;
	__asm__ volatile("int $0x80" : "+a"(ret) : : "memory");
	if (ret < 0 && ret > -4096) {
		errno = (int)-ret;
		return -1;
	}
	return 0;
}

/* getpid (39) with the x32 bit: another ABI of the same architecture, which
 * the kernel routes to its own table when built with it (else ENOSYS). */
static long try_x32_getpid(void) { return syscall(39 | 0x40000000); }

/* The denied groups of src/seccomp.c.  Outside, as a user without
 * capabilities, the kernel checks the arguments first for most of them; for
 * those it checks a capability first the outside answer is EPERM too (see
 * the test). */
static long try_keyctl(void) { return syscall(SYS_keyctl, 0x7fffffff, 0, 0, 0, 0); }
static long try_add_key(void) { return syscall(SYS_add_key, NULL, NULL, NULL, 0, 0); }
static long try_request_key(void) { return syscall(SYS_request_key, NULL, NULL, NULL, 0); }
static long try_bpf(void) { return syscall(SYS_bpf, 0x7fffffff, NULL, 0); }
static long try_perf_event_open(void) { return syscall(SYS_perf_event_open, NULL, 0, -1, -1, 0); }
/* UFFD_USER_MODE_ONLY (1) passes vm.unprivileged_userfaultfd; the high bit is invalid. */
static long try_userfaultfd(void) { return syscall(SYS_userfaultfd, 1 | 0x40000000); }
static long try_kexec_load(void) { return syscall(SYS_kexec_load, 0, 0, NULL, 0xffff0000UL); }
static long try_kexec_file_load(void) { return syscall(SYS_kexec_file_load, -1, -1, 0, NULL, ~0UL); }
static long try_init_module(void) { return syscall(SYS_init_module, NULL, 0, NULL); }
static long try_finit_module(void) { return syscall(SYS_finit_module, -1, NULL, ~0); }
static long try_delete_module(void) { return syscall(SYS_delete_module, NULL, 0); }
static long try_swapon(void) { return syscall(SYS_swapon, NULL, 0); }
static long try_swapoff(void) { return syscall(SYS_swapoff, NULL); }
/* No magic numbers: even with CAP_SYS_BOOT this could only fail with EINVAL. */
static long try_reboot(void) { return syscall(SYS_reboot, 0, 0, 0, NULL); }
static long try_acct(void) { return syscall(SYS_acct, NULL); }
static long try_quotactl(void) { return syscall(SYS_quotactl, 0, NULL, 0, NULL); }
/* SYSLOG_ACTION_SIZE_BUFFER: only reads the size where dmesg is not restricted. */
static long try_syslog(void) { return syscall(SYS_syslog, 10, NULL, 0); }
static long try_open_by_handle_at(void) { return syscall(SYS_open_by_handle_at, -1, NULL, 0); }
static long try_name_to_handle_at(void) { return syscall(SYS_name_to_handle_at, AT_FDCWD, NULL, NULL, NULL, ~0); }
static long try_mount(void) { return syscall(SYS_mount, NULL, NULL, NULL, 0, NULL); }
static long try_umount2(void) { return syscall(SYS_umount2, NULL, 0x80000000); }
static long try_pivot_root(void) { return syscall(SYS_pivot_root, NULL, NULL); }
static long try_move_mount(void) { return syscall(SYS_move_mount, -1, NULL, -1, NULL, ~0U); }
static long try_open_tree(void) { return syscall(SYS_open_tree, -1, NULL, ~0U); }
static long try_fsopen(void) { return syscall(SYS_fsopen, NULL, ~0U); }
static long try_fsconfig(void) { return syscall(SYS_fsconfig, -1, ~0U, NULL, NULL, 0); }
static long try_fsmount(void) { return syscall(SYS_fsmount, -1, ~0U, ~0U); }
static long try_fspick(void) { return syscall(SYS_fspick, -1, NULL, ~0U); }
static long try_mount_setattr(void) { return syscall(SYS_mount_setattr, -1, NULL, ~0U, NULL, 0); }
static long try_setns(void) { return syscall(SYS_setns, -1, 0); }
static long try_chroot(void) { return syscall(SYS_chroot, NULL); }
static long try_io_uring_setup(void) { return syscall(SYS_io_uring_setup, 0, NULL); }
static long try_io_uring_enter(void) { return syscall(SYS_io_uring_enter, -1, 0, 0, 0, NULL, 0); }
static long try_io_uring_register(void) { return syscall(SYS_io_uring_register, -1, 0, NULL, 0); }

static const struct attempt {
	const char *name;
	long (*fn)(void);
} attempts[] = {
	{ "tiocsti", try_tiocsti },
	{ "tiocsti-high", try_tiocsti_high },
	{ "tioclinux", try_tioclinux },
	{ "tiocgwinsz", try_tiocgwinsz },
	{ "tiocsti-tty", try_tiocsti_tty },
	{ "personality-query", try_personality_query },
	{ "personality-default", try_personality_default },
	{ "personality-norandom", try_personality_norandom },
	{ "ptrace-traceme", try_ptrace_traceme },
	{ "setpgid", try_setpgid },
	{ "int80-getpid", try_int80_getpid },
	{ "x32-getpid", try_x32_getpid },
	{ "keyctl", try_keyctl },
	{ "add_key", try_add_key },
	{ "request_key", try_request_key },
	{ "bpf", try_bpf },
	{ "perf_event_open", try_perf_event_open },
	{ "userfaultfd", try_userfaultfd },
	{ "kexec_load", try_kexec_load },
	{ "kexec_file_load", try_kexec_file_load },
	{ "init_module", try_init_module },
	{ "finit_module", try_finit_module },
	{ "delete_module", try_delete_module },
	{ "swapon", try_swapon },
	{ "swapoff", try_swapoff },
	{ "reboot", try_reboot },
	{ "acct", try_acct },
	{ "quotactl", try_quotactl },
	{ "syslog", try_syslog },
	{ "open_by_handle_at", try_open_by_handle_at },
	{ "name_to_handle_at", try_name_to_handle_at },
	{ "mount", try_mount },
	{ "umount2", try_umount2 },
	{ "pivot_root", try_pivot_root },
	{ "move_mount", try_move_mount },
	{ "open_tree", try_open_tree },
	{ "fsopen", try_fsopen },
	{ "fsconfig", try_fsconfig },
	{ "fsmount", try_fsmount },
	{ "fspick", try_fspick },
	{ "mount_setattr", try_mount_setattr },
	{ "setns", try_setns },
	{ "chroot", try_chroot },
	{ "io_uring_setup", try_io_uring_setup },
	{ "io_uring_enter", try_io_uring_enter },
	{ "io_uring_register", try_io_uring_register },
};

#define NAME(x) { x, #x }
static const struct {
	int value;
	const char *name;
} errnos[] = {
	NAME(EPERM),  NAME(ENOENT), NAME(ESRCH),  NAME(EINTR),	NAME(EIO),
	NAME(E2BIG),  NAME(ENOEXEC), NAME(EBADF), NAME(ENOMEM), NAME(EACCES),
	NAME(EFAULT), NAME(EBUSY),  NAME(EEXIST), NAME(ENODEV), NAME(ENOTDIR),
	NAME(EINVAL), NAME(ENOTTY), NAME(ENOSPC), NAME(EROFS),	NAME(ENOSYS),
	NAME(EOPNOTSUPP), NAME(ENOKEY), NAME(EMSGSIZE),
}, signals[] = {
	NAME(SIGSYS), NAME(SIGSEGV), NAME(SIGILL), NAME(SIGBUS), NAME(SIGKILL),
	NAME(SIGABRT), NAME(SIGTRAP),
};

static void print_errno(const char *name, int e)
{
	for (size_t i = 0; i < ARRAY_SIZE(errnos); i++) {
		if (errnos[i].value == e) {
			printf("%s errno=%s\n", name, errnos[i].name);
			return;
		}
	}
	printf("%s errno=%d\n", name, e);
}

static void print_signal(const char *name, int sig)
{
	for (size_t i = 0; i < ARRAY_SIZE(signals); i++) {
		if (signals[i].value == sig) {
			printf("%s signal=%s\n", name, signals[i].name);
			return;
		}
	}
	printf("%s signal=%d\n", name, sig);
}

/* Each attempt runs in its own child, so that a kill by the filter is an
 * answer to print and a successful call (setpgid, TRACEME) changes nothing
 * for the next one.  The child reports errno as its exit status (all errno
 * values are below 256; 0 is success). */
static int attempt_run(const struct attempt *a)
{
	fflush(stdout);
	pid_t pid = fork();
	if (pid < 0) {
		fprintf(stderr, "try-syscall: cannot fork: %s\n", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		errno = 0;
		long r = a->fn();
		_exit(r < 0 ? (errno ? errno : 255) : 0);
	}
	int status;
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			fprintf(stderr, "try-syscall: cannot wait: %s\n", strerror(errno));
			return -1;
		}
	}
	if (WIFSIGNALED(status))
		print_signal(a->name, WTERMSIG(status));
	else if (WEXITSTATUS(status) == 0)
		printf("%s ok\n", a->name);
	else
		print_errno(a->name, WEXITSTATUS(status));
	return 0;
}

int main(int argc, char **argv)
{
	int rc = 0;
	if (argc < 2) {
		fprintf(stderr, "usage: try-syscall NAME...\n");
		return 2;
	}
	for (int i = 1; i < argc; i++) {
		const struct attempt *a = NULL;
		for (size_t j = 0; j < ARRAY_SIZE(attempts); j++)
			if (strcmp(argv[i], attempts[j].name) == 0)
				a = &attempts[j];
		if (!a) {
			fprintf(stderr, "try-syscall: unknown name '%s'\n", argv[i]);
			rc = 2;
			continue;
		}
		if (attempt_run(a) < 0)
			rc = 1;
	}
	fflush(stdout);
	return rc;
}
