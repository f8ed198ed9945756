/* devenv.c - turn `nix print-dev-env --json` (Nix 2.8) into an execve()
 * environment block and a bash rc; and read the store paths of `nix flake
 * archive --json` and `nix build --json` with the same reader.
 *
 * The JSON reader is a strict pull parser straight over the input: no tree
 * is built, so memory follows the size of the output even for hostile
 * input, and recursion is bounded by JSON_MAX_DEPTH. Output buffers carry a
 * sticky out-of-memory flag so that rendering code needs no error paths;
 * devenv_render() checks the flags once at the end. */
#include "env/devenv.h"
#include "env/closure.h"

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "base/strbuf.h"
#include "base/util.h"
#include "sandbox/shell-view.h"

#define JSON_MAX_INPUT (64u << 20)
#define JSON_MAX_DEPTH 64
#define DEVENV_MAX_VARS 10000
#define DEVENV_MAX_FUNCS 10000
/* De-duplicating PATH is quadratic; these bound its cost. 128 KiB is also
 * MAX_ARG_STRLEN: execve() refuses any longer "PATH=..." anyway. */
#define PATH_MAX_LEN (128u << 10)
#define PATH_MAX_ENTRIES 4096

/* Nix's own ignore list, bash's special variables (read-only, or changing
 * meaning when assigned) and what nsbsh sets itself. BASH_* and LC_* are
 * matched as prefixes in var_ignored(). */
static const char *const ignored_vars[] = {
	"BASHOPTS", "HOME", "NIX_BUILD_TOP", "NIX_ENFORCE_PURITY", "NIX_LOG_FD",
	"NIX_REMOTE", "PPID", "SHELLOPTS", "SSL_CERT_FILE", "TEMP", "TEMPDIR",
	"TERM", "TMP", "TMPDIR", "TZ", "UID",
	"BASH", "BASHPID", "COMP_WORDBREAKS", "DIRSTACK", "EPOCHREALTIME",
	"EPOCHSECONDS", "EUID", "FUNCNAME", "GROUPS", "HISTCMD", "HOSTNAME",
	"HOSTTYPE", "IFS", "LINENO", "MACHTYPE", "OLDPWD", "OPTARG", "OPTERR",
	"OPTIND", "OSTYPE", "PIPESTATUS", "PS1", "PS2", "PS4", "PWD", "RANDOM",
	"SECONDS", "SHELL", "SHLVL", "SRANDOM",
	"LANG", "LANGUAGE", "USER", "LOGNAME", "_",
};

/* `if ()` and the like are syntax errors that would abort the whole rc. */
static const char *const reserved_words[] = {
	"case", "coproc", "do", "done", "elif", "else", "esac", "fi", "for",
	"function", "if", "in", "select", "then", "time", "until", "while",
};

struct json {
	const char *p, *end;
	int depth;
};

struct render {
	struct strbuf env, rc, arrays, funcs; /* output */
	struct strbuf name, key, type, val;   /* scratch for decoded strings */
	bool hook;
	struct store_paths *paths;            /* the store-path readers' output */
};

static void buf_utf8(struct strbuf *b, long cp)
{
	static const unsigned char lead[] = { 0, 0, 0xc0, 0xe0, 0xf0 };
	char u[4];
	int n = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;

	for (int i = n - 1; i > 0; i--, cp >>= 6)
		u[i] = (char)(0x80 | (cp & 0x3f));
	u[0] = (char)(lead[n] | cp);
	strbuf_add(b, u, n);
}

static void render_release(struct render *R)
{
	strbuf_release(&R->env);
	strbuf_release(&R->rc);
	strbuf_release(&R->arrays);
	strbuf_release(&R->funcs);
	strbuf_release(&R->name);
	strbuf_release(&R->key);
	strbuf_release(&R->type);
	strbuf_release(&R->val);
}

static bool json_take(struct json *j, char c)
{
	if (j->p == j->end || *j->p != c)
		return false;
	j->p++;
	return true;
}

static void json_ws(struct json *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r'))
		j->p++;
}

static bool json_eat(struct json *j, char c)
{
	json_ws(j);
	return json_take(j, c);
}

static int json_open(struct json *j, char c)
{
	if (!json_eat(j, c) || ++j->depth > JSON_MAX_DEPTH)
		return -EINVAL;
	return 0;
}

/* 1 when the open array or object has another element (the comma before
 * it consumed), 0 at its end (the bracket consumed). The caller reads the
 * element, so "[1,]" fails there. */
