/* gitprotect.h - the git metadata that git outside the sandbox acts on,
 * shown so that code inside cannot change what git outside will run.
 * Invariants: see the top of gitprotect.c. */
#pragma once

#include <stddef.h>

#include "git/linked.h"
#include "sandbox/layout.h"

/* The work tree's own .git (a directory: pinned, its hooks/ and config
 * read-only, those of submodules and linked work trees too; a file: read-
 * only).  After the work tree's bind. */
void gitprotect_worktree(struct layout *l, const char *worktree);
/* The same for the repositories nested in the work tree (git/nested.c
 * NEST-1, NEST-2): list is nested_for_start's (paths relative to worktree,
 * each ended by a NUL); each bind is checked on what got mounted.  A
 * directory not entered ("d/") is read-only whole, and NESTED_WHOLE makes
 * the whole work tree read-only (NEST-3).  After gitprotect_worktree. */
void gitprotect_nested(struct layout *l, const char *worktree, const char *list, size_t len);
struct policy;
/* The work tree's protected paths (git/protect.h: from git's config, the
 * hook managers, config.worktree and the policy's protect), found now:
 * those there bound read-only at themselves, each checked by device and
 * inode on what got mounted (PROT-5); the whole list kept in l->protect
 * for the creation guard.  More than the sandbox can protect, or a config
 * that cannot be read: the layout's error (PROT-6).  After
 * gitprotect_nested. */
void gitprotect_paths(struct layout *l, const char *worktree, const char *home, const struct policy *pol);
/* A session's view of its repository's common dir C: read-only at the
 * top (nothing can be created there, commondir included), objects/ refs/
 * logs/ and its own git dir G read-write (so commits work), G's
 * commondir, gitdir and config.worktree read-only (MUST-C1, MUST-C2). */
void gitprotect_common(struct layout *l, const struct linked *lk);
