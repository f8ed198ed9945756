/* inputs.h - what a start read while it decided, and whether all of it
 * still reads the same (the fast join, shell/fastjoin.c, stands on it).
 *
 * While the list is on, every call of nsbsh's own code that reads the file
 * system, the environment, the terminal or the password database goes
 * through here (the linker's --wrap: INPUTS_WRAP in the Makefile) and is
 * kept with what it gave.  Calls that give what the list cannot replay
 * (a library loaded, a process started, a write, a message said, an fd the
 * list did not open) spoil it.  inputs_replay() performs each kept call
 * again and compares.  Nothing here prints; base/ alone. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* Keeping on (a fresh list: what was kept before is gone) and off; a pause leaves out a start's own
 * calls (its control file, its connection) that are no input; it gives
 * what it was before, for the caller to put back. */
void inputs_begin(void);
bool inputs_pause(bool paused);
void inputs_end(void);
/* The list is spoiled from here on: why (a static string). */
void inputs_spoil(const char *why);
/* NULL while the list is whole, else the first reason it is not. */
const char *inputs_spoiled(void);
/* How many calls the list holds. */
size_t inputs_count(void);

struct strbuf;

/* The list and what goes with it: written into a strbuf (base/strbuf.h:
 * its oom checked once at the end), read back from a blob. */
void blob_put_u32(struct strbuf *b, uint32_t v);
void blob_put(struct strbuf *b, const void *data, size_t len);
void blob_put_str(struct strbuf *b, const char *s); /* NULL kept as NULL */
struct blob {
	char *data;
	size_t len, pos;
	bool bad;   /* a get past the end */
};
uint32_t blob_get_u32(struct blob *b);
/* a string of the blob (NUL-terminated in place) or NULL (also past the
 * end: then b->bad) */
const char *blob_get_str(struct blob *b);

/* The list, in b; 0, or -EINVAL when it is spoiled, or -ETXTBSY when a
 * time it holds is within the two seconds before now (time(NULL): a change
 * in the same tick would not show; inputs_spoiled() then names the file). */
int inputs_save(struct strbuf *b, time_t now);
/* Each call of the list at b's position performed again: 0 when each gives
 * what it gave, -ESTALE at the first that does not (or a malformed list),
 * *ret_why then saying which. */
int inputs_replay(struct blob *b, const char **ret_why);
