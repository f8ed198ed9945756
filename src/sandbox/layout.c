/* layout.c - a sandbox's view being built, with a sticky error (layout.h). */
#include "sandbox/layout.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>

#include "base/sha256.h"
#include "base/util.h"
#include "policy/config.h"

void layout_init(struct layout *l)
{
	*l = (struct layout){ 0 };
	sandbox_spec_init(&l->spec);
	l->prog.stdout_fd = -1;
	l->prog.envp = l->envp;
}

void layout_release(struct layout *l)
{
	for (size_t i = 0; i < l->n_owned; i++)
		free(l->owned[i]);
	free(l->owned);
	for (size_t i = 0; i < l->n_env; i++)
		free(l->envp[i]);
	for (size_t i = 0; i < l->n_notes; i++)
		free(l->notes[i]);
	free(l->error_text);
	protect_list_release(&l->protect);
	free(l->guard_roots);
	free(l->guard_gitdirs);
	sandbox_spec_release(&l->spec);
	*l = (struct layout){ 0 };
}

int layout_error(const struct layout *l)
{
	return l->error;
}

const char *layout_error_text(const struct layout *l)
{
	return l->error_text;
}

void layout_set_error(struct layout *l, int error)
{
	if (!l->error)
		l->error = error;
}

void layout_fail(struct layout *l, int error, const char *fmt, ...)
{
	if (l->error)
		return;
	l->error = error;
	va_list ap;
	va_start(ap, fmt);
	if (vasprintf(&l->error_text, fmt, ap) < 0)
		l->error_text = NULL;
	va_end(ap);
}

void layout_note(struct layout *l, const char *fmt, ...)
{
	if (l->n_notes == LAYOUT_MAX_NOTES)
		return;
	char *s = NULL;
	va_list ap;
	va_start(ap, fmt);
	int n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n >= 0)
		l->notes[l->n_notes++] = s;
}

/* p (malloc'ed) kept until the layout is released; NULL (and p freed)
 * once an error is set, or when p is NULL (an allocation that failed). */
static void *own(struct layout *l, void *p)
{
	if (!p)
		layout_set_error(l, -ENOMEM);
	char **o = p && !l->error ? realloc(l->owned, (l->n_owned + 1) * sizeof(*o)) : NULL;
	if (!o) {
		free(p);
		layout_set_error(l, -ENOMEM);
		return NULL;
	}
	l->owned = o;
	l->owned[l->n_owned++] = p;
	return p;
}

/* A copy of len bytes (and a NUL) that lives as long as the layout. */
static const char *keep(struct layout *l, const void *data, size_t len)
{
	char *c = l->error ? NULL : malloc(len + 1);
	if (c) {
		memcpy(c, data, len);
		c[len] = '\0';
	}
	return own(l, c);
}

static const char *keep_str(struct layout *l, const char *s)
{
	if (!s) {
		layout_set_error(l, -ENOMEM);
		return NULL;
	}
	return keep(l, s, strlen(s));
}

static void add_op(struct layout *l, enum sandbox_op_kind kind, const char *src, const char *dest,
		   const char *data, size_t len)
{
	if (l->error)
		return;
	int r = sandbox_add(&l->spec, kind, src, dest, data, len);
	if (r == -E2BIG)
		layout_fail(l, r, "more than %d mounts in the sandbox", SANDBOX_MAX_OPS);
	else if (r < 0)
		layout_set_error(l, r);
}

static bool takes_src(enum sandbox_op_kind kind)
{
	return kind != SB_TMPFS && kind != SB_DIR && kind != SB_PROC && kind != SB_DEVPTS &&
	       kind != SB_FILE && kind != SB_STORE;
}

const char *layout_strdup(struct layout *l, const char *s)
{
	return keep_str(l, s);
}

void layout_add(struct layout *l, enum sandbox_op_kind kind, const char *src, const char *dest)
{
	const char *s = takes_src(kind) ? keep_str(l, src) : NULL;
	const char *d = keep_str(l, dest);
	add_op(l, kind, s, d, NULL, 0);
}

void layout_add_checked_at(struct layout *l, enum sandbox_op_kind kind, const char *src, const char *dest,
			   const struct stat *st)
{
	struct sandbox_bind_id id = { .dev = st->st_dev, .ino = st->st_ino };
	const char *s = keep_str(l, src);
	const char *d = src && dest && streq(src, dest) ? s : keep_str(l, dest);
	const char *i = keep(l, &id, sizeof(id));
	add_op(l, kind, s, d, i, sizeof(id));
}

void layout_add_checked(struct layout *l, enum sandbox_op_kind kind, const char *path,
			const struct stat *st)
{
	layout_add_checked_at(l, kind, path, path, st);
}

void layout_add_data(struct layout *l, enum sandbox_op_kind kind, const char *dest, const char *data, size_t len)
{
	const char *d = keep_str(l, dest);
	const char *c = data ? keep(l, data, len) : NULL;
	if (!data)
		layout_set_error(l, -ENOMEM);
	add_op(l, kind, NULL, d, c, len);
}

void layout_add_file(struct layout *l, const char *dest, const char *data, size_t len)
{
	layout_add_data(l, SB_FILE, dest, data, len);
}

void layout_writable(struct layout *l, const char *path)
{
	const char *p = keep_str(l, path);
	if (l->error)
		return;
	if (l->n_writable == LAYOUT_MAX_WRITABLE) {
		layout_fail(l, -E2BIG, "more than %d writable places in the sandbox", LAYOUT_MAX_WRITABLE);
		return;
	}
	l->writable[l->n_writable++] = p;
	l->spec.writable = l->writable;
	l->spec.n_writable = l->n_writable;
}

