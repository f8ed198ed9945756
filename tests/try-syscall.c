/* try-syscall.c - try syscalls and report what the kernel answered.
 *
 *   try-syscall NAME[=ARG]...
 *
 * prints one line per NAME: `NAME ok`, `NAME errno=EPERM` or
 * `NAME signal=SIGSYS`; an unknown NAME is reported on stderr and makes the
 * exit status 2.  tests/integration/t-invariants.sh runs it inside and outside
 * the sandbox and compares the answers, so the arguments are chosen to be
 * harmless and, where the kernel allows it, to fail outside with something
 * other than EPERM (EINVAL, EFAULT, EBADF...): an EPERM inside then comes from
 * the seccomp filter, not from the arguments.
 *
 * Some attacks take an argument, written NAME=ARG, and are answered the
 * same way (the line starts with the whole NAME=ARG):
 *
 *   kill=PID              kill(PID, 0)
 *   ptrace-attach=PID     PTRACE_ATTACH (then wait for the stop and detach)
 *   proc-read=PATH        open PATH read-only and read 1 byte (any path:
 *                         /proc/PID/environ, /proc/1/root/..., a file)
 *   write=PATH            open PATH O_WRONLY|O_CREAT, write, close
 *   write-nodump=PATH     the same once the process made itself undumpable
 *                         (prctl PR_SET_DUMPABLE 0: the creation guard's
 *                         helper may not read its memory then)
 *   umount=PATH           umount2(PATH, MNT_DETACH)
 *   mount-bind=SRC:DST    mount(SRC, DST, MS_BIND)
 *   chroot=PATH           chroot(PATH)
 *   setns-real=PATH       open the namespace file PATH, setns() on that fd
 *   pivot_root=NEW:OLD    pivot_root(NEW, OLD)
 *   abstract-connect=NAME connect an AF_UNIX stream socket to the abstract
 *                         address NAME
 *   name_to_handle=PATH   (outside) name_to_handle_at(PATH); answers
 *                         `ok HEX`, the struct file_handle in hex
 *   open_by_handle=HEX[:DIR]  open_by_handle_at() of that handle, the mount
 *                         fd being DIR opened read-only (default "/")
 *   path-race=DIR         the creation guard's race (GUARD-2): a thread flips
 *                         the last 4 bytes of the path DIR/okok between
 *                         "okok" and ".git" while this thread makes it, for
 *                         2 s or 20,000 rounds (mkdir and rmdir, open with
 *                         O_CREAT and unlink); answers `ok MADE`, the
 *                         rounds whose make succeeded (the test then looks
 *                         for DIR/.git)
 *   umask-shared=DIR      (GUARD-10) with umask 022, make DIR/s1 to
 *                         DIR/s8; a child sharing this process's fs
 *                         (clone CLONE_FS) sets umask 077 and exits; make
 *                         DIR/after (the test wants 600: the child's umask)
 *   exec-apart=DIR        (GUARD-10) a thread takes an fs of its own
 *                         (unshare CLONE_FS) and umask 077; then, umask
 *                         still 022 for the rest, make DIR/lead1 to
 *                         DIR/lead8; the thread execs this program, which
 *                         (the process's pid the leader's) makes DIR/exec
 *                         (the test wants 600: the thread's umask)
 *   fork-count=N          fork up to N children that wait (on a pipe) until
 *                         the first fork fails or N are made; answers
 *                         `ok COUNT` or `ok COUNT errno=E...` (the failure),
 *                         then ends them all
 *   fork-bomb=SECONDS     every process forks for ever (children too), until
 *                         SECONDS have passed; a process whose fork fails
 *                         with EAGAIN says so once and retries 20 ms later.
 *                         Answers `ok HITS PEAK`: how many processes met
 *                         EAGAIN (0: no limit was met), and the most
 *                         processes seen in /proc at once (run it in a pid
 *                         namespace of its own: the sandbox); it returns
 *                         once all are gone
 *   fork-hold=N           (not forked, never returns) fork N children that
 *                         wait for this process to die, print `holding N`
 *                         (or how many it could make), and wait to be killed
 *   listen-abstract=NAME  (outside, not forked, never returns) listen on the
 *                         abstract address NAME, print `listening`, accept
 *                         and close connections until killed
 * and without one:
 *   unshare-user          unshare(CLONE_NEWUSER)
 *   clone-newuser         clone(CLONE_NEWUSER | SIGCHLD); the child exits at once
 *   clone3                clone3() with a size too small (EINVAL without a filter)
 *   thread                pthread_create and join (glibc tries clone3 first,
 *                         and falls back to clone on ENOSYS)
 *   landlock-abi          the Landlock ABI version: `ok N` (or the errno)
 *
 * A malformed ARG is this program's fault, not the kernel's answer: it is
 * reported as `NAME=ARG bad-argument` and makes the exit status 2.
 *
 * Built static (see the Makefile): the sandbox has no /usr/lib.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#ifndef SYS_landlock_create_ruleset
#define SYS_landlock_create_ruleset 444
#endif
#ifndef LANDLOCK_CREATE_RULESET_VERSION
#define LANDLOCK_CREATE_RULESET_VERSION (1U << 0)
#endif

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

/* The child's extra answer (after `ok`), e.g. a handle in hex: written to
 * this pipe, read by the parent once the child has exited. */
