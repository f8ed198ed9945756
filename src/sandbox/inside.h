/* inside.h - pid 1 of a new sandbox and the signals it shares with the
 * supervisor; private to src/sandbox/sandbox.c and inside.c. */
#pragma once

#include <stdnoreturn.h>
#include <sys/types.h>

#include "sandbox/sandbox.h"

/* pid 1 exits so when the sandbox could not be built (the reason goes over
 * errfd as one line). */
#define EXIT_SANDBOX_SETUP 125

/* In the child that clone() made with the new namespaces: waits for the
 * two bytes on syncfd (the id maps are written; 'n'/'x': notifications
 * answered or not; 'c'/'r': the cgroup holds the process limit or
 * RLIMIT_NPROC must), builds the view, loads the filter (passing its
 * listener over sock when 'n'), forks the program and reaps until it
 * exits, with its status.  Failures: one line on errfd, then exit with
 * EXIT_SANDBOX_SETUP. */
noreturn void inside_pid1(const struct sandbox_spec *s, const struct sandbox_program *p, int errfd,
			  int syncfd, int sock);

/* A live sandbox's pid 1 once the sandbox is built (spawner.c): serves
 * WIRE_JOIN and WIRE_STAT on ctl until nothing has run in it for
 * s->linger seconds, or ctl closes; each shell gets s's Landlock. */
noreturn void spawner_run(const struct sandbox_spec *s, int ctl);

/* SIGINT and SIGQUIT as the caller had them, kept before the clone. */
void signals_save(void);
/* While the program runs, the supervisor and pid 1 stay out of the way of
 * the terminal's SIGINT and SIGQUIT and pass SIGHUP and SIGTERM on to to. */
void signals_supervise(pid_t to);
void signals_restore(void);
