/* dirs.c - nsbsh's own directories (see dirs.h). */
#include "base/dirs.h"

#include <stdio.h>
#include <sys/stat.h>

#include "base/file.h"
#include "base/sha256.h"
#include "base/util.h"

/* $VAR/sub, else $HOME/fallback/sub; -ENOENT when neither is absolute. */
static int xdg_path(const char *var, const char *fallback, const char *sub, char **ret)
{
	const char *base = getenv(var);
	int n;
	if (base && base[0] == '/') {
		n = asprintf(ret, "%s/%s", base, sub);
	} else {
		const char *home = getenv("HOME");
		if (!home || home[0] != '/')
			return -ENOENT;
		n = asprintf(ret, "%s/%s/%s", home, fallback, sub);
	}
	return n < 0 ? -ENOMEM : 0;
}

static int xdg_dir(const char *var, const char *fallback, const char *sub, char **ret)
{
	int r = xdg_path(var, fallback, sub, ret);
	if (r < 0)
		return r;
	r = mkdir_p(*ret, 0700);
	if (r < 0) {
		free(*ret);
		*ret = NULL;
	}
	return r;
}

int dirs_cache_path(char **ret)
{
	return xdg_path("XDG_CACHE_HOME", ".cache", "nsbsh", ret);
}

int dirs_cache(char **ret)
{
	return xdg_dir("XDG_CACHE_HOME", ".cache", "nsbsh", ret);
}

int dirs_data_path(char **ret)
{
	return xdg_path("XDG_DATA_HOME", ".local/share", "nsbsh", ret);
}

int dirs_data(char **ret)
{
	return xdg_dir("XDG_DATA_HOME", ".local/share", "nsbsh", ret);
}

int dirs_subdir(const char *root, const char *name, char **ret)
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

int dirs_discovery_path(char **ret)
{
	return xdg_path("XDG_CACHE_HOME", ".cache", "nsbsh/discovery", ret);
}

int dirs_worktree_name(const char *worktree, char **ret)
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
	return asprintf(ret, "%s-%s", n ? name : "root", hex) < 0 ? -ENOMEM : 0;
}

/* nsbsh/KIND/NAME-HASH of a work tree, below an XDG base. */
static int worktree_subdir(const char *worktree, const char *kind, char **ret)
{
	_cleanup_free_ char *name = NULL;
	int r = dirs_worktree_name(worktree, &name);
	if (r < 0)
		return r;
	return asprintf(ret, "nsbsh/%s/%s", kind, name) < 0 ? -ENOMEM : 0;
}

int dirs_private_home(const char *worktree, char **ret)
{
	_cleanup_free_ char *sub = NULL;
	int r = worktree_subdir(worktree, "home", &sub);
	return r < 0 ? r : xdg_dir("XDG_DATA_HOME", ".local/share", sub, ret);
}

int dirs_denial_log(const char *worktree, bool create, char **ret)
{
	_cleanup_free_ char *sub = NULL;
	int r = worktree_subdir(worktree, "log", &sub);
	if (r < 0)
		return r;
	return create ? xdg_dir("XDG_CACHE_HOME", ".cache", sub, ret)
		      : xdg_path("XDG_CACHE_HOME", ".cache", sub, ret);
}
