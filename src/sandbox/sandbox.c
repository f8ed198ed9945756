/* sandbox.c - an unprivileged user-namespace sandbox, built by nsbsh itself.
 *
 * Three processes: the supervisor (the caller, on the host: this file), the
 * sandbox's pid 1 (builds the mounts, reaps orphans, exits with the
 * program's status: inside.c), and the program (bash or nix).
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
 *         under the same seccomp filter as the program (its one other
 *         thread, the creation guard's helper, guard.c GUARD-7, does not:
 *         it answers the filter).
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
 * MUST-10 listener: the filter's notification fd (seccomp.c MUST-S6)
 *         reaches the supervisor and nobody else (but, with the creation
 *         guard, its helper, a thread of pid 1 with an fd table of its
 *         own: guard.c): pid 1 passes it over a socketpair (SCM_RIGHTS) and
 *         closes both before it forks the program.
 * MUST-11 joined-alike: every shell of a live sandbox (spawner.c) has what
 *         the first has: no_new_privs and the filter (inherited from pid 1,
 *         which took them before its first fork), no capability (pid 1
 *         dropped all of them once the view was built), Landlock (the
 *         one domain pid 1 took before its first fork), fds 0-2 only.
 * MUST-12 no-link-out: the view's mount points, files and links are made
 *         from the new root without following a link that lies in a bound
 *         host directory (inside.c dest_open_or_fail): a link planted in
 *         the private home or the work tree cannot make a later start
 *         create or mount anything outside the sandbox.
 *
 * The order is fixed; each step needs the ones before it:
 *   supervisor: the sandbox's cgroup made (CG-2); clone with the new user,
 *     mount, pid, ipc, uts (and, but with network = host, net) namespaces;
 *     pid 1 put in the cgroup; its namespaces opened for pasta (net.c
 *     NET-3, network = on); its uid map, setgroups deny, gid map (MUST-1);
 *     then two bytes on the sync pipe let it go; pasta started, which sets
 *     the network up while pid 1 builds the view (a live sandbox serves
 *     once both are done).
 *   pid 1 (inside.c): parent death signal (MUST-6); the limits (MUST-9);
 *     no_new_privs; the mounts made private; a tmpfs as the new root,
 *     pivoted to; the operations in order, each bind made read-only (or
 *     not), nosuid and nodev as it is mounted (MUST-3); loopback up; the
 *     old root detached (MUST-2) and the root made read-only; the working
 *     directory; pid 1 made undumpable (MUST-8); the seccomp filter, its
 *     listener passed to the supervisor (MUST-10); then the program forked,
 *     which inherits the filter.
 *   the program: dumpable again (its own process), the signals it was
 *     started with, every capability dropped (MUST-4), every fd but 0, 1,
 *     2 closed (MUST-5), Landlock (after the fds are closed: Landlock does
 *     not check fds opened before it), exec.
 * None of the program's steps is a call the filter refuses.  Between clone
 * and exec only the two sandbox processes run, single-threaded; failures
 * travel to the supervisor over a close-on-exec pipe as one line of text.
 */
#include "sandbox/sandbox.h"

#include <fcntl.h>
#include <limits.h>
#include <linux/capability.h>
#include <linux/mount.h>
#include <linux/seccomp.h>
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
#include "sandbox/inside.h"
#include "sandbox/net.h"
#include "sandbox/guard.h"
#include "sandbox/seccomp.h"
#include "sandbox/wire.h"

#define ERRBUF 1024
/* How long a first start waits for pasta to set the network up (it takes
 * some 40 ms, most of it its own start). */
#define PASTA_READY_MS 5000

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
	int errfd;       /* setup failures, one line; EOF once the program runs
			  * (a live sandbox: once pid 1 serves) */
	int sock;        /* -1, or where pid 1 sends the filter's listener */
	int pidfd;       /* -1, or readable when pid 1 has exited */
	struct sandbox_cgroup cg; /* the sandbox's own, when there is one */
	struct net_pasta pasta;   /* a live sandbox's, with network = on */
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
	net_pasta_end(&sv->pasta);
}

/* Every fd above 2 closed but those of keep (-1s skipped). */
static void fds_close_but(const int *keep, size_t n)
{
	int sorted[8];
	size_t k = 0;
	for (size_t i = 0; i < n && k < ARRAY_SIZE(sorted); i++)
		if (keep[i] > 2)
			sorted[k++] = keep[i];
	for (size_t i = 1; i < k; i++)
		for (size_t j = i; j > 0 && sorted[j - 1] > sorted[j]; j--) {
			int t = sorted[j];
			sorted[j] = sorted[j - 1];
			sorted[j - 1] = t;
		}
	unsigned from = 3;
	for (size_t i = 0; i < k; i++) {
		if ((unsigned)sorted[i] > from)
			close_range(from, (unsigned)sorted[i] - 1, 0);
		from = (unsigned)sorted[i] + 1;
	}
	close_range(from, ~0U, 0);
}

