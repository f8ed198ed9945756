/* nested.h - git repositories nested in a work tree (vendor/x/.git, not
 * submodules): found by a walk of the work tree, remembered per work tree
 * in nsbsh's cache, and protected in the sandbox like the project's own
 * (sandbox/gitprotect.c).  Invariants: see the top of nested.c. */
#pragma once

#include <stddef.h>
#include <time.h>

/* At most this many nested repositories are protected (3 mounts each). */
#define NESTED_MAX 256
/* The walk gives up after this many directory entries (keeping what it
 * found), and below this depth.  A walk that a start waits for (the
 * project's first) stops sooner: after 100,000 entries (about 0.25 s here)
 * or 0.5 s (a slow file system), and a whole one follows in the background. */
#define NESTED_WALK_ENTRIES 1000000
#define NESTED_WALK_ENTRIES_WAITED 100000
#define NESTED_WALK_MS_WAITED 500
#define NESTED_WALK_DEPTH 64
/* A start refreshes a memo older than this, in the background. */
#define NESTED_REFRESH_SECONDS 30

/* The nested repositories of worktree: the directories below it (never
 * itself) that hold a .git, as paths relative to it, each ended by a NUL,
 * in *ret (malloc'ed; *ret_len bytes, 0: none).  1 when the walk went
 * through the whole tree, 0 when it stopped at a bound (max_entries, or
 * max_ms milliseconds unless 0), or -errno. */
int nested_walk(const char *worktree, unsigned long max_entries, unsigned max_ms, char **ret,
		size_t *ret_len);

/* The list for a start: the memo of the last walk; without one, a walk now
 * (written as the memo); with one older than NESTED_REFRESH_SECONDS, a walk
 * in a background process that writes the next start's memo. */
int nested_for_start(const char *worktree, char **ret, size_t *ret_len);

/* Walk and write the memo, also returned when ret is not NULL: a whole
 * walk replaces it; one stopped at a bound adds the last memo's (NEST-3).
 * 1 after a whole walk, 0 after one stopped at a bound, or -errno. */
int nested_memo_refresh(const char *worktree, unsigned long max_entries, unsigned max_ms,
			char **ret, size_t *ret_len);

/* The repositories that walks found since the last call and the memo
 * before them did not list (none from a project's first walk): 0 and the
 * list as nested_walk gives it, then forgotten; -ENOENT when none. */
int nested_take_new(const char *worktree, char **ret, size_t *ret_len);

/* The memo as it is (nested_walk's form) and when it was last written or
 * claimed; -ENOENT before the first walk.  Reads only. */
int nested_memo_read(const char *worktree, char **ret, size_t *ret_len, time_t *ret_mtime);
/* Entries of such a list, and the first five of them for a message,
 * made printable, then "and N more" (malloc'ed; NULL: out of memory). */
size_t nested_count(const char *list, size_t len);
char *nested_names(const char *list, size_t len);

/* Where worktree's memo is (malloc'ed; the directory is not created). */
int nested_memo_path(const char *worktree, char **ret);
