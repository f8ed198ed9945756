/* sandbox.c - an unprivileged user-namespace sandbox, built by nsbsh itself.
 *
 * Three processes: the supervisor (the caller, on the host), the sandbox's
 * pid 1 (builds the mounts, reaps orphans, exits with the program's status),
 * and the program (bash or nix).
 *
 * Invariants (each has a test in tests/integration that names it):
 * MUST-1  uid-map: the caller's uid and gid are mapped to themselves and
 *         nothing else is mapped, so files made inside are the user's outside
 *         and no other identity can be taken.
 * MUST-2  fresh-root: the root is a new tmpfs; of the host only what an op
 *         names is visible; the old root is detached before the program runs,
 *         and the root is read-only once built.
 * MUST-3  ro-binds: a read-only bind is read-only recursively (submounts
 *         too) and nosuid/nodev.
 * MUST-4  no-privs: no_new_privs is set, every capability (effective,
 *         permitted, inheritable, ambient, bounding) is dropped before exec.
 * MUST-5  fds: the program gets fds 0, 1, 2 and nothing else.
 * MUST-6  lifetime: the sandbox dies with its supervisor (pid 1 has a parent
 *         death signal, and the kernel kills a pid namespace with its pid 1).
 * MUST-7  pid-ns: the program sees only the sandbox's processes.
 * MUST-8  pid1: the sandbox's pid 1 keeps its capabilities (it built the
 *         mounts), so it must be out of the program's reach: it is not
 *         dumpable (no ptrace, no /proc/1/mem by the same uid), and it runs
 *         under the same seccomp filter as the program.
 * MUST-9  limits: pid 1, before the program exists, sets RLIMIT_CORE to 0
 *         and RLIMIT_NPROC to max_procs (soft = hard, so the program cannot
 *         raise them again: raising a hard limit needs CAP_SYS_RESOURCE of
 *         the host).  RLIMIT_NPROC is set inside the new user namespace,
 *         where (kernel 5.14 and later) it counts the user's processes of
 *         this sandbox only, not those outside.  Where the caller's cgroup
 *         is delegated to it, a child cgroup's pids.max holds the process
 *         limit instead (cgroup.c CG-1 to CG-4), for every task of the
 *         sandbox; pid 1 learns which with the byte that lets it go.
 *         Memory and CPU time when the policy asks for them (RLIMIT_AS,
 *         RLIMIT_CPU per process).
 * MUST-10 listener: the filter's notification fd (seccomp-filter.c MUST-S6)
 *         reaches the supervisor and nobody else: pid 1 passes it over a
 *         socketpair (SCM_RIGHTS) and closes both before it forks the
 *         program.
 *
 * The order of the final stage is fixed: no_new_privs, namespaces, mounts,
 * remounts read-only, detach the old root, then in pid 1 the seccomp filter
 * (compiled once, and inherited by the program it forks next), then in the
 * program: drop capabilities, close fds, Landlock (after the fds are closed:
 * Landlock does not check fds opened before it), exec.  None of the
 * program's steps is a call the filter refuses.  Between clone and exec only the two
 * sandbox processes run, single-threaded; failures travel to the supervisor
 * over a close-on-exec pipe as one line of text.
 */
#include "sandbox/sandbox.h"

#include <fcntl.h>
#include <limits.h>
#include <linux/capability.h>
#include <linux/mount.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "base/file.h"
#include "base/util.h"
#include "sandbox/cgroup.h"
#include "sandbox/denylog.h"
#include "sandbox/landlock.h"
#include "sandbox/seccomp.h"

#define SANDBOX_BASE "/tmp"
#define OLDROOT "/oldroot"
#define ERRBUF 1024
/* pid 1 exits so when the sandbox could not be built (the reason goes over the pipe). */
#define EXIT_SANDBOX_SETUP 125

void sandbox_spec_init(struct sandbox_spec *s)
{
	*s = (struct sandbox_spec){ .max_procs = SANDBOX_MAX_PROCS_DEFAULT };
}

void sandbox_spec_release(struct sandbox_spec *s)
{
	free(s->ops);
	sandbox_spec_init(s);
}

