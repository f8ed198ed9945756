/* util.h - cleanup attributes and small helpers shared by every module. */
#pragma once

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define _cleanup_(f) __attribute__((cleanup(f)))

static inline void freep(void *p) { free(*(void **)p); }
static inline void closep(int *fd)
{
	if (*fd >= 0) {
		int saved = errno;
		close(*fd);
		errno = saved;
	}
}

#define _cleanup_free_ _cleanup_(freep)
#define _cleanup_close_ _cleanup_(closep)

/* Hand ownership of *pp to the caller, leaving NULL behind for the cleanup. */
#define steal_pointer(pp)                  \
	({                                 \
		__typeof__(*(pp)) _p = *(pp); \
		*(pp) = NULL;              \
		_p;                        \
	})

#define steal_fd(fdp)            \
	({                       \
		int _fd = *(fdp); \
		*(fdp) = -1;      \
		_fd;              \
	})

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Write text to the existing file dirfd/name in one write (a kernel file
 * takes it whole or not at all): 0 or -errno. */
static inline int write_file_at(int dirfd, const char *name, const char *text)
{
	int fd = openat(dirfd, name, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	size_t len = strlen(text);
	ssize_t n = write(fd, text, len);
	int r = n < 0 ? -errno : (size_t)n == len ? 0 : -EIO;
	close(fd);
	return r;
}

/* Read fd until end of file or until size bytes are in buf: how many, or
 * -errno. */
static inline ssize_t read_full(int fd, void *buf, size_t size)
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

static inline int streq(const char *a, const char *b) { return strcmp(a, b) == 0; }
