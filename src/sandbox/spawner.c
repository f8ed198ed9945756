/* spawner.c - pid 1 of a live sandbox, once the sandbox is built: it starts
 * the shells that starts ask for, reaps every process left to it, tells each
 * start what became of its shell, and ends the sandbox linger seconds after
 * the last process in it ended.  It runs inside, under the sandbox's filter
 * and Landlock, without capabilities (MUST-8), so the shells it forks start
 * with all of that (MUST-4, MUST-11).  Forked, not spawned with shared
 * memory (CLONE_VFORK would save 0.15 to 0.3 ms a join): a process inside
 * could stop such a child before its exec, and with it pid 1 and every
 * later join of the work tree.
 *
 * SP-1 spare-not-waited (t-live.sh): forked ahead instead: while joins
 *      come, a spare child waits for the next request (a fork of pid 1
 *      costs 0.25 to 0.3 ms here, and the child's first writes to what it shares as much
 *      again, all of it off the join's way now).  pid 1 never waits for the
 *      spare: it hands the request over on a socket and goes on (a
 *      request that does not fit at once is not waited for: that spare
 *      goes and the join forks); a spare that stops or dies is killed and
 *      forgotten, and the next join forks as before.  The spare is not a process of the sandbox's: it is not
 *      counted (nsb ps, the linger), but it is one of max_procs; it goes
 *      after SPARE_KEEP_S without a join (and is forked again once after
 *      pid 1 gives back its memory, which it would otherwise keep).
 *
 * Every process of the sandbox descends from pid 1 (the shells are its
 * children, and the kernel hands it every orphan), so "nothing runs" is
 * "pid 1 has no child" (but its spare).
 *
 * A start's request comes over its own connection, which the supervisor
 * passed in after checking who made it (live.c, LIVE-2); pid 1 trusts it as
 * much as the start itself, and bounds what it reads. */
#include "sandbox/inside.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>

#include "base/file.h"
#include "base/trim.h"
#include "base/util.h"
#include "sandbox/wire.h"

#define MAX_SHELLS 512
/* A start sends its request at once; one that does not is dropped. */
#define REQUEST_TIMEOUT_S 10
/* Before the first shell, the sandbox waits this long for it. */
#define FIRST_SHELL_GRACE_S 30
/* A spare is kept this long after the last join. */
#define SPARE_KEEP_S 30

struct shell {
	pid_t pid;     /* 0: a free slot */
	int conn;      /* the start's connection; -1 once it is gone */
};

static struct shell shells[MAX_SHELLS];
static size_t n_shells;
static unsigned shells_started;
/* the spare (0: none), pid 1's end of its socket, when a join last came */
static pid_t spare_pid;
static int spare_sock = -1;
static long last_join_s = -1;
static bool spare_renewed;  /* since the last join */

static long now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec;
}

static void say(int conn, enum wire_event e, int64_t value, const int *fds, size_t n_fds)
{
	struct wire_msg m = { .event = e, .value = value };
	if (conn >= 0)
		(void)wire_send(conn, &m, fds, n_fds);
}

/* In the forked child: the pty (when asked for), fds 0-2, the directory,
 * then the program.  Failures before exec go to the start as WIRE_FAILED. */