/* notify: pid 1 is to pass the filter's listener to this process, which
 * must then answer it (live.c); it does only when a pidfd can tell this
 * process that pid 1 is gone while it polls.  supervised: the sandbox gets
 * a cgroup of its own where one is delegated (removed by
 * sandbox_live_end). */
static int start(const struct sandbox_spec *s, const struct sandbox_program *p, bool notify, bool supervised,
		 struct supervision *sv, char **ret_err)
{
	int errpipe[2], syncpipe[2], socks[2] = { -1, -1 };
	*sv = (struct supervision){ .pid = -1, .errfd = -1, .sock = -1, .pidfd = -1,
				    .cg = { .parent_fd = -1, .fd = -1 }, .pasta = { .pid = -1, .ready = -1 } };
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
	signals_save();
	/* libseccomp for pid 1, which cannot open it once inside (a kernel
	 * that refuses the precompiled filter: it builds one) */
	if (s->seccomp)
		(void)seccomp_lib_load();
	unsigned long flags = CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC |
			      CLONE_NEWUTS | (s->unshare_net ? CLONE_NEWNET : 0) | SIGCHLD;
	pid_t pid = (pid_t)syscall(SYS_clone, flags, NULL, NULL, NULL, NULL);
	if (pid == 0) {
		close(errpipe[0]);
		close(syncpipe[1]);
		if (socks[0] >= 0)
			close(socks[0]);
		/* the supervisor's handles on the cgroup: no way out for pid 1;
		 * and nothing else of the supervisor's either (a pipe its own
		 * caller waits on, say): pid 1 keeps only what it uses */
		fd_close(&sv->cg.fd);
		fd_close(&sv->cg.parent_fd);
		int keep[] = { errpipe[1], syncpipe[0], socks[1], p ? p->stdout_fd : -1 };
		fds_close_but(keep, ARRAY_SIZE(keep));
		inside_pid1(s, p, errpipe[1], syncpipe[0], socks[1]);
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
	/* NET-3: pid 1's namespaces, while it is still dumpable (it waits
	 * for go) */
	int ns[2] = { -1, -1 };
	if (s->live && s->unshare_net && s->pasta) {
		char path[64];
		snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)pid);
		ns[0] = open(path, O_RDONLY | O_CLOEXEC);
		snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)pid);
		ns[1] = open(path, O_RDONLY | O_CLOEXEC);
	}
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
	/* NET-3: pasta sets the namespace up while pid 1 builds the view;
	 * sandbox_live_start waits for both. */
	if (r == 0 && s->live && s->unshare_net && s->pasta) {
		r = ns[0] < 0 || ns[1] < 0 ? -errno
					   : net_pasta_start(s->pasta, ns, s->forward_ports, s->publish_ports, &sv->pasta);
		if (r < 0)
			*ret_err = strdup_printf("cannot start pasta ('%s'): %s", s->pasta, strerror(-r));
	}
	fd_close(&ns[0]);
	fd_close(&ns[1]);
	close(syncpipe[1]);
	if (r < 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		supervision_close(sv);
		return r;
	}
	if (!s->live)
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

/* The one fd that pid 1 passes with event, or -1. */
static int fd_recv(int sock, enum wire_event event)
{
	struct wire_msg m;
	size_t n = 0;
	int fd = -1;
	if (wire_recv(sock, &m, &fd, 1, &n) < 0 || m.event != event || n != 1) {
		if (n)
			close(fd);
		return -1;
	}
	return fd;
}

