/* join.h - this start's shell in a live sandbox (sandbox/live.h): the
 * request sent to its pid 1, then, until the shell ends, the person's
 * terminal relayed through the shell's own pty (when standard input is a
 * terminal), signals passed on, job control followed.  It talks to the
 * terminal: top level. */
#pragma once

#include <sys/types.h>

struct join_request {
	const char *cwd;         /* inside */
	const char *path;        /* the program, inside */
	int argc;
	char *const *argv;
	char *const *envp;       /* NULL-ended */
};

/* conn: a connection to the live sandbox whose WIRE_JOIN was sent
 * (live_connect).  0 and the shell's wait status (as waitpid gives it) and
 * its pid inside (0: unknown);
 * -EAGAIN when the sandbox ended before it started the shell (try again:
 * a new one); another negative errno with *ret_err when the shell could
 * not be started. */
int join_run(int conn, const struct join_request *q, int *ret_status, pid_t *ret_pid, char **ret_err);
