/* cache.c - content keys and cache entries (see cache.h). */
#include "env/cache.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <time.h>

#include <limits.h>

#include "base/dirs.h"
#include "base/file.h"
#include "base/path.h"
#include "base/sha256.h"
#include "base/strbuf.h"
#include "base/util.h"

const char *cache_system(void)
{
#if defined(__x86_64__)
	return "x86_64-linux";
#elif defined(__aarch64__)
	return "aarch64-linux";
#elif defined(__i386__)
	return "i686-linux";
#elif defined(__riscv) && __riscv_xlen == 64
	return "riscv64-linux";
#else
	return "unknown-linux";
#endif
}

static void hash_field(struct sha256 *h, const char *data, size_t len)
{
	uint8_t n[8];
	for (int i = 0; i < 8; i++)
		n[i] = (uint8_t)((uint64_t)len >> (8 * i));
	sha256_update(h, n, sizeof(n));
	sha256_update(h, data, len);
}

static void hash_str(struct sha256 *h, const char *s)
{
	hash_field(h, s, strlen(s));
}

void cache_key_compute(const struct cache_key_input *in, char ret_hex[65])
{
	struct sha256 h;
	uint8_t digest[32];

	sha256_init(&h);
	hash_str(&h, "nsbsh-env-key-1");
	hash_str(&h, in->kind);
	hash_str(&h, in->env_rel);
	hash_str(&h, in->nix_id);
	hash_str(&h, in->system);
	for (size_t i = 0; i < in->n_files; i++) {
		hash_str(&h, in->files[i].name);
		if (in->files[i].data) {
			hash_str(&h, "present");
			hash_field(&h, in->files[i].data, in->files[i].len);
		} else {
			hash_str(&h, "absent");
		}
	}
	/* The tags hold a NUL, which no file name does: they cannot be read
	 * as one more file. */
	if (in->devenv_id) {
		hash_field(&h, "\0devenv", 7);
		hash_str(&h, in->devenv_id);
	}
	if (in->n_tools) {
		char n[24];
		snprintf(n, sizeof(n), "%zu", in->n_tools);
		hash_field(&h, "\0tools", 6);
		hash_str(&h, n);
		for (size_t i = 0; i < in->n_tools; i++)
			hash_str(&h, in->tools[i]);
	}
	sha256_final(&h, digest);
	sha256_hex(digest, ret_hex);
}


/* The files whose content makes a kind's key, in a fixed order. */
static const char *const key_files[][3] = {
	[ENV_FLAKE] = { "flake.nix", "flake.lock", NULL },
	[ENV_DEVENV] = { "devenv.nix", "devenv.yaml", "devenv.lock" },
};
#define KEY_FILES_MAX ARRAY_SIZE(key_files[0])

void cache_files_release(struct cache_files *f)
{
	for (size_t i = 0; i < f->n; i++) {
		free((char *)f->v[i].name);
		free((char *)f->v[i].data);
	}
	free(f->v);
	*f = (struct cache_files){ 0 };
}

const char *const *cache_key_file_names(enum env_kind kind, size_t *ret_n)
{
	const char *const *names = key_files[kind];
	size_t n = 0;
	while (n < KEY_FILES_MAX && names[n])
		n++;
	*ret_n = n;
	return names;
}

/* HOST-2: an env or watched file of the work tree, read on the host
 * without following a link anywhere from the env file's directory (code in
 * the sandbox can make flake.lock a link to ~/.ssh/id_rsa): a link is read
 * as what it says, "symbolic link to TARGET", as git stores it; a link on
 * the way as a note of it.  -ENOENT when absent. */
