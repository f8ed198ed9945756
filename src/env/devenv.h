/* devenv.h - turn the output of `nix print-dev-env --json` into what the
 * sandbox loads: an environment block for execve() and a bash snippet;
 * and read the store paths that `nix flake archive --json` and `nix build
 * --json` print, with the same JSON reader.
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
	 * associative arrays, functions, the policy's setenv (SHELL_RC_SETENV
	 * sourced), then the shellHook run; rc_len
	 * does not count the NUL. */
	char *rc;
	size_t rc_len;
};

/* 0 on success, -EINVAL when json is not the shape Nix prints (or a limit
 * is exceeded), -ENOMEM. ret is filled only on success. */
int devenv_render(const char *json, size_t len, struct devenv *ret);
void devenv_release(struct devenv *d);

/* Store paths read from nix's JSON: malloc'ed strings, each a store path
 * ("/nix/store/HASH-NAME", nothing after the name), no repeats, in the
 * order printed; at most DEVENV_MAX_PATHS. */
#define DEVENV_MAX_PATHS 1024
struct store_paths {
	char **v;
	size_t n;
};
void store_paths_release(struct store_paths *p);
/* The inputs of `nix flake archive --json` ({"path": P, "inputs": {NAME:
 * {"path": ..., "inputs": ...}}}), at every depth, without the flake's own
 * P.  0, -EINVAL (not that shape, or a path that is not a store path),
 * -ENOMEM. */
int devenv_archive_inputs(const char *json, size_t len, struct store_paths *ret);
/* The outputs of `nix build --json` ([{"drvPath": D, "outputs": {NAME: P}}]),
 * in order.  0, -EINVAL, -ENOMEM. */
int devenv_build_outputs(const char *json, size_t len, struct store_paths *ret);
/* Appends the n directories to d's PATH (a PATH of them when d has none),
 * after what is there; a directory already on it is not added again.
 * 0, -EINVAL (a directory with ':', or PATH too long), -ENOMEM. */
int devenv_path_append(struct devenv *d, const char *const *dirs, size_t n);
