/* test_proxy.c - net/proxy.c: allow_hosts entries and their match
 * (PROXY-1, PROXY-3 of sandbox/proxy-run.c), the HTTP and SOCKS5 parse. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <sys/socket.h>

#include "net/proxy.h"
#include "unit.h"

static struct proxy_rule rules[16];
static size_t n_rules;

static void rules_set(const char *const *v, size_t n)
{
	const char *why;
	n_rules = 0;
	for (size_t i = 0; i < n; i++)
		CHECK(proxy_rule_parse(v[i], &rules[n_rules++], &why) == 0);
}

/* NULL: allowed; else the reason */
static const char *check(const char *authority)
{
	struct proxy_target t;
	if (proxy_target_parse(&t, authority, strlen(authority)) < 0)
		return "(bad target)";
	return proxy_check_target(rules, n_rules, &t);
}

static void test_rules(void)
{
	struct proxy_rule r;
	const char *why = NULL;
	CHECK(proxy_rule_parse("GitHub.com.", &r, &why) == 0 && !r.wildcard && r.port == 0 && r.family == 0);
	CHECK_STREQ(r.host, "github.com");
	CHECK(proxy_rule_parse("*.npmjs.org", &r, &why) == 0 && r.wildcard);
	CHECK_STREQ(r.host, "npmjs.org");
	CHECK(proxy_rule_parse("pypi.org:443", &r, &why) == 0 && r.port == 443);
	CHECK(proxy_rule_parse("127.0.0.1:18080", &r, &why) == 0 && r.family == AF_INET && r.port == 18080);
	CHECK(proxy_rule_parse("[::1]:8080", &r, &why) == 0 && r.family == AF_INET6 && r.port == 8080);
	CHECK(proxy_rule_parse("::1", &r, &why) == 0 && r.family == AF_INET6 && r.port == 0);
	const char *bad[] = { "", "*", "*.", "*.com", "a..b", "a b", "a:0", "a:65536", "a:x", "-:", "1.2.3",
			      "0x7f.1", "*.1.2.3.4", "a/b", "a@b", "[::1", "a:", ".", "127.1" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		int rr = proxy_rule_parse(bad[i], &r, &why);
		CHECK(rr == -EINVAL);
		if (rr != -EINVAL)
			fprintf(stderr, "  accepted: '%s'\n", bad[i]);
	}
}

/* PROXY-1 only-listed */
static void test_match(void)
{
	const char *v[] = { "github.com", "*.npmjs.org", "pypi.org:443", "127.0.0.1:18080", "[::1]:9000" };
	rules_set(v, 5);
	CHECK(check("github.com:443") == NULL);
	CHECK(check("GITHUB.COM.:80") == NULL);
	CHECK_STREQ(check("github.com:22"), "port not listed in allow_hosts");
	CHECK_STREQ(check("api.github.com:443"), "host not listed in allow_hosts");
	CHECK_STREQ(check("evilgithub.com:443"), "host not listed in allow_hosts");
	/* a wildcard: subdomains only, at any depth, not the name itself */
	CHECK(check("registry.npmjs.org:443") == NULL);
	CHECK(check("a.b.npmjs.org:80") == NULL);
	CHECK_STREQ(check("npmjs.org:443"), "host not listed in allow_hosts");
	CHECK_STREQ(check("xnpmjs.org:443"), "host not listed in allow_hosts");
	CHECK_STREQ(check("npmjs.org.evil.com:443"), "host not listed in allow_hosts");
	CHECK(check("pypi.org:443") == NULL);
	CHECK_STREQ(check("pypi.org:80"), "port not listed in allow_hosts");
	/* a literal only by the same address */
	CHECK(check("127.0.0.1:18080") == NULL);
	CHECK_STREQ(check("127.0.0.1:18081"), "port not listed in allow_hosts");
	CHECK_STREQ(check("127.0.0.2:18080"), "address not listed in allow_hosts");
	CHECK(check("[::1]:9000") == NULL);
	CHECK(check("[0:0::1]:9000") == NULL);
	CHECK_STREQ(check("[::ffff:127.0.0.1]:18080"), "address not listed in allow_hosts");
	/* a name is never matched by an address entry, nor a literal by a name */
	CHECK_STREQ(check("localhost:18080"), "host not listed in allow_hosts");
	const char *w[] = { "140.82.121.4" };
	rules_set(w, 1);
	CHECK(check("140.82.121.4:443") == NULL);
	CHECK_STREQ(check("140.82.121.4:8443"), "port not listed in allow_hosts");
}