static int env_file_read(int envdir, const char *name, char **ret, size_t *ret_len)
{
	_cleanup_free_ char *dir = strdup(name);
	if (!dir)
		return -ENOMEM;
	char *slash = strrchr(dir, '/');
	const char *base = slash ? slash + 1 : name;
	_cleanup_close_ int parent = -1;
	if (slash) {
		*slash = '\0';
		parent = open_beneath(envdir, dir, O_PATH | O_DIRECTORY, 0);
		if (parent == -ELOOP) {
			if (asprintf(ret, "nsbsh: a symbolic link on the way to %s\n", name) < 0)
				return -ENOMEM;
			*ret_len = strlen(*ret);
			return 0;
		}
		if (parent < 0)
			return parent == -ENOTDIR ? -ENOENT : parent;
	}
	int at = slash ? parent : envdir;
	int r = file_read(at, base, CACHE_FILE_MAX, FILE_NOFOLLOW, ret, ret_len);
	if (r != -ELOOP)
		return r;
	char target[PATH_MAX];
	ssize_t n = readlinkat(at, base, target, sizeof(target) - 1);
	if (n < 0)
		return -errno;
	target[n] = '\0';
	if (asprintf(ret, "symbolic link to %s\n", target) < 0)
		return -ENOMEM;
	*ret_len = strlen(*ret);
	return 0;
}

int cache_files_read(const struct project *p, const char *const *extra, size_t n_extra,
		     struct cache_files *ret)
{
	size_t n_names;
	const char *const *names = cache_key_file_names(p->kind, &n_names);
	size_t n = n_names + n_extra;
	_cleanup_close_ int envdir = open(p->envdir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (envdir < 0)
		return -errno;
	struct cache_files f = { .v = calloc(n, sizeof(*f.v)) };
	if (!f.v)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++, f.n++) {
		const char *name = i < n_names ? names[i] : extra[i - n_names];
		char *data = NULL;
		size_t len = 0;
		int r = -ENOMEM;
		if (!(f.v[i].name = strdup(name)) ||
		    ((r = env_file_read(envdir, name, &data, &len)) < 0 && r != -ENOENT)) {
			cache_files_release(&f);
			return r;
		}
		f.v[i].data = data;
		f.v[i].len = len;
	}
	*ret = f;
	return 0;
}

void cache_key_for_files(const struct project *p, const struct cache_key_ids *ids,
			 const struct cache_files *f, char ret_hex[65])
{
	struct cache_key_input in = {
		.kind = project_kind_name(p->kind),
		.env_rel = p->env_rel,
		.nix_id = ids->nix_id,
		.system = cache_system(),
		.files = f->v,
		.n_files = f->n,
		.devenv_id = p->kind == ENV_DEVENV ? (ids->devenv_id ? ids->devenv_id : "none") : NULL,
		.tools = ids->tools,
		.n_tools = ids->n_tools,
	};
	cache_key_compute(&in, ret_hex);
}

int cache_key_for_project(const struct project *p, const struct cache_key_ids *ids,
			  const char *const *extra, size_t n_extra, char ret_hex[65])
{
	struct cache_files f;
	int r = cache_files_read(p, extra, n_extra, &f);
	if (r < 0)
		return r;
	cache_key_for_files(p, ids, &f, ret_hex);
	cache_files_release(&f);
	return 0;
}

/* ENTRY/files/NAME, NAME with '/' as "%2F" and '%' as "%25". */
static char *saved_path(const char *dir, const char *name)
{
	size_t n = strlen(dir) + sizeof("/files/") + 3 * strlen(name);
	char *path = malloc(n), *o;
	if (!path)
		return NULL;
	o = path + sprintf(path, "%s/files/", dir);
	for (; *name; name++)
		o += *name == '/' ? sprintf(o, "%%2F") : *name == '%' ? sprintf(o, "%%25") : sprintf(o, "%c", *name);
	*o = '\0';
	return path;
}

int cache_files_save(const char *entry_dir, const struct cache_files *f)
{
	_cleanup_free_ char *dir = NULL;
	if (asprintf(&dir, "%s/files", entry_dir) < 0)
		return -ENOMEM;
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return -errno;
	for (size_t i = 0; i < f->n; i++) {
		_cleanup_free_ char *path = saved_path(entry_dir, f->v[i].name);
		if (!path)
			return -ENOMEM;
		if (!f->v[i].data) {
			unlink(path);
			continue;
		}
		int r = file_write_atomic(dir, path + strlen(dir) + 1, f->v[i].data, f->v[i].len, 0600);
		if (r < 0)
			return r;
	}
	return 0;
}

char *cache_files_saved(const char *entry_dir, const char *name)
{
	return saved_path(entry_dir, name);
}

