/* proxy.c - the pure parts of the proxy of `network = allow` (proxy.h):
 * the allowlist and its match (PROXY-1, PROXY-3 of sandbox/proxy-run.c
 * rest on these), and the parse of what a client sends first.  Every
 * length is bounded before it is used; nothing is read past len. */
#include "net/proxy.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "base/strbuf.h"

/* ---- names, addresses, rules ------------------------------------------ */

/* A host name as DNS has them: letters, digits, '-', '_' (SRV-style names
 * some hosts use), labels of 1 to 63 bytes; normalized to lower case,
 * without a trailing dot. */
static int name_set(char *dst, const char *s, size_t len)
{
	if (len > 0 && s[len - 1] == '.')
		len--;
	if (len == 0 || len > PROXY_MAX_NAME)
		return -EINVAL;
	size_t label = 0;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (c == '.') {
			if (label == 0)
				return -EINVAL;
			label = 0;
		} else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_') {
			label++;
		} else if (c >= 'A' && c <= 'Z') {
			c = (char)(c - 'A' + 'a');
			label++;
		} else {
			return -EINVAL;
		}
		if (label > 63)
			return -EINVAL;
		dst[i] = c;
	}
	if (label == 0)
		return -EINVAL;
	dst[len] = '\0';
	return 0;
}

/* An address literal: "1.2.3.4", "::1", "[::1]". */
static int literal_set(const char *s, size_t len, int *family, uint8_t addr[16], char *text)
{
	char b[64];
	if (len >= 2 && s[0] == '[' && s[len - 1] == ']') {
		s++;
		len -= 2;
		if (len >= sizeof(b))
			return -EINVAL;
		memcpy(b, s, len);
		b[len] = '\0';
		if (inet_pton(AF_INET6, b, addr) != 1)
			return -EINVAL;
		*family = AF_INET6;
	} else {
		if (len >= sizeof(b))
			return -EINVAL;
		memcpy(b, s, len);
		b[len] = '\0';
		if (inet_pton(AF_INET, b, addr) == 1)
			*family = AF_INET;
		else if (inet_pton(AF_INET6, b, addr) == 1)
			*family = AF_INET6;
		else
			return -EINVAL;
	}
	inet_ntop(*family, addr, text, PROXY_MAX_NAME + 1);
	return 0;
}

/* "a.b" looks like an IPv4 address that inet_pton refused ("1.2.3",
 * "0x7f.1"): getaddrinfo would take some of these as numbers. */
static bool numeric_looking(const char *s)
{
	const char *dot = strrchr(s, '.');
	const char *last = dot ? dot + 1 : s;
	if (!*last)
		return false;
	/* the last label all digits (or 0x...): no top-level domain is */
	if (last[0] == '0' && (last[1] == 'x' || last[1] == 'X'))
		return true;
	for (const char *c = last; *c; c++)
		if (*c < '0' || *c > '9')
			return false;
	return true;
}

static int port_parse(const char *s, size_t len, uint16_t *ret)
{
	unsigned v = 0;
	if (len == 0 || len > 5)
		return -EINVAL;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	if (v == 0 || v > 65535)
		return -EINVAL;
	*ret = (uint16_t)v;
	return 0;
}

/* "HOST" or "HOST:PORT", "[v6]" or "[v6]:PORT", a bare v6 (no port). */
static void split_port(const char *s, size_t len, size_t *host_len, const char **port, size_t *port_len)
{
	*host_len = len;
	*port = NULL;
	*port_len = 0;
	const char *colon = NULL;
	if (len > 0 && s[0] == '[') {
		const char *close = memchr(s, ']', len);
		if (close && close + 1 < s + len && close[1] == ':')
			colon = close + 1;
	} else {
		colon = memchr(s, ':', len);
		if (colon && memchr(colon + 1, ':', (size_t)(s + len - colon - 1)))
			colon = NULL; /* a bare IPv6 address */
	}
	if (colon) {
		*host_len = (size_t)(colon - s);
		*port = colon + 1;
		*port_len = (size_t)(s + len - colon - 1);
	}
}

