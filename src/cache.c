/* cache.c - content keys and cache entries (see cache.h). */
#include "cache.h"

#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>

#include "sha256.h"
#include "util.h"

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
	sha256_final(&h, digest);
	sha256_hex(digest, ret_hex);
}

int cache_read_file(const char *path, size_t max, char **ret, size_t *ret_len)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	struct stat st;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	if ((size_t)st.st_size > max)
		return -EFBIG;
	_cleanup_free_ char *buf = malloc((size_t)st.st_size + 1);
	if (!buf)
		return -ENOMEM;
	size_t len = 0;
	while (len < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + len, (size_t)st.st_size - len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			break; /* shrank meanwhile: hash what is there */
		len += (size_t)n;
	}
	buf[len] = '\0';
	*ret = steal_pointer(&buf);
	*ret_len = len;
	return 0;
}

int cache_key_for_project(const struct project *p, const char *nix_id, char ret_hex[65])
{
	static const char *const names[] = { "flake.nix", "flake.lock" };
	char *data[ARRAY_SIZE(names)] = { NULL };
	struct cache_file files[ARRAY_SIZE(names)];
	int r = 0;

	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		_cleanup_free_ char *path = NULL;
		size_t len = 0;
		files[i] = (struct cache_file){ .name = names[i] };
		if (asprintf(&path, "%s/%s", p->envdir, names[i]) < 0) {
			r = -ENOMEM;
			goto out;
		}
		r = cache_read_file(path, CACHE_FILE_MAX, &data[i], &len);
		if (r == -ENOENT) {
			r = 0;
			continue;
		}
		if (r < 0)
			goto out;
		files[i].data = data[i];
		files[i].len = len;
	}
	struct cache_key_input in = {
		.kind = "flake",
		.env_rel = p->env_rel,
		.nix_id = nix_id,
		.system = cache_system(),
		.files = files,
		.n_files = ARRAY_SIZE(files),
	};
	cache_key_compute(&in, ret_hex);
out:
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		free(data[i]);
	return r;
}

int cache_mkdirs(const char *path, mode_t mode)
{
	_cleanup_free_ char *buf = strdup(path);
	if (!buf)
		return -ENOMEM;
	for (char *p = buf + 1;; p++) {
		if (*p == '/' || *p == '\0') {
			char c = *p;
			*p = '\0';
			if (mkdir(buf, mode) < 0 && errno != EEXIST)
				return -errno;
			*p = c;
			if (c == '\0')
				return 0;
		}
	}
}

static int xdg_path(const char *var, const char *fallback, const char *sub, char **ret);

static int xdg_dir(const char *var, const char *fallback, const char *sub, char **ret)
{
	int r = xdg_path(var, fallback, sub, ret);
	if (r < 0)
		return r;
	r = cache_mkdirs(*ret, 0700);
	if (r < 0) {
		free(*ret);
		*ret = NULL;
	}
	return r;
}

static int xdg_path(const char *var, const char *fallback, const char *sub, char **ret)
{
	const char *base = getenv(var);
	char *path = NULL;
	int n;
	if (base && base[0] == '/') {
		n = asprintf(&path, "%s/%s", base, sub);
	} else {
		const char *home = getenv("HOME");
		if (!home || home[0] != '/')
			return -ENOENT;
		n = asprintf(&path, "%s/%s/%s", home, fallback, sub);
	}
	if (n < 0)
		return -ENOMEM;
	*ret = path;
	return 0;
}

int cache_root_path(char **ret)
{
	return xdg_path("XDG_CACHE_HOME", ".cache", "nsbsh", ret);
}

int cache_root(char **ret)
{
	return xdg_dir("XDG_CACHE_HOME", ".cache", "nsbsh", ret);
}

int cache_subdir(const char *root, const char *name, char **ret)
{
	char *dir = NULL;
	if (asprintf(&dir, "%s/%s", root, name) < 0)
		return -ENOMEM;
	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		int r = -errno;
		free(dir);
		return r;
	}
	*ret = dir;
	return 0;
}

int cache_data_root(char **ret)
{
	return xdg_dir("XDG_DATA_HOME", ".local/share", "nsbsh", ret);
}

static char *last_path(const char *root, const struct project *p)
{
	struct sha256 h;
	uint8_t digest[32];
	char hex[65];
	char *path = NULL;
	sha256_init(&h);
	hash_str(&h, p->worktree);
	hash_str(&h, p->env_rel);
	sha256_final(&h, digest);
	sha256_hex(digest, hex);
	if (asprintf(&path, "%s/last/%s", root, hex) < 0)
		return NULL;
	return path;
}

int cache_last_get(const char *root, const struct project *p, char ret_key[65])
{
	_cleanup_free_ char *path = last_path(root, p), *data = NULL;
	size_t len = 0;
	if (!path)
		return -ENOMEM;
	int r = cache_read_file(path, 128, &data, &len);
	if (r < 0)
		return r;
	if (len != 64 || strspn(data, "0123456789abcdef") != 64)
		return -EINVAL;
	memcpy(ret_key, data, 65);
	return 0;
}