static int extra_fd = -1;

/* The child's exit status for "ARG is malformed" (no errno is that high). */
#define BAD_ARGUMENT 254

static void __attribute__((noreturn)) bad_argument(const char *why)
{
	fprintf(stderr, "try-syscall: %s\n", why);
	fflush(stderr);
	_exit(BAD_ARGUMENT);
}

static void extra(const char *text)
{
	size_t n = strlen(text);
	while (n > 0) {
		ssize_t w = write(extra_fd, text, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		text += w;
		n -= (size_t)w;
	}
}

static long try_unshare_user(void) { return unshare(CLONE_NEWUSER); }

static long try_clone_newuser(void)
{
	long pid = syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, NULL, NULL, NULL, NULL);
	if (pid == 0)
		_exit(0);
	if (pid < 0)
		return -1;
	waitpid((pid_t)pid, NULL, 0);
	return 0;
}

#ifndef SYS_clone3
#define SYS_clone3 435
#endif
/* 8 bytes: below CLONE_ARGS_SIZE_VER0 (64), so the kernel says EINVAL. */
static long try_clone3(void)
{
	unsigned long long args[8] = { 0 };
	return syscall(SYS_clone3, args, 8);
}

static void *thread_main(void *arg) { return arg; }

static long try_thread(void)
{
	pthread_t t;
	int e = pthread_create(&t, NULL, thread_main, NULL);
	if (e) {
		errno = e;
		return -1;
	}
	return pthread_join(t, NULL) == 0 ? 0 : -1;
}

static const char *errno_name(int e);

static long try_fork_count(const char *arg)
{
	char *end;
	long n = strtol(arg, &end, 10);
	if (*end || n < 1 || n > 100000)
		bad_argument("N must be a number from 1 to 100000");
	int hold[2];
	if (pipe2(hold, O_CLOEXEC) < 0)
		return -1;
	long made = 0;
	int err = 0;
	for (; made < n; made++) {
		pid_t pid = fork();
		if (pid == 0) {
			char c;
			close(hold[1]);
			while (read(hold[0], &c, 1) < 0 && errno == EINTR)
				;
			_exit(0);
		}
		if (pid < 0) {
			err = errno;
			break;
		}
	}
	close(hold[1]); /* every child reads EOF and exits */
	while (wait(NULL) > 0 || errno == EINTR)
		;
	char buf[64];
	if (err)
		snprintf(buf, sizeof(buf), "%ld errno=%s", made, errno_name(err));
	else
		snprintf(buf, sizeof(buf), "%ld", made);
	extra(buf);
	return 0;
}

static char race_path[4096] __attribute__((aligned(4)));
static volatile int race_stop;

static void *race_flip(void *end)
{
	/* one aligned 32-bit store at a time: the path reads "okok" or ".git" */
	volatile uint32_t *tail = end;
	uint32_t a, b;
	memcpy(&a, "okok", 4);
	memcpy(&b, ".git", 4);
	for (unsigned long i = 0; !race_stop; i++)
		*tail = i & 1 ? b : a;
	return NULL;
}