int proxy_target_set(struct proxy_target *ret, const char *host, size_t len, uint16_t port)
{
	struct proxy_target t = { .port = port };
	if (port == 0)
		return -EINVAL;
	if (literal_set(host, len, &t.family, t.addr, t.host) < 0) {
		if (name_set(t.host, host, len) < 0 || numeric_looking(t.host))
			return -EINVAL;
		t.family = 0;
	}
	*ret = t;
	return 0;
}

int proxy_target_parse(struct proxy_target *ret, const char *authority, size_t len)
{
	size_t host_len, port_len;
	const char *port;
	uint16_t p;
	split_port(authority, len, &host_len, &port, &port_len);
	if (!port || port_parse(port, port_len, &p) < 0)
		return -EINVAL;
	return proxy_target_set(ret, authority, host_len, p);
}

int proxy_rule_parse(const char *text, struct proxy_rule *ret, const char **why)
{
	struct proxy_rule r = { 0 };
	size_t len = strlen(text), host_len, port_len;
	const char *port;
	split_port(text, len, &host_len, &port, &port_len);
	if (port && port_parse(port, port_len, &r.port) < 0) {
		*why = "has a port that is not a number from 1 to 65535";
		return -EINVAL;
	}
	const char *host = text;
	if (host_len >= 2 && host[0] == '*' && host[1] == '.') {
		r.wildcard = true;
		host += 2;
		host_len -= 2;
	}
	if (!r.wildcard && literal_set(host, host_len, &r.family, r.addr, r.host) == 0) {
		*ret = r;
		return 0;
	}
	if (name_set(r.host, host, host_len) < 0) {
		*why = "is not a host name, \"*.NAME\" or an IP address (with an optional \":PORT\")";
		return -EINVAL;
	}
	if (numeric_looking(r.host)) {
		*why = "looks like an IP address but is not one";
		return -EINVAL;
	}
	if (r.wildcard && !strchr(r.host, '.')) {
		*why = "is a wildcard over a whole top-level domain";
		return -EINVAL;
	}
	*ret = r;
	return 0;
}

static bool port_ok(const struct proxy_rule *r, uint16_t port)
{
	return r->port ? r->port == port : port == 80 || port == 443;
}

/* sub is a proper subdomain of name: "a.b.c" of "b.c", not "b.c" itself,
 * nor "xb.c". */
static bool subdomain_of(const char *sub, const char *name)
{
	size_t a = strlen(sub), b = strlen(name);
	return a > b + 1 && sub[a - b - 1] == '.' && memcmp(sub + a - b, name, b) == 0;
}

static bool same_addr(int fa, const uint8_t *a, int fb, const uint8_t *b)
{
	return fa == fb && memcmp(a, b, fa == AF_INET ? 4 : 16) == 0;
}

const char *proxy_check_target(const struct proxy_rule *rules, size_t n, const struct proxy_target *t)
{
	bool host_listed = false;
	for (size_t i = 0; i < n; i++) {
		const struct proxy_rule *r = &rules[i];
		bool host;
		if (t->family)
			host = r->family && same_addr(r->family, r->addr, t->family, t->addr);
		else if (r->family)
			host = false;
		else if (r->wildcard)
			host = subdomain_of(t->host, r->host);
		else
			host = strcmp(t->host, r->host) == 0;
		if (!host)
			continue;
		host_listed = true;
		if (port_ok(r, t->port))
			return NULL;
	}
	if (host_listed)
		return "port not listed in allow_hosts";
	return t->family ? "address not listed in allow_hosts" : "host not listed in allow_hosts";
}

