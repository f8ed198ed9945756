/* ctl.h - the control channel of a shell: a directory of its own inside
 * the sandbox's control directory (in nsbsh's cache, shown writable inside
 * at /run/nsbsh/ctl; NSBSH_CTL names the shell's), where the shell leaves
 * a request before it exits: nsb reload, or a cd to a directory outside
 * the work tree.  What is read there was written inside the sandbox: it is
 * untrusted input (CTL-1 to CTL-3, ctl.c). */
#pragma once

#include <stdbool.h>

#define CTL_REQUEST_MAX 4096
/* The exit status with which nsbsh's own cd and nsb reload end a shell
 * (shellwrap/inside.bash): a request counts only then (CTL-1). */
#define CTL_EXIT_STATUS 113

/* The sandbox's control directory: CACHE/ctl/ID, created. */
int ctl_sandbox_dir(const char *cache_root, const char *id, char **ret);
/* A shell's own in it, named after this process: its host path and its
 * path inside; created, empty. */
int ctl_shell_make(const char *sandbox_dir, char **ret_host, char **ret_inside);
/* Removes a shell's directory (and a request left in it). */
void ctl_remove(const char *dir);

enum ctl_kind { CTL_NONE, CTL_RELOAD, CTL_CD };

struct ctl_request {
	enum ctl_kind kind;
	char *dir;     /* where the next shell starts: the shell's directory when
			* it is in the work tree (the same path inside and out),
			* else the work tree's root, or home without a project */
	char *target;  /* CTL_CD: the directory asked for, as given (absolute) */
};

/* Takes the request the shell left in dir (and removes it), when the shell
 * ended with the wait status CTL_EXIT_STATUS: "reload\nPWD\n" (only with a
 * project) or "cd\nTARGET\nPWD\n" (only from an interactive shell).
 * worktree may be NULL (no project); home is where a shell with no project
 * restarts.  CTL_NONE for anything else, also when nothing can be read or
 * memory runs out. */
struct ctl_request ctl_take(const char *dir, int status, bool interactive, const char *worktree,
			    const char *home);
void ctl_request_release(struct ctl_request *q);
