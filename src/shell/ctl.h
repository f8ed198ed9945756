/* ctl.h - the control channel of a shell with a prompt: a directory of
 * nsbsh's cache ($XDG_CACHE_HOME/nsbsh/run/PID), shown writable inside at
 * /run/nsbsh/ctl, where the shell leaves a request before it exits: nsb
 * reload, or a cd to a directory the sandbox does not show.  What is read
 * there was written inside the sandbox: it is untrusted input, read
 * without following links or blocking, bounded, and its paths are checked
 * by whoever uses them. */
#pragma once

#include <stdbool.h>

#define CTL_REQUEST_MAX 4096

/* The control directory of this process under the cache root, created;
 * 0 and *ret, or a negative errno. */
int ctl_make(const char *cache_root, char **ret);
/* Removes it (and a request left in it). */
void ctl_remove(const char *dir);

enum ctl_kind { CTL_NONE, CTL_RELOAD, CTL_CD };

struct ctl_request {
	enum ctl_kind kind;
	char *dir;     /* where the next shell starts: the shell's directory when
			* it is in the work tree (the same path inside and out),
			* else the work tree's root, or home without a project */
	char *target;  /* CTL_CD: the directory asked for, as given (absolute) */
};

/* Takes the request the shell left in dir (and removes it): "reload\nPWD\n"
 * (only with a project) or "cd\nTARGET\nPWD\n" (only from an interactive
 * shell).  worktree may be NULL (no project); home is where a shell with no
 * project restarts.  CTL_NONE for anything else, also when nothing can be
 * read or memory runs out. */
struct ctl_request ctl_take(const char *dir, bool interactive, const char *worktree, const char *home);
void ctl_request_release(struct ctl_request *q);
