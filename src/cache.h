/* cache.h - the environment cache: content keys and entries under
 * $XDG_CACHE_HOME/nsbsh/env/KEY/.  An entry is complete when its "meta"
 * file exists (written last, by rename), so a build killed half-way leaves
 * nothing that a lookup would take. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "project.h"

#define CACHE_FILE_MAX (16u << 20) /* flake.nix, flake.lock, environ: size limit */

struct cache_file {
	const char *name;  /* as hashed: "flake.nix" */
	const char *data;  /* NULL: absent */
	size_t len;
};

struct cache_key_input {
	const char *kind;     /* "flake" */
	const char *env_rel;  /* env file's directory relative to the work tree */
	const char *nix_id;   /* identity of the nix program */
	const char *system;   /* "x86_64-linux" */
	const struct cache_file *files;
	size_t n_files;
};

/* Pure: a SHA-256 over length-prefixed fields, so no two inputs collide by
 * concatenation.  ret_hex gets 64 hex digits and a NUL. */
void cache_key_compute(const struct cache_key_input *in, char ret_hex[65]);
/* Reads the project's env files and computes its key. */
int cache_key_for_project(const struct project *p, const char *nix_id, char ret_hex[65]);

/* $XDG_CACHE_HOME/nsbsh (or ~/.cache/nsbsh), created if missing; the
 * _path variant only says where. */
int cache_root(char **ret);
int cache_root_path(char **ret);
/* mkdir -p; existing directories are fine. */
int cache_mkdirs(const char *path, mode_t mode);
/* ROOT/NAME, created: "discovery" holds project.c's memos. */
int cache_subdir(const char *root, const char *name, char **ret);
/* $XDG_DATA_HOME/nsbsh (or ~/.local/share/nsbsh), created if missing. */
int cache_data_root(char **ret);
/* The key last used for a project's env file (0, -ENOENT, or an error),
 * and recording it (only written when it changed). */
int cache_last_get(const char *root, const struct project *p, char ret_key[65]);
int cache_last_set(const char *root, const struct project *p, const char *key);
/* One value per line in nsbsh's own files (meta, memos): backslash and
 * newline escaped; both return malloc'ed strings (NULL: out of memory). */
char *cache_line_escape(const char *s);
char *cache_line_unescape(const char *s, size_t n);
/* A value of an entry's metadata ("nix", "worktree", ...), unescaped. */
int cache_meta_get(const char *root, const char *key, const char *name, char **ret);
/* $XDG_DATA_HOME/nsbsh/home/NAME-HASH: the project's private home, created. */
int cache_private_home(const char *worktree, char **ret);
/* $XDG_CACHE_HOME/nsbsh/log/NAME-HASH: the project's denial log directory
 * (denylog.h), created when create is true. */
int cache_denial_dir(const char *worktree, bool create, char **ret);

struct cache_entry {
	char *dir;
	char *environ;     /* "NAME=VALUE\0..." from the build */
	size_t environ_len;
};

/* NAME on the entry's PATH (store paths: the same inside and out), malloc'ed,
 * or NULL. */
char *cache_entry_program(const struct cache_entry *e, const char *name);
/* 0 and *ret on a hit; -ENOENT on a miss; other negative errno on failure. */
int cache_lookup(const char *root, const char *key, struct cache_entry *ret);
void cache_entry_release(struct cache_entry *e);
/* The entry's directory for a build, created (0700 parents). */
int cache_entry_dir(const char *root, const char *key, char **ret);
/* Write a file of the entry atomically (temporary name, then rename). */
int cache_write_file(const char *dir, const char *name, const char *data, size_t len);
/* Read a whole regular file of at most max bytes; NUL-terminated. */
int cache_read_file(const char *path, size_t max, char **ret, size_t *ret_len);

/* "x86_64-linux", as Nix names this system. */
const char *cache_system(void);