int sandbox_add(struct sandbox_spec *s, enum sandbox_op_kind kind, const char *src,
		const char *dest, const char *data, size_t len)
{
	if (s->n_ops == s->cap_ops) {
		size_t cap = s->cap_ops ? s->cap_ops * 2 : 32;
		if (cap > SANDBOX_MAX_OPS)
			return -E2BIG;
		struct sandbox_op *ops = realloc(s->ops, cap * sizeof(*ops));
		if (!ops)
			return -ENOMEM;
		s->ops = ops;
		s->cap_ops = cap;
	}
	s->ops[s->n_ops++] = (struct sandbox_op){ kind, src, dest, data, len };
	return 0;
}

/* --- signals ------------------------------------------------------------
 * While the program runs, the supervisor and pid 1 stay out of the way of
 * the terminal's SIGINT and SIGQUIT (the program decides, as under bash),
 * and pass SIGHUP and SIGTERM on, so that a hung-up bash still saves its
 * history instead of being killed with its supervisor. */

static struct sigaction saved_int, saved_quit;
static volatile pid_t forward_to;

static void forward_signal(int sig)
{
	pid_t p = forward_to;
	if (p > 0)
		kill(p, sig);
}

static void signals_supervise(pid_t to)
{
	struct sigaction ign = { .sa_handler = SIG_IGN }, fwd = { .sa_handler = forward_signal };
	sigemptyset(&ign.sa_mask);
	sigemptyset(&fwd.sa_mask);
	forward_to = to;
	sigaction(SIGINT, &ign, NULL);
	sigaction(SIGQUIT, &ign, NULL);
	sigaction(SIGHUP, &fwd, NULL);
	sigaction(SIGTERM, &fwd, NULL);
}

static void signals_restore(void)
{
	struct sigaction dfl = { .sa_handler = SIG_DFL };
	sigemptyset(&dfl.sa_mask);
	forward_to = 0;
	sigaction(SIGINT, &saved_int, NULL);
	sigaction(SIGQUIT, &saved_quit, NULL);
	sigaction(SIGHUP, &dfl, NULL);
	sigaction(SIGTERM, &dfl, NULL);
}

/* --- inside the sandbox (pid 1 and the program): report and exit ------- */

static int child_errfd = -1;

static void __attribute__((noreturn, format(printf, 1, 2))) child_fail(const char *fmt, ...)
{
	char buf[ERRBUF];
	int saved = errno;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	if ((size_t)n >= sizeof(buf))
		n = sizeof(buf) - 1;
	n += snprintf(buf + n, sizeof(buf) - (size_t)n, ": %s", strerror(saved));
	if ((size_t)n >= sizeof(buf))
		n = sizeof(buf) - 1;
	if (child_errfd >= 0 && write(child_errfd, buf, (size_t)n) < 0) {
		/* nothing more can be said */
	}
	_exit(EXIT_SANDBOX_SETUP);
}

static void write_file_or_fail(const char *path, const char *data, size_t len)
{
	_cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		child_fail("cannot create '%s'", path);
	int r = write_full(fd, data, len);
	if (r < 0) {
		errno = -r;
		child_fail("cannot write '%s'", path);
	}
}

/* mkdir -p, in the tmpfs we own; existing directories are fine. */
static void mkdirs_or_fail(const char *path, mode_t mode)
{
	int r = mkdir_p(path, mode);
	if (r < 0) {
		errno = -r;
		child_fail("cannot create directory '%s'", path);
	}
}

static void parent_dirs_or_fail(const char *path)
{
	int r = mkdir_parents(path, 0755);
	if (r < 0) {
		errno = -r;
		child_fail("cannot create the directories of '%s'", path);
	}
}

/* Read-only (or not), nosuid and nodev, on the mount at path and every mount
 * below it (MUST-3).  mount_setattr() does it in one call; older kernels get
 * a remount that keeps the flags the kernel has locked. */
