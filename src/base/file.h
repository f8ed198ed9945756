/* file.h - whole small files: one bounded reader, one atomic writer, one
 * mkdir -p, and the one-write update of a kernel file.  Every fd here is
 * close-on-exec and every open is O_NOCTTY; nothing here prints. */
#pragma once

#include <fcntl.h>  /* AT_FDCWD */
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* file_read's flags. */
#define FILE_NOFOLLOW 1u  /* a link at path is refused (-ELOOP), never followed */
#define FILE_PRIVATE 2u   /* a file not the user's own, or not mode 0600, is refused (-EPERM) */

/* The whole regular file dirfd/path (AT_FDCWD: path alone) if it holds at
 * most max bytes: 0 and *ret (malloc'ed, NUL-terminated after *ret_len
 * bytes).  Opened without blocking (a FIFO planted where a file should be
 * must not hang a start); -ENOENT, -EISDIR, -EINVAL (not a regular file),
 * -EFBIG (more than max bytes, also when it grew while read), -ELOOP (a
 * link, with FILE_NOFOLLOW), -EPERM (with FILE_PRIVATE) or another negative
 * errno.  Kernel files
 * (/proc: size 0 in fstat) are read to their end too. */
int file_read(int dirfd, const char *path, size_t max, unsigned flags, char **ret, size_t *ret_len);

/* dir/name replaced by data in one rename: written to a temporary name of
 * this process (created with O_EXCL, no link followed), fsync'ed, renamed.
 * mode: of the new file.  0 or a negative errno, and no temporary left. */
int file_write_atomic(const char *dir, const char *name, const void *data, size_t len, mode_t mode);
/* The same without the fsync, for a cache whose reader checks that what it
 * read is whole (an fsync of a large cache file on every change would cost
 * more than the cache saves): after a crash the file is the old one, the
 * new one, or one the reader refuses. */
int file_write_cache(const char *dir, const char *name, const void *data, size_t len, mode_t mode);

/* text written to the existing file dirfd/name in one write(2) (a kernel
 * file takes it whole or not at all): 0, -EIO for a short write, or -errno. */
int file_write_kernel(int dirfd, const char *name, const char *text);

/* fd read until end of file or until size bytes are in buf: how many, or
 * -errno.  EINTR is retried. */
ssize_t read_full(int fd, void *buf, size_t size);
/* All of buf written to fd (EINTR retried): 0 or -errno. */
int write_full(int fd, const void *buf, size_t len);
/* The same to a socket, with MSG_NOSIGNAL: a peer that is gone is -EPIPE,
 * never a SIGPIPE that kills the caller (a start falls back, it does not
 * die). */
int send_full(int sock, const void *buf, size_t len);

/* mkdir -p: path and its missing parents, made with mode; existing
 * directories are fine.  No allocation (the sandbox's own setup uses it).
 * 0 or a negative errno (-ENAMETOOLONG above PATH_MAX). */
int mkdir_p(const char *path, mode_t mode);
/* The parents of path, as mkdir_p makes them ("/a/b/c": /a/b). */
int mkdir_parents(const char *path, mode_t mode);

/* Whether path is a directory (not a link to one) that belongs to the
 * caller's uid. */
bool is_own_dir(const char *path);
/* dir made 0700 where missing: 0 once it is a directory (not a link) of
 * the caller's uid, of mode 0700 (made so); -EPERM when it is anything
 * else, or another negative errno. */
int mkdir_private(const char *dir);

/* rm -rf of dfd/name (AT_FDCWD: name alone), fd-relative all the way down:
 * never follows a link (a link is removed, not its target; one swapped in
 * for a directory during the walk is not followed), and makes writable
 * the directories that code in a sandbox left unwritable (chmod 000).
 * Gives up below REMOVE_TREE_DEPTH_MAX levels (-ELOOP).  0 also when it
 * did not exist; else the first error, having removed what it could. */
#define REMOVE_TREE_DEPTH_MAX 256
int remove_tree_at(int dfd, const char *name);
int remove_tree(const char *path);
