/* ctl.h - the control channel of a shell: a file of its own in the
 * sandbox's control directory (in nsbsh's cache, shown writable inside at
 * /run/nsbsh/ctl; NSBSH_CTL names the shell's), where the shell leaves a
 * request before it exits: nsb reload, or a cd to a directory outside the
 * work tree.  What is read there was written inside the sandbox: it is
 * untrusted input (CTL-1 to CTL-3, ctl.c). */
#pragma once

#include <stdbool.h>

#define CTL_REQUEST_MAX 4096
/* The exit status with which nsbsh's own cd and nsb reload end a shell
 * (shellwrap/inside.bash): a request counts only then (CTL-1). */
#define CTL_EXIT_STATUS 113

/* The sandbox's control directory: CACHE/ctl/ID, created. */
int ctl_sandbox_dir(const char *cache_root, const char *id, char **ret);
/* A shell's request file in it, named after this process: its host path
 * and its path inside; one left by an earlier process of this pid is
 * removed (nothing is made: the shell makes it when it asks). */
int ctl_shell_path(const char *sandbox_dir, char **ret_host, char **ret_inside);
/* Removes a shell's request file, if it left one. */
void ctl_remove(const char *path);

enum ctl_kind { CTL_NONE, CTL_RELOAD, CTL_CD };

struct ctl_request {
	enum ctl_kind kind;
	char *dir;     /* where the next shell starts: the shell's directory when
			* it is in the work tree (the same path inside and out),
			* else the work tree's root, or home without a project */
	char *target;  /* CTL_CD: the directory asked for, as given (absolute) */
};

/* Takes the request the shell left at path (and removes it), when the shell
 * ended with the wait status CTL_EXIT_STATUS: "reload\nPWD\n" (only with a
 * project) or "cd\nTARGET\nPWD\n" (only from an interactive shell).
 * worktree may be NULL (no project); home is where a shell with no project
 * restarts.  CTL_NONE for anything else, also when nothing can be read or
 * memory runs out. */
struct ctl_request ctl_take(const char *path, int status, bool interactive, const char *worktree,
			    const char *home);
void ctl_request_release(struct ctl_request *q);
