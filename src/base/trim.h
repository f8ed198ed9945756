/* trim.h - give back the file pages a long-lived idle process has mapped.
 *
 * A process that waits (a live sandbox's supervisor and pid 1, for
 * minutes) keeps mapped every page of libc and of itself that it has
 * touched, and the kernel maps them in large runs (fault-around, large
 * folios): about 1.3 MB of libc each, against some 250 kB of memory of
 * their own.  Those pages stay in the page cache, shared; only this
 * process's mappings of them go, and the next use maps them again (a few
 * dozen page faults). */
#pragma once

/* Gives the free memory of the heap back (malloc_trim: a supervisor
 * inherits the heap of the start that forked it), then unmaps the pages
 * of every file mapping of this process that is not
 * writable and holds no page of its own (smaps "Anonymous: 0"): code and
 * read-only data, which the next use maps again from the file.  Writable
 * mappings, and a read-only one that relocations changed, are left alone:
 * dropping them would lose what was written.  Safe with other threads
 * running (a mapping that is not writable cannot gain a page of its own). */
void memory_trim(void);

/* How long a process waits with nothing to do before it trims (ms). */
#define MEMORY_TRIM_QUIET_MS 1000