static void restrict_mount_or_fail(const char *path, bool ro)
{
	struct mount_attr attr = {
		.attr_set = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | (ro ? MOUNT_ATTR_RDONLY : 0),
	};
	if (syscall(SYS_mount_setattr, AT_FDCWD, path, AT_RECURSIVE, &attr, sizeof(attr)) == 0)
		return;
	if (errno != ENOSYS)
		child_fail("cannot make '%s' %s", path, ro ? "read-only" : "nosuid");
	struct statvfs sv;
	if (statvfs(path, &sv) < 0)
		child_fail("cannot stat '%s'", path);
	unsigned long flags = MS_BIND | MS_REMOUNT | MS_NOSUID | MS_NODEV | (ro ? MS_RDONLY : 0);
	if (sv.f_flag & ST_NOEXEC)
		flags |= MS_NOEXEC;
	if (sv.f_flag & ST_NOATIME)
		flags |= MS_NOATIME;
	if (sv.f_flag & ST_NODIRATIME)
		flags |= MS_NODIRATIME;
	if (sv.f_flag & ST_RELATIME)
		flags |= MS_RELATIME;
	if (mount(NULL, path, NULL, flags, NULL) < 0)
		child_fail("cannot make '%s' %s", path, ro ? "read-only" : "nosuid");
}

