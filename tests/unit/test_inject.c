/* test_inject.c - net/inject.c: the policy's inject entries, the request
 * heads rewritten for a listed host (INJECT-1, INJECT-2 of
 * sandbox/tls-inject.c rest on these) and chunked bodies framed. */
#include <errno.h>
#include <stdlib.h>

#include "net/inject.h"
#include "unit.h"

static void test_rules(void)
{
	struct inject_rule r;
	const char *why = NULL;
	CHECK(inject_rule_parse("API.GitHub.com Authorization=Bearer env:GITHUB_TOKEN", &r, &why) == 0);
	CHECK_STREQ(r.host, "api.github.com");
	CHECK_STREQ(r.header, "Authorization");
	CHECK_STREQ(r.prefix, "Bearer ");
	CHECK(!r.from_file);
	CHECK_STREQ(r.source, "GITHUB_TOKEN");
	CHECK(inject_rule_parse("registry.npmjs.org Authorization=Bearer file:~/.config/npm-token", &r, &why) == 0);
	CHECK(r.from_file);
	CHECK_STREQ(r.source, "~/.config/npm-token");
	CHECK(inject_rule_parse("127.0.0.1 X-Api-Key=env:KEY", &r, &why) == 0);
	CHECK_STREQ(r.prefix, "");
	CHECK_STREQ(r.header, "X-Api-Key");
	CHECK(inject_rule_parse("h.example Authorization=token a b env:T", &r, &why) == 0);
	CHECK_STREQ(r.prefix, "token a b ");
	CHECK(inject_find(&r, 1, "H.EXAMPLE") == &r);
	CHECK(inject_find(&r, 1, "x.h.example") == NULL);
	CHECK(inject_find(&r, 1, "example") == NULL);

	const char *bad[] = {
		"api.github.com",                                /* no header */
		"api.github.com Authorization",                  /* no '=' */
		"api.github.com =Bearer env:T",                  /* no name */
		"api.github.com Autho rization=Bearer env:T",    /* space in the name */
		"api.github.com Authorization=Bearer GITHUB",    /* no source */
		"api.github.com Authorization=Bearer env:",      /* no variable */
		"api.github.com Authorization=Bearer env:1X",    /* not a name */
		"api.github.com Authorization=Bearer file:rel",  /* relative */
		"*.github.com Authorization=env:T",              /* no wildcard */
		"[::1] Authorization=env:T",                     /* no IPv6 (a leaf's name) */
		"a b\x01 Authorization=env:T",
		"api.github.com Authorization=Bear\x01 env:T",   /* control byte */
		" Authorization=env:T",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why = NULL;
		CHECK(inject_rule_parse(bad[i], &r, &why) == -EINVAL && why);
	}
}

static int head(const char *s, struct inject_head *h, const char **why)
{
	return inject_head_parse(s, strlen(s), "Authorization", "Bearer SECRET", 13, h, why);
}

