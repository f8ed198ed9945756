/* wire.h - the messages of a live sandbox: a start asking the sandbox's
 * pid 1 for a shell (the request: its command line, environment, working
 * directory, terminal), and what pid 1 says back (the pty, started,
 * stopped, exited); fds travel with them (SCM_RIGHTS).  Encoding and
 * decoding are pure and bounded; the socket calls are thin. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <termios.h>
#include <sys/ioctl.h>

#define WIRE_MAGIC 0x4e53424aU     /* "NSBJ" */
#define WIRE_VERSION 1
/* A request holds a command line and an environment: ARG_MAX is 2 MiB. */
#define WIRE_REQUEST_MAX (4u << 20)
#define WIRE_MAX_STRINGS 65536
#define WIRE_MAX_FDS 3

/* Which of fds 0, 1, 2 of the shell are the person's terminal (through a
 * pty of the sandbox's own) rather than passed as they are. */
#define WIRE_TTY_0 1u
#define WIRE_TTY_1 2u
#define WIRE_TTY_2 4u

/* A start's request for a shell. */
struct wire_request {
	uint32_t tty;             /* WIRE_TTY_n bits; 0: no terminal */
	struct termios termios;   /* the terminal's, when tty != 0 */
	struct winsize winsize;
	const char *cwd;          /* inside the sandbox */
	const char *path;         /* the program, inside */
	size_t argc, envc;
	char **argv;              /* argc strings, then NULL */
	char **envp;              /* envc strings, then NULL */
};

/* The whole request as bytes (malloc'ed), or NULL (out of memory, or too
 * large). */
void *wire_request_encode(const struct wire_request *q, size_t *ret_len);
/* buf (len bytes, kept by the caller as long as *ret is used: the strings
 * point into it, and argv/envp are malloc'ed, freed with
 * wire_request_release) back into a request: 0, or -EINVAL (not one of
 * ours, a string not ended, counts that do not add up, a bound passed),
 * -ENOMEM. */
int wire_request_decode(char *buf, size_t len, struct wire_request *ret);
void wire_request_release(struct wire_request *q);

/* What pid 1 says to the start, one small message each (the pty's master
 * travels with WIRE_PTY). */
enum wire_event {
	WIRE_PTY = 1,      /* the master of the shell's pty follows */
	WIRE_STARTED,      /* value: the shell's pid inside */
	WIRE_STOPPED,      /* value: the signal that stopped it */
	WIRE_EXITED,       /* value: its wait status */
	WIRE_FAILED,       /* value: a positive errno: it could not be started */
	WIRE_SIGNAL,       /* start -> pid 1: value: a signal for the shell */
	WIRE_CONTINUE,     /* start -> pid 1: the start was continued: so is the shell */
	WIRE_STAT,         /* supervisor <-> pid 1: processes and shells (see below) */
	WIRE_JOIN,         /* supervisor -> pid 1: a start's connection follows */
	WIRE_LISTENER,     /* pid 1 -> supervisor: the seccomp listener follows */
	WIRE_STOP,         /* start -> supervisor: end the sandbox and all in it */
	WIRE_RETIRE,       /* start -> supervisor -> pid 1: a newer sandbox serves
			    * the work tree: end as soon as nothing runs */
	WIRE_PROXY,        /* pid 1 -> supervisor: the proxy's listening socket
			    * follows (network = allow, proxy-run.h) */
};

struct wire_msg {
	uint32_t magic;
	uint32_t event;
	int64_t value;
	int64_t value2;    /* WIRE_STAT: shells; else 0 */
	int64_t value3;    /* WIRE_STAT: seconds idle (-1: busy); else 0 */
};

/* One datagram of len bytes with up to WIRE_MAX_FDS fds, and its receipt
 * (fds close-on-exec; a cut control part is -EBADMSG, its fds closed): the
 * bytes sent or received, or -errno.  The creation guard's requests
 * (guard.c) use them as they are. */
ssize_t wire_sendmsg(int sock, const void *buf, size_t len, const int *fds, size_t n_fds);
ssize_t wire_recvmsg(int sock, void *buf, size_t len, int *fds, size_t max_fds, size_t *n_fds);

/* One message, with up to WIRE_MAX_FDS fds (n_fds 0: none).  0 or -errno. */
int wire_send(int sock, const struct wire_msg *m, const int *fds, size_t n_fds);
/* One message into *ret and the fds that came with it (close-on-exec;
 * *ret_n_fds of them): 0, -EPIPE at end of file, -EBADMSG (not ours: any
 * fds that came are closed), or -errno. */
int wire_recv(int sock, struct wire_msg *ret, int *ret_fds, size_t max_fds, size_t *ret_n_fds);

/* All of buf, with fds on its first byte (stream sockets). */
int wire_send_bytes(int sock, const void *buf, size_t len, const int *fds, size_t n_fds);
/* A request as wire_send_bytes sent it, length first: 0 and *ret (malloc'ed)
 * and its fds, or -errno (-EMSGSIZE past WIRE_REQUEST_MAX, -EPIPE). */
int wire_recv_request(int sock, char **ret, size_t *ret_len, int *ret_fds, size_t max_fds,
		      size_t *ret_n_fds);