enum proxy_addr_kind proxy_addr_kind(int family, const uint8_t *a)
{
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	if (family == AF_INET6 && memcmp(a, mapped, 12) == 0)
		return proxy_addr_kind(AF_INET, a + 12);
	if (family == AF_INET) {
		if (a[0] == 127)
			return PROXY_ADDR_LOOPBACK;
		if (a[0] == 169 && a[1] == 254)
			return PROXY_ADDR_LINKLOCAL;
		if (a[0] == 10 || (a[0] == 172 && (a[1] & 0xf0) == 16) || (a[0] == 192 && a[1] == 168) ||
		    (a[0] == 100 && (a[1] & 0xc0) == 64))
			return PROXY_ADDR_PRIVATE;
		if (a[0] == 0 || a[0] >= 224)
			return PROXY_ADDR_SPECIAL;
		return PROXY_ADDR_PUBLIC;
	}
	static const uint8_t zero[16] = { 0 };
	if (memcmp(a, zero, 15) == 0 && (a[15] == 1))
		return PROXY_ADDR_LOOPBACK;
	if (memcmp(a, zero, 16) == 0)
		return PROXY_ADDR_SPECIAL;
	if (a[0] == 0xfe && (a[1] & 0xc0) == 0x80)
		return PROXY_ADDR_LINKLOCAL;
	if ((a[0] & 0xfe) == 0xfc)
		return PROXY_ADDR_PRIVATE;
	if (a[0] == 0xff || (a[0] == 0xfe && (a[1] & 0xc0) == 0xc0) || memcmp(a, zero, 10) == 0)
		return PROXY_ADDR_SPECIAL; /* multicast, site-local, IPv4-compatible */
	return PROXY_ADDR_PUBLIC;
}

const char *proxy_check_resolved(const struct proxy_rule *rules, size_t n, const struct proxy_target *t,
				 int family, const uint8_t *addr)
{
	enum proxy_addr_kind k = proxy_addr_kind(family, addr);
	if (k == PROXY_ADDR_PUBLIC)
		return NULL;
	uint8_t v4[16];
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	if (family == AF_INET6 && memcmp(addr, mapped, 12) == 0) {
		memcpy(v4, addr + 12, 4);
		family = AF_INET;
		addr = v4;
	}
	for (size_t i = 0; i < n; i++)
		if (rules[i].family && same_addr(rules[i].family, rules[i].addr, family, addr) &&
		    port_ok(&rules[i], t->port))
			return NULL;
	switch (k) {
	case PROXY_ADDR_LOOPBACK: return "name resolves to a loopback address that is not listed";
	case PROXY_ADDR_LINKLOCAL: return "name resolves to a link-local address that is not listed";
	case PROXY_ADDR_PRIVATE: return "name resolves to a private address that is not listed";
	default: return "name resolves to a special address that is not listed";
	}
}

/* ---- HTTP ---------------------------------------------------------------- */

void proxy_http_release(struct proxy_http *h)
{
	free(h->out);
	h->out = NULL;
}

static const char *find_crlf(const char *p, const char *end)
{
	for (; p + 1 < end; p++)
		if (p[0] == '\r' && p[1] == '\n')
			return p;
	return NULL;
}

static bool token_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       (c && strchr("!#$%&'*+-.^_`|~", c));
}

/* Whether the header line (name: value) names one of the hop-by-hop
 * headers the proxy drops: its own, and Connection, replaced. */
static bool header_dropped(const char *line, size_t name_len)
{
	static const char *const names[] = { "proxy-connection", "proxy-authorization", "connection",
					     "keep-alive", "proxy-authenticate" };
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strlen(names[i]) == name_len && strncasecmp(line, names[i], name_len) == 0)
			return true;
	return false;
}

static bool is_host_header(const char *line, size_t name_len)
{
	return name_len == 4 && strncasecmp(line, "host", 4) == 0;
}

