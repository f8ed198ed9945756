/* log.h - the one place nsbsh prints its own messages.
 * Library-style modules never print; the top level reports through these. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdnoreturn.h>

/* Exit codes of nsbsh's own failures (the shell's status passes through). */
enum {
	EXIT_USAGE = 2,          /* nsb: bad command line */
	EXIT_SYSTEM = 71,        /* nsb: a system call or library failed */
	EXIT_REFUSED = 77,       /* nsbsh: a strict account refused a shell (never a plain bash) */
	EXIT_CANNOT_EXEC = 126,  /* bash could not be executed (as bash does) */
	EXIT_NOT_FOUND = 127,    /* bash was not found (as bash does) */
};

/* s cut to size - 4 bytes (then "..."), control characters as '?': safe in
 * a message to a terminal, whoever chose s.  Returns buf. */
const char *printable(const char *s, char *buf, size_t size);

void log_init(const char *progname);
void warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
noreturn void die(int status, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Whether output on fd may be coloured: a terminal, TERM set and not
 * "dumb", and no NO_COLOR (https://no-color.org: set and not empty).  Every
 * colour nsbsh prints asks this first. */
bool log_colour(int fd);
/* Whether warn() said anything yet (a start that said something is not
 * one to repeat silently: base/inputs.h). */
bool log_said(void);
