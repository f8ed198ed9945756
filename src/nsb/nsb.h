/* nsb.h - the control command: nsbsh's binary started as `nsb`.  One
 * function a subcommand, nsb_cmd_NAME in src/nsb/NAME.c (like git's
 * builtin/), each taking the subcommand's own argv (argv[0] is its name)
 * and returning its exit status; they print, as the top level does. */
#pragma once

#include <stdbool.h>

/* Runs `nsb ARGS...` and returns its exit status. */
int nsb_main(int argc, char **argv);

int nsb_cmd_enter(int argc, char **argv);     /* nsb enter [--session BRANCH [--from REF]] [--pick] [DIR] */
int nsb_cmd_sessions(int argc, char **argv);  /* nsb sessions [DIR] | rm BRANCH [--force] [DIR] | prune [DIR] */
int nsb_cmd_status(int argc, char **argv);    /* nsb status [--view [--json]] [DIR] */
int nsb_cmd_trust(int argc, char **argv);     /* nsb trust [--remove] [DIR] */
int nsb_cmd_doctor(int argc, char **argv);    /* nsb doctor */
int nsb_cmd_gc(int argc, char **argv);        /* nsb gc [--dry-run] [--older-than DURATION] [--homes] */
int nsb_cmd_log(int argc, char **argv);       /* nsb log [-n N] [DIR] */
int nsb_cmd_version(int argc, char **argv);   /* nsb version */
int nsb_cmd_ps(int argc, char **argv);        /* nsb ps [DIR] */
int nsb_cmd_stop(int argc, char **argv);      /* nsb stop [DIR] [--all] */

/* A command's usage line, from nsb.c's table ("nsb gc [--dry-run] ..."). */
const char *nsb_usage_line(const char *name);
/* "nsb: usage: ..." on stderr; returns EXIT_USAGE. */
int nsb_usage(const char *name);

struct project;

/* For the subcommands that take [DIR]: enter DIR (when not NULL) and find
 * the project around the current directory, with the discovery memo.
 * 0 and *ret (and *ret_cwd, the physical current directory); -ENOENT: no
 * project; another negative errno with *ret_err: discovery failed; -EIO:
 * DIR or the current directory cannot be entered or read (said already). */
int nsb_project_here(const char *dir, char **ret_cwd, struct project *ret, char **ret_err);
/* The same, saying why not: 0, or 1 (said). */
int nsb_project_at(const char *dir, struct project *ret, char **ret_cwd);

/* The id of the live sandbox a start in p would join now, without its
 * view (live_info's base: building a view is a start's, not a reader's;
 * ps.c; 33 bytes with the NUL): 0 or a negative errno (the env files
 * cannot be read). */
int nsb_current_sandbox(const struct project *p, char *id);

struct policy;
/* nsb status --view (view.c): the view of the sandbox a start in p (at
 * cwd) would get now, under pol, as text or JSON.  Its exit status. */
int nsb_status_view(const struct project *p, const char *cwd, const struct policy *pol, bool json);
