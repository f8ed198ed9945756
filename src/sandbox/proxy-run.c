/* proxy-run.c - the proxy of `network = allow` (proxy-run.h): one process
 * per live sandbox, a child of its supervisor outside, in the host's
 * network namespace.  It accepts on a socket that the sandbox's pid 1
 * bound to 127.0.0.1:3128 in the sandbox's own namespace (which has only
 * lo) and passed out (inside.c); one thread per connection.  One port,
 * three protocols, told apart by the first byte: 0x05 is SOCKS5 (no
 * authentication, CONNECT with a domain name, IPv4 or IPv6), anything else
 * HTTP/1.x (a forward request in absolute form, or CONNECT).  No TLS is
 * opened: after CONNECT the bytes are relayed as they are.
 *
 * Invariants (each has a check in tests/integration/t-proxy.sh that names
 * it; the matching is net/proxy.c's, unit-tested in test_proxy.c):
 * PROXY-1 only-listed: a connection is made only to a host and port that
 *         an allow_hosts entry lists: a name by the same name or a
 *         "*.NAME" above it (subdomains only), an IP literal only by the
 *         same address; an entry without a port lists 80 and 443.
 * PROXY-2 resolved-once: the proxy resolves a name itself, checks every
 *         address it got, and connects to an address it checked; nothing
 *         is resolved a second time (the client's own resolver is never
 *         asked: SOCKS5 with the name, HTTP with the URL's host).
 * PROXY-3 no-loopback-by-name: an address that a name resolved to and that
 *         is loopback, link-local, private (RFC 1918, 100.64/10, fc00::/7)
 *         or special is refused unless an entry lists that very address
 *         (with the port): a listed name cannot lead to the host's own
 *         services.
 * PROXY-4 refusal-logged: every refusal by the allowlist is a line in the
 *         project's denial log (`nsb log`: time, protocol, host, port,
 *         why), and the client is told: HTTP 403 with the reason in the
 *         body and in an X-Nsbsh-Refused header, SOCKS5 reply 0x02
 *         "connection not allowed by ruleset".
 * PROXY-5 bounded: at most PROXY_MAX_CONNECTIONS connections at once (one
 *         more is closed at once), a request head of PROXY_MAX_HEAD bytes
 *         and lines of PROXY_MAX_LINE, HEAD_TIMEOUT_S for the request to
 *         come whole (each read, and all of them), CONNECT_TIMEOUT_S for the connection out, and a
 *         relay ends after IDLE_TIMEOUT_S without a byte either way.
 */
#include "sandbox/proxy-run.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <time.h>

#include "base/file.h"
#include "base/util.h"
#include "net/proxy.h"
#include "sandbox/denylog.h"
#include "sandbox/tls-inject.h"

#define HEAD_TIMEOUT_S 30
#define CONNECT_TIMEOUT_S 15
#define IDLE_TIMEOUT_S 600
#define RELAY_PIPE (1 << 20)

struct proxy {
	struct proxy_rule *rules;
	size_t n;
	const char *log;
	struct inject_run *inject;  /* tls-inject.h, or NULL */
};

static atomic_int connections;

struct conn {
	const struct proxy *px;
	int fd;
	uint8_t buf[PROXY_MAX_HEAD];
	size_t len;
	struct timespec start;  /* the request must be whole HEAD_TIMEOUT_S after it */
};

