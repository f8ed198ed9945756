/* inject.c - the pure parts of injected tokens (inject.h): the policy's
 * entries and the HTTP/1.1 request stream of a listed host.  Strict on
 * purpose: what this cannot frame exactly is refused (400), so that the
 * proxy and the server never disagree on where a request ends. */
#include "net/inject.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/strbuf.h"
#include "net/proxy.h"

/* RFC 9110 token characters: a header's name, a method. */
static bool tchar(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c && strchr("!#$%&'*+-.^_`|~", c));
}

bool inject_value_ok(const char *s, size_t len)
{
	if (len > INJECT_MAX_SECRET)
		return false;
	for (size_t i = 0; i < len; i++)
		if (((unsigned char)s[i] < 0x20 && s[i] != '\t') || s[i] == 0x7f)
			return false;
	return true;
}

int inject_rule_parse(const char *text, struct inject_rule *ret, const char **why)
{
	memset(ret, 0, sizeof(*ret));
	const char *sp = strchr(text, ' ');
	if (!sp) {
		*why = "is not \"HOST HEADER=VALUE\"";
		return -EINVAL;
	}
	struct proxy_target t;
	if (proxy_target_set(&t, text, (size_t)(sp - text), 443) < 0 || strchr(t.host, ':') || t.host[0] == '[') {
		*why = "does not start with a host name or an IPv4 address";
		return -EINVAL;
	}
	snprintf(ret->host, sizeof(ret->host), "%s", t.host);
	const char *h = sp + 1, *eq = strchr(h, '=');
	size_t hl = eq ? (size_t)(eq - h) : 0;
	if (!eq || hl == 0 || hl >= sizeof(ret->header)) {
		*why = "has no header name before '=' (HOST HEADER=VALUE)";
		return -EINVAL;
	}
	for (size_t i = 0; i < hl; i++)
		if (!tchar(h[i])) {
			*why = "has a header name with a character no header name has";
			return -EINVAL;
		}
	memcpy(ret->header, h, hl);
	const char *val = eq + 1, *last = strrchr(val, ' ');
	const char *src = last ? last + 1 : val;
	size_t pl = (size_t)(src - val);
	if (pl >= sizeof(ret->prefix) || !inject_value_ok(val, pl)) {
		*why = "has a value before the source that is too long or has a control character";
		return -EINVAL;
	}
	memcpy(ret->prefix, val, pl);
	const char *name;
	if (strncmp(src, "env:", 4) == 0) {
		name = src + 4;
		if (!(name[0] == '_' || (name[0] >= 'A' && name[0] <= 'Z') || (name[0] >= 'a' && name[0] <= 'z')) ||
		    name[strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_")]) {
			*why = "has env: without a variable's name";
			return -EINVAL;
		}
	} else if (strncmp(src, "file:", 5) == 0) {
		name = src + 5;
		ret->from_file = true;
		if (name[0] != '/' && strncmp(name, "~/", 2) != 0) {
			*why = "has file: without an absolute or ~/ path";
			return -EINVAL;
		}
	} else {
		*why = "does not end with the secret's source, env:NAME or file:PATH";
		return -EINVAL;
	}
	if (strlen(name) >= sizeof(ret->source) || !inject_value_ok(name, strlen(name))) {
		*why = "has a source too long or with a control character";
		return -EINVAL;
	}
	snprintf(ret->source, sizeof(ret->source), "%s", name);
	return 0;
}

const struct inject_rule *inject_find(const struct inject_rule *rules, size_t n, const char *host)
{
	for (size_t i = 0; i < n; i++)
		if (strcasecmp(rules[i].host, host) == 0)
			return &rules[i];
	return NULL;
}

static int fail(const char **why, const char *what)
{
	*why = what;
	return -EINVAL;
}

/* The value of a header line (after ':'), without the spaces around it. */
static void header_value(const char *p, const char *end, const char **v, size_t *vl)
{
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	while (end > p && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	*v = p;
	*vl = (size_t)(end - p);
}

int inject_head_parse(const char *buf, size_t len, const char *header, const char *value, size_t vlen,
		      struct inject_head *ret, const char **why)
{
	memset(ret, 0, sizeof(*ret));
	size_t max = len < INJECT_MAX_HEAD ? len : INJECT_MAX_HEAD;
	const char *end = NULL;
	for (size_t i = 0; i + 3 < max && !end; i++)
		if (buf[i] == '\r' && buf[i + 1] == '\n' && buf[i + 2] == '\r' && buf[i + 3] == '\n')
			end = buf + i + 2;  /* the blank line's start */
	if (!end) {
		if (len >= INJECT_MAX_HEAD) {
			*why = "request head too large";
			return -E2BIG;
		}
		return -EAGAIN;
	}
	ret->head_len = (size_t)(end - buf) + 2;
	/* the request line: METHOD SP TARGET SP HTTP/1.1 */
	const char *eol = memchr(buf, '\r', (size_t)(end - buf));
	if (!eol || eol[1] != '\n')
		return fail(why, "a request line without CRLF");
	const char *p = buf;
	while (p < eol && tchar(*p))
		p++;
	if (p == buf || p >= eol || *p != ' ')
		return fail(why, "bad request line");
	const char *target = ++p;
	while (p < eol && (unsigned char)*p > 0x20 && *p != 0x7f)
		p++;
	if (p == target || p >= eol || *p != ' ' || (size_t)(eol - p - 1) != 8 || memcmp(p + 1, "HTTP/1.1", 8))
		return fail(why, "not an HTTP/1.1 request line");
	struct strbuf out = { 0 };
	bool have_cl = false, have_te = false, upgrade = false;
	uint64_t cl = 0;
	unsigned n = 0;
	size_t hlen = strlen(header);
	strbuf_add(&out, buf, (size_t)(eol - buf) + 2);
	for (const char *line = eol + 2; line < end;) {
		const char *le = memchr(line, '\r', (size_t)(end - line));
		if (!le || le[1] != '\n') {
			strbuf_release(&out);
			return fail(why, "a header line without CRLF");
		}
		if (++n > INJECT_MAX_HEADERS) {
			strbuf_release(&out);
			*why = "too many header lines";
			return -E2BIG;
		}
		const char *c = line;
		while (c < le && tchar(*c))
			c++;
		if (c == line || c >= le || *c != ':') {
			strbuf_release(&out);
			return fail(why, line[0] == ' ' || line[0] == '\t' ? "obs-fold header line" : "bad header line");
		}
		for (const char *q = c + 1; q < le; q++)
			if (((unsigned char)*q < 0x20 && *q != '\t') || *q == 0x7f) {
				strbuf_release(&out);
				return fail(why, "a control byte in a header line");
			}
		size_t nl = (size_t)(c - line);
		const char *v;
		size_t vl;
		header_value(c + 1, le, &v, &vl);
		if (nl == 14 && strncasecmp(line, "Content-Length", 14) == 0) {
			uint64_t x = 0;
			if (vl == 0 || vl > 15 || strspn(v, "0123456789") < vl) {
				strbuf_release(&out);
				return fail(why, "bad Content-Length");
			}
			for (size_t i = 0; i < vl; i++)
				x = x * 10 + (uint64_t)(v[i] - '0');
			if (have_cl && x != cl) {
				strbuf_release(&out);
				return fail(why, "two Content-Length values");
			}
			have_cl = true;
			cl = x;
		} else if (nl == 17 && strncasecmp(line, "Transfer-Encoding", 17) == 0) {
			if (have_te || vl != 7 || strncasecmp(v, "chunked", 7) != 0) {
				strbuf_release(&out);
				return fail(why, "a Transfer-Encoding other than chunked");
			}
			have_te = true;
		} else if (nl == 7 && strncasecmp(line, "Upgrade", 7) == 0) {
			upgrade = true;
		}
		if (nl == hlen && strncasecmp(line, header, hlen) == 0)
			ret->replaced++;
		else
			strbuf_add(&out, line, (size_t)(le - line) + 2);
		line = le + 2;
	}
	if (have_cl && have_te) {
		strbuf_release(&out);
		return fail(why, "both Content-Length and Transfer-Encoding");
	}
	strbuf_add(&out, header, hlen);
	strbuf_add(&out, ": ", 2);
	strbuf_add(&out, value, vlen);
	strbuf_add(&out, "\r\n\r\n", 4);
	if (out.oom) {
		strbuf_release(&out);
		return -ENOMEM;
	}
	ret->out_len = out.len;
	ret->out = strbuf_steal(&out);
	if (!ret->out)
		return -ENOMEM;
	ret->body = upgrade ? INJECT_BODY_RAW
		    : have_te ? INJECT_BODY_CHUNKED
		    : have_cl && cl ? INJECT_BODY_LENGTH
				    : INJECT_BODY_NONE;
	ret->length = cl;
	return 0;
}

enum { CH_SIZE, CH_EXT, CH_SIZE_LF, CH_DATA, CH_DATA_CR, CH_DATA_LF, CH_TRAILER, CH_TRAILER_LF };

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int inject_chunked_feed(struct inject_chunked *c, const char *buf, size_t len, size_t *used)
{
	size_t i = 0;
	int r = 0;
	while (i < len && r == 0) {
		char b = buf[i];
		switch (c->state) {
		case CH_SIZE:
			if (hexval(b) >= 0) {
				if (c->left >> 56) {
					r = -EINVAL;
					break;
				}
				c->left = c->left * 16 + (uint64_t)hexval(b);
				c->digits = true;
			} else if (c->digits && (b == ';' || b == ' ' || b == '\t')) {
				c->state = CH_EXT;
			} else if (c->digits && b == '\r') {
				c->state = CH_SIZE_LF;
			} else {
				r = -EINVAL;
				break;
			}
			i++;
			break;
		case CH_EXT:
			if (b == '\r')
				c->state = CH_SIZE_LF;
			else if ((unsigned char)b < 0x20 && b != '\t')
				r = -EINVAL;
			i++;
			break;
		case CH_SIZE_LF:
			if (b != '\n') {
				r = -EINVAL;
				break;
			}
			i++;
			c->digits = false;
			c->line = 0;
			c->state = c->left ? CH_DATA : CH_TRAILER;
			break;
		case CH_DATA: {
			size_t k = len - i < c->left ? len - i : (size_t)c->left;
			i += k;
			c->left -= k;
			if (!c->left)
				c->state = CH_DATA_CR;
			break;
		}
		case CH_DATA_CR:
			if (b != '\r')
				r = -EINVAL;
			c->state = CH_DATA_LF;
			i++;
			break;
		case CH_DATA_LF:
			if (b != '\n')
				r = -EINVAL;
			c->state = CH_SIZE;
			c->line = 0;
			i++;
			break;
		case CH_TRAILER:
			/* trailer lines, then the blank line */
			if (b == '\r') {
				c->state = CH_TRAILER_LF;
			} else if ((unsigned char)b < 0x20 && b != '\t') {
				r = -EINVAL;
				break;
			} else {
				c->line++;
			}
			i++;
			break;
		case CH_TRAILER_LF:
			if (b != '\n') {
				r = -EINVAL;
				break;
			}
			i++;
			if (c->line == 0) {
				*c = (struct inject_chunked){ 0 };
				r = 1;
				break;
			}
			c->line = 0;
			c->state = CH_TRAILER;
			break;
		}
		if (r == 0 && (c->state == CH_SIZE || c->state == CH_EXT) && ++c->line > INJECT_MAX_CHUNK_LINE)
			r = -EINVAL;
	}
	*used = i;
	return r;
}
