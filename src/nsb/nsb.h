/* nsb.h - the control command: nsbsh's binary started as `nsb`. */
#pragma once

/* Runs `nsb ARGS...` and returns its exit status. */
int nsb_main(int argc, char **argv);

struct project;

/* For the subcommands that take [DIR]: enter DIR (when not NULL) and find
 * the project around the current directory, with the discovery memo.
 * 0 and *ret (and *ret_cwd, the physical current directory); -ENOENT: no
 * project; another negative errno with *ret_err: discovery failed; -EIO:
 * DIR or the current directory cannot be entered or read (said already). */
int nsb_project_here(const char *dir, char **ret_cwd, struct project *ret, char **ret_err);
