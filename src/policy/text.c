/* text.c - a policy file's text as text, for the parse (parse.c): the
 * scrub that fixes or refuses what libconfuse's lexer would get wrong,
 * the lexical normalization of paths (~ expansion, no "..", no symlink
 * resolved), and what a file says made safe to quote in a message.
 *
 * Pure: it touches only the strings it is given (the scrub rewrites the
 * parse's own copy of the text in place); no file, no environment, no
 * libconfuse, nothing printed. */
#include "policy/internal.h"

#include <stdarg.h>
#include <stdio.h>

#include "base/log.h"
#include "base/util.h"

/* ---- messages --------------------------------------------------------- */

const char *config_shown(const char *s, char buf[static 72])
{
	return printable(s ? s : "", buf, 68);
}

static void err_vset(struct config_error *err, int line, const char *fmt, va_list ap)
{
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	for (char *c = err->message; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			*c = '?';
	err->line = line;
}

void config_err_set(struct config_error *err, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	err_vset(err, line, fmt, ap);
	va_end(ap);
}

/* ---- paths ------------------------------------------------------------ */

int config_path_clean(const char *in, const char *home, bool relative, char **ret,
		      const char **why)
{
	const char *prefix = "", *rest = in;

	if (!in[0]) {
		*why = "is empty";
		return -EINVAL;
	}
	for (const char *c = in; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f) {
			*why = "contains a control character";
			return -EINVAL;
		}
	if (in[0] == '~') {
		if (relative) {
			*why = "must be relative to the env file's directory";
			return -EINVAL;
		}
		if (in[1] && in[1] != '/') {
			*why = "names another user's home: only '~' and '~/' are expanded";
			return -EINVAL;
		}
		if (!home) {
			*why = "cannot be expanded: there is no home directory";
			return -EINVAL;
		}
		prefix = home;
		rest = in + 1;
	} else if (relative && in[0] == '/') {
		*why = "must be relative to the env file's directory";
		return -EINVAL;
	} else if (!relative && in[0] != '/') {
		*why = "is not an absolute path";
		return -EINVAL;
	}

	size_t cap = strlen(prefix) + strlen(rest) + 2, n = 0;
	_cleanup_free_ char *out = malloc(cap);
	if (!out)
		return -ENOMEM;
	/* The prefix (home) is normalized already: components of rest only. */
	if (prefix[0] && !streq(prefix, "/")) {
		memcpy(out, prefix, strlen(prefix));
		n = strlen(prefix);
	}
	for (const char *c = rest; *c;) {
		size_t len = strcspn(c, "/");
		if (len == 2 && c[0] == '.' && c[1] == '.') {
			*why = "must not contain '..'";
			return -EINVAL;
		}
		if (len > 0 && !(len == 1 && c[0] == '.')) {
			if (n > 0 || !relative)
				out[n++] = '/';
			memcpy(out + n, c, len);
			n += len;
		}
		c += len;
		c += strspn(c, "/");
	}
	if (n == 0) {
		if (relative) {
			*why = "names the env file's directory itself";
			return -EINVAL;
		}
		out[n++] = '/';
	}
	out[n] = '\0';
	if (n > CONFIG_MAX_PATH) {
		*why = "is too long";
		return -EINVAL;
	}
	*ret = steal_pointer(&out);
	return 0;
}

/* ---- the scrub -------------------------------------------------------- */

static const char dollar_brace[] =
	"syntax error: '${' (environment variables are not expanded: write the value)";
static const char unterminated_string[] = "syntax error: unterminated string";

static int refuse(int line, const char *msg, int *why_line, const char **why)
{
	*why_line = line;
	*why = msg;
	return -EINVAL;
}

/* What libconfuse's lexer (lexer.l) gets wrong for us, refused or fixed
 * before it sees the text: "${VAR}" would be expanded from nsbsh's own
 * environment (the parse must be pure); a backslash ending the text inside
 * a string would be echoed to stdout; an unterminated comment would end
 * the file silently; a block comment would count one line too many, and
 * any comment between a key and its value would be a syntax error.  So:
 * comments become spaces (their newlines kept), the rest is refused with
 * its line.  The states and the word characters are those of lexer.l
 * (libconfuse 3.3): "//" and slash-star start a comment where a word
 * would start, but a word goes on through slashes ("a//b", "a/"). */
static bool lex_word_char(char c)
{
	return c && !strchr(" #\"'\t\n\r={}()+,*", c);
}

int config_scrub(char *t, size_t len, int *why_line, const char **why)
{
	enum { TOP, LINE_COMMENT, BLOCK_COMMENT, DQ, SQ } st = TOP;
	int line = 1, start = 1;
	bool in_word = false;

	for (size_t i = 0; i < len; i++) {
		char c = t[i], n = i + 1 < len ? t[i + 1] : '\0';

		switch (st) {
		case TOP:
			if (c == '$' && n == '{')
				return refuse(line, dollar_brace, why_line, why);
			if (!lex_word_char(c)) {
				in_word = false;
				if (c == '#') {
					st = LINE_COMMENT;
				} else if (c == '"' || c == '\'') {
					st = c == '"' ? DQ : SQ;
					start = line;
				}
				break;
			}
			if (!in_word && c == '/' && n == '*') {
				st = BLOCK_COMMENT;
				start = line;
				t[i++] = ' ';
				break;
			}
			if (!in_word && c == '/' && n == '/') {
				st = LINE_COMMENT;
				break;
			}
			in_word = true;
			break;
		case LINE_COMMENT:
			if (c == '\n')
				st = TOP;
			break;
		case BLOCK_COMMENT:
			if (c == '*' && n == '/') {
				st = TOP;
				t[i++] = ' ';
				t[i] = ' ';
			}
			break;
		case DQ:
		case SQ:
			if (c == '\\') {
				if (i + 1 == len)
					return refuse(line, unterminated_string, why_line, why);
				if (n == '\n')
					line++;
				i++;
			} else if (c == (st == DQ ? '"' : '\'')) {
				st = TOP;
			} else if (st == DQ && c == '$' && n == '{') {
				return refuse(line, dollar_brace, why_line, why);
			}
			break;
		}
		if (c == '\n')
			line++;
		if ((st == LINE_COMMENT || st == BLOCK_COMMENT) && t[i] != '\n')
			t[i] = ' ';
	}
	if (st == BLOCK_COMMENT)
		return refuse(start, "syntax error: unterminated comment", why_line, why);
	if (st == DQ || st == SQ)
		return refuse(start, unterminated_string, why_line, why);
	return 0;
}
