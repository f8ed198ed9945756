/* protect.h - the paths of a work tree that programs outside the sandbox
 * run or read as configuration, which the sandbox must not write: hooks
 * directories and included config files that git's config puts in the
 * work tree, commands it names there, the configs of the hook managers
 * installed in the repository's hooks, the main work tree's
 * config.worktree, and the policy's `protect` entries.
 *
 * protect_plan is pure (its input is what protect_find read: config texts,
 * the hooks directory's entries), and unit-tested (tests/unit/test_protect.c);
 * protect_find (protect-scan.c) reads them, plans, and says for each path
 * what is there now.  Existing paths are bound read-only at start
 * (sandbox/gitprotect.c gitprotect_paths); the missing ones are for the
 * creation guard, which asks protect_refuses.  Invariants PROT-1 to PROT-6:
 * see protect.c. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct policy;

enum protect_state {
	PROTECT_MISSING,  /* nothing there (or the directory it would be in is missing) */
	PROTECT_FILE,     /* a regular file */
	PROTECT_DIR,      /* a directory: all it holds is protected */
	PROTECT_LINK,     /* a symbolic link at it or on the way from the work tree:
			   * not bindable (a mount follows links); refused to create */
	PROTECT_OTHER,    /* a FIFO, device or socket: left alone */
};

struct protect_path {
	char *path;        /* absolute and normalized, as the host and the sandbox
			    * see it (the work tree is at its own path inside) */
	const char *why;   /* static text: what makes it protected
			    * ("core.hooksPath", "husky", "policy protect", ...) */
	bool dir;          /* meant to be a directory (when missing: nothing may be
			    * created beneath it either) */
	bool make;         /* made empty when missing, then bound (hooks dirs the
			    * config names; files inside .git) */
	enum protect_state state;  /* protect_plan: PROTECT_MISSING; protect_find: what is there */
	dev_t dev;         /* PROTECT_FILE, PROTECT_DIR: what protect_find saw, which */
	ino_t ino;         /* the bind must find again (PROT-5) */
};

struct protect_list {
	struct protect_path *v;
	size_t n;
};

#define PROTECT_MAX 128           /* paths in one list: beyond, the start is refused */
#define PROTECT_MAX_CONFIGS 32    /* config files read, includes followed */
#define PROTECT_INCLUDE_DEPTH 10  /* as git's MAX_INCLUDE_DEPTH */
#define PROTECT_HOOK_HEAD 4096    /* bytes of each hook read for a manager's mark */

void protect_list_release(struct protect_list *l);

/* One config file as git reads it (path: absolute). */
struct protect_config {
	const char *path;
	const char *text;
	size_t len;
};

/* One entry of the repository's hooks directory (not *.sample). */
struct protect_hook {
	const char *name;
	const char *link;  /* a symbolic link's target as readlink gives it; NULL: not a link */
	const char *head;  /* a regular file's first bytes; NULL: none */
	size_t head_len;
};

struct protect_input {
	const char *worktree;  /* absolute, normalized (physical) */
	const char *home;      /* what ~/ means in git's config; NULL: none */
	const char *hooks_dir; /* the repository's hooks directory, absolute */
	/* The main work tree's git dir (WORKTREE/.git), whose config.worktree
	 * is protected; NULL for a linked work tree (gitprotect_common has its). */
	const char *gitdir;
	const struct protect_config *configs;  /* in the order git reads them */
	size_t n_configs;
	const struct protect_hook *hooks;
	size_t n_hooks;
	char *const *extra;    /* the policy's protect entries, relative to the work tree */
	size_t n_extra;
};

/* The paths to protect, each once, in a fixed order (config, managers,
 * config.worktree, policy), state PROTECT_MISSING.  Every candidate, also
 * those outside the work tree (an include of ~/x may reach it through a
 * link: protect_find keeps those whose real place is in it).  0, -E2BIG
 * (more than PROTECT_MAX_PLAN: the start must be refused, never less
 * protected), -ENOMEM. */
#define PROTECT_MAX_PLAN (4 * PROTECT_MAX)
int protect_plan(const struct protect_input *in, struct protect_list *ret);

/* The include.path and includeIf.*.path targets of one config file, every
 * one whatever its condition, resolved as git does (relative to the file's
 * directory; ~/ against home; others skipped), normalized: *ret (malloc'ed
 * array of malloc'ed strings, *ret_n of them).  0 or -ENOMEM; a file git
 * would refuse gives the targets before the bad line. */
int protect_includes(const struct protect_config *c, const char *home, char ***ret, size_t *ret_n);

/* Lexical normalization of an absolute path: "//", "." and ".." resolved
 * as written, no trailing '/' (malloc'ed; NULL: out of memory or not
 * absolute). */
char *protect_normalize(const char *path);

/* For the creation guard: whether making path (absolute, normalized, as
 * the sandbox names it) would make a protected name that is not there yet
 * (a missing or link entry).  PROTECT_CREATE (open O_CREAT, mkdir, mknod,
 * symlink: something new and empty): path is such an entry, or lies
 * beneath one meant to be a directory.  PROTECT_MOVE (rename, link: what
 * arrives may hold a tree): also when such an entry lies beneath path.
 * *ret_entry (may be NULL): the entry that refuses (its path and why). */
enum protect_how { PROTECT_CREATE, PROTECT_MOVE };
bool protect_refuses(const struct protect_list *l, const char *path, enum protect_how how,
		     const struct protect_path **ret_entry);

/* Reads the git configs, the hooks directory and the policy's entries for
 * the work tree (physical path) and plans; then each path's state, by a
 * walk from the work tree that follows no link (protect-scan.c).  home:
 * the user's real home (for ~/ and the global config).  0, or a negative
 * errno (then *ret is empty: the caller refuses the start). */
int protect_find(const char *worktree, const char *home, const struct policy *pol,
		 struct protect_list *ret);

/* The environment (GIT_CONFIG_COUNT, GIT_CONFIG_KEY_n, GIT_CONFIG_VALUE_n)
 * under which git, run by nix in the evaluation, cannot be made to run
 * code by the repository's config: core.fsmonitor=false,
 * core.hooksPath=/dev/null, safe.bareRepository=explicit, no ssh command,
 * askpass, credential helper, alternate refs command, ext:: transport or
 * external diff, and every filter driver that the configs name (includes
 * followed) emptied and not required.  "NAME=VALUE" strings, *ret_n of
 * them, then NULL (malloc'ed, each and all).  0 or -ENOMEM. */
int protect_git_env(const char *worktree, const char *home, char ***ret, size_t *ret_n);
