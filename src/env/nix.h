/* nix.h - the nix program: where it is, whether its daemon answers, and the
 * evaluation of a project's environment inside the evaluation sandbox. */
#pragma once

#include "git/project.h"
#include "sandbox/view.h"

struct nix_info {
	char *path;  /* real path of the program (nix, devenv), NULL when not found */
	char *id;    /* "PATH:SIZE:MTIME" or "none": part of the cache key */
};

/* Looks nix up in PATH; never fails for a missing nix (path NULL, id "none"). */
int nix_locate(struct nix_info *ret);
/* The same for devenv, which builds devenv.nix projects. */
int nix_locate_devenv(struct nix_info *ret);
void nix_info_release(struct nix_info *n);
/* 0 when the daemon socket accepts a connection, else negative errno. */
int nix_daemon_check(void);
/* The version of nix ("2.8.0", from `nix --version`), malloc'ed. */
int nix_version(const struct nix_info *nix, char **ret);
/* The experimental features nix runs with in the evaluation sandbox
 * ("flakes nix-command"): `nix show-config` with the system's nix.conf
 * only, as the evaluation reads it.  0 and *ret; -EIO with nix's error
 * line in *ret_err when nix refuses (e.g. nix-command is not enabled);
 * other negative errnos when nix cannot be run. */
int nix_experimental_features(const struct nix_info *nix, char **ret, char **ret_err);
/* What a build makes an entry of. */
struct nix_build {
	const struct project *project;
	const struct nix_info *nix;
	const struct nix_info *devenv;  /* devenv.nix: the devenv found (path NULL: none) */
	const char *const *tools;       /* the policy's tools, installables for nix build */
	size_t n_tools;
	const struct view_user *user;
	const char *entry_dir;
	const char *key;
	unsigned long long timeout_s;   /* each nix (or devenv) run's limit; 0: none */
	bool offline;                   /* network = off: only lo, nix --offline (NET-4) */
	bool no_daemon;                 /* the daemon socket not shown (NET-5) */
	bool closure;                   /* store = closure: ENTRY/closure written too
					 * (one more nix run, so only then) */
	/* set by nix_build_env: "NAME=VALUE"s for the git that nix runs */
	char *const *git_env;
	size_t n_git_env;
};
/* Evaluate the project's dev env inside the evaluation sandbox and write the
 * cache entry's files into entry_dir ("meta" last): `nix print-dev-env
 * --json` for a flake, `devenv print-dev-env --json` (run in the env file's
 * directory with its .devenv writable) for devenv.nix.  Then, each in the
 * evaluation sandbox too: a flake's inputs (`nix flake archive --json`)
 * rooted as ENTRY/input, input-1, ...; the tools built (`nix build`),
 * rooted as ENTRY/tool, tool-1, ..., their bin/ appended to the
 * environment's PATH.
 * Each runs with stdin /dev/null, never accepts a flake's nixConfig, gives
 * the git it runs settings that keep the repository's config from running
 * code (sandbox/eval-view.c EV-5), and is stopped, with all it started,
 * after timeout_s seconds (-ETIMEDOUT).
 * On failure a one-line reason in *ret_err (nix's or devenv's own messages
 * went to stderr already; a missing devenv says how to install it).  A
 * complete entry whose inputs could not be rooted is a success with a
 * one-line *ret_note saying so (else *ret_note stays NULL). */
int nix_build_env(const struct nix_build *b, char **ret_err, char **ret_note);