/* PROXY-3 no-loopback-by-name */
static void test_resolved(void)
{
	const char *v[] = { "localhost:18080", "internal.example", "10.1.2.3:443", "[fe80::1]" };
	rules_set(v, 4);
	struct proxy_target t;
	uint8_t a[16];
	CHECK(proxy_target_set(&t, "localhost", 9, 18080) == 0);
	inet_pton(AF_INET, "127.0.0.1", a);
	CHECK_STREQ(proxy_check_resolved(rules, n_rules, &t, AF_INET, a),
		    "name resolves to a loopback address that is not listed");
	inet_pton(AF_INET6, "::1", a);
	CHECK_STREQ(proxy_check_resolved(rules, n_rules, &t, AF_INET6, a),
		    "name resolves to a loopback address that is not listed");
	inet_pton(AF_INET6, "::ffff:127.0.0.1", a);
	CHECK_STREQ(proxy_check_resolved(rules, n_rules, &t, AF_INET6, a),
		    "name resolves to a loopback address that is not listed");
	inet_pton(AF_INET, "140.82.121.4", a);
	CHECK(proxy_check_resolved(rules, n_rules, &t, AF_INET, a) == NULL);
	CHECK(proxy_target_set(&t, "internal.example", 16, 443) == 0);
	inet_pton(AF_INET, "10.1.2.3", a);
	CHECK(proxy_check_resolved(rules, n_rules, &t, AF_INET, a) == NULL);
	inet_pton(AF_INET6, "::ffff:10.1.2.3", a);
	CHECK(proxy_check_resolved(rules, n_rules, &t, AF_INET6, a) == NULL);
	inet_pton(AF_INET, "10.1.2.4", a);
	CHECK_STREQ(proxy_check_resolved(rules, n_rules, &t, AF_INET, a),
		    "name resolves to a private address that is not listed");
	inet_pton(AF_INET, "169.254.169.254", a);
	CHECK_STREQ(proxy_check_resolved(rules, n_rules, &t, AF_INET, a),
		    "name resolves to a link-local address that is not listed");
	inet_pton(AF_INET6, "fe80::1", a);
	CHECK(proxy_check_resolved(rules, n_rules, &t, AF_INET6, a) == NULL); /* listed, port 443 */
	CHECK(proxy_target_set(&t, "internal.example", 16, 8443) == 0);
	CHECK(proxy_check_resolved(rules, n_rules, &t, AF_INET6, a) != NULL); /* not with that port */
	struct {
		const char *a;
		enum proxy_addr_kind k;
	} kinds[] = { { "8.8.8.8", PROXY_ADDR_PUBLIC },     { "127.255.0.1", PROXY_ADDR_LOOPBACK },
		      { "172.16.0.1", PROXY_ADDR_PRIVATE }, { "172.32.0.1", PROXY_ADDR_PUBLIC },
		      { "192.168.1.1", PROXY_ADDR_PRIVATE }, { "100.64.0.1", PROXY_ADDR_PRIVATE },
		      { "0.0.0.0", PROXY_ADDR_SPECIAL },    { "224.0.0.1", PROXY_ADDR_SPECIAL },
		      { "255.255.255.255", PROXY_ADDR_SPECIAL }, { "::", PROXY_ADDR_SPECIAL },
		      { "fd00::1", PROXY_ADDR_PRIVATE },    { "ff02::1", PROXY_ADDR_SPECIAL },
		      { "2a00:1450::1", PROXY_ADDR_PUBLIC }, { "::127.0.0.1", PROXY_ADDR_SPECIAL } };
	for (size_t i = 0; i < sizeof(kinds) / sizeof(*kinds); i++) {
		int f = strchr(kinds[i].a, ':') ? AF_INET6 : AF_INET;
		CHECK(inet_pton(f, kinds[i].a, a) == 1);
		CHECK(proxy_addr_kind(f, a) == kinds[i].k);
	}
}