static noreturn void shell_exec(int conn, const struct wire_request *q, const int *passed, size_t n_passed)
{
	int fds[3];
	size_t k = 0;
	if (setsid() < 0)
		goto fail;
	if (q->tty) {
		int master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
		int unlock = 0;
		if (master < 0 || ioctl(master, TIOCSPTLCK, &unlock) < 0)
			goto fail;
		int slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
		if (slave < 0 || ioctl(slave, TIOCSCTTY, 0) < 0)
			goto fail;
		/* the person's terminal as it was: echo, line editing, its size */
		(void)tcsetattr(slave, TCSANOW, &q->termios);
		(void)ioctl(slave, TIOCSWINSZ, &q->winsize);
		say(conn, WIRE_PTY, 0, &master, 1);
		close(master);
		for (int i = 0; i < 3; i++)
			fds[i] = (q->tty & (1u << i)) ? slave : -1;
	}
	for (int i = 0; i < 3; i++) {
		if (!(q->tty & (1u << i))) {
			if (k >= n_passed)
				goto fail;
			fds[i] = passed[k++];
		}
	}
	/* above 2 first, so that dup2 never overwrites a source still needed */
	for (int i = 0; i < 3; i++)
		if ((fds[i] = fcntl(fds[i], F_DUPFD_CLOEXEC, 3)) < 0)
			goto fail;
	for (int i = 0; i < 3; i++)
		if (dup2(fds[i], i) < 0)
			goto fail;
	if (chdir(q->cwd) < 0) {
		dprintf(STDERR_FILENO, "nsbsh: cannot enter '%s' in the sandbox: %s\n", q->cwd, strerror(errno));
		errno = ENOENT;
		goto fail;
	}
	/* the shell is the user's own process (pid 1 stays undumpable, MUST-8) */
	(void)prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	/* MUST-5: fds 0, 1, 2 and nothing else (from here on, failures can
	 * only be said on the shell's own stderr) */
	if (close_range(3, ~0U, 0) < 0)
		for (int fd = 3; fd < 65536; fd++)
			close(fd);
	execve(q->path, q->argv, q->envp);
	dprintf(STDERR_FILENO, "nsbsh: cannot run '%s' in the sandbox: %s\n", q->path, strerror(errno));
	_exit(errno == ENOENT ? 127 : 126);
fail:
	say(conn, WIRE_FAILED, errno ? errno : EIO, NULL, 0);
	_exit(126);
}

/* The spare's life: the start's connection, then its request (as the
 * start sent it: decoded again here, in the spare's own memory), then the
 * shell. */
static noreturn void spare_run(int sock)
{
	struct wire_msg m;
	int conn = -1, fds[WIRE_MAX_FDS];
	size_t n = 0, n_fds = 0, len = 0;
	char *buf = NULL;
	struct wire_request q = { 0 };
	if (wire_recv(sock, &m, &conn, 1, &n) < 0 || n != 1 || m.event != WIRE_JOIN ||
	    wire_recv_request(sock, &buf, &len, fds, WIRE_MAX_FDS, &n_fds) < 0)
		_exit(0); /* pid 1 let it go */
	close(sock);
	if (wire_request_decode(buf, len, &q) < 0)
		_exit(126);
	shell_exec(conn, &q, fds, n_fds);
}

static void spare_forget(void)
{
	if (spare_sock >= 0)
		close(spare_sock);
	spare_pid = 0;
	spare_sock = -1;
}

/* The spare killed and reaped at once (it waits in a recvmsg or is
 * stopped: SIGKILL ends it either way), so that it is never counted. */
static void spare_drop(void)
{
	if (spare_pid > 0 && kill(spare_pid, SIGKILL) == 0)
		(void)waitpid(spare_pid, NULL, 0);
	spare_forget();
}

