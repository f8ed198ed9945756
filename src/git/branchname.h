/* branchname.h - branch names of sessions: git's rules with the reason a
 * name breaks them, and the folder name a session's work tree gets.  Pure:
 * no I/O, unit-tested (tests/unit/test_branchname.c) and fuzzed
 * (tests/fuzz/fuzz_branchname.c). */
#pragma once

#include <stddef.h>

/* The longest branch name nsbsh takes (git itself has no limit, the file
 * system has: a ref is a file under refs/heads/). */
#define BRANCHNAME_MAX 1024
/* A folder name from branchname_encode is at most this long (NAME_MAX). */
#define BRANCHNAME_ENCODED_MAX 255

/* NULL when git would take name as a branch name (git check-ref-format
 * --branch, git_branch_name_is_valid), else why not, as a phrase to follow
 * the quoted name: "contains '..'", "starts with '-'", ... */
const char *branchname_refusal(const char *name);

/* The folder name of a branch's work tree: bytes [A-Za-z0-9._-] as they
 * are, every other byte as %XX (so '/' is %2F and '%' is %25): feature/x
 * and feature-x never collide, and no name is a path or starts with '.'.
 * A name whose encoding would pass 190 bytes is cut there and ends with
 * '~' and the SHA-256 of the whole name ('~' is never in an encoding).
 * out must hold BRANCHNAME_ENCODED_MAX + 1 bytes; returns strlen(out). */
size_t branchname_encode(const char *name, char out[BRANCHNAME_ENCODED_MAX + 1]);
