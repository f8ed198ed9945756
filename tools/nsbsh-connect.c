/* nsbsh-connect HOST PORT - stdin and stdout to HOST:PORT through the
 * proxy of a sandbox with `network = allow` (127.0.0.1:3128 inside, an
 * HTTP CONNECT), for ssh's ProxyCommand: the sandbox's
 * /etc/ssh/ssh_config says `ProxyCommand /run/nsbsh/bin/nsbsh-connect %h
 * %p` (src/sandbox/shell-view.c).  Static (the sandbox may have no
 * /usr/lib), libc only, no name resolution: the proxy resolves and checks.
 * A refusal is one line on stderr with the proxy's reason; status 1. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define PROXY_ADDR "127.0.0.1"
#define PROXY_PORT 3128
#define HEAD_MAX 8192

static int fail(const char *host, const char *port, const char *why)
{
	fprintf(stderr, "nsbsh-connect: %s:%s: %s\n", host, port, why);
	return 1;
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: nsbsh-connect HOST PORT\n");
		return 2;
	}
	const char *host = argv[1], *port = argv[2];
	if (!*host || strlen(host) > 253 || host[strspn(host, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_:[]")] ||
	    !*port || strlen(port) > 5 || port[strspn(port, "0123456789")])
		return fail(host, port, "not a host name and port");
	signal(SIGPIPE, SIG_IGN);
	int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(PROXY_PORT) };
	inet_pton(AF_INET, PROXY_ADDR, &sa.sin_addr);
	if (s < 0 || connect(s, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return fail(host, port, "no proxy at " PROXY_ADDR ":3128 (is the policy's network = allow?)");
	/* an IPv6 literal in brackets, as an authority has it */
	const char *lb = strchr(host, ':') && host[0] != '[' ? "[" : "", *rb = *lb ? "]" : "";
	char req[600];
	int n = snprintf(req, sizeof(req), "CONNECT %s%s%s:%s HTTP/1.1\r\nHost: %s%s%s:%s\r\n\r\n", lb, host, rb,
			 port, lb, host, rb, port);
	if (n < 0 || (size_t)n >= sizeof(req) || write_all(s, req, (size_t)n) < 0)
		return fail(host, port, "cannot write to the proxy");
	/* the answer's head, byte by byte: nothing after it is read here */
	char head[HEAD_MAX + 1];
	size_t len = 0;
	while (len < HEAD_MAX && !(len >= 4 && memcmp(head + len - 4, "\r\n\r\n", 4) == 0)) {
		ssize_t r = read(s, head + len, 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return fail(host, port, "the proxy closed the connection");
		len += (size_t)r;
	}
	head[len] = '\0';
	if (strncmp(head, "HTTP/1.", 7) != 0 || strncmp(head + 8, " 200", 4) != 0) {
		char *why = strstr(head, "X-Nsbsh-Refused: ");
		char line[300];
		const char *text = why ? why + 17 : head;
		snprintf(line, sizeof(line), "refused by the proxy: %.*s", (int)strcspn(text, "\r\n"), text);
		return fail(host, port, line);
	}
	/* both ways until the far end closes */
	static char buf[65536];
	struct pollfd p[2] = { { .fd = 0, .events = POLLIN }, { .fd = s, .events = POLLIN } };
	for (;;) {
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return 1;
		}
		if (p[1].revents) {
			ssize_t r = read(s, buf, sizeof(buf));
			if (r <= 0)
				return 0;
			if (write_all(1, buf, (size_t)r) < 0)
				return 1;
		}
		if (p[0].revents) {
			ssize_t r = read(0, buf, sizeof(buf));
			if (r <= 0) {
				shutdown(s, SHUT_WR);
				p[0].fd = -1;
			} else if (write_all(s, buf, (size_t)r) < 0) {
				return 1;
			}
		}
	}
}
