/* closure.h - store = closure: the store paths a sandbox is shown.  Pure:
 * the scan of an environment's text for the store paths it names (the
 * roots nix is asked the closure of, env/nix.c), and the entry's list
 * (ENTRY/closure, written by nsbsh when the environment was built, read at
 * each start). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "env/devenv.h"

/* At most this many store paths in a closure: a bigger one refuses the
 * start rather than show less (or more) than the closure. */
#define CLOSURE_MAX 12000

/* Whether s (n bytes) is "/nix/store/" HASH "-" NAME: 32 of nix's
 * base-32 digits, a NAME of the characters nix allows (no '/'). */
bool closure_path_ok(const char *s, size_t n);

/* s (n bytes) added to acc unless it is there: 0, -E2BIG when acc has
 * max already, -ENOMEM. */
int store_paths_add(struct store_paths *acc, const char *s, size_t n, size_t max);

/* Every store path text mentions (the longest name at each
 * "/nix/store/HASH-"), added to acc once each: 0, -E2BIG past
 * CLOSURE_MAX, -ENOMEM. */
int closure_scan(const char *text, size_t len, struct store_paths *acc);

/* The entry's list: one item a line, "PATH" or "PATH TARGET" for a store
 * path that is a symbolic link (TARGET its text: no space, no newline),
 * each line ended by a newline (sandbox/view.h struct view_store shows
 * it so).  Checked, not changed: 0 and *ret owning text; -EINVAL for a
 * line that is not one of these, -E2BIG past CLOSURE_MAX (then the caller
 * still owns text). */
struct closure {
	char *text;
	size_t len;
	size_t n;
};
int closure_parse(char *text, size_t len, struct closure *ret);
void closure_release(struct closure *c);
