/* proxy.h - the pure parts of `network = allow`'s proxy (proxy.c): the
 * allowlist (`allow_hosts` entries and their match), the requests it takes
 * (an HTTP forward request or CONNECT, a SOCKS5 greeting and request), and
 * which addresses a name may lead to.  No I/O, no allocation but the
 * rewritten HTTP head; sandbox/proxy-run.c does the sockets.  Fuzzed by
 * tests/fuzz/fuzz_proxy.c. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Where the proxy listens inside the sandbox (its loopback). */
#define PROXY_ADDR_INSIDE "127.0.0.1"
#define PROXY_PORT_INSIDE 3128

/* Limits on what a client inside can make the proxy hold. */
#define PROXY_MAX_HEAD (32u * 1024)  /* bytes of an HTTP request's head */
#define PROXY_MAX_LINE (8u * 1024)   /* bytes of one of its lines */
#define PROXY_MAX_HEADERS 100        /* header lines of one request */
#define PROXY_MAX_NAME 253           /* bytes of a host name (DNS) */

/* One allow_hosts entry: "github.com", "*.npmjs.org", "pypi.org:443",
 * "127.0.0.1:18080", "[::1]:8080".  port 0: 80 and 443 only. */
struct proxy_rule {
	char host[PROXY_MAX_NAME + 1];  /* a name, lower case, no trailing dot;
					 * a wildcard's without its "*." */
	bool wildcard;                  /* "*.NAME": subdomains of NAME only */
	int family;                     /* AF_INET, AF_INET6: an address; 0: a name */
	uint8_t addr[16];
	uint16_t port;
};

/* 0 and *ret, or -EINVAL with a reason in *why (a static string). */
int proxy_rule_parse(const char *text, struct proxy_rule *ret, const char **why);

/* What a client asked for: a name or an address literal, and a port. */
struct proxy_target {
	char host[PROXY_MAX_NAME + 1];  /* normalized as a rule's; an address as written */
	int family;                     /* AF_INET, AF_INET6: a literal; 0: a name */
	uint8_t addr[16];
	uint16_t port;
};

/* host (len bytes, "[v6]" brackets allowed) and port into *ret: 0, or
 * -EINVAL (empty, too long, a character no host name has, port 0). */
int proxy_target_set(struct proxy_target *ret, const char *host, size_t len, uint16_t port);
/* "HOST:PORT" ("[v6]:PORT"), the port required: 0 or -EINVAL. */
int proxy_target_parse(struct proxy_target *ret, const char *authority, size_t len);

/* Whether a rule lets the target's host and port through: NULL when one
 * does, else why not (a static string).  A name is matched by the same
 * name or a wildcard above it, a literal by the same address only. */
const char *proxy_check_target(const struct proxy_rule *rules, size_t n, const struct proxy_target *t);

enum proxy_addr_kind {
	PROXY_ADDR_PUBLIC,
	PROXY_ADDR_LOOPBACK,   /* 127/8, ::1 */
	PROXY_ADDR_LINKLOCAL,  /* 169.254/16, fe80::/10 */
	PROXY_ADDR_PRIVATE,    /* 10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7 */
	PROXY_ADDR_SPECIAL,    /* 0/8, multicast, broadcast, ::, reserved */
};
/* What an address is (an IPv4-mapped IPv6 address as its IPv4 one). */
enum proxy_addr_kind proxy_addr_kind(int family, const uint8_t *addr);

/* Whether the proxy may connect to addr (family AF_INET or AF_INET6), to
 * which t's name resolved: NULL when it may, else why not.  A public
 * address may; a loopback, link-local, private or special one only when a
 * rule lists that address with t's port.  (A literal target was matched
 * by proxy_check_target already.) */
const char *proxy_check_resolved(const struct proxy_rule *rules, size_t n, const struct proxy_target *t,
				 int family, const uint8_t *addr);

/* An HTTP request's head (buf, len bytes: what came so far). */
struct proxy_http {
	bool connect;              /* CONNECT host:port */
	struct proxy_target t;
	size_t head_len;           /* bytes of the head, its blank line included */
	char *out;                 /* a forward request's head as sent on:
				    * origin-form, no Proxy-* headers,
				    * "Connection: close" (malloc'ed); NULL for
				    * CONNECT */
	size_t out_len;
};
/* 0 and *ret (release with proxy_http_release); -EAGAIN: the head is not
 * whole yet (read more); -EINVAL, -E2BIG (a limit passed), -ENOMEM, with
 * the reason in *why. */
int proxy_http_parse(const char *buf, size_t len, struct proxy_http *ret, const char **why);
void proxy_http_release(struct proxy_http *h);

/* SOCKS5 (RFC 1928), without authentication. */
#define PROXY_SOCKS_OK 0x00
#define PROXY_SOCKS_FAILURE 0x01
#define PROXY_SOCKS_NOT_ALLOWED 0x02
#define PROXY_SOCKS_HOST_UNREACHABLE 0x04
#define PROXY_SOCKS_REFUSED 0x05
#define PROXY_SOCKS_CMD_UNSUPPORTED 0x07
#define PROXY_SOCKS_ATYP_UNSUPPORTED 0x08
/* The greeting: 0 and *used (its bytes) when it offers "no
 * authentication"; -EAGAIN: not whole; -EPERM: it does not (answer 0xff);
 * -EINVAL: not SOCKS5. */
int proxy_socks_hello(const uint8_t *buf, size_t len, size_t *used);
/* The request: 0, *used and *ret (CONNECT to a domain, IPv4 or IPv6);
 * -EAGAIN: not whole; -EINVAL with *reply the code to answer. */
int proxy_socks_request(const uint8_t *buf, size_t len, size_t *used, struct proxy_target *ret,
			uint8_t *reply);
