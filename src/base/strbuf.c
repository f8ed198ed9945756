/* strbuf.c - a growing string and its encodings (see strbuf.h). */
#include "base/strbuf.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>

#include "base/util.h"

void strbuf_add(struct strbuf *b, const void *data, size_t n)
{
	if (b->oom)
		return;
	if (b->cap - b->len <= n) {
		size_t cap = b->cap ? b->cap : 64;
		while (cap - b->len <= n) {
			if (cap > SIZE_MAX / 2) {
				b->oom = true;
				return;
			}
			cap *= 2;
		}
		char *s = realloc(b->s, cap);
		if (!s) {
			b->oom = true;
			return;
		}
		b->s = s;
		b->cap = cap;
	}
	if (n > 0)
		memcpy(b->s + b->len, data, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void strbuf_adds(struct strbuf *b, const char *s)
{
	strbuf_add(b, s, strlen(s));
}

void strbuf_addf(struct strbuf *b, const char *fmt, ...)
{
	char *s = NULL;
	va_list ap;
	va_start(ap, fmt);
	int n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->oom = true;
		return;
	}
	strbuf_add(b, s, (size_t)n);
	free(s);
}

void strbuf_add_quoted(struct strbuf *b, const char *s, size_t n)
{
	const char *q;
	strbuf_add(b, "'", 1);
	while ((q = memchr(s, '\'', n))) {
		strbuf_add(b, s, (size_t)(q - s));
		strbuf_add(b, "'\\''", 4);
		n -= (size_t)(q + 1 - s);
		s = q + 1;
	}
	strbuf_add(b, s, n);
	strbuf_add(b, "'", 1);
}

void strbuf_add_escaped(struct strbuf *b, const char *s)
{
	for (const char *p = s;; p++) {
		size_t n = strcspn(p, "\\\n");
		strbuf_add(b, p, n);
		p += n;
		if (!*p)
			break;
		strbuf_add(b, *p == '\n' ? "\\n" : "\\\\", 2);
	}
}

char *strbuf_steal(struct strbuf *b)
{
	char *s = b->oom ? NULL : b->s ? b->s : strdup("");
	if (b->oom)
		free(b->s);
	*b = (struct strbuf){ 0 };
	return s;
}

void strbuf_release(struct strbuf *b)
{
	free(b->s);
	*b = (struct strbuf){ 0 };
}

char *shell_quote(const char *s)
{
	static const char plain[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-./=:@%+,";
	if (*s && strspn(s, plain) == strlen(s))
		return strdup(s);
	struct strbuf b = { 0 };
	strbuf_add_quoted(&b, s, strlen(s));
	return strbuf_steal(&b);
}

char *line_escape(const char *s)
{
	struct strbuf b = { 0 };
	strbuf_add_escaped(&b, s);
	return strbuf_steal(&b);
}

char *line_unescape(const char *s, size_t n)
{
	char *out = malloc(n + 1), *o = out;
	if (!out)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\\' && i + 1 < n) {
			i++;
			*o++ = s[i] == 'n' ? '\n' : s[i];
		} else {
			*o++ = s[i];
		}
	}
	*o = '\0';
	return out;
}