int cache_files_changed(const char *entry_dir, const struct cache_files *f, char **ret)
{
	_cleanup_free_ char *list = NULL, *dir = NULL;
	size_t len = 0;
	struct stat st;
	if (asprintf(&dir, "%s/files", entry_dir) < 0)
		return -ENOMEM;
	bool kept = stat(dir, &st) == 0;
	for (size_t i = 0; kept && i < f->n; i++) {
		_cleanup_free_ char *path = saved_path(entry_dir, f->v[i].name), *old = NULL;
		size_t old_len = 0;
		if (!path)
			return -ENOMEM;
		int r = file_read(AT_FDCWD, path, CACHE_FILE_MAX, 0, &old, &old_len);
		if (r < 0 && r != -ENOENT)
			return r;
		bool same = f->v[i].data ? (old && old_len == f->v[i].len &&
					    memcmp(old, f->v[i].data, old_len) == 0)
					 : !old;
		if (same)
			continue;
		char *l = realloc(list, len + strlen(f->v[i].name) + 3);
		if (!l)
			return -ENOMEM;
		list = l;
		len += (size_t)sprintf(list + len, "%s%s", len ? ", " : "", f->v[i].name);
	}
	*ret = steal_pointer(&list);
	return kept ? 0 : -ENOENT;
}








char *cache_last_name(const char *worktree, const char *env_rel)
{
	struct sha256 h;
	uint8_t digest[32];
	char *hex = malloc(65);
	if (!hex)
		return NULL;
	sha256_init(&h);
	hash_str(&h, worktree);
	hash_str(&h, env_rel);
	sha256_final(&h, digest);
	sha256_hex(digest, hex);
	return hex;
}

static char *last_path(const char *root, const struct project *p)
{
	_cleanup_free_ char *name = cache_last_name(p->worktree, p->env_rel);
	char *path = NULL;
	if (!name || asprintf(&path, "%s/last/%s", root, name) < 0)
		return NULL;
	return path;
}

int cache_last_read(const char *path, struct cache_last *ret)
{
	_cleanup_free_ char *data = NULL;
	size_t len = 0;
	int r = file_read(AT_FDCWD, path, 3 * PATH_MAX_LAST, 0, &data, &len);
	if (r < 0)
		return r;
	if (len < 64 || strspn(data, "0123456789abcdef") < 64 || (len > 64 && data[64] != '\n'))
		return -EINVAL;
	*ret = (struct cache_last){ 0 };
	memcpy(ret->key, data, 64);
	/* Since gc: the project's work tree and env directory follow the key,
	 * so that gc can tell whether the project still exists. */
	char *wt = len > 65 ? data + 65 : NULL, *nl = wt ? strchr(wt, '\n') : NULL;
	if (nl) {
		char *rel = nl + 1, *end = strchr(rel, '\n');
		ret->worktree = line_unescape(wt, (size_t)(nl - wt));
		ret->env_rel = line_unescape(rel, end ? (size_t)(end - rel) : strlen(rel));
		if (!ret->worktree || !ret->env_rel) {
			cache_last_release(ret);
			return -ENOMEM;
		}
	}
	return 0;
}

void cache_last_release(struct cache_last *l)
{
	free(l->worktree);
	free(l->env_rel);
	l->worktree = l->env_rel = NULL;
}

int cache_last_get(const char *root, const struct project *p, char ret_key[65])
{
	_cleanup_free_ char *path = last_path(root, p);
	struct cache_last last;
	if (!path)
		return -ENOMEM;
	int r = cache_last_read(path, &last);
	if (r < 0)
		return r;
	memcpy(ret_key, last.key, 65);
	cache_last_release(&last);
	return 0;
}

int cache_last_set(const char *root, const struct project *p, const char *key)
{
	_cleanup_free_ char *dir = NULL, *path = last_path(root, p), *data = NULL;
	_cleanup_free_ char *wt = line_escape(p->worktree), *rel = line_escape(p->env_rel);
	struct cache_last old;
	if (!path || !wt || !rel)
		return -ENOMEM;
	if (cache_last_read(path, &old) == 0) {
		bool same = streq(old.key, key) && old.worktree;
		cache_last_release(&old);
		if (same)
			return 0;
	}
	int r = dirs_subdir(root, "last", &dir);
	if (r < 0)
		return r;
	if (asprintf(&data, "%s\n%s\n%s\n", key, wt, rel) < 0)
		return -ENOMEM;
	return file_write_atomic(dir, strrchr(path, '/') + 1, data, strlen(data), 0600);
}



