/* path.h - paths as strings, and opening beneath a directory. */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

/* Whether path is dir itself or lies beneath it, component-wise ("/a/bc"
 * is not beneath "/a/b"); every absolute path is at or below "/".  Both
 * absolute and normalized (no "//", ".", "..", trailing "/"); lexical:
 * links are the caller's to resolve first. */
bool path_at_or_below(const char *path, const char *dir);

/* Trailing slashes cut off in place ("/a/b//" -> "/a/b"); "/" stays. */
void path_strip_trailing_slashes(char *path);

/* dir/name, malloc'ed ("/" + "x" gives "/x"); NULL: out of memory. */
char *path_join(const char *dir, const char *name);

/* The last component cut off in place: "/a/b" -> "/a", "/a" -> "/";
 * false at "/" (nothing to cut). */
bool path_up(char *path);

/* rel (relative, any number of components) opened beneath dirfd without
 * following a link anywhere on the way, the last component included, and
 * without leaving dirfd (no "..", no absolute path): openat2 with
 * RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS, or one component at a time with
 * O_NOFOLLOW on kernels without it.  flags and mode as for openat;
 * O_CLOEXEC is added.  The fd, or a negative errno (-ELOOP: a link on the
 * way; -EXDEV or -EINVAL: rel leaves dirfd). */
int open_beneath(int dirfd, const char *rel, int flags, mode_t mode);
