/* gitconfig.c - git's config file syntax, read as git's config.c reads it
 * (see gitconfig.h): sections [name], [name "sub"] and the old [name.sub];
 * keys "name = value" or a bare "name"; values with "..." quotes, the
 * escapes \n \t \b \" \\, a backslash before a newline going on to the next
 * line, and comments (# or ;) outside quotes; runs of blanks inside a value
 * kept as spaces, at its ends dropped.  What git calls a bad config line
 * ends the parse with -EINVAL. */
#include "git/gitconfig.h"

#include <ctype.h>
#include <stdbool.h>
#include <strings.h>

#include "base/util.h"

struct reader {
	const char *p, *end;
	int line;
	char section[GITCONFIG_MAX_NAME + 1];
	char subsection[GITCONFIG_MAX_NAME + 1];
	bool has_subsection;
	char *value;  /* room for the longest value: the whole text */
};

static int peek(const struct reader *r)
{
	return r->p < r->end ? (unsigned char)*r->p : -1;
}

static int next(struct reader *r)
{
	if (r->p >= r->end)
		return -1;
	int c = (unsigned char)*r->p++;
	if (c == '\n')
		r->line++;
	return c;
}

static bool is_blank(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

static void skip_to_eol(struct reader *r)
{
	int c;
	while ((c = next(r)) != -1 && c != '\n')
		;
}

/* [name], [name "sub"] or [name.sub]; at the '[' already read.  Ends at the
 * ']' (what follows on the line is read as the next key, as git does). */
static int read_section(struct reader *r)
{
	size_t n = 0;
	int c;
	r->has_subsection = false;
	for (;;) {
		c = next(r);
		if (c == ']')
			break;
		if (c == -1 || c == '\n')
			return -EINVAL;
		if (is_blank(c))
			goto quoted;
		if (!isalnum(c) && c != '-' && c != '.')
			return -EINVAL;
		if (n >= GITCONFIG_MAX_NAME)
			return -EINVAL;
		r->section[n++] = (char)tolower(c);
	}
	r->section[n] = '\0';
	if (n == 0)
		return -EINVAL;
	/* [name.sub]: the old form, all lower case */
	char *dot = strchr(r->section, '.');
	if (dot) {
		if (dot == r->section || !dot[1])
			return -EINVAL;
		*dot = '\0';
		strcpy(r->subsection, dot + 1);
		r->has_subsection = true;
	}
	return 0;

quoted:
	r->section[n] = '\0';
	if (n == 0)
		return -EINVAL;
	while (is_blank(peek(r)))
		next(r);
	if (next(r) != '"')
		return -EINVAL;
	size_t m = 0;
	for (;;) {
		c = next(r);
		if (c == -1 || c == '\n')
			return -EINVAL;
		if (c == '"')
			break;
		if (c == '\\') {
			c = next(r);
			if (c == -1 || c == '\n')
				return -EINVAL;
		}
		if (c == '\0' || m >= GITCONFIG_MAX_NAME)
			return -EINVAL;
		r->subsection[m++] = (char)c;
	}
	r->subsection[m] = '\0';
	r->has_subsection = true;
	return next(r) == ']' ? 0 : -EINVAL;
}

/* The value after '=' (or nothing), to the end of its line. */
static int read_value(struct reader *r)
{
	size_t n = 0, blanks = 0;
	bool quote = false;
	for (;;) {
		int c = next(r);
		if (c == '\n' || c == -1) {
			if (quote)
				return -EINVAL;
			break;
		}
		if (!quote && (c == ';' || c == '#')) {
			skip_to_eol(r);
			break;
		}
		if (!quote && is_blank(c)) {
			if (n)
				blanks++;
			continue;
		}
		for (; blanks; blanks--)
			r->value[n++] = ' ';
		if (c == '"') {
			quote = !quote;
			continue;
		}
		if (c == '\\') {
			c = next(r);
			switch (c) {
			case '\n': continue; /* the value goes on */
			case 't': c = '\t'; break;
			case 'b': c = '\b'; break;
			case 'n': c = '\n'; break;
			case '\\': case '"': break;
			default: return -EINVAL;
			}
		}
		if (c == '\0')
			return -EINVAL;
		r->value[n++] = (char)c;
	}
	r->value[n] = '\0';
	return 0;
}

int gitconfig_parse(const char *text, size_t len, gitconfig_fn *fn, void *ctx, int *ret_line)
{
	if (len > GITCONFIG_MAX_FILE)
		return -EFBIG;
	struct reader r = { .p = text, .end = text + len, .line = 1 };
	_cleanup_free_ char *value = malloc(len + 1);
	if (!value)
		return -ENOMEM;
	r.value = value;
	/* a UTF-8 byte order mark, as git skips it */
	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
		r.p += 3;
	int res = 0;
	bool in_section = false;
	for (;;) {
		int c = next(&r);
		if (c == -1)
			return 0;
		if (c == '\n' || is_blank(c))
			continue;
		if (c == '#' || c == ';') {
			skip_to_eol(&r);
			continue;
		}
		int line = r.line;
		if (c == '[') {
			if (read_section(&r) < 0)
				goto bad;
			in_section = true;
			continue;
		}
		if (!isalpha(c) || !in_section)
			goto bad;
		char name[GITCONFIG_MAX_NAME + 1];
		size_t n = 0;
		name[n++] = (char)tolower(c);
		while (isalnum(peek(&r)) || peek(&r) == '-') {
			if (n >= GITCONFIG_MAX_NAME)
				goto bad;
			name[n++] = (char)tolower(next(&r));
		}
		name[n] = '\0';
		while (is_blank(peek(&r)))
			next(&r);
		bool has_value = false;
		c = peek(&r);
		if (c == '=') {
			next(&r);
			has_value = true;
			if (read_value(&r) < 0)
				goto bad;
		} else if (c == '\n' || c == -1) {
			next(&r);
		} else if (c == '#' || c == ';') {
			skip_to_eol(&r);
		} else {
			goto bad;
		}
		struct gitconfig_entry e = {
			.section = r.section,
			.subsection = r.has_subsection ? r.subsection : NULL,
			.name = name,
			.value = has_value ? r.value : NULL,
			.line = line,
		};
		if ((res = fn(&e, ctx)) != 0)
			return res;
		continue;
bad:
		if (ret_line)
			*ret_line = r.line;
		return -EINVAL;
	}
}

bool gitconfig_is_bool(const char *value)
{
	static const char *const words[] = { "true", "yes", "on", "false", "no", "off", "" };
	if (!value)
		return true;
	for (size_t i = 0; i < ARRAY_SIZE(words); i++)
		if (strcasecmp(value, words[i]) == 0)
			return true;
	/* git_parse_maybe_bool: any integer is a boolean too */
	const char *p = value + (*value == '-' || *value == '+');
	return *p && p[strspn(p, "0123456789")] == '\0';
}