int proxy_http_parse(const char *buf, size_t len, struct proxy_http *ret, const char **why)
{
	const char *end = buf + (len > PROXY_MAX_HEAD ? PROXY_MAX_HEAD : len);
	*ret = (struct proxy_http){ 0 };
	/* the request line */
	const char *eol = find_crlf(buf, end);
	if (!eol) {
		if ((size_t)(end - buf) >= PROXY_MAX_LINE || len >= PROXY_MAX_HEAD) {
			*why = "request line too long";
			return -E2BIG;
		}
		if (memchr(buf, '\n', (size_t)(end - buf))) {
			*why = "request line does not end in CRLF";
			return -EINVAL;
		}
		return -EAGAIN;
	}
	if ((size_t)(eol - buf) > PROXY_MAX_LINE) {
		*why = "request line too long";
		return -E2BIG;
	}
	const char *sp1 = memchr(buf, ' ', (size_t)(eol - buf));
	const char *sp2 = sp1 ? memchr(sp1 + 1, ' ', (size_t)(eol - sp1 - 1)) : NULL;
	if (!sp1 || !sp2 || sp1 == buf || sp2 == sp1 + 1) {
		*why = "not an HTTP request";
		return -EINVAL;
	}
	for (const char *c = buf; c < sp1; c++)
		if (!token_char(*c)) {
			*why = "not an HTTP request";
			return -EINVAL;
		}
	size_t vlen = (size_t)(eol - sp2 - 1);
	if (vlen != 8 || memcmp(sp2 + 1, "HTTP/1.", 7) != 0 || (sp2[8] != '0' && sp2[8] != '1')) {
		*why = "not HTTP/1.0 or HTTP/1.1";
		return -EINVAL;
	}
	const char *target = sp1 + 1;
	size_t target_len = (size_t)(sp2 - target);
	for (size_t i = 0; i < target_len; i++)
		if ((unsigned char)target[i] <= 0x20 || (unsigned char)target[i] >= 0x7f) {
			*why = "bad request target";
			return -EINVAL;
		}
	/* the headers: counted and bounded before anything is built */
	const char *p = eol + 2;
	size_t headers = 0;
	const char *head_end = NULL;
	while (p < end) {
		const char *e = find_crlf(p, end);
		if (!e)
			break;
		if (e == p) {
			head_end = e + 2;
			break;
		}
		if ((size_t)(e - p) > PROXY_MAX_LINE || ++headers > PROXY_MAX_HEADERS) {
			*why = (size_t)(e - p) > PROXY_MAX_LINE ? "header line too long" : "too many headers";
			return -E2BIG;
		}
		const char *colon = memchr(p, ':', (size_t)(e - p));
		if (!colon || colon == p) {
			*why = "bad header line";
			return -EINVAL;
		}
		for (const char *c = p; c < colon; c++)
			if (!token_char(*c)) {
				*why = "bad header line";
				return -EINVAL;
			}
		/* no NUL, no bare CR or LF, no control byte but a tab */
		for (const char *c = colon; c < e; c++)
			if (((unsigned char)*c < 0x20 && *c != '\t') || *c == 0x7f) {
				*why = "control character in a header";
				return -EINVAL;
			}
		p = e + 2;
	}
	if (!head_end) {
		if (len >= PROXY_MAX_HEAD) {
			*why = "request head too large";
			return -E2BIG;
		}
		if (p < end && (size_t)(end - p) > PROXY_MAX_LINE) {
			*why = "header line too long";
			return -E2BIG;
		}
		return -EAGAIN;
	}
	ret->head_len = (size_t)(head_end - buf);

	if ((size_t)(sp1 - buf) == 7 && memcmp(buf, "CONNECT", 7) == 0) {
		ret->connect = true;
		if (proxy_target_parse(&ret->t, target, target_len) < 0) {
			*why = "CONNECT needs HOST:PORT";
			return -EINVAL;
		}
		return 0;
	}
	/* a forward request: absolute-form http://AUTHORITY[/PATH] */
	if (target_len < 8 || strncasecmp(target, "http://", 7) != 0) {
		*why = target_len >= 8 && strncasecmp(target, "https://", 8) == 0
			       ? "https:// needs CONNECT"
			       : "a proxy request needs an absolute http:// URL or CONNECT";
		return -EINVAL;
	}
	const char *auth = target + 7, *tend = target + target_len;
	const char *path = auth;
	while (path < tend && *path != '/' && *path != '?' && *path != '#')
		path++;
	size_t auth_len = (size_t)(path - auth);
	if (memchr(auth, '@', auth_len)) {
		*why = "user information in the URL";
		return -EINVAL;
	}
	size_t host_len, port_len;
	const char *port;
	uint16_t pnum = 80;
	split_port(auth, auth_len, &host_len, &port, &port_len);
	if ((port && port_parse(port, port_len, &pnum) < 0) || proxy_target_set(&ret->t, auth, host_len, pnum) < 0) {
		*why = "bad host in the URL";
		return -EINVAL;
	}
	struct strbuf o = { 0 };
	strbuf_add(&o, buf, (size_t)(sp1 - buf) + 1);
	if (path == tend || *path != '/')
		strbuf_add(&o, "/", 1);
	size_t path_len = (size_t)(tend - path);
	const char *hash = memchr(path, '#', path_len);
	if (hash)
		path_len = (size_t)(hash - path);
	strbuf_add(&o, path, path_len);
	strbuf_add(&o, sp2, (size_t)(eol - sp2) + 2);
	bool host_seen = false;
	for (p = eol + 2; p < head_end - 2;) {
		const char *e = find_crlf(p, head_end);
		const char *colon = memchr(p, ':', (size_t)(e - p));
		size_t name_len = (size_t)(colon - p);
		if (is_host_header(p, name_len))
			host_seen = true;
		if (!header_dropped(p, name_len))
			strbuf_add(&o, p, (size_t)(e - p) + 2);
		p = e + 2;
	}
	if (!host_seen) {
		strbuf_add(&o, "Host: ", 6);
		strbuf_add(&o, auth, auth_len);
		strbuf_add(&o, "\r\n", 2);
	}
	strbuf_add(&o, "Connection: close\r\n\r\n", 21);
	ret->out_len = o.len;
	ret->out = strbuf_steal(&o);
	if (!ret->out) {
		*why = "out of memory";
		return -ENOMEM;
	}
	return 0;
}

