/* trust.h - a repository's own .nsbsh.conf, read only once the user pinned
 * its content with `nsb trust` (like `direnv allow`).
 *
 * The record of a project lives outside every sandbox, in
 * $XDG_DATA_HOME/nsbsh/trust/SHA256(WORKTREE): "sha256 HEX\npath WORKTREE\n".
 * A file whose hash is not the pinned one is untrusted: a changed file is
 * untrusted again until trusted again. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#define TRUST_FILE ".nsbsh.conf"

enum trust_state {
	TRUST_NO_FILE,    /* the work tree has no .nsbsh.conf */
	TRUST_UNTRUSTED,  /* never trusted */
	TRUST_CHANGED,    /* trusted once, with other content */
	TRUST_TRUSTED,    /* its hash is the pinned one */
};

struct trust_file {
	char *path;    /* WORKTREE/.nsbsh.conf */
	char *text;    /* its content (NULL with TRUST_NO_FILE) */
	size_t len;
	char hex[65];  /* SHA-256 of text */
	enum trust_state state;
	int error;     /* trust_apply_project: trust_read's error (the file
			* exists but cannot be read), else 0 */
};

/* Reads worktree's .nsbsh.conf and decides its state.  0 (also when there
 * is no file), or a negative errno when the file exists but cannot be read
 * (then f->path is set for the message). */
int trust_read(const char *worktree, struct trust_file *f);
void trust_file_release(struct trust_file *f);

struct policy;
struct config_error;
/* The project's overrides onto p: the user's section for worktree, then its
 * .nsbsh.conf, read into *f (to release), applied only when trusted.
 * config_load_project's result (on an error p is unchanged, err says why);
 * f->error when the file could not be read, f->state otherwise. */
int trust_apply_project(struct policy *p, const char *worktree, const char *home,
			struct trust_file *f, struct config_error *err);

/* Pins f's hash for worktree.  0 or a negative errno. */
int trust_pin(const char *worktree, const struct trust_file *f);
/* Forgets worktree's record; 0 also when there was none. */
int trust_forget(const char *worktree);

/* Whether nsbsh already said that this content (f->hex) is not trusted;
 * records that it has now said so.  "Says so once" per content. */
bool trust_first_notice(const char *worktree, const struct trust_file *f);
