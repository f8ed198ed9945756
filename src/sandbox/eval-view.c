/* eval-view.c - what the evaluation's sandbox shows (see eval-view.h).
 *
 * Invariants (tests/unit/test_view.c names each; t-escape.sh tries EV-1
 * with a real flake and real nix):
 * EV-1 no-home: the user's home is an empty tmpfs in the evaluation, and
 *      nothing else of the host's home directories is shown (but EV-4's
 *      tools, which the person named): a flake that names path:~/.ssh (or
 *      any file of the home) as an input finds nothing there to copy into
 *      the world-readable store.
 * EV-2 writes-listed: the work tree (and a session's common git dir) is
 *      read-only; writes go only to the cache entry being written, the
 *      throwaway home, devenv's .devenv (bound only if it is the directory
 *      checked, by device and inode), and the base's /tmp, /dev and /proc.
 * EV-3 env-allowlist: the evaluation's environment is the built-in
 *      allowlist (no passthrough of the policy), PATH the system's, and the
 *      daemon as the only way to the store.
 * EV-4 tools-ro: beyond EV-1 and EV-2, only the host paths that the
 *      caller lists (the local tools of the system's or the user's file,
 *      for the build of those tools) are shown, read-only, after every
 *      other mount, so that one under the home shows that path and no
 *      more of it; each is refused unless what got mounted is what was
 *      checked (a tool in a work tree can be swapped for a link to ~/.ssh
 *      by code in its sandbox); env/nix.c refuses /, the home and its
 *      parents, checked on the real path.
 * EV-5 no-questions: a flake's nixConfig is never accepted
 *      (accept-flake-config = false, also for the nix that devenv runs),
 *      and git, run by nix, gets the settings that keep the repository's
 *      config from running code (extra_env: GIT_CONFIG_COUNT...); its stdin
 *      is /dev/null and it has a time limit (env/nix.c).
 */
#include "sandbox/eval-view.h"

#include "base/util.h"
#include "git/linked.h"

void eval_view_build(struct layout *l, const struct eval_view *v)
{
	const struct view_user *u = v->user;
	/* nix itself: all of the store, whatever store says */
	view_common(l, u, &(struct view_store){ .all = true }, NULL, !v->no_daemon);
	view_host_system(l);
	/* A throwaway home: nix's caches of this evaluation do not outlive it. */
	layout_add(l, SB_TMPFS, NULL, u->home);
	layout_add(l, SB_BIND_RO, v->worktree, v->worktree);
	layout_add(l, SB_BIND_RO, v->worktree, EVAL_FLAKE_VIEW);
	/* A linked work tree (a session): git, run by nix, reads the
	 * repository's common dir. */
	struct linked lk = { 0 };
	_cleanup_free_ char *lerr = NULL;
	if (linked_find(v->worktree, &lk, &lerr) == 0)
		layout_add(l, SB_BIND_RO, lk.commondir, lk.commondir);
	linked_release(&lk);
	/* The entry being written: nix puts the GC root (--profile) there. */
	layout_add(l, SB_BIND_RW, v->entry_dir, v->entry_dir);
	layout_writable(l, u->home);
	layout_writable(l, v->entry_dir);
	/* devenv keeps its state and its GC roots in .devenv, as it does
	 * without nsbsh.  Code in a shell sandbox can replace it with a link
	 * (to ~/.ssh, say) at any time: the bind is refused unless what got
	 * mounted is the directory checked without following links. */
	if (v->dotfile) {
		layout_add_checked(l, SB_BIND_RW, v->dotfile, v->dotfile_st);
		layout_writable(l, v->dotfile);
	}
	if (v->bind_program)
		layout_add(l, SB_BIND_RO, v->program, v->program);
	/* EV-4: last, over the home's tmpfs too. */
	for (size_t i = 0; i < v->n_binds; i++)
		layout_add_checked(l, SB_BIND_RO, v->binds[i].path, &v->binds[i].st);

	l->spec.seccomp = true;
	/* NET-4: only lo; nix told to stay offline (env/nix.c adds --offline) */
	l->spec.unshare_net = v->offline;
	layout_pass_env(l, NULL);
	layout_setenv(l, "PATH", v->path_env);
	layout_setenv(l, "HOME", u->home);
	layout_setenv(l, "USER", u->name);
	layout_setenv(l, "LOGNAME", u->name);
	/* Inside, only the daemon can reach the store's database. */
	layout_setenv(l, "NIX_REMOTE", "daemon");
	if (getenv("NIX_DAEMON_SOCKET_PATH"))
		layout_setenv(l, "NIX_DAEMON_SOCKET_PATH", view_daemon_socket());
	/* EV-5: never a question of the flake's (nix asks on a terminal) */
	layout_setenv(l, "NIX_CONFIG", v->offline ? "accept-flake-config = false\nsubstitute = false\n"
						    "substituters =\ntarball-ttl = 4294967295"
						  : "accept-flake-config = false");
	for (size_t i = 0; i < v->n_extra_env && v->extra_env; i++) {
		const char *e = v->extra_env[i], *eq = strchr(e, '=');
		_cleanup_free_ char *name = eq ? strndup(e, (size_t)(eq - e)) : NULL;
		if (name)
			layout_setenv(l, name, eq + 1);
	}
	/* NET-4: nix itself offline too (a devenv's nix: NIX_CONFIG above) */
	_cleanup_free_ char **argv = NULL;
	if (v->offline && v->argc > 0 && !v->dotfile) {
		argv = calloc((size_t)v->argc + 2, sizeof(*argv));
		if (!argv) {
			layout_set_error(l, -ENOMEM);
			return;
		}
		argv[0] = v->argv[0];
		argv[1] = (char *)"--offline";
		for (int i = 1; i < v->argc; i++)
			argv[i + 1] = v->argv[i];
	}
	layout_program(l, v->program, argv ? v->argc + 1 : v->argc, argv ? argv : v->argv, v->cwd);
	l->prog.stdout_fd = v->stdout_fd;
}