static void set_timeout(int fd, int seconds)
{
	struct timeval tv = { .tv_sec = seconds };
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

/* More of the request into c->buf: 0, or -1 (closed, timed out, full). */
static int read_more(struct conn *c)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (c->len >= sizeof(c->buf) || now.tv_sec - c->start.tv_sec >= HEAD_TIMEOUT_S)
		return -1;
	for (;;) {
		ssize_t n = recv(c->fd, c->buf + c->len, sizeof(c->buf) - c->len, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		c->len += (size_t)n;
		return 0;
	}
}

/* PROXY-4 */
static void log_refusal(const struct proxy *px, const char *proto, const struct proxy_target *t, const char *why)
{
	if (px->log)
		(void)denylog_append_net(px->log, time(NULL), proto, t->host, t->port, why);
}

static void http_reply(int fd, int code, const char *status, const char *why, bool refused)
{
	char b[1024];
	int n = snprintf(b, sizeof(b),
			 "HTTP/1.1 %d %s\r\n%s%s%sContent-Type: text/plain\r\nContent-Length: %zu\r\n"
			 "Connection: close\r\n\r\nnsbsh: %s\n",
			 code, status, refused ? "X-Nsbsh-Refused: " : "", refused ? why : "", refused ? "\r\n" : "",
			 strlen(why) + 8, why);
	if (n > 0 && (size_t)n < sizeof(b))
		(void)send_full(fd, b, (size_t)n);
}

static int connect_timeout(const struct sockaddr *sa, socklen_t len)
{
	int fd = socket(sa->sa_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, sa, len) < 0 && errno != EINPROGRESS) {
		int r = -errno;
		close(fd);
		return r;
	}
	struct pollfd p = { .fd = fd, .events = POLLOUT };
	int err = 0;
	socklen_t el = sizeof(err);
	int k;
	while ((k = poll(&p, 1, CONNECT_TIMEOUT_S * 1000)) < 0 && errno == EINTR)
		;
	if (k == 0)
		err = ETIMEDOUT;
	else if (k < 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) < 0)
		err = errno;
	if (err) {
		close(fd);
		return -err;
	}
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

static socklen_t sockaddr_of(int family, const uint8_t *addr, uint16_t port, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET) {
		struct sockaddr_in *in = (struct sockaddr_in *)ss;
		in->sin_family = AF_INET;
		in->sin_port = htons(port);
		memcpy(&in->sin_addr, addr, 4);
		return sizeof(*in);
	}
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
	in6->sin6_family = AF_INET6;
	in6->sin6_port = htons(port);
	memcpy(&in6->sin6_addr, addr, 16);
	return sizeof(*in6);
}

enum outcome { OUT_OK, OUT_REFUSED, OUT_UNKNOWN, OUT_FAILED };

/* strerror's text without its static buffer (threads). */
static const char *error_text(int e)
{
	const char *s = strerrordesc_np(e);
	return s ? s : "cannot connect";
}

/* PROXY-1..3: the connection out to t, or why not.  A literal was matched
 * by proxy_check_target already; a name is resolved here, once, and only
 * the addresses checked are tried. */
static enum outcome connect_checked(const struct proxy *px, const struct proxy_target *t, int *ret_fd,
				    const char **why)
{
	struct sockaddr_storage ss;
	if (t->family) {
		int fd = connect_timeout((struct sockaddr *)&ss, sockaddr_of(t->family, t->addr, t->port, &ss));
		*why = fd < 0 ? error_text(-fd) : NULL;
		*ret_fd = fd;
		return fd < 0 ? OUT_FAILED : OUT_OK;
	}
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_ADDRCONFIG };
	struct addrinfo *res = NULL;
	int g = getaddrinfo(t->host, NULL, &hints, &res);
	if (g != 0) {
		*why = g == EAI_NONAME || g == EAI_NODATA ? "no such host" : gai_strerror(g);
		return OUT_UNKNOWN;
	}
	const char *refused = NULL, *failed = NULL;
	int fd = -1;
	for (struct addrinfo *ai = res; ai && fd < 0; ai = ai->ai_next) {
		const uint8_t *a;
		if (ai->ai_family == AF_INET)
			a = (const uint8_t *)&((struct sockaddr_in *)ai->ai_addr)->sin_addr;
		else if (ai->ai_family == AF_INET6)
			a = (const uint8_t *)&((struct sockaddr_in6 *)ai->ai_addr)->sin6_addr;
		else
			continue;
		const char *no = proxy_check_resolved(px->rules, px->n, t, ai->ai_family, a);
		if (no) {
			if (!refused)
				refused = no;
			continue;
		}
		int r = connect_timeout((struct sockaddr *)&ss, sockaddr_of(ai->ai_family, a, t->port, &ss));
		if (r >= 0)
			fd = r;
		else if (!failed)
			failed = error_text(-r);
	}
	freeaddrinfo(res);
	*ret_fd = fd;
	if (fd >= 0)
		return OUT_OK;
	/* refused only when no allowed address was there to try */
	if (refused && !failed) {
		*why = refused;
		return OUT_REFUSED;
	}
	*why = failed ? failed : "no address";
	return OUT_FAILED;
}