static long try_path_race(const char *arg)
{
	/* the four flipped bytes aligned: DIR padded with "/" to a multiple of 4 */
	size_t n = strlen(arg);
	if (n + 9 >= sizeof(race_path))
		bad_argument("DIR is too long");
	memcpy(race_path, arg, n);
	while ((n + 1) % 4)
		race_path[n++] = '/';
	memcpy(race_path + n, "/okok", 6);
	pthread_t t;
	if (pthread_create(&t, NULL, race_flip, race_path + strlen(race_path) - 4) != 0)
		return -1;
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	long made = 0;
	for (int i = 0; i < 20000; i++) {
		/* what is made is removed by its real name, whatever the buffer says */
		char ok[4096];
		snprintf(ok, sizeof(ok), "%s/okok", arg);
		if (mkdir(race_path, 0755) == 0) {
			made++;
			rmdir(ok);
		}
		int fd = open(race_path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
		if (fd >= 0) {
			made++;
			close(fd);
			unlink(ok);
		}
		clock_gettime(CLOCK_MONOTONIC, &t1);
		if (t1.tv_sec - t0.tv_sec >= 2)
			break;
	}
	race_stop = 1;
	pthread_join(t, NULL);
	char buf[64];
	snprintf(buf, sizeof(buf), "%ld", made);
	extra(buf);
	return 0;
}

static long try_landlock_abi(void)
{
	long v = syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
	if (v >= 0) {
		char buf[32];
		snprintf(buf, sizeof(buf), "%ld", v);
		extra(buf);
		return 0;
	}
	return v;
}

static pid_t arg_pid(const char *arg)
{
	char *end;
	errno = 0;
	long v = strtol(arg, &end, 10);
	if (errno || end == arg || *end || v <= 0 || v > 0x3fffffff)
		bad_argument("PID must be a positive number");
	return (pid_t)v;
}

/* "A:B" -> a and b (a copy of arg, cut at the first ':'). */
static void arg_pair(const char *arg, char **a, char **b)
{
	char *s = strdup(arg);
	char *colon = s ? strchr(s, ':') : NULL;
	if (!colon || colon == s || !colon[1])
		bad_argument("the argument must be A:B");
	*colon = '\0';
	*a = s;
	*b = colon + 1;
}

static long try_kill(const char *arg) { return kill(arg_pid(arg), 0); }

/* After a successful attach the tracee gets a SIGSTOP: wait for that stop
 * and detach with no signal, so that the process runs on as before (an
 * exit without detaching could leave it stopped). */
static long try_ptrace_attach(const char *arg)
{
	pid_t pid = arg_pid(arg);
	if (ptrace(PTRACE_ATTACH, pid, NULL, NULL) < 0)
		return -1;
	int status;
	while (waitpid(pid, &status, __WALL) < 0 && errno == EINTR)
		;
	if (ptrace(PTRACE_DETACH, pid, NULL, NULL) < 0)
		fprintf(stderr, "try-syscall: attached to %d but could not detach: %s\n", (int)pid,
			strerror(errno));
	return 0;
}

static long try_proc_read(const char *arg)
{
	char c;
	int fd = open(arg, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	return read(fd, &c, 1) < 0 ? -1 : 0;
}

static long try_write(const char *arg)
{
	int fd = open(arg, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return -1;
	if (write(fd, "x\n", 2) < 0)
		return -1;
	return close(fd);
}

static long try_write_nodump(const char *arg)
{
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		return -1;
	return try_write(arg);
}

static long make_numbered(const char *dir, const char *stem, int n)
{
	char path[4096];
	for (int i = 1; i <= n; i++) {
		snprintf(path, sizeof(path), "%s/%s%d", dir, stem, i);
		if (try_write(path) < 0)
			return -1;
	}
	return 0;
}

static long try_umask_shared(const char *arg)
{
	char path[4096];
	umask(022);
	if (make_numbered(arg, "s", 8) < 0)
		return -1;
	long pid = syscall(SYS_clone, CLONE_FS | SIGCHLD, 0, 0, 0, 0);
	if (pid < 0)
		return -1;
	if (pid == 0) {
		umask(077);
		_exit(0);
	}
	int status;
	if (waitpid((pid_t)pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status))
		return -1;
	snprintf(path, sizeof(path), "%s/after", arg);
	return try_write(path);
}

static struct {
	const char *dir;
	int go[2], done[2];
} apart;

static void *apart_thread(void *unused)
{
	(void)unused;
	char c = 0, path[4096];
	if (unshare(CLONE_FS) < 0)
		c = 1;
	umask(077);
	if (write(apart.done[1], &c, 1) != 1 || read(apart.go[0], &c, 1) != 1)
		_exit(EIO);
	snprintf(path, sizeof(path), "%s/exec", apart.dir);
	char *const argv[] = { "try-syscall", "--create", path, NULL };
	execv("/proc/self/exe", argv);
	_exit(errno);
}

static long try_exec_apart(const char *arg)
{
	apart.dir = arg;
	umask(022);
	if (pipe(apart.go) < 0 || pipe(apart.done) < 0)
		return -1;
	pthread_t t;
	char c;
	if (pthread_create(&t, NULL, apart_thread, NULL) != 0 || read(apart.done[0], &c, 1) != 1)
		return -1;
	if (c) {
		errno = EPERM; /* unshare refused */
		return -1;
	}
	if (make_numbered(arg, "lead", 8) < 0 || write(apart.go[1], "g", 1) != 1)
		return -1;
	pause(); /* the exec'd program exits */
	return -1;
}

static long try_umount(const char *arg) { return umount2(arg, MNT_DETACH); }

static long try_mount_bind(const char *arg)
{
	char *src, *dst;
	arg_pair(arg, &src, &dst);
	return mount(src, dst, NULL, MS_BIND, NULL);
}

static long try_chroot_path(const char *arg) { return chroot(arg); }

static long try_setns_real(const char *arg)
{
	int fd = open(arg, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		bad_argument("cannot open the namespace file");
	return syscall(SYS_setns, fd, 0);
}

static long try_pivot_root_paths(const char *arg)
{
	char *new_root, *put_old;
	arg_pair(arg, &new_root, &put_old);
	return syscall(SYS_pivot_root, new_root, put_old);
}

/* sockaddr_un for the abstract NAME (a NUL, then NAME, no terminator). */
static socklen_t abstract_addr(const char *name, struct sockaddr_un *sa)
{
	size_t n = strlen(name);
	if (n == 0 || n + 1 > sizeof(sa->sun_path))
		bad_argument("the abstract name must be 1..107 bytes");
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	memcpy(sa->sun_path + 1, name, n);
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n);
}

static long try_abstract_connect(const char *arg)
{
	struct sockaddr_un sa;
	socklen_t len = abstract_addr(arg, &sa);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	return connect(fd, (struct sockaddr *)&sa, len);
}

#define MAX_HANDLE 128 /* MAX_HANDLE_SZ of the kernel */

static long try_name_to_handle(const char *arg)
{
	union {
		struct file_handle fh;
		unsigned char raw[sizeof(struct file_handle) + MAX_HANDLE];
	} h;
	int mount_id;
	h.fh.handle_bytes = MAX_HANDLE;
	if (syscall(SYS_name_to_handle_at, AT_FDCWD, arg, &h.fh, &mount_id, 0) < 0)
		return -1;
	size_t n = sizeof(struct file_handle) + h.fh.handle_bytes;
	char hex[2 * sizeof(h.raw) + 1];
	for (size_t i = 0; i < n; i++)
		snprintf(hex + 2 * i, 3, "%02x", h.raw[i]);
	extra(hex);
	return 0;
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static long try_open_by_handle(const char *arg)
{
	union {
		struct file_handle fh;
		unsigned char raw[sizeof(struct file_handle) + MAX_HANDLE];
	} h;
	const char *dir = strchr(arg, ':');
	size_t hexlen = dir ? (size_t)(dir - arg) : strlen(arg);
	dir = dir ? dir + 1 : "/";
	if (hexlen % 2 || hexlen / 2 < sizeof(struct file_handle) || hexlen / 2 > sizeof(h.raw))
		bad_argument("the handle must be the hex that name_to_handle printed");
	for (size_t i = 0; i < hexlen / 2; i++) {
		int hi = hex_digit(arg[2 * i]), lo = hex_digit(arg[2 * i + 1]);
		if (hi < 0 || lo < 0)
			bad_argument("the handle is not hex");
		h.raw[i] = (unsigned char)(hi << 4 | lo);
	}
	if (h.fh.handle_bytes != hexlen / 2 - sizeof(struct file_handle))
		bad_argument("the handle's length does not match its handle_bytes");
	int mount_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (mount_fd < 0)
		bad_argument("cannot open the mount directory");
	return syscall(SYS_open_by_handle_at, mount_fd, &h.fh, O_RDONLY | O_CLOEXEC);
}

/* The numeric entries of /proc: the processes of this pid namespace. */
static long count_processes(void)
{
	DIR *d = opendir("/proc");
	long n = 0;
	struct dirent *de;
	if (!d)
		return -1;
	while ((de = readdir(d)))
		n += de->d_name[0] >= '1' && de->d_name[0] <= '9';
	closedir(d);
	return n;
}

static long try_fork_bomb(const char *arg)
{
	long secs = strtol(arg, NULL, 10);
	if (secs < 1 || secs > 60)
		bad_argument("SECONDS must be from 1 to 60");
	int hits[2];
	if (pipe2(hits, O_CLOEXEC) < 0)
		return -1;
	time_t deadline = time(NULL) + secs;
	long peak = 0;
	/* The bomb starts in a child; this process counts, every 50 ms. */
	pid_t first = fork();
	if (first < 0)
		return -1;
	if (first == 0) {
		int said = 0;
		while (time(NULL) < deadline) {
			pid_t pid = fork();
			if (pid == 0) {
				said = 0;
				continue;
			}
			if (pid < 0) {
				if (errno == EAGAIN && !said)
					said = write(hits[1], "x", 1) == 1;
				usleep(20000);
			}
		}
		_exit(0);
	}
	while (time(NULL) < deadline) {
		long n = count_processes();
		if (n > peak)
			peak = n;
		usleep(50000);
	}
	close(hits[1]);
	/* EOF once every process of the bomb has exited (each holds the pipe). */
	long n = 0;
	char buf[512];
	ssize_t r;
	while ((r = read(hits[0], buf, sizeof(buf))) != 0) {
		if (r < 0 && errno != EINTR)
			break;
		if (r > 0)
			n += r;
	}
	while (wait(NULL) > 0 || errno == EINTR)
		;
	snprintf(buf, sizeof(buf), "%ld %ld", n, peak);
	extra(buf);
	return 0;
}

/* Not an attempt: this process holds n processes until it is killed. */
static int __attribute__((noreturn)) fork_hold(const char *arg)
{
	long n = strtol(arg, NULL, 10), made = 0;
	for (; made < n; made++) {
		pid_t pid = fork();
		if (pid < 0)
			break;
		if (pid == 0) {
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			if (getppid() == 1)
				_exit(0);
			for (;;)
				pause();
		}
	}
	printf("holding %ld\n", made);
	fflush(stdout);
	for (;;)
		pause();
}

/* Not an attempt: this process itself listens until it is killed. */
static int __attribute__((noreturn)) listen_abstract(const char *arg, const char *whole)
{
	struct sockaddr_un sa;
	socklen_t len = abstract_addr(arg, &sa);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, len) < 0 || listen(fd, 64) < 0) {
		int e = errno;
		printf("%s errno=%d (%s)\n", whole, e, strerror(e));
		fflush(stdout);
		exit(1);
	}
	printf("listening\n");
	fflush(stdout);
	for (;;) {
		int c = accept(fd, NULL, NULL);
		if (c >= 0)
			close(c);
	}
}

static const struct arg_attempt {
	const char *name;
	long (*fn)(const char *arg);
} arg_attempts[] = {
	{ "kill", try_kill },
	{ "ptrace-attach", try_ptrace_attach },
	{ "proc-read", try_proc_read },
	{ "write", try_write },
	{ "write-nodump", try_write_nodump },
	{ "umount", try_umount },
	{ "mount-bind", try_mount_bind },
	{ "chroot", try_chroot_path },
	{ "setns-real", try_setns_real },
	{ "pivot_root", try_pivot_root_paths },
	{ "abstract-connect", try_abstract_connect },
	{ "name_to_handle", try_name_to_handle },
	{ "open_by_handle", try_open_by_handle },
	{ "fork-count", try_fork_count },
	{ "fork-bomb", try_fork_bomb },
	{ "path-race", try_path_race },
	{ "umask-shared", try_umask_shared },
	{ "exec-apart", try_exec_apart },
};

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
	{ "unshare-user", try_unshare_user },
	{ "clone-newuser", try_clone_newuser },
	{ "clone3", try_clone3 },
	{ "thread", try_thread },
	{ "landlock-abi", try_landlock_abi },
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
	NAME(ECHILD), NAME(EAGAIN), NAME(EXDEV), NAME(EISDIR), NAME(EMFILE),
	NAME(ETXTBSY), NAME(ENAMETOOLONG), NAME(ENOTEMPTY), NAME(ELOOP),
	NAME(EOVERFLOW), NAME(EUSERS), NAME(ENOTSOCK), NAME(EAFNOSUPPORT),
	NAME(EADDRINUSE), NAME(ECONNREFUSED), NAME(ENOTCONN), NAME(ESTALE),
}, signals[] = {
	NAME(SIGSYS), NAME(SIGSEGV), NAME(SIGILL), NAME(SIGBUS), NAME(SIGKILL),
	NAME(SIGABRT), NAME(SIGTRAP),
};

static const char *errno_name(int e)
{
	static char num[16];
	for (size_t i = 0; i < ARRAY_SIZE(errnos); i++)
		if (errnos[i].value == e)
			return errnos[i].name;
	snprintf(num, sizeof(num), "%d", e);
	return num;
}

static void print_errno(const char *name, int e)
{
	printf("%s errno=%s\n", name, errno_name(e));
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
/* The child runs fn(arg) (or fn0()); returns 0, -1 (could not run it) or
 * BAD_ARGUMENT. */
static int attempt_run(const char *name, long (*fn0)(void), long (*fn)(const char *),
		       const char *arg)
{
	int p[2];
	fflush(stdout);
	if (pipe2(p, O_CLOEXEC) < 0) {
		fprintf(stderr, "try-syscall: cannot make a pipe: %s\n", strerror(errno));
		return -1;
	}
	pid_t pid = fork();
	if (pid < 0) {
		fprintf(stderr, "try-syscall: cannot fork: %s\n", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		close(p[0]);
		extra_fd = p[1];
		errno = 0;
		long r = fn ? fn(arg) : fn0();
		_exit(r < 0 ? (errno ? errno : 255) : 0);
	}
	close(p[1]);
	int status;
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			fprintf(stderr, "try-syscall: cannot wait: %s\n", strerror(errno));
			close(p[0]);
			return -1;
		}
	}
	char more[1024];
	size_t got = 0;
	for (;;) {
		ssize_t r = read(p[0], more + got, sizeof(more) - 1 - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	more[got] = '\0';
	close(p[0]);
	if (WIFSIGNALED(status))
		print_signal(name, WTERMSIG(status));
	else if (WEXITSTATUS(status) == BAD_ARGUMENT) {
		printf("%s bad-argument\n", name);
		return BAD_ARGUMENT;
	} else if (WEXITSTATUS(status) == 0)
		printf(got ? "%s ok %s\n" : "%s ok\n", name, more);
	else
		print_errno(name, WEXITSTATUS(status));
	return 0;
}

int main(int argc, char **argv)
{
	int rc = 0;
	/* exec-apart's program after the exec: the create in this process */
	if (argc == 3 && strcmp(argv[1], "--create") == 0)
		return try_write(argv[2]) < 0 ? errno : 0;
	if (argc < 2) {
		fprintf(stderr, "usage: try-syscall NAME[=ARG]...\n");
		return 2;
	}
	for (int i = 1; i < argc; i++) {
		const char *eq = strchr(argv[i], '=');
		int r;
		if (eq) {
			size_t n = (size_t)(eq - argv[i]);
			if (n == strlen("listen-abstract") &&
			    strncmp(argv[i], "listen-abstract", n) == 0) {
				fflush(stdout);
				listen_abstract(eq + 1, argv[i]);
			}
			if (n == strlen("fork-hold") && strncmp(argv[i], "fork-hold", n) == 0) {
				fflush(stdout);
				fork_hold(eq + 1);
			}
			const struct arg_attempt *a = NULL;
			for (size_t j = 0; j < ARRAY_SIZE(arg_attempts); j++)
				if (strlen(arg_attempts[j].name) == n &&
				    strncmp(argv[i], arg_attempts[j].name, n) == 0)
					a = &arg_attempts[j];
			if (!a) {
				fprintf(stderr, "try-syscall: unknown name '%.*s'\n", (int)n, argv[i]);
				rc = 2;
				continue;
			}
			r = attempt_run(argv[i], NULL, a->fn, eq + 1);
		} else {
			const struct attempt *a = NULL;
			for (size_t j = 0; j < ARRAY_SIZE(attempts); j++)
				if (strcmp(argv[i], attempts[j].name) == 0)
					a = &attempts[j];
			if (!a) {
				fprintf(stderr, "try-syscall: unknown name '%s'\n", argv[i]);
				rc = 2;
				continue;
			}
			r = attempt_run(a->name, a->fn, NULL, NULL);
		}
		if (r == BAD_ARGUMENT)
			rc = 2;
		else if (r < 0 && rc == 0)
			rc = 1;
	}
	fflush(stdout);
	return rc;
}