int sandbox_live_start(const struct sandbox_spec *s, struct sandbox_live *ret, char **ret_err)
{
	struct supervision sv;
	if (!s->live)
		return -EINVAL;
	int r = start(s, NULL, true, true, &sv, ret_err);
	if (r < 0)
		return r;
	if (sv.sock < 0 || sv.pidfd < 0) {
		/* a kernel before 5.3 (no pidfd): no supervisor can follow pid 1 */
		kill(sv.pid, SIGKILL);
		waitpid(sv.pid, NULL, 0);
		supervision_close(&sv);
		*ret_err = strdup("this kernel has no pidfd_open (Linux 5.3 or later is needed)");
		return -ENOSYS;
	}
	/* pid 1 passes the listener, then closes its end of errfd once it
	 * serves; a line before that end is why it could not be built. */
	char buf[ERRBUF + 1];
	ssize_t len = read_full(sv.errfd, buf, sizeof(buf) - 1);
	fd_close(&sv.errfd);
	int listener = -1, guard = -1, guard_fwd = -1, proxy = -1;
	bool addfd_send = false;
	if (len == 0 && s->seccomp) {
		struct wire_msg m;
		size_t n = 0;
		int fds[3] = { -1, -1, -1 };
		size_t want = s->guard.on ? 3 : 1;
		if (wire_recv(sv.sock, &m, fds, 3, &n) < 0 || m.event != WIRE_LISTENER || n != want) {
			for (size_t i = 0; i < n; i++)
				close(fds[i]);
			len = snprintf(buf, sizeof(buf), "the sandbox's pid 1 did not pass its seccomp listener");
		} else {
			listener = fds[0];
			guard = fds[1];
			guard_fwd = fds[2];
		}
		/* GUARD-6: no fd can be handed to a caller: no guard, no start */
		if (guard >= 0 && guard_probe_addfd(listener, &addfd_send) < 0) {
			close(listener);
			close(guard);
			close(guard_fwd);
			listener = guard = guard_fwd = -1;
			len = snprintf(buf, sizeof(buf), "this kernel cannot hand a file to a process of the sandbox (SECCOMP_IOCTL_NOTIF_ADDFD, Linux 5.9): the creation guard cannot work (policy create_guard = off starts without it)");
		}
	}
	if (len == 0 && s->proxy_port && s->unshare_net && (proxy = fd_recv(sv.sock, WIRE_PROXY)) < 0)
		len = snprintf(buf, sizeof(buf), "the sandbox's pid 1 did not pass the proxy's socket");
	if (len == 0 && sv.pasta.pid > 0 && net_pasta_wait(&sv.pasta, PASTA_READY_MS) < 0)
		len = snprintf(buf, sizeof(buf), "pasta ('%s') did not set the sandbox's network up", s->pasta);
	if (len != 0) {
		buf[len > 0 ? len : 0] = '\0';
		*ret_err = strdup(len > 0 ? buf : "cannot read from the sandbox's pid 1");
		fd_close(&listener);
		fd_close(&guard);
		fd_close(&guard_fwd);
		fd_close(&proxy);
		kill(sv.pid, SIGKILL);
		waitpid(sv.pid, NULL, 0);
		supervision_close(&sv);
		return -EIO;
	}
	*ret = (struct sandbox_live){ .pid = sv.pid, .pidfd = sv.pidfd, .ctl = sv.sock,
				      .listener = listener, .proxy = proxy, .guard = guard, .guard_fwd = guard_fwd, .addfd_send = addfd_send,
				      .cg = sv.cg, .pasta = sv.pasta };
	return 0;
}

void sandbox_live_end(struct sandbox_live *l)
{
	if (l->pid > 0) {
		kill(l->pid, SIGKILL);
		while (waitpid(l->pid, NULL, 0) < 0 && errno == EINTR)
			;
	}
	fd_close(&l->pidfd);
	fd_close(&l->ctl);
	fd_close(&l->listener);
	fd_close(&l->proxy);
	fd_close(&l->guard);
	fd_close(&l->guard_fwd);
	cgroup_release(&l->cg);
	net_pasta_end(&l->pasta);
	l->pid = -1;
}

struct live_answer {
	const struct sandbox_live *l;
	const char *log, *flag_id;
	const struct seccomp_denial *fwd; /* what the helper refused: its rule and path */
};

static int live_guard(void *ctx, int listener, const struct seccomp_notif *req, struct seccomp_denial *ret)
{
	const struct live_answer *a = ctx;
	return guard_answer(listener, a->l->guard, a->l->addfd_send, req, ret);
}

/* A creating call the helper refused: the rule and path it passed on. */
static int live_refused(void *ctx, int listener, const struct seccomp_notif *req, struct seccomp_denial *ret)
{
	const struct live_answer *a = ctx;
	ret->group = a->fwd->group;
	snprintf(ret->detail, sizeof(ret->detail), "%s", a->fwd->detail);
	return 1;
}

/* A log that cannot be written must not stop the shells: the refusal is
 * answered all the same.  The append creates the directory.  Before the
 * answer: a shell that ends right after its refused call finds its flag
 * there to remove. */
static void live_record(void *ctx, const struct seccomp_denial *d)
{
	const struct live_answer *a = ctx;
	if (!a->log)
		return;
	denylog_append(a->log, d, time(NULL));
	if (d->sid_inside > 0)
		denylog_flag(a->log, a->flag_id, d->sid_inside);
}

void sandbox_live_answer(struct sandbox_live *l, const char *log, const char *flag_id)
{
	static struct seccomp_denial d, fwd;
	struct live_answer a = { l, log, flag_id, &fwd };
	if (l->guard_fwd < 0) {
		(void)seccomp_notify_answer(l->listener, l->guard >= 0 ? live_guard : NULL, live_record, &a, &d);
		return;
	}
	/* the helper receives the notifications: what it passes on */
	struct seccomp_notif req;
	int kind;
	int r = guard_forwarded(l->guard_fwd, &req, &kind, &fwd);
	if (r == -EPIPE) {
		l->guard_fwd = (close(l->guard_fwd), -1); /* pid 1 is gone with it */
		return;
	}
	if (r == 0)
		(void)seccomp_notify_handle(l->listener, &req,
					    kind == GUARD_FWD_REFUSED ? live_refused
					    : kind == GUARD_FWD_ASK  ? live_guard
								     : NULL,
					    live_record, &a, &d);
}