static void op_apply(const struct sandbox_op *op)
{
	char src[PATH_MAX];
	struct stat st;

	switch (op->kind) {
	case SB_BIND_TRY_RO:
	case SB_BIND_RO:
	case SB_BIND_RW:
	case SB_BIND_DEV:
		if ((size_t)snprintf(src, sizeof(src), OLDROOT "%s", op->src) >= sizeof(src)) {
			errno = ENAMETOOLONG;
			child_fail("cannot bind '%s'", op->src);
		}
		if (stat(src, &st) < 0) {
			if (op->kind == SB_BIND_TRY_RO && errno == ENOENT)
				return;
			child_fail("cannot bind '%s'", op->src);
		}
		if (S_ISDIR(st.st_mode)) {
			mkdirs_or_fail(op->dest, 0755);
		} else if (lstat(op->dest, &st) == 0 && S_ISREG(st.st_mode)) {
			/* a file there already (in a read-only bind, say): the
			 * mount point needs nothing more */
		} else {
			parent_dirs_or_fail(op->dest);
			_cleanup_close_ int fd =
				open(op->dest, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOCTTY, 0644);
			if (fd < 0 && errno != EEXIST && errno != EISDIR)
				child_fail("cannot create mount point '%s'", op->dest);
		}
		if (mount(src, op->dest, NULL, MS_BIND | MS_REC, NULL) < 0)
			child_fail("cannot bind '%s'", op->src);
		/* Checked on what got mounted, so no swap can slip in after. */
		if (op->data && op->len == sizeof(struct sandbox_bind_id)) {
			const struct sandbox_bind_id *id = (const void *)op->data;
			if (stat(op->dest, &st) < 0 || st.st_dev != id->dev || st.st_ino != id->ino) {
				errno = EXDEV;
				child_fail("'%s' changed while the sandbox was built", op->src);
			}
		}
		if (op->kind != SB_BIND_DEV)
			restrict_mount_or_fail(op->dest, op->kind != SB_BIND_RW);
		return;
	case SB_TMPFS:
		mkdirs_or_fail(op->dest, 0755);
		if (mount("tmpfs", op->dest, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755") < 0)
			child_fail("cannot mount a tmpfs on '%s'", op->dest);
		if (streq(op->dest, "/tmp") || streq(op->dest, "/dev/shm")) {
			if (chmod(op->dest, 01777) < 0)
				child_fail("cannot chmod '%s'", op->dest);
		}
		return;
	case SB_DIR:
		mkdirs_or_fail(op->dest, 0755);
		return;
	case SB_SYMLINK:
		parent_dirs_or_fail(op->dest);
		if (symlink(op->src, op->dest) < 0 && errno != EEXIST)
			child_fail("cannot create the link '%s'", op->dest);
		return;
	case SB_FILE:
		parent_dirs_or_fail(op->dest);
		write_file_or_fail(op->dest, op->data, op->len);
		return;
	case SB_PROC:
		mkdirs_or_fail(op->dest, 0755);
		if (mount("proc", op->dest, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
			child_fail("cannot mount '%s'", op->dest);
		return;
	case SB_DEVPTS:
		mkdirs_or_fail(op->dest, 0755);
		if (mount("devpts", op->dest, "devpts", MS_NOSUID | MS_NOEXEC,
			  "newinstance,ptmxmode=0666,mode=620") < 0)
			child_fail("cannot mount '%s'", op->dest);
		if (symlink("pts/ptmx", "/dev/ptmx") < 0 && errno != EEXIST)
			child_fail("cannot create '/dev/ptmx'");
		return;
	}
}

static void loopback_up_or_fail(void)
{
	_cleanup_close_ int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct ifreq ifr = { 0 };
	strcpy(ifr.ifr_name, "lo");
	if (fd < 0 || ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
		child_fail("cannot read the loopback interface");
	ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
	if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
		child_fail("cannot bring the loopback interface up");
}

/* MUST-4: no capability survives into the program. */
static void caps_drop_or_fail(void)
{
	for (int cap = 0; cap <= 63; cap++) {
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL)
			child_fail("cannot drop capability %d", cap);
	}
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
		child_fail("cannot clear the ambient capabilities");
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2] = { { 0 } };
	if (syscall(SYS_capset, &hdr, data) < 0)
		child_fail("cannot drop capabilities");
}

/* MUST-5: only 0, 1, 2 reach the program; keep (close-on-exec, the error
 * pipe) stays open until the exec itself closes it. */
static void fds_close_or_fail(int keep)
{
	if (close_range(3, (unsigned)keep - 1, 0) == 0 && close_range((unsigned)keep + 1, ~0U, 0) == 0)
		return;
	for (int fd = 3; fd < 65536; fd++)
		if (fd != keep)
			close(fd);
}

/* MUST-9: soft = hard = value, never above the hard limit there is (only
 * the host's CAP_SYS_RESOURCE could raise that). */
static void limit_or_fail(int resource, const char *name, rlim_t value)
{
	struct rlimit rl;
	if (getrlimit(resource, &rl) < 0)
		child_fail("cannot read the limit %s", name);
	if (rl.rlim_max != RLIM_INFINITY && value > rl.rlim_max)
		value = rl.rlim_max;
	rl.rlim_cur = rl.rlim_max = value;
	if (setrlimit(resource, &rl) < 0)
		child_fail("cannot set the limit %s", name);
}

/* procs_by_cgroup: the sandbox's cgroup counts the processes (CG-2). */
static void limits_apply_or_fail(const struct sandbox_spec *s, bool procs_by_cgroup)
{
	limit_or_fail(RLIMIT_CORE, "RLIMIT_CORE", 0);
	if (s->max_procs && !procs_by_cgroup)
		limit_or_fail(RLIMIT_NPROC, "RLIMIT_NPROC", s->max_procs);
	if (s->max_memory)
		limit_or_fail(RLIMIT_AS, "RLIMIT_AS", s->max_memory);
	if (s->max_cpu_seconds)
		limit_or_fail(RLIMIT_CPU, "RLIMIT_CPU", s->max_cpu_seconds);
}

/* MUST-10: the listener goes to the supervisor, then out of this process. */
static void listener_send_or_fail(int sock, int listener)
{
	char byte = 'L';
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} u = { 0 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
			      .msg_controllen = sizeof(u.buf) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &listener, sizeof(int));
	if (sendmsg(sock, &msg, MSG_NOSIGNAL) != 1)
		child_fail("cannot pass the seccomp listener to the supervisor");
	close(listener);
}

static void __attribute__((noreturn)) program_exec(const struct sandbox_spec *s,
						   const struct sandbox_program *p)
{
	if (p->stdout_fd >= 0) {
		if (dup2(p->stdout_fd, STDOUT_FILENO) < 0)
			child_fail("cannot set up standard output");
	}
	/* pid 1 made itself undumpable before the fork (MUST-8); the program is
	 * the user's own process: exec would make it dumpable anyway, and a
	 * tracer outside (strace -f) must be able to read its execve. */
	if (prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) < 0)
		child_fail("cannot make the program dumpable");
	/* The program starts with the dispositions nsbsh was started with. */
	signals_restore();
	caps_drop_or_fail();
	fds_close_or_fail(child_errfd);
	if (s->n_writable > 0) {
		int r = landlock_restrict(s->writable, s->n_writable, NULL);
		if (r < 0) {
			errno = -r;
			child_fail("cannot restrict writes with Landlock");
		}
	}
	execve(p->path, p->argv, p->envp);
	/* Only the exit status can tell now; 126/127 as bash reports them. */
	dprintf(STDERR_FILENO, "nsbsh: cannot run '%s' in the sandbox: %s\n", p->path,
		strerror(errno));
	_exit(errno == ENOENT ? 127 : 126);
}

static int __attribute__((noreturn)) sandbox_pid1(const struct sandbox_spec *s,
						  const struct sandbox_program *p, int syncfd, int sock)
{
	char go[2];

	/* MUST-6 */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0)
		child_fail("cannot set the parent death signal");
	/* Wait for the supervisor to write the id maps; EOF means it died.
	 * Two bytes (a pipe's write of them is atomic): 'n' when it answers
	 * notifications, else 'x'; 'c' when this process is in the sandbox's
	 * cgroup, else 'r'. */
	if (read(syncfd, go, sizeof(go)) != (ssize_t)sizeof(go))
		_exit(EXIT_SANDBOX_SETUP);
	close(syncfd);
	limits_apply_or_fail(s, go[1] == 'c');

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		child_fail("cannot set no_new_privs");
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		child_fail("cannot make the mounts private");
	if (mount("tmpfs", SANDBOX_BASE, "tmpfs", MS_NODEV | MS_NOSUID, "mode=0755") < 0)
		child_fail("cannot mount the new root");
	if (chdir(SANDBOX_BASE) < 0 || mkdir("." OLDROOT, 0700) < 0)
		child_fail("cannot prepare the new root");
	if (syscall(SYS_pivot_root, ".", "." OLDROOT) < 0)
		child_fail("cannot pivot to the new root");
	if (chdir("/") < 0)
		child_fail("cannot enter the new root");

	for (size_t i = 0; i < s->n_ops; i++)
		op_apply(&s->ops[i]);
	if (s->unshare_net)
		loopback_up_or_fail();

	/* MUST-2: nothing of the host stays reachable but the binds. */
	if (umount2(OLDROOT, MNT_DETACH) < 0 || rmdir(OLDROOT) < 0)
		child_fail("cannot detach the old root");
	if (mount(NULL, "/", NULL, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV, NULL) < 0)
		child_fail("cannot make the root read-only");
	if (chdir(p->cwd) < 0)
		child_fail("cannot enter '%s' in the sandbox", p->cwd);

	/* MUST-8; the program gets the filter by inheritance, and its exec
	 * makes it dumpable again (gdb and strace inside keep working). */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		child_fail("cannot make pid 1 undumpable");
	if (s->seccomp) {
		/* 'n': the supervisor will answer notifications (sandbox_run). */
		struct seccomp_options o = { .nested_userns = s->nested_userns, .notify = go[0] == 'n' };
		int listener = -1;
		int r = seccomp_install(&o, &listener);
		if (r < 0) {
			errno = -r;
			child_fail("cannot load the seccomp filter");
		}
		if (listener >= 0)
			listener_send_or_fail(sock, listener);
	}
	if (sock >= 0)
		close(sock);

	pid_t prog = fork();
	if (prog < 0)
		child_fail("cannot start the program");
	if (prog == 0)
		program_exec(s, p);
	signals_supervise(prog);

	/* pid 1: the supervisor learns of failures from the program itself. */
	close(child_errfd);
	child_errfd = -1;
	if (p->stdout_fd >= 0)
		close(p->stdout_fd);
	for (;;) {
		int status;
		pid_t got = waitpid(-1, &status, 0);
		if (got < 0) {
			if (errno == EINTR)
				continue;
			_exit(EXIT_SANDBOX_SETUP);
		}
		if (got != prog)
			continue; /* an orphan reparented to us */
		if (WIFEXITED(status))
			_exit(WEXITSTATUS(status));
		_exit(128 + WTERMSIG(status));
	}
}

