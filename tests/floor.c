/* floor.c - the least some of tests/bench's goals can cost on this
 * machine, whatever nsbsh does (static: it also runs inside a sandbox).
 *   floor spawn PROG ARG...    PROG started in a child (posix_spawn, a
 *                              vfork) and waited for, its status
 *                              returned: two execs (the start's and its
 *                              shell's) and nothing between them, the
 *                              least of any start whose shell is another
 *                              process;
 *   floor serve SOCK PROG ARG... a server on the unix socket SOCK, with a
 *                              child forked ahead, as a live sandbox's
 *                              pid 1 and its spare (sandbox/spawner.c);
 *   floor join SOCK            its client, as a join: fds 0-2 sent to the
 *                              server, which hands them to the spare, which
 *                              execs PROG; the server waits for it, forks
 *                              the next spare and sends the status back:
 *                              the least a join through a spare costs (two
 *                              execs and four wake-ups), nothing checked;
 *   floor MODE DIR N           N creates (openat O_CREAT|O_EXCL) in DIR,
 *                              the median microseconds of one, in a MODE:
 *     none      no filter;
 *     continue  a filter that notifies each create, and a thread that
 *               answers SECCOMP_USER_NOTIF_FLAG_CONTINUE at once (the
 *               cheapest answer there is, and one the guard may not give:
 *               GUARD-3);
 *     addfd     the same thread doing the least a safe answer needs: the
 *               path copied (process_vm_readv), the notification checked
 *               (NOTIF_ID_VALID), the file made by the thread, its fd
 *               handed over with ADDFD|SEND; no rule checked;
 *     addfd+proc  and what the guard reads of its caller besides: its
 *               directory (/proc/PID/fd/N) and /proc/PID/status (its
 *               umask and ids);
 *     addfd+resolve  addfd and the least a race-free check needs (issue
 *               15: "the very thing checked is what gets created"): the
 *               caller's directory opened, the parent resolved once from
 *               it (openat2, no magic links), its device and inode and its
 *               place read (fstat, readlink), the file made beneath that
 *               fd; no rule checked, no umask read (the guard keeps them:
 *               GUARD-10).
 * The creates are made by a child process, as the guard's callers are, and
 * received by FLOOR_THREADS threads (2, as the guard's GUARD_RECEIVERS).
 * FLOOR_SYNC=1 sets SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP (6.6) as the guard
 * does.
 * tests/bench alternates the modes.  Not part of nsbsh: the guard is
 * src/sandbox/guard.c. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/openat2.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <spawn.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#ifndef SECCOMP_ADDFD_FLAG_SEND
#define SECCOMP_ADDFD_FLAG_SEND (1UL << 1)
#endif

enum mode { NONE, CONTINUE, ADDFD, ADDFD_PROC, ADDFD_RESOLVE, N_MODES };
static const char *const names[] = { "none", "continue", "addfd", "addfd+proc", "addfd+resolve" };
static int dirfd_ = -1;
static volatile int listener = -1;
static volatile enum mode mode;

static void *answer(void *unused)
{
	(void)unused;
	struct seccomp_notif req;
	struct seccomp_notif_resp resp;
	while (listener < 0) /* until main loaded the filter */
		usleep(100);
	for (;;) {
		memset(&req, 0, sizeof(req));
		if (ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, &req) < 0) {
			if (errno == EINTR || errno == ENOENT)
				continue;
			return NULL;
		}
		memset(&resp, 0, sizeof(resp));
		resp.id = req.id;
		if (mode == CONTINUE) {
			resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
			(void)ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &resp);
			continue;
		}
		char path[256];
		struct iovec l = { path, sizeof(path) - 1 }, r = { (void *)req.data.args[1], sizeof(path) - 1 };
		ssize_t n = process_vm_readv(req.pid, &l, 1, &r, 1, 0);
		path[n > 0 ? n : 0] = 0;
		path[strnlen(path, sizeof(path) - 1)] = 0;
		if (mode == ADDFD_PROC) { /* what the guard reads of its caller too */
			char pp[64], buf[4096];
			snprintf(pp, sizeof(pp), "/proc/%d/fd/%d", (int)req.pid, (int)req.data.args[0]);
			int d = open(pp, O_PATH | O_CLOEXEC);
			snprintf(pp, sizeof(pp), "/proc/%d/status", (int)req.pid);
			int st = open(pp, O_RDONLY | O_CLOEXEC);
			if (st >= 0) {
				(void)!read(st, buf, sizeof(buf));
				close(st);
			}
			if (d >= 0)
				close(d);
		}
		int parent = dirfd_;
		if (mode == ADDFD_RESOLVE) { /* the least a race-free check needs */
			char pp[64], place[4096];
			snprintf(pp, sizeof(pp), "/proc/%d/fd/%d", (int)req.pid, (int)req.data.args[0]);
			int d = open(pp, O_PATH | O_CLOEXEC);
			struct open_how how = { .flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
						.resolve = RESOLVE_NO_MAGICLINKS };
			parent = d < 0 ? -1 : (int)syscall(SYS_openat2, d, ".", &how, sizeof(how));
			struct stat st;
			snprintf(pp, sizeof(pp), "/proc/thread-self/fd/%d", parent);
			if (parent < 0 || fstat(parent, &st) < 0 || readlink(pp, place, sizeof(place)) < 0)
				parent = dirfd_;
			if (d >= 0)
				close(d);
		}
		if (ioctl(listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &req.id) < 0)
			continue;
		int fd = openat(parent, path, (int)req.data.args[2] | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
				(mode_t)req.data.args[3]);
		if (parent != dirfd_)
			close(parent);
		if (fd < 0) {
			resp.error = -errno;
			(void)ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &resp);
			continue;
		}
		struct seccomp_notif_addfd a = { .id = req.id, .flags = SECCOMP_ADDFD_FLAG_SEND,
						 .srcfd = (uint32_t)fd };
		(void)ioctl(listener, SECCOMP_IOCTL_NOTIF_ADDFD, &a);
		close(fd);
	}
}

