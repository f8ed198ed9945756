/* layout.h - a sandbox's view being built: the list of operations, the
 * places writes may go, the program's environment and command line, and
 * the strings they all point to.  sandbox.c knows how to build a view;
 * view.c, gitprotect.c, shell-view.c and eval-view.c decide what is in one.
 *
 * Every add copies what it is given (the layout owns its strings), refuses
 * NULL (an allocation that failed upstream: -ENOMEM), and after the first
 * error does nothing: the error is kept, with its reason, and the caller
 * asks once, at the end (layout_error).  The finished list is a plain
 * value: a test reads l->spec.ops to see what a view shows, read-only or
 * not, without a kernel. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

#include "git/protect.h"
#include "sandbox/sandbox.h"

#define LAYOUT_MAX_ENV 256
#define LAYOUT_MAX_WRITABLE 24
#define LAYOUT_MAX_NOTES 16
#define LAYOUT_MAX_ALLOW_HOSTS 64  /* = CONFIG_MAX_LIST */

struct layout {
	struct sandbox_spec spec;
	struct sandbox_program prog;
	char **owned;          /* every string the spec and program point to */
	size_t n_owned;
	char *envp[LAYOUT_MAX_ENV];
	size_t n_env;
	/* where each of envp came from ("allowlist", "passthrough",
	 * "environment", "setenv", "nsbsh": static strings), for nsb status
	 * --view; env_origin is what layout_setenv records now (NULL: nsbsh) */
	const char *env_from[LAYOUT_MAX_ENV];
	const char *env_origin;
	const char *writable[LAYOUT_MAX_WRITABLE];
	size_t n_writable;
	const char *allow_hosts[LAYOUT_MAX_ALLOW_HOSTS];  /* spec.allow_hosts */
	/* Things worth saying that did not stop the view ("policy: bind
	 * '/x' left out: ..."): the caller prints them. */
	char *notes[LAYOUT_MAX_NOTES];
	size_t n_notes;
	int error;             /* the first error, a negative errno; 0: none */
	char *error_text;      /* its reason, when one was given */
	/* The work tree's protected paths (git/protect.h), as the view found
	 * them: those there are bound read-only; the creation guard refuses
	 * to make the missing ones (protect_refuses). */
	struct protect_list protect;
	/* The creation guard's places (sandbox.h struct sandbox_guard): where
	 * a new .git is refused, and the git dirs whose tops are guarded. */
	const char **guard_roots;
	size_t n_guard_roots;
	const char **guard_gitdirs;
	size_t n_guard_gitdirs;
};

void layout_init(struct layout *l);
void layout_release(struct layout *l);

/* The first error (0: none), and its reason (NULL: strerror's). */
int layout_error(const struct layout *l);
const char *layout_error_text(const struct layout *l);
/* Sets the error (when none is set yet), with or without a reason. */
void layout_set_error(struct layout *l, int error);
void layout_fail(struct layout *l, int error, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* A note for the caller to show (one line, no "nsbsh: "). */
void layout_note(struct layout *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A copy of s that lives as long as the layout (NULL: s was NULL, or an
 * error is set). */
const char *layout_strdup(struct layout *l, const char *s);

/* An operation: src at dest (see sandbox.h's kinds); src NULL where the
 * kind takes none (SB_TMPFS, SB_DIR, SB_PROC, SB_DEVPTS). */
void layout_add(struct layout *l, enum sandbox_op_kind kind, const char *src, const char *dest);
/* A bind of path at itself, refused at build time unless what got mounted
 * is what st describes (its device and inode): a link swapped in after
 * the check makes the start fail, it never gets something else mounted. */
void layout_add_checked(struct layout *l, enum sandbox_op_kind kind, const char *path,
			const struct stat *st);
/* The same for a bind of src at another dest. */
void layout_add_checked_at(struct layout *l, enum sandbox_op_kind kind, const char *src, const char *dest,
			   const struct stat *st);
/* A read-only file at dest with these len bytes. */
void layout_add_file(struct layout *l, const char *dest, const char *data, size_t len);
/* An operation of a kind that takes data (SB_FILE, SB_STORE), copied. */
void layout_add_data(struct layout *l, enum sandbox_op_kind kind, const char *dest, const char *data, size_t len);
/* A place where the program may write (Landlock's list). */
void layout_writable(struct layout *l, const char *path);
/* For the creation guard (guard.c): a place the host sees where no new
 * .git may be made; a git dir at whose top only git's names may be. */
void layout_guard_root(struct layout *l, const char *path);
void layout_guard_gitdir(struct layout *l, const char *path);

/* NAME=VALUE in the program's environment, replacing an earlier NAME. */
void layout_setenv(struct layout *l, const char *name, const char *value);
struct policy;
/* The variables of the outer environment that the policy passes (the
 * built-in allowlist TERM, LANG, ... when p is NULL). */
void layout_pass_env(struct layout *l, const struct policy *p);
/* The program: path inside, its argv (argc strings, copied), where it
 * starts; its environment is the one set above. */
void layout_program(struct layout *l, const char *path, int argc, char *const *argv, const char *cwd);

/* A SHA-256 of the view's operations (kinds, sources, places, checked
 * device and inode, files' content) and its error, in 64 hex digits: two
 * views that show the same are the same (a live sandbox is joined only
 * when its view is the one a start would build now). */
void layout_fingerprint(const struct layout *l, char ret_hex[65]);

/* The last operation at dest (the one that decides what dest is), or NULL. */
const struct sandbox_op *layout_find(const struct layout *l, const char *dest);