static int json_next(struct json *j, char close, size_t *n)
{
	if (json_eat(j, close)) {
		j->depth--;
		return 0;
	}
	if ((*n)++ > 0 && !json_eat(j, ','))
		return -EINVAL;
	return 1;
}

static long json_hex4(const struct json *j, const char *p)
{
	long v = 0;

	if (j->end - p < 4)
		return -1;
	for (int i = 0; i < 4; i++) {
		char c = p[i], l = (char)(c | 0x20);

		if (c >= '0' && c <= '9')
			v = v << 4 | (c - '0');
		else if (l >= 'a' && l <= 'f')
			v = v << 4 | (l - 'a' + 10);
		else
			return -1;
	}
	return v;
}

/* The code point of a \u escape (the \u already read), joining a surrogate
 * pair; lone surrogates cannot be UTF-8, and U+0000 cannot be in a C
 * string, so both are refused. */
static long json_unicode(struct json *j)
{
	long cp = json_hex4(j, j->p), lo;

	if (cp < 0)
		return -EINVAL;
	j->p += 4;
	if (cp >= 0xdc00 && cp <= 0xdfff)
		return -EINVAL;
	if (cp >= 0xd800 && cp <= 0xdbff) {
		if (!json_take(j, '\\') || !json_take(j, 'u'))
			return -EINVAL;
		lo = json_hex4(j, j->p);
		if (lo < 0xdc00 || lo > 0xdfff)
			return -EINVAL;
		j->p += 4;
		cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
	}
	return cp > 0 ? cp : -EINVAL;
}

/* Decodes a string into out (NULL: only validate). */
static int json_string(struct json *j, struct strbuf *out)
{
	static const char esc_in[] = "\"\\/bfnrt", esc_out[] = "\"\\/\b\f\n\r\t";

	if (out) {
		out->len = 0;
		strbuf_add(out, "", 0);
	}
	if (!json_eat(j, '"'))
		return -EINVAL;
	for (;;) {
		const char *s = j->p, *e;
		long cp;
		char c;

		while (j->p < j->end && *j->p != '"' && *j->p != '\\' && (unsigned char)*j->p >= 0x20)
			j->p++;
		if (out)
			strbuf_add(out, s, j->p - s);
		if (j->p == j->end || (unsigned char)*j->p < 0x20)
			return -EINVAL;
		if (*j->p++ == '"')
			break;
		if (j->p == j->end)
			return -EINVAL;
		c = *j->p++;
		if (c == 'u') {
			cp = json_unicode(j);
			if (cp < 0)
				return -EINVAL;
			if (out)
				buf_utf8(out, cp);
		} else if (c != '\0' && (e = strchr(esc_in, c))) {
			if (out)
				strbuf_add(out, &esc_out[e - esc_in], 1);
		} else {
			return -EINVAL;
		}
	}
	return out && out->oom ? -ENOMEM : 0;
}

static int json_key(struct json *j, struct strbuf *key)
{
	int r = json_string(j, key);

	if (r < 0)
		return r;
	return json_eat(j, ':') ? 0 : -EINVAL;
}

static int json_word(struct json *j, const char *w)
{
	size_t n = strlen(w);

	if ((size_t)(j->end - j->p) < n || memcmp(j->p, w, n) != 0)
		return -EINVAL;
	j->p += n;
	return 0;
}

static bool json_digits(struct json *j)
{
	const char *s = j->p;

	while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
		j->p++;
	return j->p > s;
}

static int json_number(struct json *j)
{
	json_take(j, '-');
	if (!json_take(j, '0') && !json_digits(j))
		return -EINVAL;
	if (json_take(j, '.') && !json_digits(j))
		return -EINVAL;
	if (json_take(j, 'e') || json_take(j, 'E')) {
		if (!json_take(j, '+'))
			json_take(j, '-');
		if (!json_digits(j))
			return -EINVAL;
	}
	return 0;
}

/* Validates and steps over one value of any kind. */
static int json_skip(struct json *j)
{
	size_t n = 0;
	int r;

	json_ws(j);
	if (j->p == j->end)
		return -EINVAL;
	switch (*j->p) {
	case '{':
	case '[': {
		bool obj = *j->p == '{';

		r = json_open(j, *j->p);
		while (r == 0 && (r = json_next(j, obj ? '}' : ']', &n)) > 0) {
			r = obj ? json_key(j, NULL) : 0;
			if (r == 0)
				r = json_skip(j);
		}
		return r;
	}
	case '"':
		return json_string(j, NULL);
	case 't':
		return json_word(j, "true");
	case 'f':
		return json_word(j, "false");
	case 'n':
		return json_word(j, "null");
	default:
		return json_number(j);
	}
}

