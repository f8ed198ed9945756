/* internal.h - what the files of src/policy share, and nothing outside
 * src/policy includes: the rest of nsbsh sees policy/config.h only.
 * Each declaration says which file defines it. */
#pragma once

#include <fnmatch.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "policy/config.h"

/* ---- names and patterns (here) ---------------------------------------- */

/* Whether s is an fnmatch(3) pattern rather than a plain name. */
static inline bool has_glob(const char *s)
{
	return strpbrk(s, "*?[") != NULL;
}

/* Whether name matches one of the n fnmatch(3) patterns pats. */
static inline bool name_in(const char *name, const char *const *pats, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (fnmatch(pats[i], name, 0) == 0)
			return true;
	return false;
}

/* ---- the environment's fixed names (query.c) -------------------------- */

/* Whether name matches the reserved names (HOME, PATH, NSBSH_*, ...):
 * those nsbsh sets inside itself, which no passthrough replaces. */
bool policy_env_reserved(const char *name);

/* ---- the keys (parse.c) ----------------------------------------------- */

enum key_type { TYPE_CHOICE, TYPE_BIND, TYPE_UNSHADOW, TYPE_NAME, TYPE_WATCH, TYPE_ROOT,
		TYPE_OPT_PATH, TYPE_COPY, TYPE_COUNT, TYPE_BYTES, TYPE_VAR, TYPE_SETENV,
		TYPE_TOOL, TYPE_SSH_KEY, TYPE_HOST, TYPE_INJECT, TYPE_PORT };

struct choice {
	const char *word;
	int value;
};

struct key_desc {
	const char *name;
	enum key_type type;
	bool list;
	const struct choice *choices;
	const char *expected;  /* the choices, for messages */
	unsigned long long min; /* TYPE_COUNT, TYPE_BYTES: the smallest value but 0 */
};

/* Every key a file may set, by enum config_key: its name, and how the
 * parser checks its values. */
extern const struct key_desc config_keys[CONFIG_KEY_COUNT];

/* ---- text (text.c) ---------------------------------------------------- */

/* What a file said, made safe to show: at most 64 bytes, control bytes as
 * '?' (a message must not carry escape sequences to a terminal). */
const char *config_shown(const char *s, char buf[static 72]);

/* err's message from fmt, control bytes as '?', and its line. */
void config_err_set(struct config_error *err, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* ~ expansion and lexical normalization: "~/a//b/./c/" -> HOME/a/b/c.
 * relative: a path below the env file's directory (watch).  0 and *ret;
 * -EINVAL and the reason in *why; -ENOMEM.  No symlink is resolved here:
 * the parser does no I/O. */
int config_path_clean(const char *in, const char *home, bool relative, char **ret,
		      const char **why);

/* Readies t (len bytes of a file, NUL-terminated after them) for
 * libconfuse, in place: comments become spaces, their newlines kept.  0;
 * or -EINVAL, with the line and the message ("syntax error: ...") of what
 * it refuses ("${", an unterminated string or comment). */
int config_scrub(char *t, size_t len, int *why_line, const char **why);

/* ---- parsing (parse.c) ------------------------------------------------ */

/* config_parse_text, and whether the text asked for strict mode at its
 * top level before it ended or failed (ret_strict_seen may be NULL;
 * always set when not): config_load keeps a strict account strict even
 * when its file is broken. */
int config_parse_layer(const char *text, size_t len, const char *filename, const char *home,
		       struct policy_layer *ret, struct config_error *err, bool *ret_strict_seen);

/* ---- policies and lists (merge.c) ------------------------------------- */

/* Frees e's strings and leaves it zeroed. */
void policy_entry_release(struct policy_entry *e);
/* Appends e, taking its strings (e is left empty, also on failure). */
int policy_list_take(struct policy_list *l, struct policy_entry *e);

/* Everything but the project sections, which stay with the original. */
int policy_copy(struct policy *dst, const struct policy *src);

/* Appends a note to p->notes, control bytes as '?'; the last of
 * CONFIG_MAX_NOTES says that more were ignored, and later ones are
 * dropped.  0 or -ENOMEM. */
int policy_note(struct policy *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
