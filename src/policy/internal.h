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

static inline bool has_glob(const char *s)
{
	return strpbrk(s, "*?[") != NULL;
}

static inline bool name_in(const char *name, const char *const *pats, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (fnmatch(pats[i], name, 0) == 0)
			return true;
	return false;
}

/* ---- the environment's fixed names (query.c) -------------------------- */

/* Whether name is (or, for a pattern, is matched as a string by) one of
 * the outer variables that always reach the sandbox. */
bool policy_env_builtin(const char *name);
/* Whether name is one nsbsh sets inside itself, which no passthrough
 * replaces. */
bool policy_env_reserved(const char *name);
