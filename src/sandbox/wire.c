/* wire.c - the messages of a live sandbox (see wire.h).
 *
 * A request: a fixed header, then the strings, each ended by a NUL: the
 * working directory, the program, argc arguments, envc variables.  The
 * header's total is the length of all of it, so a decoder never reads past
 * what it was given. */
#include "sandbox/wire.h"

#include <stdio.h>
#include <sys/socket.h>

#include "base/file.h"
#include "base/util.h"

struct wire_header {
	uint32_t magic;
	uint32_t version;
	uint64_t total;     /* bytes of the header and the strings */
	uint32_t tty;
	uint32_t argc;
	uint32_t envc;
	uint32_t pad;
	struct termios termios;
	struct winsize winsize;
};

void *wire_request_encode(const struct wire_request *q, size_t *ret_len)
{
	size_t len = sizeof(struct wire_header) + strlen(q->cwd) + 1 + strlen(q->path) + 1;
	for (size_t i = 0; i < q->argc; i++)
		len += strlen(q->argv[i]) + 1;
	for (size_t i = 0; i < q->envc; i++)
		len += strlen(q->envp[i]) + 1;
	if (len > WIRE_REQUEST_MAX || q->argc + q->envc > WIRE_MAX_STRINGS)
		return NULL;
	char *buf = calloc(1, len), *p = buf + sizeof(struct wire_header);
	if (!buf)
		return NULL;
	struct wire_header h = { .magic = WIRE_MAGIC, .version = WIRE_VERSION, .total = len,
				 .tty = q->tty, .argc = (uint32_t)q->argc, .envc = (uint32_t)q->envc,
				 .termios = q->termios, .winsize = q->winsize };
	memcpy(buf, &h, sizeof(h));
	const char *fixed[] = { q->cwd, q->path };
	for (size_t i = 0; i < 2 + q->argc + q->envc; i++) {
		const char *s = i < 2 ? fixed[i] : i < 2 + q->argc ? q->argv[i - 2] : q->envp[i - 2 - q->argc];
		size_t n = strlen(s) + 1;
		memcpy(p, s, n);
		p += n;
	}
	*ret_len = len;
	return buf;
}

void wire_request_release(struct wire_request *q)
{
	free(q->argv);
	free(q->envp);
	*q = (struct wire_request){ 0 };
}

int wire_request_decode(char *buf, size_t len, struct wire_request *ret)
{
	struct wire_header h;
	if (len < sizeof(h))
		return -EINVAL;
	memcpy(&h, buf, sizeof(h));
	if (h.magic != WIRE_MAGIC || h.version != WIRE_VERSION || h.total != len ||
	    len > WIRE_REQUEST_MAX || (uint64_t)h.argc + h.envc > WIRE_MAX_STRINGS || h.argc == 0 ||
	    (h.tty & ~(WIRE_TTY_0 | WIRE_TTY_1 | WIRE_TTY_2)))
		return -EINVAL;
	size_t n = 2 + (size_t)h.argc + h.envc;
	char **strs = calloc(n, sizeof(*strs));
	if (!strs)
		return -ENOMEM;
	char *p = buf + sizeof(h), *end = buf + len;
	for (size_t i = 0; i < n; i++) {
		char *nul = p < end ? memchr(p, '\0', (size_t)(end - p)) : NULL;
		if (!nul) {
			free(strs);
			return -EINVAL;
		}
		strs[i] = p;
		p = nul + 1;
	}
	if (p != end) {
		free(strs);
		return -EINVAL;
	}
	struct wire_request q = { .tty = h.tty, .termios = h.termios, .winsize = h.winsize,
				  .cwd = strs[0], .path = strs[1], .argc = h.argc, .envc = h.envc };
	q.argv = calloc(h.argc + 1, sizeof(char *));
	q.envp = calloc(h.envc + 1, sizeof(char *));
	if (!q.argv || !q.envp) {
		free(strs);
		wire_request_release(&q);
		return -ENOMEM;
	}
	memcpy(q.argv, strs + 2, h.argc * sizeof(char *));
	memcpy(q.envp, strs + 2 + h.argc, h.envc * sizeof(char *));
	free(strs);
	*ret = q;
	return 0;
}

/* sendmsg of buf with fds in its control data. */
ssize_t wire_sendmsg(int sock, const void *buf, size_t len, const int *fds, size_t n_fds)
{
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int) * WIRE_MAX_FDS)];
	} u;
	memset(&u, 0, sizeof(u));
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	if (n_fds > WIRE_MAX_FDS)
		return -EINVAL;
	if (n_fds > 0) {
		msg.msg_control = u.buf;
		msg.msg_controllen = CMSG_SPACE(sizeof(int) * n_fds);
		struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * n_fds);
		memcpy(CMSG_DATA(c), fds, sizeof(int) * n_fds);
	}
	ssize_t n;
	do
		n = sendmsg(sock, &msg, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	return n < 0 ? -errno : n;
}