static void test_head(void)
{
	struct inject_head h;
	const char *why = NULL;
	/* INJECT-2's other half: the client's own value is dropped, every one */
	const char *req = "GET /user HTTP/1.1\r\nHost: api.github.com\r\nauthorization: Bearer nsbsh-injected\r\n"
			  "Accept: */*\r\nAUTHORIZATION: x\r\n\r\nNEXT";
	CHECK(head(req, &h, &why) == 0);
	CHECK(h.head_len == strlen(req) - 4);
	CHECK(h.replaced == 2);
	CHECK(h.body == INJECT_BODY_NONE);
	CHECK_STREQ(h.out, "GET /user HTTP/1.1\r\nHost: api.github.com\r\nAccept: */*\r\n"
			   "Authorization: Bearer SECRET\r\n\r\n");
	CHECK(h.out_len == strlen(h.out));
	free(h.out);

	CHECK(head("POST / HTTP/1.1\r\nContent-Length: 12\r\n\r\n", &h, &why) == 0 && h.body == INJECT_BODY_LENGTH &&
	      h.length == 12);
	free(h.out);
	CHECK(head("POST / HTTP/1.1\r\nContent-Length: 0\r\n\r\n", &h, &why) == 0 && h.body == INJECT_BODY_NONE);
	free(h.out);
	CHECK(head("POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\n", &h, &why) == 0 &&
	      h.length == 5);
	free(h.out);
	CHECK(head("POST / HTTP/1.1\r\nTransfer-Encoding: Chunked\r\n\r\n", &h, &why) == 0 &&
	      h.body == INJECT_BODY_CHUNKED);
	free(h.out);
	CHECK(head("GET /ws HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n", &h, &why) == 0 &&
	      h.body == INJECT_BODY_RAW);
	free(h.out);

	/* not whole yet */
	CHECK(head("GET / HTTP/1.1\r\nHost: a\r\n", &h, &why) == -EAGAIN);
	CHECK(head("", &h, &why) == -EAGAIN);

	/* what the proxy cannot frame exactly is refused */
	const char *bad[] = {
		"GET / HTTP/1.0\r\n\r\n",
		"GET / HTTP/2\r\n\r\n",
		"GET /\r\n\r\n",
		"GET  / HTTP/1.1\r\n\r\n",
		"G(T / HTTP/1.1\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n",
		"GET / HTTP/1.1\r\nHost a\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: a\nX: b\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: a\x01\r\n\r\n",
		"POST / HTTP/1.1\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n",
		"POST / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
		"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n",
		"POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n",
		"POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n",
		"POST / HTTP/1.1\r\nContent-Length: 1234567890123456\r\n\r\n",
		"POST / HTTP/1.1\r\nContent-Length: 1 2\r\n\r\n",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why = NULL;
		int r = head(bad[i], &h, &why);
		CHECK(r == -EINVAL && why);
		if (r != -EINVAL)
			fprintf(stderr, "  bad[%zu] gave %d\n", i, r);
	}

	/* found by fuzz_inject: a request line ending in CR and NUL, whose
	 * "line" after it was taken for a header */
	static const char nul[] = "P / HTTP/1.1\r\0X-A: b\r\n\r\n";
	CHECK(inject_head_parse(nul, sizeof(nul) - 1, "A", "b", 1, &h, &why) == -EINVAL);

	/* bounded */
	char *big = malloc(INJECT_MAX_HEAD + 10);
	memset(big, 'a', INJECT_MAX_HEAD + 10);
	CHECK(inject_head_parse(big, INJECT_MAX_HEAD + 10, "A", "b", 1, &h, &why) == -E2BIG);
	free(big);
	struct strbuf_like { char b[8000]; } many;
	size_t o = (size_t)snprintf(many.b, sizeof(many.b), "GET / HTTP/1.1\r\n");
	for (int i = 0; i <= INJECT_MAX_HEADERS; i++)
		o += (size_t)snprintf(many.b + o, sizeof(many.b) - o, "X: %d\r\n", i);
	snprintf(many.b + o, sizeof(many.b) - o, "\r\n");
	CHECK(head(many.b, &h, &why) == -E2BIG);

	CHECK(inject_value_ok("Bearer abc", 10));
	CHECK(!inject_value_ok("abc\r\nX: y", 10));
	CHECK(!inject_value_ok("abc\n", 4));
}

/* the whole body fed in pieces of step bytes: where it ended, or -1 */
static long chunked(const char *body, size_t step)
{
	struct inject_chunked c = { 0 };
	size_t len = strlen(body), at = 0;
	while (at < len) {
		size_t used, n = len - at < step ? len - at : step;
		int r = inject_chunked_feed(&c, body + at, n, &used);
		at += used;
		if (r < 0)
			return -1;
		if (r == 1)
			return (long)at;
		if (used != n)
			return -2;
	}
	return 0;
}

static void test_chunked(void)
{
	const char *b = "5\r\nhello\r\n1a;ext=1\r\nabcdefghijklmnopqrstuvwxyz\r\n0\r\n\r\nGET";
	for (size_t step = 1; step < 60; step++)
		CHECK(chunked(b, step) == (long)strlen(b) - 3);
	CHECK(chunked("0\r\nX-T: 1\r\n\r\n", 3) == 13);
	CHECK(chunked("5\r\nhel", 100) == 0);  /* more needed */
	CHECK(chunked("g\r\n", 1) == -1);
	CHECK(chunked("\r\n", 1) == -1);
	CHECK(chunked("5\r\nhelloX\r\n", 1) == -1);
	CHECK(chunked("5\nhello\r\n", 1) == -1);
	CHECK(chunked("fffffffffffffffff\r\n", 1) == -1);  /* past 64 bits */
	char longext[2000];
	memset(longext, 'e', sizeof(longext));
	longext[0] = '1';
	longext[1] = ';';
	longext[sizeof(longext) - 1] = '\0';
	CHECK(chunked(longext, 7) == -1);
}

UNIT_MAIN("inject", test_rules, test_head, test_chunked)
