/* landlock.h - Landlock, the sandbox's second wall: writes only beneath the
 * listed paths, no abstract unix sockets or signals out of the sandbox.
 * Invariants: see the top of landlock.c. */
#pragma once

#include <stddef.h>

/* The kernel's Landlock ABI version, 0 when the kernel has no Landlock or it
 * is disabled, or a negative errno when the kernel would not say; cached. */
int landlock_abi(void);

/* Restrict the calling process and its future children, which must already
 * have no_new_privs: writes (create, write, truncate, rename, remove) only
 * beneath the paths of writable; reads, exec and device ioctls stay as the
 * mounts allow; from ABI 6, no abstract unix socket or signal reaches a
 * process outside the new domain.  A path that does not exist is skipped;
 * the first such path goes to *ret_missing (NULL when all exist; ret_missing
 * may be NULL).  0 when restricted and also when the kernel has no usable
 * Landlock (nothing to do), or a negative errno.  Allocates nothing and is
 * async-signal-safe, so it can run between fork and exec. */
int landlock_restrict(const char *const *writable, size_t n, const char **ret_missing);
