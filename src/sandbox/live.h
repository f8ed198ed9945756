/* live.h - whether a sandbox of a work tree runs now.  One function, so
 * that a registry of live sandboxes (issue 16) can replace how it knows. */
#pragma once

#include <sys/types.h>

/* 1 and *ret_pid when a process of this user is a shell of worktree's
 * sandbox (its environment says NSBSH_PROJECT=worktree) or an nsbsh process
 * (the same program as this one: a supervisor, a sandbox's pid 1) whose
 * working directory is at or beneath worktree; 0 when none is; or -errno
 * (/proc cannot be read).  worktree: absolute, physical. */
int live_worktree_pid(const char *worktree, pid_t *ret_pid);
