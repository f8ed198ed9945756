/* path.c - paths as strings, and opening beneath a directory (path.h). */
#include "base/path.h"

#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <sys/syscall.h>

#include "base/util.h"

bool path_at_or_below(const char *path, const char *dir)
{
	if (streq(dir, "/"))
		return path[0] == '/';
	size_t n = strlen(dir);
	return strncmp(path, dir, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

void path_strip_trailing_slashes(char *path)
{
	size_t n = strlen(path);
	while (n > 1 && path[n - 1] == '/')
		path[--n] = '\0';
}

char *path_join(const char *dir, const char *name)
{
	char *p = NULL;
	if (asprintf(&p, "%s/%s", streq(dir, "/") ? "" : dir, name) < 0)
		return NULL;
	return p;
}

bool path_up(char *path)
{
	char *slash = strrchr(path, '/');
	if (!slash || streq(path, "/"))
		return false;
	if (slash == path)
		slash[1] = '\0';
	else
		*slash = '\0';
	return true;
}

/* Kernels before 5.6: each directory opened with O_NOFOLLOW, "." and ".."
 * refused, the last component with the caller's flags and O_NOFOLLOW. */
static int open_walk(int dirfd, const char *rel, int flags, mode_t mode)
{
	int fd = fcntl(dirfd, F_DUPFD_CLOEXEC, 3);
	const char *p = rel;
	if (rel[0] == '/' || !rel[0]) {
		if (fd >= 0)
			close(fd);
		return -EINVAL;
	}
	while (fd >= 0) {
		size_t n = strcspn(p, "/");
		char name[NAME_MAX + 1];
		if (n == 0 || n > NAME_MAX || (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.')) {
			close(fd);
			return -EINVAL;
		}
		memcpy(name, p, n);
		name[n] = '\0';
		p += n;
		p += strspn(p, "/");
		bool last = !*p;
		int sub = last ? openat(fd, name, flags | O_NOFOLLOW | O_CLOEXEC, mode)
			       : openat(fd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		int saved = errno;
		close(fd);
		if (sub < 0)
			return -saved;
		if (last)
			return sub;
		fd = sub;
	}
	return -errno;
}

int open_beneath(int dirfd, const char *rel, int flags, mode_t mode)
{
	struct open_how how = {
		.flags = (unsigned long long)(flags | O_CLOEXEC | O_NOFOLLOW),
		.mode = (flags & (O_CREAT | O_TMPFILE)) ? mode : 0,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
	};
	long fd = syscall(SYS_openat2, dirfd, rel, &how, sizeof(how));
	if (fd >= 0)
		return (int)fd;
	if (errno == ENOSYS)
		return open_walk(dirfd, rel, flags, mode);
	return -errno;
}