/* ---- SOCKS5 ---------------------------------------------------------- */

int proxy_socks_hello(const uint8_t *buf, size_t len, size_t *used)
{
	if (len < 2)
		return len >= 1 && buf[0] != 5 ? -EINVAL : -EAGAIN;
	if (buf[0] != 5 || buf[1] == 0)
		return -EINVAL;
	if (len < 2u + buf[1])
		return -EAGAIN;
	*used = 2u + buf[1];
	return memchr(buf + 2, 0x00, buf[1]) ? 0 : -EPERM;
}

int proxy_socks_request(const uint8_t *buf, size_t len, size_t *used, struct proxy_target *ret,
			uint8_t *reply)
{
	*reply = PROXY_SOCKS_FAILURE;
	if (len < 5)
		return len >= 1 && buf[0] != 5 ? -EINVAL : -EAGAIN;
	if (buf[0] != 5 || buf[2] != 0)
		return -EINVAL;
	size_t need;
	switch (buf[3]) {
	case 1: need = 4 + 4 + 2; break;
	case 3: need = 4 + 1 + (size_t)buf[4] + 2; break;
	case 4: need = 4 + 16 + 2; break;
	default:
		*reply = PROXY_SOCKS_ATYP_UNSUPPORTED;
		return -EINVAL;
	}
	if (len < need)
		return -EAGAIN;
	if (buf[1] != 1) { /* CONNECT only: no BIND, no UDP ASSOCIATE */
		*reply = PROXY_SOCKS_CMD_UNSUPPORTED;
		return -EINVAL;
	}
	uint16_t port = (uint16_t)(buf[need - 2] << 8 | buf[need - 1]);
	char text[64];
	int r;
	if (buf[3] == 3) {
		r = proxy_target_set(ret, (const char *)buf + 5, buf[4], port);
	} else {
		inet_ntop(buf[3] == 1 ? AF_INET : AF_INET6, buf + 4, text, sizeof(text));
		r = proxy_target_set(ret, text, strlen(text), port);
	}
	if (r < 0) {
		*reply = PROXY_SOCKS_HOST_UNREACHABLE;
		return -EINVAL;
	}
	*used = need;
	return 0;
}