/* --- the supervisor ----------------------------------------------------- */

static int write_proc_file(pid_t pid, const char *name, const char *data)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, name);
	return file_write_kernel(AT_FDCWD, path, data);
}

static char *strdup_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *strdup_printf(const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	return s;
}

/* What the supervisor holds of a started sandbox. */
struct supervision {
	pid_t pid;       /* pid 1 of the sandbox */
	int errfd;       /* setup failures, one line; EOF once the program runs */
	int sock;        /* -1, or where pid 1 sends the filter's listener */
	int pidfd;       /* -1, or readable when pid 1 has exited */
	struct sandbox_cgroup cg; /* the sandbox's own, when there is one */
};

/* Close and forget: the loops below test for -1. */
static void fd_close(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static void supervision_close(struct supervision *sv)
{
	fd_close(&sv->errfd);
	fd_close(&sv->sock);
	fd_close(&sv->pidfd);
	cgroup_release(&sv->cg);
}

/* notify: pid 1 is to pass the filter's listener to this process, which
 * must then answer it (supervise).  It does only when a pidfd can tell
 * this process that pid 1 is gone while it polls.  supervised: the caller
 * waits in supervise(), which removes the sandbox's cgroup afterwards. */
static int start(const struct sandbox_spec *s, const struct sandbox_program *p, bool notify, bool supervised,
		 struct supervision *sv, char **ret_err)
{
	int errpipe[2], syncpipe[2], socks[2] = { -1, -1 };
	*sv = (struct supervision){ .pid = -1, .errfd = -1, .sock = -1, .pidfd = -1,
				    .cg = { .parent_fd = -1, .fd = -1 } };
	if (pipe2(errpipe, O_CLOEXEC) < 0)
		return -errno;
	if (pipe2(syncpipe, O_CLOEXEC) < 0 ||
	    (notify && socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, socks) < 0)) {
		int r = -errno;
		close(errpipe[0]);
		close(errpipe[1]);
		return r;
	}

	uid_t uid = getuid();
	gid_t gid = getgid();
	/* CG-2: made before pid 1 exists; no cgroup is no error (RLIMIT_NPROC). */
	if (supervised && s->max_procs)
		(void)cgroup_prepare(&sv->cg, s->max_procs);
	sigaction(SIGINT, NULL, &saved_int);
	sigaction(SIGQUIT, NULL, &saved_quit);
	unsigned long flags = CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC |
			      CLONE_NEWUTS | (s->unshare_net ? CLONE_NEWNET : 0) | SIGCHLD;
	pid_t pid = (pid_t)syscall(SYS_clone, flags, NULL, NULL, NULL, NULL);
	if (pid == 0) {
		close(errpipe[0]);
		close(syncpipe[1]);
		if (socks[0] >= 0)
			close(socks[0]);
		/* the supervisor's handles on the cgroup: no way out for pid 1 */
		fd_close(&sv->cg.fd);
		fd_close(&sv->cg.parent_fd);
		child_errfd = errpipe[1];
		sandbox_pid1(s, p, syncpipe[0], socks[1]);
	}
	int r = pid < 0 ? -errno : 0;
	close(errpipe[1]);
	close(syncpipe[0]);
	if (socks[1] >= 0)
		close(socks[1]);
	sv->errfd = errpipe[0];
	sv->sock = socks[0];
	if (r < 0) {
		close(syncpipe[1]);
		supervision_close(sv);
		return r;
	}
	sv->pid = pid;
	char go[2] = { 'x', cgroup_attach(&sv->cg, pid) == 0 ? 'c' : 'r' };
	if (notify) {
		sv->pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
		if (sv->pidfd < 0)
			fd_close(&sv->sock); /* no notifications, then: kernel before 5.3 */
	}
	if (sv->sock >= 0)
		go[0] = 'n';

	/* MUST-1: the caller's ids, and only them. */
	char map[64];
	snprintf(map, sizeof(map), "%u %u 1\n", uid, uid);
	r = write_proc_file(pid, "uid_map", map);
	if (r == 0)
		r = write_proc_file(pid, "setgroups", "deny\n");
	if (r == 0) {
		snprintf(map, sizeof(map), "%u %u 1\n", gid, gid);
		r = write_proc_file(pid, "gid_map", map);
	}
	if (r < 0)
		*ret_err = strdup_printf("cannot map the user and group ids: %s", strerror(-r));
	else if (write(syncpipe[1], go, sizeof(go)) != (ssize_t)sizeof(go))
		r = -errno;
	close(syncpipe[1]);
	if (r < 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		supervision_close(sv);
		return r;
	}
	signals_supervise(pid);
	return 0;
}