/* Calls fn for each member of an object, the key decoded into R->name. */
static int json_members(struct json *j, struct render *R, size_t max,
			int (*fn)(struct render *R, struct json *j))
{
	size_t n = 0;
	int r = json_open(j, '{');

	while (r == 0 && (r = json_next(j, '}', &n)) > 0) {
		if (n > max)
			return -EINVAL;
		r = json_key(j, &R->name);
		if (r == 0)
			r = fn(R, j);
	}
	return r;
}

static bool is_alpha(char c)
{
	c = (char)(c | 0x20);
	return c >= 'a' && c <= 'z';
}

/* [A-Za-z_][A-Za-z0-9_]*, plus extra after the first character. */
static bool name_ok(const char *s, const char *extra)
{
	if (!is_alpha(*s) && *s != '_')
		return false;
	for (s++; *s; s++)
		if (!is_alpha(*s) && *s != '_' && !(*s >= '0' && *s <= '9') && !strchr(extra, *s))
			return false;
	return true;
}

static bool in_list(const char *s, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (streq(s, list[i]))
			return true;
	return false;
}

static bool var_ignored(const char *name)
{
	return !name_ok(name, "") || !strncmp(name, "BASH_", 5) || !strncmp(name, "LC_", 3) ||
	       in_list(name, ignored_vars, ARRAY_SIZE(ignored_vars));
}

static bool path_has(const char *s, size_t len, const char *e, size_t n)
{
	for (size_t i = 0; i < len;) {
		const char *c = memchr(s + i, ':', len - i);
		size_t m = c ? (size_t)(c - s) - i : len - i;

		if (m == n && memcmp(s + i, e, n) == 0)
			return true;
		i += m + 1;
	}
	return false;
}

/* Drops empty entries (each would mean the current directory), Nix's
 * /path-not-set placeholder and repeats (the first one wins), in place.
 * Returns the new length. Kept entries always end before the next one to
 * read starts, so moving them down never overwrites unread input. */
static ssize_t path_clean(char *s, size_t len)
{
	size_t w = 0, r = 0, entries = 0;

	if (len > PATH_MAX_LEN)
		return -EINVAL;
	while (r <= len) {
		size_t n = strchrnul(s + r, ':') - (s + r);

		if (++entries > PATH_MAX_ENTRIES)
			return -EINVAL;
		if (n > 0 && !(n == 13 && memcmp(s + r, "/path-not-set", 13) == 0) &&
		    !path_has(s, w, s + r, n)) {
			if (w > 0)
				s[w++] = ':';
			memmove(s + w, s + r, n);
			w += n;
		}
		r += n + 1;
	}
	s[w] = '\0';
	return w;
}

static int render_scalar(struct render *R, struct json *v, bool exported, bool skip)
{
	const char *name = R->name.s;
	int r = json_string(v, &R->val);

	if (r < 0 || skip)
		return r;
	if (streq(name, "PATH")) {
		ssize_t n = path_clean(R->val.s, R->val.len);

		if (n <= 0)
			return n;
		R->val.len = n;
	}
	/* shellHook is code for the rc to run, not for child processes. */
	if (streq(name, "shellHook")) {
		R->hook = true;
		exported = false;
	}
	if (exported) {
		strbuf_adds(&R->env, name);
		strbuf_add(&R->env, "=", 1);
		strbuf_add(&R->env, R->val.s, R->val.len + 1);
	} else {
		strbuf_adds(&R->rc, name);
		strbuf_add(&R->rc, "=", 1);
		strbuf_add_quoted(&R->rc, R->val.s, R->val.len);
		strbuf_add(&R->rc, "\n", 1);
	}
	return 0;
}

/* declare -a NAME=('a' 'b') or declare -A NAME=(['k']='v'); rendered even
 * when skipped, to check its shape, then cut off again. */
static int render_array(struct render *R, struct json *v, bool assoc, bool skip)
{
	struct strbuf *b = &R->arrays;
	size_t mark = b->len, n = 0;
	bool first = true;
	int r = json_open(v, assoc ? '{' : '[');

	strbuf_adds(b, assoc ? "declare -A " : "declare -a ");
	strbuf_adds(b, R->name.s);
	strbuf_add(b, "=(", 2);
	while (r == 0 && (r = json_next(v, assoc ? '}' : ']', &n)) > 0) {
		r = assoc ? json_key(v, &R->key) : 0;
		if (r == 0)
			r = json_string(v, &R->val);
		/* bash refuses an empty subscript */
		if (r < 0 || (assoc && R->key.len == 0))
			continue;
		if (!first)
			strbuf_add(b, " ", 1);
		first = false;
		if (assoc) {
			strbuf_add(b, "[", 1);
			strbuf_add_quoted(b, R->key.s, R->key.len);
			strbuf_add(b, "]=", 2);
		}
		strbuf_add_quoted(b, R->val.s, R->val.len);
	}
	strbuf_add(b, ")\n", 2);
	if (r < 0 || skip)
		b->len = mark;
	return r;
}