int cache_last_set(const char *root, const struct project *p, const char *key)
{
	char old[65];
	if (cache_last_get(root, p, old) == 0 && streq(old, key))
		return 0;
	_cleanup_free_ char *dir = NULL;
	int r = cache_subdir(root, "last", &dir);
	if (r < 0)
		return r;
	_cleanup_free_ char *path = last_path(root, p);
	if (!path)
		return -ENOMEM;
	return cache_write_file(dir, strrchr(path, '/') + 1, key, 64);
}

char *cache_line_escape(const char *s)
{
	char *out = malloc(2 * strlen(s) + 1), *o = out;
	if (!out)
		return NULL;
	for (; *s; s++) {
		if (*s == '\\' || *s == '\n') {
			*o++ = '\\';
			*o++ = *s == '\n' ? 'n' : '\\';
		} else {
			*o++ = *s;
		}
	}
	*o = '\0';
	return out;
}

char *cache_line_unescape(const char *s, size_t n)
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

int cache_meta_get(const char *root, const char *key, const char *name, char **ret)
{
	_cleanup_free_ char *path = NULL, *data = NULL;
	size_t len = 0, nlen = strlen(name);
	if (asprintf(&path, "%s/env/%s/meta", root, key) < 0)
		return -ENOMEM;
	int r = cache_read_file(path, 65536, &data, &len);
	if (r < 0)
		return r;
	for (char *line = data; line < data + len;) {
		char *nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		if (strncmp(line, name, nlen) == 0 && line[nlen] == '=') {
			*ret = cache_line_unescape(line + nlen + 1, strlen(line + nlen + 1));
			return *ret ? 0 : -ENOMEM;
		}
		if (!nl)
			break;
		line = nl + 1;
	}
	return -ENOENT;
}

/* BASE/nsbsh/KIND/NAME-HASH of a work tree: its base name, made safe for
 * a path, and 16 hex digits of the SHA-256 of its path. */
static int project_subdir(const char *worktree, const char *kind, char **ret)
{
	char hex[65];
	sha256_hex_of(worktree, strlen(worktree), hex);
	hex[16] = '\0';

	const char *base = strrchr(worktree, '/');
	base = base ? base + 1 : worktree;
	char name[48];
	size_t n = 0;
	for (; *base && n < 32; base++)
		name[n++] = (strchr("-_.", *base) || (*base >= 'a' && *base <= 'z') ||
			     (*base >= 'A' && *base <= 'Z') || (*base >= '0' && *base <= '9'))
				    ? *base
				    : '_';
	name[n] = '\0';
	return asprintf(ret, "nsbsh/%s/%s-%s", kind, n ? name : "root", hex) < 0 ? -ENOMEM : 0;
}

int cache_private_home(const char *worktree, char **ret)
{
	_cleanup_free_ char *sub = NULL;
	int r = project_subdir(worktree, "home", &sub);
	return r < 0 ? r : xdg_dir("XDG_DATA_HOME", ".local/share", sub, ret);
}

int cache_denial_dir(const char *worktree, bool create, char **ret)
{
	_cleanup_free_ char *sub = NULL;
	int r = project_subdir(worktree, "log", &sub);
	if (r < 0)
		return r;
	return create ? xdg_dir("XDG_CACHE_HOME", ".cache", sub, ret)
		      : xdg_path("XDG_CACHE_HOME", ".cache", sub, ret);
}

int cache_entry_dir(const char *root, const char *key, char **ret)
{
	char *dir = NULL;
	if (asprintf(&dir, "%s/env/%s", root, key) < 0)
		return -ENOMEM;
	int r = cache_mkdirs(dir, 0700);
	if (r < 0) {
		free(dir);
		return r;
	}
	*ret = dir;
	return 0;
}

int cache_write_file(const char *dir, const char *name, const char *data, size_t len)
{
	_cleanup_free_ char *tmp = NULL, *path = NULL;
	if (asprintf(&tmp, "%s/.%s.tmp.%d", dir, name, (int)getpid()) < 0 ||
	    asprintf(&path, "%s/%s", dir, name) < 0)
		return -ENOMEM;
	_cleanup_close_ int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return -errno;
	while (len > 0) {
		ssize_t n = write(fd, data, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			int r = -errno;
			unlink(tmp);
			return r;
		}
		data += n;
		len -= (size_t)n;
	}
	if (fsync(fd) < 0 || rename(tmp, path) < 0) {
		int r = -errno;
		unlink(tmp);
		return r;
	}
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

int cache_lookup(const char *root, const char *key, struct cache_entry *ret)
{
	_cleanup_free_ char *dir = NULL, *meta = NULL, *envpath = NULL, *profile = NULL;
	if (asprintf(&dir, "%s/env/%s", root, key) < 0 || asprintf(&meta, "%s/meta", dir) < 0 ||
	    asprintf(&envpath, "%s/environ", dir) < 0 || asprintf(&profile, "%s/profile", dir) < 0)
		return -ENOMEM;
	if (access(meta, F_OK) < 0)
		return -errno;
	_cleanup_free_ char *env = NULL;
	size_t len = 0;
	int r = cache_read_file(envpath, CACHE_FILE_MAX, &env, &len);
	if (r < 0)
		return r;
	/* A hit refreshes the GC root's time, so age-based collectors keep it. */
	utimensat(AT_FDCWD, profile, NULL, AT_SYMLINK_NOFOLLOW);
	*ret = (struct cache_entry){
		.dir = steal_pointer(&dir),
		.environ = steal_pointer(&env),
		.environ_len = len,
	};
	return 0;
}