int cache_meta_get(const char *root, const char *key, const char *name, char **ret)
{
	_cleanup_free_ char *path = NULL, *data = NULL;
	size_t len = 0, nlen = strlen(name);
	if (asprintf(&path, "%s/env/%s/meta", root, key) < 0)
		return -ENOMEM;
	int r = file_read(AT_FDCWD, path, 65536, 0, &data, &len);
	if (r < 0)
		return r;
	for (char *line = data; line < data + len;) {
		char *nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		if (strncmp(line, name, nlen) == 0 && line[nlen] == '=') {
			*ret = line_unescape(line + nlen + 1, strlen(line + nlen + 1));
			return *ret ? 0 : -ENOMEM;
		}
		if (!nl)
			break;
		line = nl + 1;
	}
	return -ENOENT;
}





int cache_entry_dir(const char *root, const char *key, char **ret)
{
	char *dir = NULL;
	if (asprintf(&dir, "%s/env/%s", root, key) < 0)
		return -ENOMEM;
	int r = mkdir_p(dir, 0700);
	if (r < 0) {
		free(dir);
		return r;
	}
	*ret = dir;
	return 0;
}


char *cache_entry_program(const struct cache_entry *e, const char *name)
{
	const char *end = e->environ + e->environ_len;
	for (const char *v = e->environ; v < end; v += strlen(v) + 1) {
		if (strncmp(v, "PATH=", 5) != 0)
			continue;
		for (const char *p = v + 5; *p;) {
			size_t n = strcspn(p, ":");
			char *cand = NULL;
			if (asprintf(&cand, "%.*s/%s", (int)n, p, name) < 0)
				return NULL;
			if (cand[0] == '/' && access(cand, X_OK) == 0)
				return cand;
			free(cand);
			p += n;
			if (*p == ':')
				p++;
		}
	}
	return NULL;
}

void cache_entry_release(struct cache_entry *e)
{
	free(e->dir);
	free(e->environ);
	*e = (struct cache_entry){ 0 };
}

/* A hit refreshes the times of the entry's GC roots, its links (profile
 * and profile-N-link, input*, tool*), so that age-based collectors keep a
 * live environment and what it was built from, and its meta's (nsb gc's
 * clock, also for devenv entries, whose roots are in .devenv).  Each only
 * when it is an hour old: collectors count in days, and a start that
 * writes to the disk every time waits for it. */
#define TOUCH_EVERY_S 3600
static void touch_if_old(int dirfd, const char *name, int flags)
{
	struct stat st;
	time_t now = time(NULL);
	if (fstatat(dirfd, name, &st, flags) == 0 && st.st_mtime <= now && now - st.st_mtime < TOUCH_EVERY_S)
		return;
	utimensat(dirfd, name, NULL, flags);
}

static void touch_roots(const char *dir, const char *meta)
{
	DIR *d = opendir(dir);
	for (struct dirent *e; d && (e = readdir(d));)
		if (e->d_type == DT_LNK)
			touch_if_old(dirfd(d), e->d_name, AT_SYMLINK_NOFOLLOW);
	if (d)
		closedir(d);
	touch_if_old(AT_FDCWD, meta, 0);
}

int cache_lookup(const char *root, const char *key, struct cache_entry *ret)
{
	_cleanup_free_ char *dir = NULL, *meta = NULL, *envpath = NULL;
	if (asprintf(&dir, "%s/env/%s", root, key) < 0 || asprintf(&meta, "%s/meta", dir) < 0 ||
	    asprintf(&envpath, "%s/environ", dir) < 0)
		return -ENOMEM;
	if (access(meta, F_OK) < 0)
		return -errno;
	_cleanup_free_ char *env = NULL;
	size_t len = 0;
	int r = file_read(AT_FDCWD, envpath, CACHE_FILE_MAX, 0, &env, &len);
	if (r < 0)
		return r;
	touch_roots(dir, meta);
	*ret = (struct cache_entry){
		.dir = steal_pointer(&dir),
		.environ = steal_pointer(&env),
		.environ_len = len,
	};
	return 0;
}
