/* util.h - cleanup attributes and small helpers shared by every module. */
#pragma once

#include <errno.h>
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

static inline int streq(const char *a, const char *b) { return strcmp(a, b) == 0; }