static int http(const char *req, struct proxy_http *h, const char **why)
{
	return proxy_http_parse(req, strlen(req), h, why);
}

static void test_http(void)
{
	struct proxy_http h;
	const char *why = NULL;
	CHECK(http("CONNECT github.com:443 HTTP/1.1\r\nHost: github.com:443\r\n\r\nxyz", &h, &why) == 0);
	CHECK(h.connect && h.t.port == 443 && h.out == NULL && h.head_len == 57);
	CHECK_STREQ(h.t.host, "github.com");
	CHECK(http("CONNECT [::1]:22 HTTP/1.1\r\n\r\n", &h, &why) == 0 && h.t.family == AF_INET6);
	CHECK(http("CONNECT github.com HTTP/1.1\r\n\r\n", &h, &why) == -EINVAL);
	CHECK_STREQ(why, "CONNECT needs HOST:PORT");
	CHECK(http("CONNECT github.com:443 HTTP/1.1\r\nHost: x", &h, &why) == -EAGAIN);
	CHECK(http("CONN", &h, &why) == -EAGAIN);

	CHECK(http("GET http://Example.org:8080/a/b?c=d#frag HTTP/1.1\r\nHost: example.org:8080\r\n"
		   "Proxy-Connection: keep-alive\r\nConnection: keep-alive\r\nAccept: */*\r\n\r\n",
		   &h, &why) == 0);
	CHECK(!h.connect && h.t.port == 8080);
	CHECK_STREQ(h.t.host, "example.org");
	CHECK_STREQ(h.out, "GET /a/b?c=d HTTP/1.1\r\nHost: example.org:8080\r\nAccept: */*\r\nConnection: close\r\n\r\n");
	proxy_http_release(&h);
	CHECK(http("HEAD http://example.org HTTP/1.0\r\n\r\n", &h, &why) == 0 && h.t.port == 80);
	CHECK_STREQ(h.out, "HEAD / HTTP/1.0\r\nHost: example.org\r\nConnection: close\r\n\r\n");
	proxy_http_release(&h);
	CHECK(http("GET /local HTTP/1.1\r\n\r\n", &h, &why) == -EINVAL);
	CHECK(http("GET https://example.org/ HTTP/1.1\r\n\r\n", &h, &why) == -EINVAL);
	CHECK_STREQ(why, "https:// needs CONNECT");
	CHECK(http("GET http://user@example.org/ HTTP/1.1\r\n\r\n", &h, &why) == -EINVAL);
	CHECK(http("GET http://example.org/ HTTP/2.0\r\n\r\n", &h, &why) == -EINVAL);
	CHECK(http("GET http://example.org/ HTTP/1.1\nHost: x\n\n", &h, &why) == -EINVAL);
	CHECK(http("GET http://example.org/ HTTP/1.1\r\nBad header\r\n\r\n", &h, &why) == -EINVAL);
	CHECK(http("G(T http://example.org/ HTTP/1.1\r\n\r\n", &h, &why) == -EINVAL);
	CHECK(proxy_http_parse("GET http://a.org/ HTTP/1.1\r\nX: a\0b\r\n\r\n", 38, &h, &why) == -EINVAL);
	CHECK(http("GET http://a.org/ HTTP/1.1\r\nX: a\rb\r\n\r\n", &h, &why) == -EINVAL);

	/* limits */
	size_t big = PROXY_MAX_HEAD + 10;
	char *b = malloc(big + 1);
	memset(b, 'a', big);
	b[big] = '\0';
	CHECK(proxy_http_parse(b, big, &h, &why) == -E2BIG);
	memcpy(b, "GET http://a.org/ HTTP/1.1\r\nX: ", 31);
	CHECK(proxy_http_parse(b, PROXY_MAX_LINE + 100, &h, &why) == -E2BIG);
	CHECK_STREQ(why, "header line too long");
	size_t n = 0;
	n += (size_t)sprintf(b, "GET http://a.org/ HTTP/1.1\r\n");
	for (int i = 0; i <= PROXY_MAX_HEADERS; i++)
		n += (size_t)sprintf(b + n, "X%d: y\r\n", i);
	n += (size_t)sprintf(b + n, "\r\n");
	CHECK(proxy_http_parse(b, n, &h, &why) == -E2BIG);
	CHECK_STREQ(why, "too many headers");
	free(b);
}