/* {"type": T, "value": V} in either order: V is stepped over first and
 * read again from a saved cursor once T is known. */
static int render_variable(struct render *R, struct json *j)
{
	struct json v = { 0 };
	bool typed = false, skip;
	size_t n = 0;
	const char *t;
	int r = json_open(j, '{');

	while (r == 0 && (r = json_next(j, '}', &n)) > 0) {
		r = json_key(j, &R->key);
		if (r < 0)
			break;
		if (streq(R->key.s, "type")) {
			r = json_string(j, &R->type);
			typed = true;
		} else {
			if (streq(R->key.s, "value")) {
				json_ws(j);
				v = *j;
			}
			r = json_skip(j);
		}
	}
	if (r < 0)
		return r;
	if (!typed || !v.p)
		return -EINVAL;
	t = R->type.s;
	skip = var_ignored(R->name.s);
	if (streq(t, "exported") || streq(t, "var"))
		return render_scalar(R, &v, streq(t, "exported"), skip);
	if (streq(t, "array") || streq(t, "associative"))
		return render_array(R, &v, streq(t, "associative"), skip);
	return 0; /* a type from a later Nix */
}

/* The body is the text between the braces of `declare -f`. */
static int render_function(struct render *R, struct json *j)
{
	const char *name = R->name.s;
	int r = json_string(j, &R->val);

	if (r < 0 || !name_ok(name, ":.+-") ||
	    in_list(name, reserved_words, ARRAY_SIZE(reserved_words)))
		return r;
	strbuf_adds(&R->funcs, name);
	strbuf_adds(&R->funcs, " ()\n{\n");
	strbuf_add(&R->funcs, R->val.s, R->val.len);
	strbuf_adds(&R->funcs, "\n}\n");
	return 0;
}

static int render_top(struct render *R, struct json *j)
{
	if (streq(R->name.s, "variables"))
		return json_members(j, R, DEVENV_MAX_VARS, render_variable);
	if (streq(R->name.s, "bashFunctions"))
		return json_members(j, R, DEVENV_MAX_FUNCS, render_function);
	return json_skip(j);
}

int devenv_render(const char *json, size_t len, struct devenv *ret)
{
	_cleanup_(render_release) struct render R = { 0 };
	struct json j = { json, json + len, 0 };
	int r;

	if (len > JSON_MAX_INPUT)
		return -EINVAL;
	/* environ is allocated even when empty: callers can walk it. */
	strbuf_add(&R.env, "", 0);
	strbuf_adds(&R.rc, "# generated by nsbsh from nix print-dev-env --json\n");
	r = json_members(&j, &R, SIZE_MAX, render_top);
	if (r < 0)
		return r;
	json_ws(&j);
	if (j.p != j.end)
		return -EINVAL;

	strbuf_add(&R.rc, R.arrays.s, R.arrays.len);
	strbuf_add(&R.rc, R.funcs.s, R.funcs.len);
	/* The policy's setenv: after the environment, before its hook. */
	strbuf_adds(&R.rc, "[ ! -r " SHELL_RC_SETENV " ] || . " SHELL_RC_SETENV "\n");
	/* The hook's stdout goes to stderr so that it cannot corrupt the output
	 * of a command run through the shell. */
	if (R.hook)
		strbuf_adds(&R.rc, "{ eval \"$shellHook\"; } >&2\n");
	if (R.env.oom || R.rc.oom || R.arrays.oom || R.funcs.oom)
		return -ENOMEM;

	ret->environ_len = R.env.len;
	ret->environ = steal_pointer(&R.env.s);
	ret->rc_len = R.rc.len;
	ret->rc = steal_pointer(&R.rc.s);
	return 0;
}

void devenv_release(struct devenv *d)
{
	free(d->environ);
	free(d->rc);
	*d = (struct devenv){ 0 };
}

/* ---- store paths in nix's other JSON ---------------------------------- */

void store_paths_release(struct store_paths *p)
{
	for (size_t i = 0; i < p->n; i++)
		free(p->v[i]);
	free(p->v);
	*p = (struct store_paths){ 0 };
}

