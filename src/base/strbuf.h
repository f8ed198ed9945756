/* strbuf.h - a growing string, with the two encodings nsbsh writes: a word
 * for bash (single quotes), and a value on one line of nsbsh's own files
 * (backslash and newline escaped).  A failed allocation is sticky: the
 * buffer remembers it (oom) and ignores what follows, so that a writer
 * checks once at the end. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

struct strbuf {
	char *s;    /* NUL-terminated once anything was added; NULL before */
	size_t len, cap;
	bool oom;
};

void strbuf_add(struct strbuf *b, const void *data, size_t n);
void strbuf_adds(struct strbuf *b, const char *s);
void strbuf_addf(struct strbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The n bytes of s as one bash word in single quotes ('\'' for a quote):
 * every byte literal, newlines and $(...) included. */
void strbuf_add_quoted(struct strbuf *b, const char *s, size_t n);
/* s with backslash as "\\" and newline as "\n": one line (line_unescape). */
void strbuf_add_escaped(struct strbuf *b, const char *s);
/* The string, the caller's to free (NULL after an allocation failed, and
 * "" when nothing was added); the buffer is empty again. */
char *strbuf_steal(struct strbuf *b);
void strbuf_release(struct strbuf *b);

/* s as one word of a bash command line: as it is when nothing in it needs
 * quoting, else in single quotes; malloc'ed, NULL: out of memory. */
char *shell_quote(const char *s);
/* strbuf_add_escaped's text (n bytes) back; malloc'ed, NULL: out of memory. */
char *line_unescape(const char *s, size_t n);
/* strbuf_add_escaped into a new string; NULL: out of memory. */
char *line_escape(const char *s);
