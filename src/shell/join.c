/* join.c - this start's shell in a live sandbox (see join.h).
 *
 * With standard input a terminal, the shell gets a pty of the sandbox's own
 * devpts (so `tty`, /dev/tty, job control and passphrase prompts work
 * inside, and nothing inside holds the person's terminal): this process
 * puts the terminal in raw mode while it is in the terminal's foreground,
 * and copies bytes both ways; the pty's line discipline inside makes
 * Ctrl-C, Ctrl-Z and the rest.  Window size changes follow (SIGWINCH).
 * When the shell stops (a non-interactive one, by Ctrl-Z), this process
 * stops too, so that the outer shell's job control sees it, and continues
 * it with itself.  The fds that are not the terminal are passed as they
 * are, and so are all three without a terminal: then the terminal's
 * signals that reach this process are passed on. */
#include "shell/join.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>

#include "base/file.h"
#include "base/util.h"
#include "sandbox/wire.h"

struct relay {
	int conn;
	int master;        /* -1: none (yet, or closed) */
	int out;           /* where the pty's output goes: the terminal (1 or 2) */
	bool tty;          /* standard input is the terminal */
	bool raw;          /* the terminal is in raw mode (saved is what it was) */
	bool stdin_open;
	struct termios saved;
};

static bool foreground(void)
{
	pid_t fg = tcgetpgrp(STDIN_FILENO);
	return fg >= 0 && fg == getpgrp();
}

static void raw_on(struct relay *r)
{
	if (r->raw || !r->tty || !foreground() || tcgetattr(STDIN_FILENO, &r->saved) < 0)
		return;
	struct termios t = r->saved;
	cfmakeraw(&t);
	r->raw = tcsetattr(STDIN_FILENO, TCSADRAIN, &t) == 0;
}

static void raw_off(struct relay *r)
{
	if (r->raw)
		tcsetattr(STDIN_FILENO, TCSADRAIN, &r->saved);
	r->raw = false;
}

static void winsize_follow(const struct relay *r)
{
	struct winsize ws;
	if (r->master >= 0 && ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0)
		ioctl(r->master, TIOCSWINSZ, &ws);
}

static void tell(const struct relay *r, enum wire_event e, int64_t value)
{
	struct wire_msg m = { .event = e, .value = value };
	(void)wire_send(r->conn, &m, NULL, 0);
}

/* The shell stopped: so does this process, the terminal as it was; back
 * in the foreground (SIGCONT), raw again, and the shell continued. */
static void stop_with_shell(struct relay *r, const sigset_t *blocked)
{
	raw_off(r);
	sigset_t tstp;
	sigemptyset(&tstp);
	sigaddset(&tstp, SIGTSTP);
	struct sigaction dfl = { .sa_handler = SIG_DFL }, old;
	sigaction(SIGTSTP, &dfl, &old);
	sigprocmask(SIG_UNBLOCK, &tstp, NULL);
	raise(SIGTSTP);
	sigprocmask(SIG_SETMASK, blocked, NULL);
	sigaction(SIGTSTP, &old, NULL);
	raw_on(r);
	winsize_follow(r);
	tell(r, WIRE_CONTINUE, 0);
}

/* bytes from fd to to; false at end of file or an error of fd */
static bool copy(int fd, int to)
{
	char buf[16384];
	ssize_t n = read(fd, buf, sizeof(buf));
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return true;
	if (n <= 0)
		return false;
	(void)write_full(to, buf, (size_t)n);
	return true;
}

static int request_send(const struct relay *r, const struct join_request *q)
{
	struct wire_request w = { .cwd = q->cwd, .path = q->path, .argc = (size_t)q->argc,
				  .argv = (char **)q->argv, .envp = (char **)q->envp };
	while (q->envp[w.envc])
		w.envc++;
	int fds[3];
	size_t n_fds = 0;
	struct stat t0, ti;
	if (r->tty) {
		w.tty = WIRE_TTY_0;
		tcgetattr(STDIN_FILENO, &w.termios);
		ioctl(STDIN_FILENO, TIOCGWINSZ, &w.winsize);
		fstat(STDIN_FILENO, &t0);
		for (int i = 1; i <= 2; i++)
			if (isatty(i) && fstat(i, &ti) == 0 && ti.st_rdev == t0.st_rdev)
				w.tty |= 1u << i;
	}
	for (int i = 0; i < 3; i++)
		if (!(w.tty & (1u << i)))
			fds[n_fds++] = i;
	size_t len;
	_cleanup_free_ void *buf = wire_request_encode(&w, &len);
	if (!buf)
		return -E2BIG;
	return wire_send_bytes(r->conn, buf, len, fds, n_fds);
}

