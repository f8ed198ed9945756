/* cache.h - the environment cache: content keys and entries under
 * $XDG_CACHE_HOME/nsbsh/env/KEY/.  An entry is complete when its "meta"
 * file exists (written last, by rename), so a build killed half-way leaves
 * nothing that a lookup would take. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "git/project.h"

#define CACHE_FILE_MAX (16u << 20) /* flake.nix, flake.lock, environ: size limit */

struct cache_file {
	const char *name;  /* as hashed: "flake.nix" */
	const char *data;  /* NULL: absent */
	size_t len;
};

struct cache_key_input {
	const char *kind;     /* "flake" or "devenv" */
	const char *env_rel;  /* env file's directory relative to the work tree */
	const char *nix_id;   /* identity of the nix program */
	const char *system;   /* "x86_64-linux" */
	const struct cache_file *files;
	size_t n_files;
	/* Hashed only when present, so that a flake's key without tools is
	 * what it was before they existed. */
	const char *devenv_id;       /* identity of the devenv program; NULL: a flake */
	const char *const *tools;    /* the policy's tools, in order */
	size_t n_tools;
};

/* What a project's key holds beside its files: the programs that build
 * the environment and the tools built with it. */
struct cache_key_ids {
	const char *nix_id;
	const char *devenv_id;  /* devenv projects only; NULL for a flake */
	const char *const *tools;
	size_t n_tools;
};

/* Pure: a SHA-256 over length-prefixed fields, so no two inputs collide by
 * concatenation.  ret_hex gets 64 hex digits and a NUL. */
void cache_key_compute(const struct cache_key_input *in, char ret_hex[65]);
/* The files whose content is in a project's key: its env files
 * (flake.nix, flake.lock; or devenv.nix,
 * devenv.yaml, devenv.lock), then the policy's watched files, relative to
 * the env file's directory.  Each read whole (data NULL: absent). */
struct cache_files {
	struct cache_file *v;  /* names and data owned */
	size_t n;
};
/* The env files of a kind, in the key's order. */
const char *const *cache_key_file_names(enum env_kind kind, size_t *ret_n);
int cache_files_read(const struct project *p, const char *const *extra, size_t n_extra,
		     struct cache_files *ret);
void cache_files_release(struct cache_files *f);
/* The key of what cache_files_read read. */
void cache_key_for_files(const struct project *p, const struct cache_key_ids *ids,
			 const struct cache_files *f, char ret_hex[65]);
/* Both in one: reads the project's files and computes its key. */
int cache_key_for_project(const struct project *p, const struct cache_key_ids *ids,
			  const char *const *extra, size_t n_extra, char ret_hex[65]);
/* An entry keeps a copy of the files its key was made of (ENTRY/files/),
 * so that a later start can say which of them changed, and show how. */
int cache_files_save(const char *entry_dir, const struct cache_files *f);
/* Where the copy of NAME is (it may not exist: the file was absent). */
char *cache_files_saved(const char *entry_dir, const char *name);
/* "flake.nix, flake.lock": the files of f whose content differs from the
 * entry's copies (NULL: none differs); -ENOENT when the entry kept none. */
int cache_files_changed(const char *entry_dir, const struct cache_files *f, char **ret);

/* The key last used for a project's env file (0, -ENOENT, or an error),
 * and recording it (only written when it changed). */
int cache_last_get(const char *root, const struct project *p, char ret_key[65]);
int cache_last_set(const char *root, const struct project *p, const char *key);
/* A file of ROOT/last/: named cache_last_name(worktree, env_rel) (64 hex
 * digits, malloc'ed), holding the key, then (written since gc exists) the
 * project's work tree and env directory, so gc can tell whether it exists.
 * worktree and env_rel are NULL in an older file. */
#define PATH_MAX_LAST 4096
struct cache_last {
	char key[65];
	char *worktree;
	char *env_rel;
};
char *cache_last_name(const char *worktree, const char *env_rel);
int cache_last_read(const char *path, struct cache_last *ret);
void cache_last_release(struct cache_last *l);
/* A value of an entry's metadata ("nix", "worktree", ...), unescaped. */
int cache_meta_get(const char *root, const char *key, const char *name, char **ret);
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
/* "x86_64-linux", as Nix names this system. */
const char *cache_system(void);
