/* dirs.h - nsbsh's own directories: the cache ($XDG_CACHE_HOME/nsbsh, else
 * ~/.cache/nsbsh) and the data ($XDG_DATA_HOME/nsbsh, else
 * ~/.local/share/nsbsh), and the places in them that belong to one work
 * tree.  No sandbox can write any of them (shell-view.c keeps them
 * read-only under every writable bind).  The plain functions create what
 * they name (0700); the _path ones only say where. */
#pragma once

#include <stdbool.h>

int dirs_cache(char **ret);
int dirs_cache_path(char **ret);
int dirs_data(char **ret);
int dirs_data_path(char **ret);
/* ROOT/NAME, created. */
int dirs_subdir(const char *root, const char *name, char **ret);
/* The directory of project.c's discovery memos: CACHE/discovery (not
 * created: the first memo written makes it). */
int dirs_discovery_path(char **ret);

/* NAME-HASH of a work tree: its last component, made of [-_.A-Za-z0-9]
 * only and cut to 32 bytes, then 16 hex digits of the SHA-256 of its
 * path: readable, and distinct per work tree. */
int dirs_worktree_name(const char *worktree, char **ret);
/* DATA/home/NAME-HASH: the work tree's private home, created. */
int dirs_private_home(const char *worktree, char **ret);
/* CACHE/log/NAME-HASH: the work tree's denial log (denylog.h), created
 * when create is true. */
int dirs_denial_log(const char *worktree, bool create, char **ret);
