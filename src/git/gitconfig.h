/* gitconfig.h - a small, careful reader of git's config file syntax
 * (git-config(1) "CONFIGURATION FILE"), for the few keys nsbsh must know
 * before a sandbox starts (git/protect.c): which paths of the work tree git
 * outside would run or read as config.  Pure: it reads the text it is
 * given, nothing else; fuzzed (tests/fuzz/fuzz_gitconfig.c).
 *
 * Why not libgit2: loading it costs about 7 ms (gitlib.h), more than a
 * whole cached start may spend on this, and it would apply include and
 * includeIf conditions where nsbsh wants every target (a condition that is
 * false now, onbranch: say, may be true when git runs outside later). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* Bounds on what one file can make the reader hold. */
#define GITCONFIG_MAX_NAME 256     /* a section, subsection or key name */
#define GITCONFIG_MAX_FILE (1u << 20) /* bytes of one file */

struct gitconfig_entry {
	const char *section;     /* lower case: "core", "includeif" */
	const char *subsection;  /* as written in [s "Sub"], lower case in the old
				  * [s.sub] form; NULL: none */
	const char *name;        /* lower case: "hookspath" */
	const char *value;       /* with quotes and escapes resolved; NULL: the
				  * key had no '=' (a boolean true) */
	int line;                /* where the key is, from 1 */
};

/* Called for each key in the order of the file; a non-zero return stops
 * the parse and is returned. */
typedef int gitconfig_fn(const struct gitconfig_entry *e, void *ctx);

/* Parses len bytes of text (a NUL in it ends nothing: it is an error, as
 * for git).  0 at the end; -EINVAL at the first line git would refuse
 * ("bad config line N", *ret_line set), after calling fn for the keys
 * before it; -EFBIG above GITCONFIG_MAX_FILE; -ENOMEM; or fn's value. */
int gitconfig_parse(const char *text, size_t len, gitconfig_fn *fn, void *ctx, int *ret_line);

/* Whether value is one of git's boolean words or numbers (true, yes, on,
 * 1, false, no, off, 0, ""; any case), as git_parse_maybe_bool reads it. */
bool gitconfig_is_bool(const char *value);
