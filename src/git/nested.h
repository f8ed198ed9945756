/* nested.h - git repositories nested in a work tree (vendor/x/.git, not
 * submodules): found at every start, from a memo of the last walk that the
 * start checks against the tree (one fstatat per directory), and protected
 * in the sandbox like the project's own (sandbox/gitprotect.c).
 * Invariants: see the top of nested.c. */
#pragma once

#include <stddef.h>
#include <time.h>

/* At most this many nested repositories and directories not entered are
 * protected one by one (3 mounts each); past it, the whole work tree is
 * read-only (NESTED_WHOLE). */
#define NESTED_MAX 256
/* A walk reads at most this many directory entries (about 2.7 s here; a
 * project's first start waits for it); past it, the whole work tree is
 * read-only.  A directory this deep is not entered, and read-only whole. */
#define NESTED_WALK_ENTRIES 1000000
#define NESTED_WALK_DEPTH 64
/* A work tree too big to walk is walked again, in the background, when
 * the memo that says so is older than this. */
#define NESTED_REFRESH_SECONDS 30
/* The list's entry that means: the whole work tree, read-only. */
#define NESTED_WHOLE "/"

/* The lists below: entries relative to the work tree, each ended by a
 * NUL, in *ret (malloc'ed; *ret_len bytes, 0: none): a directory that holds
 * a .git (never the work tree itself); a directory the walk did not enter,
 * ending in '/' ("deep/.../d/"), to be read-only whole; or NESTED_WHOLE
 * alone (a bound was met: NEST-3). */

/* A walk of worktree now: 1 when it went through the whole tree, 0 when it
 * stopped at max_entries (the list is NESTED_WHOLE), or -errno. */
int nested_walk(const char *worktree, unsigned long max_entries, char **ret, size_t *ret_len);

/* The list for a start (NEST-5): the memo checked against the tree, what
 * changed read again, the memo rewritten when anything did; without a
 * memo, a walk now.  A tree that cannot be looked into gives NESTED_WHOLE.
 * 0, or -ENOMEM. */
int nested_for_start(const char *worktree, char **ret, size_t *ret_len);

/* The repositories that starts found since the last call and the memo
 * before them did not list (none from a project's first walk): 0 and the
 * list, then forgotten; -ENOENT when none. */
int nested_take_new(const char *worktree, char **ret, size_t *ret_len);

/* The memo's list as it is, and when it was last written or claimed;
 * -ENOENT before the first start, -EINVAL for an older nsbsh's.  Reads
 * only. */
int nested_memo_read(const char *worktree, char **ret, size_t *ret_len, time_t *ret_mtime);
/* Entries of such a list, and the first five of them for a message,
 * made printable, then "and N more" (malloc'ed; NULL: out of memory). */
size_t nested_count(const char *list, size_t len);
char *nested_names(const char *list, size_t len);

/* Where worktree's memo is (malloc'ed; the directory is not created). */
int nested_memo_path(const char *worktree, char **ret);
