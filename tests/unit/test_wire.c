/* test_wire.c - the wire between a start and its sandbox (sandbox/wire.h):
 * a send to a peer that is gone is an error the caller sees (-EPIPE), never
 * a SIGPIPE that kills the start (a login shell must fall back, not die). */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sandbox/wire.h"
#include "unit.h"

static int peer_gone(int type, int sv[2])
{
	if (socketpair(AF_UNIX, type | SOCK_CLOEXEC, 0, sv) < 0)
		return -1;
	close(sv[1]);
	return 0;
}

static void test_peer_gone(void)
{
	/* SIGPIPE at its default: were it raised, this test would die */
	signal(SIGPIPE, SIG_DFL);
	static char big[4 << 20];
	int sv[2];
	CHECK(peer_gone(SOCK_STREAM, sv) == 0);
	CHECK(wire_send_bytes(sv[0], big, sizeof(big), NULL, 0) == -EPIPE);
	close(sv[0]);
	/* gone while the request is on its way (the length taken, the rest
	 * more than the socket holds): a child holds the other end 50 ms */
	CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0);
	pid_t child = fork();
	if (child == 0) {
		close(sv[0]);
		usleep(50000);
		_exit(0);
	}
	close(sv[1]);
	CHECK(child > 0 && wire_send_bytes(sv[0], big, sizeof(big), NULL, 0) == -EPIPE);
	waitpid(child, NULL, 0);
	close(sv[0]);
	CHECK(peer_gone(SOCK_STREAM, sv) == 0);
	struct wire_msg m = { .event = 1 };
	CHECK(wire_send(sv[0], &m, NULL, 0) == -EPIPE);
	close(sv[0]);
}

/* control: the same send with the peer there arrives whole */
static void test_peer_there(void)
{
	int sv[2];
	CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0);
	CHECK(wire_send_bytes(sv[0], "hello", 5, NULL, 0) == 0);
	char *got = NULL;
	size_t len = 0, n_fds = 0;
	int fds[1];
	CHECK(wire_recv_request(sv[1], &got, &len, fds, 1, &n_fds) == 0);
	CHECK(len == 5 && got && memcmp(got, "hello", 5) == 0);
	free(got);
	close(sv[0]);
	close(sv[1]);
}

UNIT_MAIN("wire", test_peer_gone, test_peer_there)