int sandbox_start(const struct sandbox_spec *s, const struct sandbox_program *p, pid_t *ret_pid,
		  int *ret_errfd, char **ret_err)
{
	struct supervision sv;
	int r = start(s, p, false, false, &sv, ret_err);
	if (r < 0)
		return r;
	*ret_pid = sv.pid;
	*ret_errfd = sv.errfd;
	return 0;
}

int sandbox_wait(pid_t pid, int errfd, int *ret_status, char **ret_err)
{
	char buf[ERRBUF + 1];
	ssize_t len = read_full(errfd, buf, sizeof(buf) - 1);
	close(errfd);
	if (len < 0)
		len = 0;
	buf[len] = '\0';

	int status;
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			signals_restore();
			return -errno;
		}
	}
	signals_restore();
	if (len > 0) {
		*ret_err = strdup(buf);
		return -EIO;
	}
	*ret_status = status;
	return 0;
}

static int listener_receive(int sock)
{
	char byte;
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} u;
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
			      .msg_controllen = sizeof(u.buf) };
	if (recvmsg(sock, &msg, MSG_CMSG_CLOEXEC) != 1)
		return -1;
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
	if (!c || c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS ||
	    c->cmsg_len != CMSG_LEN(sizeof(int)))
		return -1;
	int fd;
	memcpy(&fd, CMSG_DATA(c), sizeof(int));
	return fd;
}

