/* closure.c - the store paths of store = closure (see closure.h). */
#include "env/closure.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"

#define STORE "/nix/store/"
#define STORE_LEN (sizeof(STORE) - 1)
#define HASH_LEN 32

static bool name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c && strchr("+-._?=", c));
}

static bool hash_char(char c)
{
	return c && strchr("0123456789abcdfghijklmnpqrsvwxyz", c);
}

bool closure_path_ok(const char *s, size_t n)
{
	if (n < STORE_LEN + HASH_LEN + 2 || n > 4096 || memcmp(s, STORE, STORE_LEN) != 0 ||
	    s[STORE_LEN + HASH_LEN] != '-')
		return false;
	for (size_t i = STORE_LEN; i < STORE_LEN + HASH_LEN; i++)
		if (!hash_char(s[i]))
			return false;
	for (size_t i = STORE_LEN + HASH_LEN + 1; i < n; i++)
		if (!name_char(s[i]))
			return false;
	return true;
}

int store_paths_add(struct store_paths *acc, const char *s, size_t n, size_t max)
{
	for (size_t i = 0; i < acc->n; i++)
		if (strlen(acc->v[i]) == n && memcmp(acc->v[i], s, n) == 0)
			return 0;
	if (acc->n >= max)
		return -E2BIG;
	char **v = realloc(acc->v, (acc->n + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	acc->v = v;
	if (!(acc->v[acc->n] = strndup(s, n)))
		return -ENOMEM;
	acc->n++;
	return 0;
}

int closure_scan(const char *text, size_t len, struct store_paths *acc)
{
	const char *end = text + len;
	for (const char *p = text; p && p < end; p++) {
		p = memmem(p, (size_t)(end - p), STORE, STORE_LEN);
		if (!p)
			break;
		const char *q = p + STORE_LEN + HASH_LEN + 1;
		if (q > end)
			break;
		while (q < end && name_char(*q))
			q++;
		if (closure_path_ok(p, (size_t)(q - p))) {
			int r = store_paths_add(acc, p, (size_t)(q - p), CLOSURE_MAX);
			if (r < 0)
				return r;
			p = q - 1;
		}
	}
	return 0;
}

/* On success the closure owns text; on failure the caller still does. */
int closure_parse(char *text, size_t len, struct closure *ret)
{
	*ret = (struct closure){ 0 };
	size_t n = 0;
	const char *end = text + len;
	for (const char *line = text; line < end;) {
		const char *nl = memchr(line, '\n', (size_t)(end - line));
		if (!nl) /* written whole, with a last newline */
			return -EINVAL;
		const char *sp = memchr(line, ' ', (size_t)(nl - line));
		const char *target = sp ? sp + 1 : nl;
		size_t tl = (size_t)(nl - target);
		if (!closure_path_ok(line, (size_t)((sp ? sp : nl) - line)) ||
		    (sp && (tl == 0 || memchr(target, ' ', tl) || memchr(target, '\0', tl))))
			return -EINVAL;
		if (++n > CLOSURE_MAX)
			return -E2BIG;
		line = nl + 1;
	}
	*ret = (struct closure){ .text = text, .len = len, .n = n };
	return 0;
}

void closure_release(struct closure *c)
{
	free(c->text);
	*c = (struct closure){ 0 };
}