static void test_socks(void)
{
	size_t used = 0;
	uint8_t code;
	struct proxy_target t;
	CHECK(proxy_socks_hello((const uint8_t *)"\x05\x02\x00\x02", 4, &used) == 0 && used == 4);
	CHECK(proxy_socks_hello((const uint8_t *)"\x05\x01\x02", 3, &used) == -EPERM);
	CHECK(proxy_socks_hello((const uint8_t *)"\x05\x02\x00", 3, &used) == -EAGAIN);
	CHECK(proxy_socks_hello((const uint8_t *)"\x04\x01", 2, &used) == -EINVAL);
	const uint8_t dom[] = { 5, 1, 0, 3, 10, 'g', 'i', 't', 'h', 'u', 'b', '.', 'c', 'o', 'm', 1, 187 };
	CHECK(proxy_socks_request(dom, sizeof(dom), &used, &t, &code) == 0 && used == sizeof(dom) && t.port == 443);
	CHECK_STREQ(t.host, "github.com");
	CHECK(proxy_socks_request(dom, sizeof(dom) - 1, &used, &t, &code) == -EAGAIN);
	const uint8_t v4[] = { 5, 1, 0, 1, 127, 0, 0, 1, 0x46, 0xa0 };
	CHECK(proxy_socks_request(v4, sizeof(v4), &used, &t, &code) == 0 && t.family == AF_INET && t.port == 18080);
	CHECK_STREQ(t.host, "127.0.0.1");
	uint8_t v6[22] = { 5, 1, 0, 4 };
	v6[19] = 1;
	v6[21] = 22;
	CHECK(proxy_socks_request(v6, sizeof(v6), &used, &t, &code) == 0 && t.family == AF_INET6 && t.port == 22);
	const uint8_t bind[] = { 5, 2, 0, 1, 127, 0, 0, 1, 0, 80 };
	CHECK(proxy_socks_request(bind, sizeof(bind), &used, &t, &code) == -EINVAL &&
	      code == PROXY_SOCKS_CMD_UNSUPPORTED);
	const uint8_t atyp[] = { 5, 1, 0, 9, 0, 0 };
	CHECK(proxy_socks_request(atyp, sizeof(atyp), &used, &t, &code) == -EINVAL &&
	      code == PROXY_SOCKS_ATYP_UNSUPPORTED);
	const uint8_t badname[] = { 5, 1, 0, 3, 3, 'a', ' ', 'b', 0, 80 };
	CHECK(proxy_socks_request(badname, sizeof(badname), &used, &t, &code) == -EINVAL);
	const uint8_t port0[] = { 5, 1, 0, 1, 1, 2, 3, 4, 0, 0 };
	CHECK(proxy_socks_request(port0, sizeof(port0), &used, &t, &code) == -EINVAL);
}

UNIT_MAIN("proxy", test_rules, test_match, test_resolved, test_http, test_socks)