/* One refusal: answered at once, then logged; the first of this session
 * also raises the flag the shell's prompt looks for. */
static void denial_handle(int listener, const char *log, bool *flagged)
{
	struct seccomp_denial d;
	if (seccomp_notify_answer(listener, &d) < 0)
		return;
	/* A log that cannot be written must not stop the shell: the refusal
	 * itself has been answered.  The append creates the directory. */
	denylog_append(log, &d, time(NULL));
	if (!*flagged)
		*flagged = denylog_flag(log, getpid()) == 0;
}

/* Until pid 1 exits: take the listener from pid 1, answer what it reports. */
static int supervise(struct supervision *sv, const char *log, int *ret_status, char **ret_err)
{
	int listener = -1;
	bool flagged = false;
	while (sv->sock >= 0 || listener >= 0) {
		struct pollfd p[3] = { { .fd = sv->pidfd, .events = POLLIN },
				       { .fd = sv->sock, .events = POLLIN },
				       { .fd = listener, .events = POLLIN } };
		if (poll(p, 3, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[0].revents)
			break; /* pid 1 is gone: so is everything of the sandbox */
		if (p[1].revents) {
			listener = listener_receive(sv->sock);
			fd_close(&sv->sock);
		}
		if (p[2].revents & POLLIN)
			denial_handle(listener, log, &flagged);
		else if (p[2].revents)
			fd_close(&listener);
	}
	fd_close(&listener);
	int r = sandbox_wait(sv->pid, steal_fd(&sv->errfd), ret_status, ret_err);
	supervision_close(sv);
	if (flagged)
		denylog_unflag(log, getpid());
	return r;
}

int sandbox_run(const struct sandbox_spec *s, const struct sandbox_program *p, int *ret_status,
		char **ret_err)
{
	struct supervision sv;
	bool notify = s->seccomp && s->denial_log;
	int r = start(s, p, notify, true, &sv, ret_err);
	if (r < 0)
		return r;
	return supervise(&sv, s->denial_log, ret_status, ret_err);
}