static int paths_add(struct store_paths *p, const struct strbuf *s)
{
	if (!closure_path_ok(s->s, s->len))
		return -EINVAL;
	int r = store_paths_add(p, s->s, s->len, DEVENV_MAX_PATHS);
	return r == -E2BIG ? -EINVAL : r;
}

/* A value that must be a store path, kept in R->paths. */
static int path_value(struct render *R, struct json *j)
{
	int r = json_string(j, &R->val);
	return r < 0 ? r : paths_add(R->paths, &R->val);
}

/* nix flake archive --json: {"path": P, "inputs": {NAME: NODE, ...}}, the
 * top node's P being the flake's own source, not an input. */
static int archive_input(struct render *R, struct json *j);

static int archive_member(struct render *R, struct json *j)
{
	if (streq(R->name.s, "path"))
		return path_value(R, j);
	if (streq(R->name.s, "inputs"))
		return json_members(j, R, SIZE_MAX, archive_input);
	return json_skip(j);
}

static int archive_input(struct render *R, struct json *j)
{
	return json_members(j, R, SIZE_MAX, archive_member);
}

static int archive_top(struct render *R, struct json *j)
{
	if (streq(R->name.s, "inputs"))
		return json_members(j, R, SIZE_MAX, archive_input);
	return json_skip(j);
}

/* nix build --json: [{"drvPath": D, "outputs": {NAME: P, ...}}, ...]. */
static int build_member(struct render *R, struct json *j)
{
	if (streq(R->name.s, "outputs"))
		return json_members(j, R, SIZE_MAX, path_value);
	return json_skip(j);
}

static int read_paths(const char *json, size_t len, bool archive, struct store_paths *ret)
{
	_cleanup_(render_release) struct render R = { 0 };
	struct json j = { json, json + len, 0 };
	struct store_paths out = { 0 };
	int r = len > JSON_MAX_INPUT ? -EINVAL : 0;

	R.paths = &out;
	if (r == 0 && archive) {
		r = json_members(&j, &R, SIZE_MAX, archive_top);
	} else if (r == 0) {
		size_t n = 0;
		r = json_open(&j, '[');
		while (r == 0 && (r = json_next(&j, ']', &n)) > 0)
			r = json_members(&j, &R, SIZE_MAX, build_member);
	}
	json_ws(&j);
	if (r == 0 && j.p != j.end)
		r = -EINVAL;
	if (r == 0 && (R.name.oom || R.val.oom))
		r = -ENOMEM;
	if (r < 0) {
		store_paths_release(&out);
		return r;
	}
	*ret = out;
	return 0;
}

int devenv_archive_inputs(const char *json, size_t len, struct store_paths *ret)
{
	return read_paths(json, len, true, ret);
}

int devenv_build_outputs(const char *json, size_t len, struct store_paths *ret)
{
	return read_paths(json, len, false, ret);
}

int devenv_path_append(struct devenv *d, const char *const *dirs, size_t n)
{
	_cleanup_(strbuf_release) struct strbuf path = { 0 }, out = { 0 };
	const char *end = d->environ ? d->environ + d->environ_len : NULL, *e;
	bool found = false;

	for (e = d->environ; e && e < end; e += strlen(e) + 1)
		if (strncmp(e, "PATH=", 5) == 0)
			strbuf_adds(&path, e + 5);
	strbuf_add(&path, "", 0);
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(dirs[i]);
		if (!len || strchr(dirs[i], ':'))
			return -EINVAL;
		if (path_has(path.s, path.len, dirs[i], len))
			continue;
		if (path.len)
			strbuf_add(&path, ":", 1);
		strbuf_add(&path, dirs[i], len);
	}
	if (path.len > PATH_MAX_LEN)
		return -EINVAL;
	strbuf_add(&out, "", 0);
	for (e = d->environ; e && e < end; e += strlen(e) + 1) {
		if (strncmp(e, "PATH=", 5) != 0) {
			strbuf_add(&out, e, strlen(e) + 1);
		} else if (!found) {
			found = true;
			strbuf_adds(&out, "PATH=");
			strbuf_add(&out, path.s, path.len + 1);
		}
	}
	if (!found && path.len) {
		strbuf_adds(&out, "PATH=");
		strbuf_add(&out, path.s, path.len + 1);
	}
	if (path.oom || out.oom)
		return -ENOMEM;
	free(d->environ);
	d->environ_len = out.len;
	d->environ = strbuf_steal(&out);
	return 0;
}
