/* devenv.h - turn the output of `nix print-dev-env --json` into what the
 * sandbox loads: an environment block for execve() and a bash snippet.
 * Pure: no I/O, no globals; unit-tested and fuzzed. */
#pragma once

#include <stddef.h>

struct devenv {
	/* "NAME=VALUE\0NAME=VALUE\0" ... : the exported variables, in the
	 * order Nix gave them, each NUL-terminated; environ_len counts every
	 * byte including the terminators (0 when there are none). */
	char *environ;
	size_t environ_len;
	/* bash code, NUL-terminated: non-exported variables, arrays,
	 * associative arrays, functions, then the shellHook run; rc_len
	 * does not count the NUL. */
	char *rc;
	size_t rc_len;
};

/* 0 on success, -EINVAL when json is not the shape Nix prints (or a limit
 * is exceeded), -ENOMEM. ret is filled only on success. */
int devenv_render(const char *json, size_t len, struct devenv *ret);
void devenv_release(struct devenv *d);
