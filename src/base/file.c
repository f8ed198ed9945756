/* file.c - whole small files (see file.h). */
#include "base/file.h"

#include <fcntl.h>
#include <limits.h>
#include <dirent.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "base/util.h"

int file_read(int dirfd, const char *path, size_t max, unsigned flags, char **ret, size_t *ret_len)
{
	int oflags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK |
		     (flags & FILE_NOFOLLOW ? O_NOFOLLOW : 0);
	_cleanup_close_ int fd = openat(dirfd, path, oflags);
	if (fd < 0)
		return -errno;
	struct stat st;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (S_ISDIR(st.st_mode))
		return -EISDIR;
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	if ((flags & FILE_PRIVATE) && (st.st_uid != getuid() || (st.st_mode & 07777) != 0600))
		return -EPERM;
	if ((unsigned long long)st.st_size > max)
		return -EFBIG;
	/* st_size is a hint (0 for kernel files): room for one byte more than
	 * max tells a file that grew past it. */
	size_t cap = (size_t)st.st_size < 4096 ? 4096 : (size_t)st.st_size + 1;
	if (cap > max + 1)
		cap = max + 1;
	size_t len = 0;
	_cleanup_free_ char *buf = malloc(cap + 1);
	if (!buf)
		return -ENOMEM;
	for (;;) {
		ssize_t n = read_full(fd, buf + len, cap - len);
		if (n < 0)
			return (int)n;
		len += (size_t)n;
		if (len < cap)
			break;
		if (len > max)
			return -EFBIG;
		size_t ncap = cap * 2 > max + 1 ? max + 1 : cap * 2;
		char *b = realloc(buf, ncap + 1);
		if (!b)
			return -ENOMEM;
		buf = b;
		cap = ncap;
	}
	buf[len] = '\0';
	*ret = steal_pointer(&buf);
	*ret_len = len;
	return 0;
}

ssize_t read_full(int fd, void *buf, size_t size)
{
	size_t len = 0;
	while (len < size) {
		ssize_t n = read(fd, (char *)buf + len, size - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		len += (size_t)n;
	}
	return (ssize_t)len;
}

static int put_full(int fd, const void *buf, size_t len, bool sock)
{
	const char *p = buf;
	while (len > 0) {
		ssize_t n = sock ? send(fd, p, len, MSG_NOSIGNAL) : write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int write_full(int fd, const void *buf, size_t len)
{
	return put_full(fd, buf, len, false);
}

int send_full(int sock, const void *buf, size_t len)
{
	return put_full(sock, buf, len, true);
}

static int write_atomic(const char *dir, const char *name, const void *data, size_t len, mode_t mode,
			bool sync)
{
	char tmp[PATH_MAX], path[PATH_MAX];
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s/.%s.tmp.%d", dir, name, (int)getpid()) >= sizeof(tmp) ||
	    (size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path))
		return -ENAMETOOLONG;
	int flags = O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY;
	int fd = open(tmp, flags, mode);
	if (fd < 0 && errno == EEXIST) {
		/* left by a process of this pid that died mid-write: ours to replace */
		if (unlink(tmp) < 0 && errno != ENOENT)
			return -errno;
		fd = open(tmp, flags, mode);
	}
	if (fd < 0)
		return -errno;
	int r = write_full(fd, data, len);
	if (r == 0 && sync && fsync(fd) < 0)
		r = -errno;
	if (close(fd) < 0 && r == 0)
		r = -errno;
	if (r == 0 && rename(tmp, path) < 0)
		r = -errno;
	if (r < 0)
		unlink(tmp);
	return r;
}

int file_write_atomic(const char *dir, const char *name, const void *data, size_t len, mode_t mode)
{
	return write_atomic(dir, name, data, len, mode, true);
}

int file_write_cache(const char *dir, const char *name, const void *data, size_t len, mode_t mode)
{
	return write_atomic(dir, name, data, len, mode, false);
}

int file_write_kernel(int dirfd, const char *name, const char *text)
{
	int fd = openat(dirfd, name, O_WRONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY);
	if (fd < 0)
		return -errno;
	size_t len = strlen(text);
	ssize_t n = write(fd, text, len);
	int r = n < 0 ? -errno : (size_t)n == len ? 0 : -EIO;
	close(fd);
	return r;
}

int mkdir_p(const char *path, mode_t mode)
{
	char buf[PATH_MAX];
	size_t len = strlen(path);
	if (len == 0)
		return -ENOENT;
	if (len >= sizeof(buf))
		return -ENAMETOOLONG;
	/* the common case: it is there already, or only its last part is not */
	if (mkdir(path, mode) == 0 || errno == EEXIST)
		return 0;
	if (errno != ENOENT)
		return -errno;
	memcpy(buf, path, len + 1);
	for (char *p = buf + 1;; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char c = *p;
		*p = '\0';
		if (mkdir(buf, mode) < 0 && errno != EEXIST)
			return -errno;
		*p = c;
		if (c == '\0')
			return 0;
	}
}

int mkdir_parents(const char *path, mode_t mode)
{
	char buf[PATH_MAX];
	const char *slash = strrchr(path, '/');
	if (!slash || slash == path)
		return 0;
	size_t len = (size_t)(slash - path);
	if (len >= sizeof(buf))
		return -ENAMETOOLONG;
	memcpy(buf, path, len);
	buf[len] = '\0';
	return mkdir_p(buf, mode);
}

bool is_own_dir(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == getuid();
}

int mkdir_private(const char *dir)
{
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return -errno;
	struct stat st;
	if (lstat(dir, &st) < 0)
		return -errno;
	if (!S_ISDIR(st.st_mode) || st.st_uid != getuid())
		return -EPERM;
	if ((st.st_mode & 0777) != 0700 && chmod(dir, 0700) < 0)
		return -errno;
	return 0;
}

/* rm -rf of dfd/name: never follows a link, and makes the directories that
 * code in a sandbox left unwritable (chmod 000) writable first. */
static int remove_tree_depth(int dfd, const char *name, int depth)
{
	if (unlinkat(dfd, name, 0) == 0 || errno == ENOENT)
		return 0;
	if (errno != EISDIR)
		return -errno;
	if (depth > REMOVE_TREE_DEPTH_MAX)
		return -ELOOP;
	int fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && errno == EACCES && fchmodat(dfd, name, 0700, 0) == 0)
		fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	struct stat st;
	if (fstat(fd, &st) == 0 && (st.st_mode & 0700) != 0700)
		fchmod(fd, (st.st_mode & 07777) | 0700);
	DIR *d = fdopendir(fd);
	if (!d) {
		close(fd);
		return -errno;
	}
	int r = 0;
	struct dirent *de;
	while ((de = readdir(d)))
		if (!streq(de->d_name, ".") && !streq(de->d_name, "..")) {
			int rr = remove_tree_depth(dirfd(d), de->d_name, depth + 1);
			if (rr < 0 && r == 0)
				r = rr;
		}
	closedir(d);
	if (r == 0 && unlinkat(dfd, name, AT_REMOVEDIR) < 0)
		r = -errno;
	return r;
}

int remove_tree_at(int dfd, const char *name)
{
	return remove_tree_depth(dfd, name, 0);
}

int remove_tree(const char *path)
{
	return remove_tree_at(AT_FDCWD, path);
}