static void spare_make(void)
{
	int sv[2];
	if (spare_pid > 0 || socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return;
	pid_t pid = fork();
	if (pid == 0) {
		/* nothing of pid 1's but fds 0-2 and its socket while it waits
		 * (MUST-5 holds for the shell all the same: shell_exec) */
		int sock = fcntl(sv[1], F_DUPFD_CLOEXEC, 3);
		if (sock != 3 && (sock < 0 || dup3(sock, 3, O_CLOEXEC) < 0))
			_exit(0);
		close_range(4, ~0U, 0);
		spare_run(3);
	}
	close(sv[1]);
	if (pid < 0) {
		close(sv[0]);
		return;
	}
	spare_pid = pid;
	spare_sock = sv[0];
	/* SP-1: a request that does not fit at once (the spare stopped before
	 * pid 1 saw it, or a request larger than the socket's buffer) is not
	 * waited for either: the spare goes, the join forks */
	if (fcntl(spare_sock, F_SETFL, O_NONBLOCK) < 0)
		spare_drop();
}

/* The request to the spare, which becomes its shell: its pid, or 0 (no
 * spare, or one gone: the caller forks). */
static pid_t spare_take(int conn, const char *buf, size_t len, const int *fds, size_t n_fds)
{
	if (spare_pid <= 0)
		return 0;
	struct wire_msg m = { .event = WIRE_JOIN };
	pid_t pid = spare_pid;
	bool sent = wire_send(spare_sock, &m, &conn, 1) == 0 && wire_send_bytes(spare_sock, buf, len, fds, n_fds) == 0;
	if (!sent) {
		spare_drop();
		return 0;
	}
	close(spare_sock);
	spare_pid = 0;
	spare_sock = -1;
	return pid;
}

/* A start's connection: its request read (bounded, with a deadline), the
 * shell forked.  The connection is then the start's line to it. */
static void join(int conn)
{
	struct timeval tv = { .tv_sec = REQUEST_TIMEOUT_S };
	setsockopt(conn, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	char *buf = NULL;
	size_t len = 0, n_fds = 0;
	int fds[WIRE_MAX_FDS];
	struct wire_request q = { 0 };
	size_t slot = MAX_SHELLS;
	for (size_t i = 0; i < MAX_SHELLS && slot == MAX_SHELLS; i++)
		if (!shells[i].pid)
			slot = i;
	int r = wire_recv_request(conn, &buf, &len, fds, WIRE_MAX_FDS, &n_fds);
	if (r == 0)
		r = wire_request_decode(buf, len, &q);
	if (r == 0 && slot == MAX_SHELLS)
		r = -EAGAIN;
	last_join_s = now_s();
	spare_renewed = false;
	pid_t pid = r == 0 ? spare_take(conn, buf, len, fds, n_fds) : -1;
	if (pid == 0)
		pid = fork();
	if (pid == 0)
		shell_exec(conn, &q, fds, n_fds);
	if (r == 0 && pid < 0)
		r = -errno;
	for (size_t i = 0; i < n_fds; i++)
		close(fds[i]);
	wire_request_release(&q);
	free(buf);
	if (r < 0) {
		say(conn, WIRE_FAILED, -r, NULL, 0);
		close(conn);
		return;
	}
	shells[slot] = (struct shell){ .pid = pid, .conn = conn };
	n_shells++;
	shells_started++;
	say(conn, WIRE_STARTED, pid, NULL, 0);
}

static struct shell *shell_of(pid_t pid)
{
	for (size_t i = 0; i < MAX_SHELLS; i++)
		if (shells[i].pid == pid)
			return &shells[i];
	return NULL;
}

/* Every child that changed state: a shell's end or stop is its start's to
 * know; an orphan's end is only reaped. */
static void reap(void)
{
	for (;;) {
		int status;
		pid_t pid = waitpid(-1, &status, WNOHANG | WUNTRACED);
		if (pid <= 0)
			return;
		if (pid == spare_pid) {
			/* stopped or gone before it had a request: never waited for */
			if (WIFSTOPPED(status))
				spare_drop();
			else
				spare_forget();
			continue;
		}
		struct shell *s = shell_of(pid);
		if (!s)
			continue;
		if (WIFSTOPPED(status)) {
			say(s->conn, WIRE_STOPPED, WSTOPSIG(status), NULL, 0);
			continue;
		}
		say(s->conn, WIRE_EXITED, status, NULL, 0);
		if (s->conn >= 0)
			close(s->conn);
		*s = (struct shell){ 0 };
		n_shells--;
	}
}

/* What a start says while its shell runs. */
static void from_start(struct shell *s)
{
	struct wire_msg m;
	size_t n_fds = 0;
	int fds[1];
	int r = wire_recv(s->conn, &m, fds, 0, &n_fds);
	if (r == -EBADMSG || r == -EAGAIN)
		return;
	if (r < 0) {
		/* the start is gone (killed, its terminal closed): a hangup,
		 * as a terminal's for the shell it ran */
		close(s->conn);
		s->conn = -1;
		kill(s->pid, SIGHUP);
		kill(s->pid, SIGCONT);
		return;
	}
	if (m.event == WIRE_SIGNAL && m.value > 0 && m.value < 65) {
		/* the terminal's signals go to the whole job (the shell's
		 * process group), the others to the shell, as kill(1) would */
		int sig = (int)m.value;
		if (sig == SIGINT || sig == SIGQUIT)
			kill(-s->pid, sig);
		else
			kill(s->pid, sig);
	} else if (m.event == WIRE_CONTINUE) {
		kill(-s->pid, SIGCONT);
	}
}

/* The number of processes of the sandbox but pid 1 (its /proc; the
 * guard's helper is a thread of pid 1). */
static long processes(void)
{
	long n = 0;
	int fd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd < 0 ? NULL : fdopendir(fd);
	if (!d) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	struct dirent *e;
	while ((e = readdir(d)))
		if (e->d_name[0] >= '1' && e->d_name[0] <= '9' && strcmp(e->d_name, "1") != 0)
			n++;
	closedir(d);
	return n;
}

static bool no_child(void)
{
	siginfo_t si;
	if (spare_pid > 0)
		return n_shells == 0 && processes() == 1; /* the spare alone */
	return waitid(P_ALL, 0, &si, WEXITED | WSTOPPED | WCONTINUED | WNOHANG | WNOWAIT) < 0 &&
	       errno == ECHILD;
}

noreturn void spawner_run(const struct sandbox_spec *spec, int ctl)
{
	unsigned linger = spec->linger;
	sigset_t chld;
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, NULL);
	int sfd = signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sfd < 0)
		_exit(EXIT_SANDBOX_SETUP);
	long idle_since = now_s();
	bool trimmed = false;
	for (;;) {
		/* a spare while joins come (after one, the next is likely) */
		if (last_join_s >= 0 && now_s() - last_join_s >= SPARE_KEEP_S)
			spare_drop();
		else if (last_join_s >= 0 && !spare_pid)
			spare_make();
		bool idle = no_child();
		if (!idle)
			idle_since = -1;
		else if (idle_since < 0)
			idle_since = now_s();
		int timeout = -1;
		if (idle) {
			long wait = shells_started ? (long)linger : FIRST_SHELL_GRACE_S;
			long left = wait - (now_s() - idle_since);
			if (left <= 0) {
				spare_drop(); /* at once, not in the namespace's teardown */
				_exit(0);     /* the sandbox ends: nothing runs in it any more */
			}
			timeout = left > INT_MAX / 1000 ? INT_MAX : (int)(left * 1000);
		}
		struct pollfd p[2 + MAX_SHELLS];
		struct shell *who[MAX_SHELLS];
		size_t n = 2;
		p[0] = (struct pollfd){ .fd = ctl, .events = POLLIN };
		p[1] = (struct pollfd){ .fd = sfd, .events = POLLIN };
		for (size_t i = 0; i < MAX_SHELLS; i++)
			if (shells[i].pid && shells[i].conn >= 0) {
				who[n - 2] = &shells[i];
				p[n++] = (struct pollfd){ .fd = shells[i].conn, .events = POLLIN };
			}
		if (!trimmed && (timeout < 0 || timeout > MEMORY_TRIM_QUIET_MS))
			timeout = MEMORY_TRIM_QUIET_MS;
		if (spare_pid > 0) {
			long left = SPARE_KEEP_S - (now_s() - last_join_s);
			int ms = left <= 0 ? 0 : (int)(left * 1000);
			if (timeout < 0 || timeout > ms)
				timeout = ms;
		}
		int ready = poll(p, n, timeout);
		if (ready < 0) {
			if (errno == EINTR)
				continue;
			_exit(EXIT_SANDBOX_SETUP);
		}
		/* a while with nothing to do: what it mapped goes (trim.h) */
		if (ready == 0 && !trimmed) {
			/* the spare would keep what pid 1 gives back: a new one
			 * after, once after each join */
			bool renew = spare_pid > 0 && !spare_renewed;
			if (renew)
				spare_drop();
			memory_trim();
			if (renew)
				spare_make();
			spare_renewed = true;
		}
		trimmed = ready == 0;
		if (p[1].revents) {
			struct signalfd_siginfo si;
			while (read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si))
				;
			reap();
		}
		for (size_t i = 2; i < n; i++)
			if (p[i].revents && who[i - 2]->pid && who[i - 2]->conn == p[i].fd)
				from_start(who[i - 2]);
		if (p[0].revents) {
			struct wire_msg m;
			int fds[1];
			size_t n_fds = 0;
			int r = wire_recv(ctl, &m, fds, 1, &n_fds);
			if (r == -EPIPE)
				_exit(0); /* the supervisor is gone: so is the sandbox (MUST-6) */
			if (r == 0 && m.event == WIRE_JOIN && n_fds == 1)
				join(fds[0]);
			else if (r == 0 && m.event == WIRE_STAT) {
				long procs = processes();
				struct wire_msg a = { .event = WIRE_STAT, .value = procs > 0 && spare_pid > 0 ? procs - 1 : procs,
						      .value2 = (int64_t)n_shells,
						      .value3 = idle_since < 0 ? -1 : now_s() - idle_since };
				(void)wire_send(ctl, &a, NULL, 0);
			} else if (r == 0 && m.event == WIRE_RETIRE) {
				linger = 0;
				shells_started += !shells_started; /* no first-shell grace either */
			}
			for (size_t i = 0; i < n_fds && !(r == 0 && m.event == WIRE_JOIN); i++)
				close(fds[i]);
		}
	}
}