static double now_us(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* the filter: openat with O_CREAT notified, the rest allowed; on this
 * thread alone (the answering thread was started before it) */
static int load_filter(void)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_openat, 0, 3),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[2])),
		BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, O_CREAT, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog p = { .len = sizeof(f) / sizeof(f[0]), .filter = f };
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -1;
	return (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, &p);
}

/* a wait status as a shell's exit status */
static int status_of(int st)
{
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* fds 0-2 over a unix socket, with one byte */
static int fds_send(int s, const int *fds)
{
	char c = 0, buf[CMSG_SPACE(3 * sizeof(int))] = { 0 };
	struct iovec io = { &c, 1 };
	struct msghdr m = { .msg_iov = &io, .msg_iovlen = 1, .msg_control = buf, .msg_controllen = sizeof(buf) };
	struct cmsghdr *h = CMSG_FIRSTHDR(&m);
	h->cmsg_level = SOL_SOCKET;
	h->cmsg_type = SCM_RIGHTS;
	h->cmsg_len = CMSG_LEN(3 * sizeof(int));
	memcpy(CMSG_DATA(h), fds, 3 * sizeof(int));
	return sendmsg(s, &m, MSG_NOSIGNAL) == 1 ? 0 : -1;
}

static int fds_recv(int s, int *fds)
{
	char c, buf[CMSG_SPACE(3 * sizeof(int))];
	struct iovec io = { &c, 1 };
	struct msghdr m = { .msg_iov = &io, .msg_iovlen = 1, .msg_control = buf, .msg_controllen = sizeof(buf) };
	if (recvmsg(s, &m, MSG_CMSG_CLOEXEC) != 1)
		return -1;
	struct cmsghdr *h = CMSG_FIRSTHDR(&m);
	if (!h || h->cmsg_type != SCM_RIGHTS || h->cmsg_len != CMSG_LEN(3 * sizeof(int)))
		return -1;
	memcpy(fds, CMSG_DATA(h), 3 * sizeof(int));
	return 0;
}

/* a spare: waits on its end of a socketpair for fds 0-2, then execs */
static pid_t spare_fork(char **argv, int *ret_fd)
{
	int sp[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) < 0)
		return -1;
	pid_t pid = fork();
	if (pid == 0) {
		int fds[3];
		close(sp[0]);
		if (fds_recv(sp[1], fds) < 0)
			_exit(127);
		for (int i = 0; i < 3; i++)
			dup2(fds[i], i);
		execv(argv[0], argv);
		_exit(127);
	}
	close(sp[1]);
	*ret_fd = sp[0];
	return pid;
}