/* One direction of a relay: from src into its pipe when src is readable,
 * then from the pipe to dst at once (nonblocking: what dst does not take
 * now waits in the pipe for its POLLOUT).  -1: the relay is over. */
struct way {
	int src, dst, pipe[2];
	size_t in;   /* bytes in the pipe */
	bool eof;    /* src has nothing more */
	bool shut;   /* dst was told (SHUT_WR) */
};

/* 1: bytes moved (or the end seen), 0: none, -1: the relay is over. */
static int pump_once(struct way *w, size_t cap, bool readable, bool writable)
{
	ssize_t n;
	int moved = 0;
	if (readable && !w->eof && w->in < cap) {
		n = splice(w->src, NULL, w->pipe[1], NULL, cap - w->in, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
		if (n == 0)
			w->eof = true, moved = 1;
		else if (n > 0)
			w->in += (size_t)n, writable = true, moved = 1;
		else if (errno != EAGAIN && errno != EINTR)
			return -1;
	}
	if (writable && w->in) {
		n = splice(w->pipe[0], NULL, w->dst, NULL, w->in, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
		if (n > 0)
			w->in -= (size_t)n, moved = 1;
		else if (n < 0 && errno != EAGAIN && errno != EINTR)
			return -1;
	}
	return moved;
}

static int pump(struct way *w, size_t cap, bool readable, bool writable)
{
	/* a few rounds while both sides keep up: fewer polls on a stream */
	for (int round = 0; round < 8 && (readable || writable) && !w->eof; round++) {
		int m = pump_once(w, cap, readable, writable);
		if (m < 0)
			return -1;
		if (m == 0)
			break;
		readable = writable = true;
	}
	if (w->eof && w->in && writable && pump_once(w, cap, false, true) < 0)
		return -1;
	if (w->eof && !w->in && !w->shut) {
		shutdown(w->dst, SHUT_WR);
		w->shut = true;
	}
	return 0;
}

/* Both ways until both ends closed, or IDLE_TIMEOUT_S of silence:
 * splice(2) through a pipe each way, nothing copied to user space. */
static void relay(int a, int b)
{
	struct way w[2] = { { .src = a, .dst = b, .pipe = { -1, -1 } }, { .src = b, .dst = a, .pipe = { -1, -1 } } };
	int cap = 0;
	if (pipe2(w[0].pipe, O_CLOEXEC | O_NONBLOCK) == 0 && pipe2(w[1].pipe, O_CLOEXEC | O_NONBLOCK) == 0) {
		cap = fcntl(w[0].pipe[1], F_SETPIPE_SZ, RELAY_PIPE);
		if (cap < 0 || fcntl(w[1].pipe[1], F_SETPIPE_SZ, cap) < 0)
			cap = fcntl(w[0].pipe[1], F_GETPIPE_SZ);
		if (cap <= 0)
			cap = 65536;
		fcntl(a, F_SETFL, fcntl(a, F_GETFL) | O_NONBLOCK);
		fcntl(b, F_SETFL, fcntl(b, F_GETFL) | O_NONBLOCK);
	}
	while (cap > 0 && !(w[0].shut && w[1].shut)) {
		/* p[0] is a: read for w[0], written by w[1]; p[1] is b */
		short ev[2];
		for (int i = 0; i < 2; i++)
			ev[i] = (short)((!w[i].eof && w[i].in < (size_t)cap ? POLLIN : 0) | (w[!i].in ? POLLOUT : 0));
		struct pollfd p[2] = { { .fd = ev[0] ? a : -1, .events = ev[0] }, { .fd = ev[1] ? b : -1, .events = ev[1] } };
		int k = poll(p, 2, IDLE_TIMEOUT_S * 1000);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0 || (p[0].revents | p[1].revents) & (POLLERR | POLLNVAL))
			break;
		if (pump(&w[0], (size_t)cap, p[0].revents & (POLLIN | POLLHUP), p[1].revents & POLLOUT) < 0 ||
		    pump(&w[1], (size_t)cap, p[1].revents & (POLLIN | POLLHUP), p[0].revents & POLLOUT) < 0)
			break;
	}
	for (int i = 0; i < 2; i++)
		for (int j = 0; j < 2; j++)
			if (w[i].pipe[j] >= 0)
				close(w[i].pipe[j]);
}

static void serve_http(struct conn *c)
{
	struct proxy_http h;
	const char *why = NULL;
	int r;
	while ((r = proxy_http_parse((const char *)c->buf, c->len, &h, &why)) == -EAGAIN)
		if (read_more(c) < 0)
			return;
	if (r < 0) {
		http_reply(c->fd, r == -E2BIG ? 431 : 400, r == -E2BIG ? "Request Header Fields Too Large" : "Bad Request",
			   why, false);
		return;
	}
	const char *proto = h.connect ? "connect" : "http";
	why = proxy_check_target(c->px->rules, c->px->n, &h.t);
	int out = -1;
	enum outcome o = why ? OUT_REFUSED : connect_checked(c->px, &h.t, &out, &why);
	if (o != OUT_OK) {
		if (o == OUT_REFUSED)
			log_refusal(c->px, proto, &h.t, why);
		if (o == OUT_REFUSED)
			http_reply(c->fd, 403, "Forbidden", why, true);
		else
			http_reply(c->fd, o == OUT_UNKNOWN ? 502 : 502, "Bad Gateway", why, false);
		proxy_http_release(&h);
		return;
	}
	static const char established[] = "HTTP/1.1 200 Connection established\r\n\r\n";
	bool ok = h.connect ? send_full(c->fd, established, sizeof(established) - 1) == 0
			    : send_full(out, h.out, h.out_len) == 0;
	/* INJECT-1: a listed host's CONNECT only; anything else is relayed */
	const struct inject_rule *ij = h.connect ? inject_match(c->px->inject, h.t.host) : NULL;
	if (ok && ij) {
		inject_serve(c->px->inject, ij, h.t.port, c->fd, out, c->buf + h.head_len, c->len - h.head_len);
		ok = false;
	}
	if (ok && c->len > h.head_len)
		ok = send_full(out, c->buf + h.head_len, c->len - h.head_len) == 0;
	proxy_http_release(&h);
	if (ok)
		relay(c->fd, out);
	close(out);
}

static void socks_reply(int fd, uint8_t code)
{
	uint8_t b[10] = { 5, code, 0, 1, 0, 0, 0, 0, 0, 0 };
	(void)send_full(fd, b, sizeof(b));
}

static void serve_socks(struct conn *c)
{
	size_t used = 0;
	int r;
	while ((r = proxy_socks_hello(c->buf, c->len, &used)) == -EAGAIN)
		if (read_more(c) < 0)
			return;
	if (r < 0) {
		if (r == -EPERM)
			(void)send_full(c->fd, "\x05\xff", 2);
		return;
	}
	if (send_full(c->fd, "\x05\x00", 2) < 0)
		return;
	memmove(c->buf, c->buf + used, c->len - used);
	c->len -= used;
	struct proxy_target t;
	uint8_t code;
	while ((r = proxy_socks_request(c->buf, c->len, &used, &t, &code)) == -EAGAIN)
		if (read_more(c) < 0)
			return;
	if (r < 0) {
		socks_reply(c->fd, code);
		return;
	}
	const char *why = proxy_check_target(c->px->rules, c->px->n, &t);
	int out = -1;
	enum outcome o = why ? OUT_REFUSED : connect_checked(c->px, &t, &out, &why);
	if (o != OUT_OK) {
		if (o == OUT_REFUSED)
			log_refusal(c->px, "socks5", &t, why);
		socks_reply(c->fd, o == OUT_REFUSED ? PROXY_SOCKS_NOT_ALLOWED
				   : o == OUT_UNKNOWN ? PROXY_SOCKS_HOST_UNREACHABLE
						      : PROXY_SOCKS_REFUSED);
		return;
	}
	socks_reply(c->fd, PROXY_SOCKS_OK);
	const struct inject_rule *ij = inject_match(c->px->inject, t.host);
	if (ij) {
		inject_serve(c->px->inject, ij, t.port, c->fd, out, c->buf + used, c->len - used);
		close(out);
		return;
	}
	if (c->len > used && send_full(out, c->buf + used, c->len - used) < 0) {
		close(out);
		return;
	}
	relay(c->fd, out);
	close(out);
}

static void *serve(void *arg)
{
	struct conn *c = arg;
	set_timeout(c->fd, HEAD_TIMEOUT_S);
	clock_gettime(CLOCK_MONOTONIC, &c->start);
	if (read_more(c) == 0) {
		if (c->buf[0] == 5)
			serve_socks(c);
		else
			serve_http(c);
	}
	close(c->fd);
	free(c);
	atomic_fetch_sub(&connections, 1);
	return NULL;
}

static _Noreturn void proxy_main(int listen_fd, const struct proxy *px)
{
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, 256 * 1024);
	for (;;) {
		int fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED || errno == EMFILE || errno == ENFILE ||
			    errno == ENOBUFS || errno == ENOMEM) {
				if (errno != EINTR && errno != ECONNABORTED)
					poll(NULL, 0, 100);
				continue;
			}
			_exit(1);
		}
		/* PROXY-5 */
		if (atomic_fetch_add(&connections, 1) >= PROXY_MAX_CONNECTIONS) {
			atomic_fetch_sub(&connections, 1);
			close(fd);
			continue;
		}
		struct conn *c = malloc(sizeof(*c));
		pthread_t th;
		if (c) {
			c->px = px;
			c->fd = fd;
			c->len = 0;
		}
		if (!c || pthread_create(&th, &attr, serve, c) != 0) {
			free(c);
			close(fd);
			atomic_fetch_sub(&connections, 1);
		}
	}
}

int proxy_start(int listen_fd, const char *const *hosts, size_t n, const char *log, struct inject_run *inject,
		pid_t *ret_pid)
{
	struct proxy px = { .n = n, .log = log, .inject = inject };
	px.rules = calloc(n ? n : 1, sizeof(*px.rules));
	if (!px.rules)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		const char *why;
		if (proxy_rule_parse(hosts[i], &px.rules[i], &why) < 0) {
			free(px.rules);
			return -EINVAL;
		}
	}
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid < 0) {
		int r = -errno;
		free(px.rules);
		return r;
	}
	if (pid == 0) {
		if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0 || getppid() != parent)
			_exit(1);
		prctl(PR_SET_NAME, "nsbsh-proxy", 0, 0, 0);
		signal(SIGPIPE, SIG_IGN);
		sigset_t none;
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		/* nothing of the supervisor's but the listening socket */
		int fd = listen_fd;
		if (fd != 3) {
			fd = dup3(listen_fd, 3, O_CLOEXEC);
			if (fd < 0)
				_exit(1);
		}
		close_range(4, ~0U, 0);
		proxy_main(fd, &px);
	}
	free(px.rules);
	*ret_pid = pid;
	return 0;
}