/* recvmsg into buf with the fds of its control data; a message with a
 * control part that is not SCM_RIGHTS, or cut (MSG_CTRUNC), loses its fds
 * and is -EBADMSG. */
ssize_t wire_recvmsg(int sock, void *buf, size_t len, int *fds, size_t max_fds, size_t *n_fds)
{
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int) * WIRE_MAX_FDS)];
	} u;
	struct iovec iov = { .iov_base = buf, .iov_len = len };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
			      .msg_controllen = sizeof(u.buf) };
	*n_fds = 0;
	ssize_t n;
	do
		n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	bool bad = msg.msg_flags & MSG_CTRUNC;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) {
			bad = true;
			continue;
		}
		size_t k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		int got[WIRE_MAX_FDS * 2];
		if (k > ARRAY_SIZE(got))
			k = ARRAY_SIZE(got);
		memcpy(got, CMSG_DATA(c), k * sizeof(int));
		for (size_t i = 0; i < k; i++) {
			if (*n_fds < max_fds && !bad)
				fds[(*n_fds)++] = got[i];
			else
				close(got[i]);
		}
	}
	if (bad) {
		for (size_t i = 0; i < *n_fds; i++)
			close(fds[i]);
		*n_fds = 0;
		return -EBADMSG;
	}
	return n;
}

int wire_send(int sock, const struct wire_msg *m, const int *fds, size_t n_fds)
{
	struct wire_msg c = *m;
	c.magic = WIRE_MAGIC;
	ssize_t n = wire_sendmsg(sock, &c, sizeof(c), fds, n_fds);
	if (n < 0)
		return (int)n;
	if ((size_t)n == sizeof(c))
		return 0;
	/* a stream socket took part of it: the rest without fds */
	return send_full(sock, (char *)&c + n, sizeof(c) - (size_t)n);
}

int wire_recv(int sock, struct wire_msg *ret, int *ret_fds, size_t max_fds, size_t *ret_n_fds)
{
	struct wire_msg m;
	size_t n_fds = 0;
	ssize_t n = wire_recvmsg(sock, &m, sizeof(m), ret_fds, max_fds, &n_fds);
	if (n < 0)
		return (int)n;
	if (n == 0)
		return -EPIPE;
	if ((size_t)n < sizeof(m)) {
		ssize_t rest = read_full(sock, (char *)&m + n, sizeof(m) - (size_t)n);
		if (rest < 0 || (size_t)rest != sizeof(m) - (size_t)n)
			n = -1;
	}
	if (n < 0 || m.magic != WIRE_MAGIC) {
		for (size_t i = 0; i < n_fds; i++)
			close(ret_fds[i]);
		return n < 0 ? -EPIPE : -EBADMSG;
	}
	*ret = m;
	*ret_n_fds = n_fds;
	return 0;
}

int wire_send_bytes(int sock, const void *buf, size_t len, const int *fds, size_t n_fds)
{
	uint64_t n = len;
	ssize_t sent = wire_sendmsg(sock, &n, sizeof(n), fds, n_fds);
	if (sent < 0)
		return (int)sent;
	if ((size_t)sent < sizeof(n)) {
		int r = send_full(sock, (char *)&n + sent, sizeof(n) - (size_t)sent);
		if (r < 0)
			return r;
	}
	return send_full(sock, buf, len);
}

int wire_recv_request(int sock, char **ret, size_t *ret_len, int *ret_fds, size_t max_fds,
		      size_t *ret_n_fds)
{
	uint64_t len;
	size_t n_fds = 0;
	ssize_t n = wire_recvmsg(sock, &len, sizeof(len), ret_fds, max_fds, &n_fds);
	int r = 0;
	if (n < 0)
		return (int)n;
	if (n == 0)
		return -EPIPE;
	if ((size_t)n < sizeof(len)) {
		ssize_t rest = read_full(sock, (char *)&len + n, sizeof(len) - (size_t)n);
		if (rest != (ssize_t)(sizeof(len) - (size_t)n))
			r = -EPIPE;
	}
	char *buf = NULL;
	if (r == 0 && len > WIRE_REQUEST_MAX)
		r = -EMSGSIZE;
	if (r == 0 && !(buf = malloc(len ? len : 1)))
		r = -ENOMEM;
	if (r == 0) {
		ssize_t got = read_full(sock, buf, len);
		if (got != (ssize_t)len)
			r = got < 0 ? (int)got : -EPIPE;
	}
	if (r < 0) {
		free(buf);
		for (size_t i = 0; i < n_fds; i++)
			close(ret_fds[i]);
		return r;
	}
	*ret = buf;
	*ret_len = len;
	*ret_n_fds = n_fds;
	return 0;
}