static int serve(const char *path, char **argv)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
	int l = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), spare_fd;
	if (l < 0 || bind(l, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(l, 16) < 0)
		return 1;
	pid_t spare = spare_fork(argv, &spare_fd);
	for (;;) {
		int c = accept4(l, NULL, NULL, SOCK_CLOEXEC), fds[3], st;
		if (c < 0 || spare < 0)
			return 1;
		if (fds_recv(c, fds) == 0 && fds_send(spare_fd, fds) == 0) {
			pid_t shell = spare;
			close(spare_fd);
			for (int i = 0; i < 3; i++)
				close(fds[i]);
			spare = spare_fork(argv, &spare_fd);
			if (waitpid(shell, &st, 0) == shell)
				(void)!write(c, &st, sizeof(st));
		}
		close(c);
	}
}

static int join(const char *path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
	int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), st;
	const int fds[3] = { 0, 1, 2 };
	if (s < 0 || connect(s, (struct sockaddr *)&a, sizeof(a)) < 0 || fds_send(s, fds) < 0 ||
	    read(s, &st, sizeof(st)) != sizeof(st))
		return 127;
	return status_of(st);
}

int main(int argc, char **argv)
{
	if (argc >= 3 && strcmp(argv[1], "spawn") == 0) {
		pid_t pid;
		int st;
		if (posix_spawn(&pid, argv[2], NULL, NULL, argv + 2, environ) != 0 || waitpid(pid, &st, 0) != pid)
			return 127;
		return status_of(st);
	}
	if (argc >= 4 && strcmp(argv[1], "serve") == 0)
		return serve(argv[2], argv + 3);
	if (argc == 3 && strcmp(argv[1], "join") == 0)
		return join(argv[2]);
	if (argc != 4) {
		fprintf(stderr, "usage: floor spawn PROG ARG... | floor serve SOCK PROG ARG... | floor join SOCK | floor none|continue|addfd|addfd+proc|addfd+resolve DIR N\n");
		return 2;
	}
	int m = 0, n = atoi(argv[3]);
	while (m < N_MODES && strcmp(argv[1], names[m]) != 0)
		m++;
	if ((dirfd_ = open(argv[2], O_DIRECTORY | O_RDONLY | O_CLOEXEC)) < 0 || n <= 0 || m == N_MODES) {
		fprintf(stderr, "floor: bad arguments\n");
		return 2;
	}
	mode = (enum mode)m;
	pthread_t t;
	/* the answering thread first: the filter is then loaded for this
	 * thread alone, so the answers are not notified themselves */
	int threads = getenv("FLOOR_THREADS") ? atoi(getenv("FLOOR_THREADS")) : 2;
	for (int i = 0; m != NONE && i < threads; i++)
		if (pthread_create(&t, NULL, answer, NULL) != 0)
			return 1;
	if (m != NONE && (listener = load_filter()) < 0) {
		perror("seccomp");
		return 1;
	}
	/* 6.6: the caller wakes the answering thread on its own CPU */
	if (m != NONE && getenv("FLOOR_SYNC"))
		(void)ioctl(listener, SECCOMP_IOW(4, uint64_t), 1UL);
	/* the creates made by a child process, as the guard's callers are
	 * other processes than its threads' */
	if (m != NONE) {
		pid_t child = fork();
		if (child > 0) {
			int st;
			waitpid(child, &st, 0);
			return WIFEXITED(st) ? WEXITSTATUS(st) : 1;
		}
		if (child < 0)
			return 1;
	}
	char name[64];
	double *us = calloc((size_t)n, sizeof(double));
	double gap = getenv("FLOOR_GAP_US") ? atof(getenv("FLOOR_GAP_US")) : 0;
	for (int i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "f%d", i);
		double t0 = now_us();
		int fd = openat(dirfd_, name, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0644);
		us[i] = now_us() - t0;
		if (fd < 0) {
			perror(name);
			return 1;
		}
		close(fd);
		/* FLOOR_GAP_US: work between creates, as a real caller does
		 * (the answering threads go idle meanwhile) */
		for (double g0 = now_us(); gap > 0 && now_us() - g0 < gap;)
			;
	}
	for (int i = 0; i < n; i++) { /* not timed */
		snprintf(name, sizeof(name), "f%d", i);
		(void)unlinkat(dirfd_, name, 0);
	}
	qsort(us, (size_t)n, sizeof(double), cmp);
	printf("%.1f\n", us[n / 2]);
	return 0;
}