/* Bounded by what makes them: the view's binds, the git dirs gitprotect
 * walks (its own bounds, GITP-1, NEST-3). */
static void guard_push(struct layout *l, const char ***v, size_t *n, const char *path)
{
	const char *p = keep_str(l, path);
	if (l->error)
		return;
	const char **w = realloc(*v, (*n + 1) * sizeof(*w));
	if (!w) {
		layout_set_error(l, -ENOMEM);
		return;
	}
	w[(*n)++] = p;
	*v = w;
	l->spec.guard.roots = l->guard_roots;
	l->spec.guard.n_roots = l->n_guard_roots;
	l->spec.guard.gitdirs = l->guard_gitdirs;
	l->spec.guard.n_gitdirs = l->n_guard_gitdirs;
}

void layout_guard_root(struct layout *l, const char *path)
{
	guard_push(l, &l->guard_roots, &l->n_guard_roots, path);
}

void layout_guard_gitdir(struct layout *l, const char *path)
{
	guard_push(l, &l->guard_gitdirs, &l->n_guard_gitdirs, path);
}

/* entry ("NAME=VALUE", malloc'ed, taken) in place of an earlier NAME. */
static void putenv_owned(struct layout *l, char *entry)
{
	if (!entry || l->error) {
		free(entry);
		layout_set_error(l, -ENOMEM);
		return;
	}
	size_t nlen = strcspn(entry, "=");
	for (size_t i = 0; i < l->n_env; i++) {
		if (strncmp(l->envp[i], entry, nlen + 1) == 0) {
			free(l->envp[i]);
			l->envp[i] = entry;
			l->env_from[i] = l->env_origin ? l->env_origin : "nsbsh";
			return;
		}
	}
	if (l->n_env + 1 >= LAYOUT_MAX_ENV) {
		free(entry);
		layout_fail(l, -E2BIG, "more than %d variables in the sandbox's environment", LAYOUT_MAX_ENV - 1);
		return;
	}
	l->env_from[l->n_env] = l->env_origin ? l->env_origin : "nsbsh";
	l->envp[l->n_env++] = entry;
	l->envp[l->n_env] = NULL;
}

void layout_setenv(struct layout *l, const char *name, const char *value)
{
	char *e = NULL;
	if (!name || !value || asprintf(&e, "%s=%s", name, value) < 0)
		e = NULL;
	putenv_owned(l, e);
}

void layout_pass_env(struct layout *l, const struct policy *p)
{
	extern char **environ;
	for (char **e = environ; *e && !l->error; e++) {
		size_t nlen = strcspn(*e, "=");
		if ((*e)[nlen] != '=')
			continue;
		_cleanup_free_ char *name = strndup(*e, nlen);
		if (!name) {
			layout_set_error(l, -ENOMEM);
			return;
		}
		if (policy_passes_env(p, name)) {
			const char *was = l->env_origin;
			l->env_origin = policy_env_builtin(name) ? "allowlist" : "passthrough";
			putenv_owned(l, strdup(*e));
			l->env_origin = was;
		}
	}
}

void layout_program(struct layout *l, const char *path, int argc, char *const *argv, const char *cwd)
{
	char **v = own(l, calloc((size_t)argc + 1, sizeof(char *)));
	if (!v)
		return;
	for (int i = 0; i < argc; i++)
		v[i] = (char *)keep_str(l, argv[i]);
	l->prog.path = keep_str(l, path);
	l->prog.argv = v;
	l->prog.cwd = keep_str(l, cwd);
}

const struct sandbox_op *layout_find(const struct layout *l, const char *dest)
{
	for (size_t i = l->spec.n_ops; i > 0; i--)
		if (l->spec.ops[i - 1].dest && streq(l->spec.ops[i - 1].dest, dest))
			return &l->spec.ops[i - 1];
	return NULL;
}

static void fp_field(struct sha256 *h, const void *data, size_t len)
{
	uint8_t n[8];
	for (int i = 0; i < 8; i++)
		n[i] = (uint8_t)((uint64_t)len >> (8 * i));
	sha256_update(h, n, sizeof(n));
	if (len)
		sha256_update(h, data, len);
}

void layout_fingerprint(const struct layout *l, char ret_hex[65])
{
	struct sha256 h;
	uint8_t digest[32];
	char kind[32];
	sha256_init(&h);
	fp_field(&h, "nsbsh-view-1", 12);
	snprintf(kind, sizeof(kind), "%d", l->error);
	fp_field(&h, kind, strlen(kind));
	for (size_t i = 0; i < l->spec.n_ops; i++) {
		const struct sandbox_op *op = &l->spec.ops[i];
		snprintf(kind, sizeof(kind), "%d", (int)op->kind);
		fp_field(&h, kind, strlen(kind));
		fp_field(&h, op->src ? op->src : "", op->src ? strlen(op->src) : 0);
		fp_field(&h, op->dest ? op->dest : "", op->dest ? strlen(op->dest) : 0);
		fp_field(&h, op->data ? op->data : "", op->data ? op->len : 0);
	}
	/* the creation guard's setting (a sandbox with another is another) */
	snprintf(kind, sizeof(kind), "guard %d %d", l->spec.guard.on, l->spec.guard.nested_git);
	fp_field(&h, kind, strlen(kind));
	sha256_final(&h, digest);
	sha256_hex(digest, ret_hex);
}
