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

static int paths_add(struct store_paths *acc, const char *s, size_t n)
{
	for (size_t i = 0; i < acc->n; i++)
		if (strlen(acc->v[i]) == n && memcmp(acc->v[i], s, n) == 0)
			return 0;
	if (acc->n >= CLOSURE_MAX)
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
			int r = paths_add(acc, p, (size_t)(q - p));
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
	size_t cap = 0;
	char *end = text + len;
	for (char *line = text; line < end;) {
		char *nl = memchr(line, '\n', (size_t)(end - line));
		if (!nl) /* written whole, with a last newline */
			goto bad;
		*nl = '\0';
		char *sp = strchr(line, ' ');
		if (sp)
			*sp = '\0';
		if (!closure_path_ok(line, strlen(line)) || (sp && !sp[1]))
			goto bad;
		if (ret->n >= CLOSURE_MAX) {
			closure_release(ret);
			return -E2BIG;
		}
		if (ret->n == cap) {
			cap = cap ? 2 * cap : 64;
			struct store_item *v = realloc(ret->v, cap * sizeof(*v));
			if (!v) {
				closure_release(ret);
				return -ENOMEM;
			}
			ret->v = v;
		}
		ret->v[ret->n++] = (struct store_item){ line, sp ? sp + 1 : NULL };
		line = nl + 1;
	}
	ret->text = text;
	return 0;
bad:
	free(ret->v);
	*ret = (struct closure){ 0 };
	return -EINVAL;
}

void closure_release(struct closure *c)
{
	free(c->v);
	free(c->text);
	*c = (struct closure){ 0 };
}
