/* inject.h - the pure parts of injected tokens (policy `inject`, with
 * `network = allow`): an entry "HOST HEADER=[PREFIX ]SOURCE", and the
 * HTTP/1.1 request stream that the proxy rewrites for a listed host (each
 * request's head with the header set, bodies passed through by their
 * framing).  No I/O; sandbox/tls-inject.c does the TLS and the sockets.
 * Every length is bounded before it is used. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define INJECT_PLACEHOLDER "nsbsh-injected"  /* env:NAME's value inside */
#define INJECT_MAX_ENTRIES 32
#define INJECT_MAX_SECRET 8192               /* bytes of a token (a file's, an env's) */
#define INJECT_MAX_HEAD (32u * 1024)         /* bytes of a request's head */
#define INJECT_MAX_HEADERS 100               /* header lines of one */
#define INJECT_MAX_CHUNK_LINE 1024           /* a chunk-size line, extensions included */

struct inject_rule {
	char host[254];    /* lower case, no trailing dot (or an address as written) */
	char header[64];   /* as written: "Authorization" */
	char prefix[256];  /* what precedes the secret in the value: "Bearer " (or "") */
	bool from_file;    /* file:PATH; else env:NAME */
	char source[4096]; /* NAME, or PATH as written (absolute or ~/) */
};

/* "api.github.com Authorization=Bearer env:GITHUB_TOKEN": 0 and *ret, or
 * -EINVAL with the reason in *why (a static string). */
int inject_rule_parse(const char *text, struct inject_rule *ret, const char **why);

/* The rule for host (as the proxy normalized it), or NULL: not listed. */
const struct inject_rule *inject_find(const struct inject_rule *rules, size_t n, const char *host);

/* Whether s (len bytes) may be a header's value: no control byte but HT,
 * at most INJECT_MAX_SECRET. */
bool inject_value_ok(const char *s, size_t len);

enum inject_body { INJECT_BODY_NONE, INJECT_BODY_LENGTH, INJECT_BODY_CHUNKED, INJECT_BODY_RAW };

/* One request's head rewritten. */
struct inject_head {
	size_t head_len;        /* bytes of the head in buf, its blank line included */
	char *out;              /* the head as sent on (malloc'ed): every header named
				 * like the rule's dropped, "HEADER: VALUE" added */
	size_t out_len;
	enum inject_body body;  /* RAW: an Upgrade request: what follows is not parsed */
	uint64_t length;        /* INJECT_BODY_LENGTH's bytes */
	unsigned replaced;      /* headers of that name the client had sent */
};

/* The head at the start of buf (len bytes so far), with header set to
 * value (vlen bytes): 0 and *ret (free ret->out); -EAGAIN: not whole yet;
 * -E2BIG: past INJECT_MAX_HEAD or INJECT_MAX_HEADERS; -EINVAL: not an
 * HTTP/1.1 request as RFC 9112 has it (obs-fold, a bare LF, a control byte,
 * Content-Length with Transfer-Encoding, a coding other than chunked, a
 * bad length), *why says what; -ENOMEM. */
int inject_head_parse(const char *buf, size_t len, const char *header, const char *value, size_t vlen,
		      struct inject_head *ret, const char **why);

/* A chunked body passed through: feed what came, forward *used bytes of it
 * unchanged.  1 at the body's end (the trailers' blank line consumed), 0
 * when more is needed, -EINVAL when it is not chunked coding. */
struct inject_chunked {
	int state;
	uint64_t left;
	size_t line;
	bool digits;
};
int inject_chunked_feed(struct inject_chunked *c, const char *buf, size_t len, size_t *used);
