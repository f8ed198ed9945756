/* gitlib.h - libgit2, loaded when it is needed (dlopen) rather than at every
 * start: Debian's libgit2 and what it links (TLS, SSH, Kerberos) cost about
 * 7 ms to load and initialise, and most starts need no git at all (outside a
 * project, or a re-entry whose discovery memo still holds: see project.c). */
#pragma once

#include <git2.h>

struct gitlib {
	int (*libgit2_init)(void);
	int (*repository_open_ext)(git_repository **out, const char *path, unsigned int flags,
				   const char *ceiling_dirs);
	const char *(*repository_workdir)(const git_repository *repo);
	void (*repository_free)(git_repository *repo);
	const git_error *(*error_last)(void);
	int (*status_file)(unsigned int *status_flags, git_repository *repo, const char *path);
	int (*libgit2_version)(int *major, int *minor, int *rev);
};

/* Load and initialise libgit2 once; 0 and *ret, or -ENOENT with a reason. */
int gitlib_load(const struct gitlib **ret, char **ret_err);