int join_run(int conn, const struct join_request *q, int *ret_status, pid_t *ret_pid, char **ret_err)
{
	*ret_pid = 0;
	struct relay r = { .conn = conn, .master = -1, .tty = isatty(STDIN_FILENO), .stdin_open = true };
	r.out = isatty(STDOUT_FILENO) ? STDOUT_FILENO : STDERR_FILENO;
	int rc = request_send(&r, q);
	if (rc < 0)
		return rc == -EPIPE || rc == -ECONNRESET ? -EAGAIN : rc;

	sigset_t set, old;
	sigemptyset(&set);
	int sigs[] = { SIGWINCH, SIGINT, SIGQUIT, SIGTERM, SIGHUP, SIGCONT, SIGTSTP };
	for (size_t i = 0; i < ARRAY_SIZE(sigs); i++)
		sigaddset(&set, sigs[i]);
	sigprocmask(SIG_BLOCK, &set, &old);
	int sfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	bool started = false, exited = false;
	int status = 0;
	rc = 0;
	while (!exited) {
		struct pollfd p[4] = {
			{ .fd = conn, .events = POLLIN },
			{ .fd = sfd, .events = POLLIN },
			{ .fd = r.master, .events = POLLIN },
			{ .fd = r.master >= 0 && r.raw && r.stdin_open ? STDIN_FILENO : -1, .events = POLLIN },
		};
		if (poll(p, 4, -1) < 0) {
			if (errno == EINTR)
				continue;
			rc = -errno;
			break;
		}
		if (p[2].revents && !copy(r.master, r.out)) {
			/* every holder of the pty's other side is gone */
			close(r.master);
			r.master = -1;
		}
		if (p[3].revents && !copy(STDIN_FILENO, r.master)) {
			/* the terminal is gone: a hangup for the shell */
			r.stdin_open = false;
			if (r.master >= 0)
				close(r.master);
			r.master = -1;
		}
		if (p[1].revents) {
			struct signalfd_siginfo si;
			while (read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
				int sig = (int)si.ssi_signo;
				if (sig == SIGWINCH)
					winsize_follow(&r);
				else if (sig == SIGCONT)
					raw_on(&r);
				else if (sig == SIGTSTP && r.master < 0)
					tell(&r, WIRE_SIGNAL, SIGTSTP);
				else if (sig != SIGTSTP && !(r.raw && (sig == SIGINT || sig == SIGQUIT)))
					tell(&r, WIRE_SIGNAL, sig);
			}
		}
		if (p[0].revents) {
			struct wire_msg m;
			int fd = -1;
			size_t n_fds = 0;
			int e = wire_recv(conn, &m, &fd, 1, &n_fds);
			if (e == -EBADMSG)
				continue;
			if (e < 0) {
				/* before WIRE_STARTED: the sandbox ended as it was
				 * asked (try a new one); after: it was stopped */
				rc = started ? 0 : -EAGAIN;
				status = SIGKILL;
				break;
			}
			if (m.event == WIRE_PTY && n_fds == 1 && r.master < 0) {
				r.master = fd;
				raw_on(&r);
				winsize_follow(&r);
			} else if (n_fds) {
				close(fd);
			}
			if (m.event == WIRE_STARTED) {
				started = true;
				*ret_pid = (pid_t)m.value;
			}
			else if (m.event == WIRE_STOPPED)
				stop_with_shell(&r, &set);
			else if (m.event == WIRE_EXITED) {
				status = (int)m.value;
				exited = true;
			} else if (m.event == WIRE_FAILED) {
				if (asprintf(ret_err, "cannot start the shell in the sandbox: %s", strerror((int)m.value)) < 0)
					*ret_err = NULL;
				rc = -(int)m.value;
				break;
			}
		}
	}
	/* what the shell wrote last, before the terminal is given back */
	if (r.master >= 0) {
		int fl = fcntl(r.master, F_GETFL);
		fcntl(r.master, F_SETFL, fl | O_NONBLOCK);
		while (copy(r.master, r.out)) {
			struct pollfd p = { .fd = r.master, .events = POLLIN };
			if (poll(&p, 1, 0) != 1)
				break;
		}
		close(r.master);
	}
	raw_off(&r);
	if (sfd >= 0)
		close(sfd);
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (rc == 0)
		*ret_status = status;
	return rc;
}
