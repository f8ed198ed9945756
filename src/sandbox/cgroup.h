/* cgroup.h - the sandbox's own cgroup, in a cgroup delegated to the caller.
 * Invariants: see the top of cgroup.c. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

enum cgroup_kind {
	CGROUP_NONE,
	CGROUP_V1_PIDS, /* the pids controller's own (legacy) hierarchy */
	CGROUP_V2,      /* the unified hierarchy */
};

/* The caller's cgroup that counts processes, from the text of
 * /proc/self/cgroup: its kind and its path in that hierarchy (malloc'ed,
 * starting with '/').  The v1 pids line wins: a controller bound to v1 is
 * not in v2.  CGROUP_NONE and NULL when there is none or a path is odd
 * (a '..' component, " (deleted)"). */
enum cgroup_kind cgroup_parse(const char *text, char **ret_path);

/* 0 and the directory (malloc'ed) of the caller's cgroup when a sandbox
 * started now would get a cgroup of its own there; -ENOENT when not.
 * Changes nothing. */
int cgroup_delegated(char **ret_dir);

/* A child cgroup made for one sandbox. */
struct sandbox_cgroup {
	int parent_fd; /* the delegated cgroup, -1: none */
	int fd;        /* the child */
	char name[32]; /* the child's name in parent_fd: nsbsh.PID */
};

/* Make the child with pids.max = max_procs where the caller's cgroup is
 * delegated to it; 0, or a negative errno (-ENOENT: no cgroup to use, the
 * usual case, nothing to say) and cg->fd == -1. */
int cgroup_prepare(struct sandbox_cgroup *cg, unsigned long max_procs);
/* Move pid (pid 1 of a sandbox) into the child. */
int cgroup_attach(struct sandbox_cgroup *cg, pid_t pid);
/* Remove the child (once its processes are gone) and close everything. */
void cgroup_release(struct sandbox_cgroup *cg);
