/* main.c - a start of nsbsh, in the order it happens:
 *   read bash's command line -> find the project -> look up its environment
 *   (build it in the evaluation sandbox on a miss) -> build the shell's
 *   sandbox -> run bash in it, passing its exit status through.
 * Outside a project, or when any step fails, plain bash runs with the same
 * arguments: a login shell must never lock its user out. */
#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <fcntl.h>

#include "cache.h"
#include "layout.h"
#include "log.h"
#include "nix.h"
#include "nsb.h"
#include "project.h"
#include "sandbox.h"
#include "shellargs.h"
#include "userns.h"
#include "util.h"
#include "version.h"

#ifndef NSBSH_HOST_BASH
#define NSBSH_HOST_BASH "/bin/bash"
#endif

#define RC_INSIDE "/run/nsbsh/rc"
#define RC_ENV "/run/nsbsh/env.bash"

static noreturn void exec_plain_bash(char **argv)
{
	execv(NSBSH_HOST_BASH, argv);
	die(errno == ENOENT ? EXIT_NOT_FOUND : EXIT_CANNOT_EXEC, "cannot run '%s': %s",
	    NSBSH_HOST_BASH, strerror(errno));
}

/* shellwrap/ next to the binary (build tree) or ../share/nsbsh/shellwrap. */
static char *shellwrap_file(const char *name)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return NULL;
	exe[n] = '\0';
	char *slash = strrchr(exe, '/');
	if (!slash)
		return NULL;
	*slash = '\0';
	static const char *const where[] = { "shellwrap", "../share/nsbsh/shellwrap" };
	for (size_t i = 0; i < ARRAY_SIZE(where); i++) {
		char *path = NULL;
		if (asprintf(&path, "%s/%s/%s", exe, where[i], name) < 0)
			return NULL;
		if (access(path, R_OK) == 0)
			return path;
		free(path);
	}
	return NULL;
}

/* A strict account (the lead's policy wiring calls this) on a kernel that
 * refuses user namespaces gets no shell: never an unsandboxed one. */
static noreturn void __attribute__((unused)) strict_refuse_without_userns(void)
{
	die(EXIT_REFUSED, "refusing a shell: this account is strict and the sandbox cannot be made: "
	    "user namespaces are not allowed: %s", userns_hint(userns_blocker(NULL)));
}

struct start {
	char **argv;
	int argc;
	struct shellargs args;
	char *cwd;
	struct project project;
	struct layout_user user;
	char *user_name;
	char *home;
};

/* Build (or wait for another shell's build of) a missing entry. */
static int env_build(struct start *st, const struct nix_info *nix, const char *root,
		     const char *key)
{
	_cleanup_free_ char *err = NULL;
	const char *envfile = st->project.envfile;

	if (!nix->path) {
		warn("cannot find 'nix' in PATH, needed for the environment of '%s': install Nix (e.g. apt-get install nix-bin)",
		     envfile);
		return -ENOENT;
	}
	int r = project_envfile_tracked(&st->project, &err);
	if (r < 0) {
		warn("%s", err ? err : strerror(-r));
		return r;
	}
	if (r == 0) {
		warn("'%s' is not tracked by git, and nix does not see untracked files: run 'git add %s'",
		     envfile, envfile);
		return -ENOENT;
	}
	r = nix_daemon_check();
	if (r < 0) {
		warn("cannot reach the nix daemon at '%s': %s; start it (nix-daemon, or systemctl start nix-daemon)",
		     layout_daemon_socket(), strerror(-r));
		return r;
	}

	_cleanup_free_ char *entry = NULL;
	r = cache_entry_dir(root, key, &entry);
	if (r < 0) {
		warn("cannot create the cache entry under '%s': %s", root, strerror(-r));
		return r;
	}
	/* One build per key: a second shell waits here, then finds it done. */
	_cleanup_free_ char *lockpath = NULL;
	if (asprintf(&lockpath, "%s/lock", entry) < 0)
		return -ENOMEM;
	_cleanup_close_ int lock = open(lockpath, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (lock >= 0 && flock(lock, LOCK_EX | LOCK_NB) < 0) {
		warn("waiting for another nsbsh building the environment of '%s'", envfile);
		flock(lock, LOCK_EX);
	}
	struct cache_entry done;
	if (cache_lookup(root, key, &done) == 0) {
		cache_entry_release(&done);
		return 0;
	}
	if (isatty(STDERR_FILENO))
		warn("building the environment of '%s'", envfile);
	r = nix_build_env(&st->project, nix, &st->user, entry, key, &err);
	if (r < 0)
		warn("cannot evaluate '%s': %s", envfile, err ? err : strerror(-r));
	return r;
}

static int shell_layout(struct layout *l, struct start *st, const struct cache_entry *e,
			const char *private_home, char **ret_err)
{
	const struct project *p = &st->project;
	_cleanup_free_ char *rc = shellwrap_file("inside.bash");
	if (!rc) {
		*ret_err = strdup("cannot find nsbsh's shellwrap/inside.bash (is nsbsh installed?)");
		return -ENOENT;
	}
	char *env_rc = NULL;
	if (asprintf(&env_rc, "%s/rc.bash", e->dir) < 0)
		return -ENOMEM;

	int r = layout_common(l, &st->user);
	if (r == 0)
		r = sandbox_add(&l->spec, SB_BIND_RW, private_home, st->user.home, NULL, 0);
	if (r == 0)
		r = sandbox_add(&l->spec, SB_BIND_RW, p->worktree, p->worktree, NULL, 0);
	if (r == 0)
		r = layout_protect_git(l, p->worktree);
	if (r == 0)
		r = layout_writable(l, p->worktree);
	if (r == 0)
		r = layout_writable(l, st->user.home);
	if (r == 0)
		r = sandbox_add(&l->spec, SB_BIND_RO, layout_keep(l, steal_pointer(&rc)), RC_INSIDE, NULL, 0);
	if (r == 0)
		r = sandbox_add(&l->spec, SB_BIND_RO, layout_keep(l, env_rc), RC_ENV, NULL, 0);
	if (r < 0)
		return r;

	/* /bin/bash: the environment's bash, else the static one. */
	char *bash = cache_entry_program(e, "bash");
	if (bash) {
		r = sandbox_add(&l->spec, SB_SYMLINK, layout_keep(l, bash), "/bin/bash", NULL, 0);
	} else {
		if (access(NSBSH_STATIC_BASH, X_OK) < 0) {
			if (asprintf(ret_err, "the environment has no bash and '%s' is missing: install bash-static",
				     NSBSH_STATIC_BASH) < 0)
				*ret_err = NULL;
			return -ENOENT;
		}
		r = sandbox_add(&l->spec, SB_BIND_RO, NSBSH_STATIC_BASH, "/bin/bash", NULL, 0);
	}
	char *sh = cache_entry_program(e, "sh");
	if (r == 0)
		r = sandbox_add(&l->spec, SB_SYMLINK, sh ? layout_keep(l, sh) : "bash", "/bin/sh", NULL, 0);
	char *envprog = cache_entry_program(e, "env");
	if (r == 0 && envprog)
		r = sandbox_add(&l->spec, SB_SYMLINK, layout_keep(l, envprog), "/usr/bin/env", NULL, 0);
	if (r == 0) {
		static const char profile[] = "# nsbsh: login shells load the project's environment\n. " RC_INSIDE "\n";
		r = sandbox_add(&l->spec, SB_FILE, NULL, "/etc/profile", profile, sizeof(profile) - 1);
	}
	if (r < 0)
		return r;

	/* The environment: the allowlist, then Nix's variables, then ours. */
	r = layout_pass_env(l);
	bool have_path = false;
	for (const char *v = e->environ; r == 0 && v < e->environ + e->environ_len; v += strlen(v) + 1) {
		const char *eq = strchr(v, '=');
		if (!eq)
			continue;
		_cleanup_free_ char *name = strndup(v, (size_t)(eq - v));
		if (!name)
			return -ENOMEM;
		if (streq(name, "PATH")) {
			/* /bin holds bash and sh: the shell's own programs stay found. */
			_cleanup_free_ char *path = NULL;
			if (asprintf(&path, "%s:/bin", eq + 1) < 0)
				return -ENOMEM;
			r = layout_setenv(l, "PATH", path);
			have_path = true;
		} else {
			r = layout_setenv(l, name, eq + 1);
		}
	}
	if (r == 0 && !have_path)
		r = layout_setenv(l, "PATH", "/bin");
	if (r == 0)
		r = layout_setenv(l, "HOME", st->user.home);
	if (r == 0)
		r = layout_setenv(l, "USER", st->user.name);
	if (r == 0)
		r = layout_setenv(l, "LOGNAME", st->user.name);
	if (r == 0)
		r = layout_setenv(l, "SHELL", "/bin/bash");
	if (r == 0)
		r = layout_setenv(l, "PWD", st->cwd);
	if (r == 0)
		r = layout_setenv(l, "BASH_ENV", RC_INSIDE);
	if (r == 0)
		r = layout_setenv(l, "NSBSH_PROJECT", p->worktree);
	if (r == 0)
		r = layout_setenv(l, "NSBSH_ENV_FILE", p->envfile);
	if (r < 0)
		return r;

	/* bash's own argv, unchanged but for --rcfile in front (long options
	 * must come first; a user's own --rcfile later on still wins). */
	char **argv = calloc((size_t)st->argc + 3, sizeof(*argv));
	if (!argv || !layout_keep(l, (char *)argv))
		return -ENOMEM;
	argv[0] = st->argv[0];
	static char opt_rcfile[] = "--rcfile", rc_inside[] = RC_INSIDE;
	argv[1] = opt_rcfile;
	argv[2] = rc_inside;
	for (int i = 1; i < st->argc; i++)
		argv[i + 2] = st->argv[i];

	l->spec.cwd = st->cwd;
	l->spec.path = "/bin/bash";
	l->spec.argv = argv;
	l->spec.envp = l->envp;
	l->spec.seccomp = true;
	return 0;
}

/* The entry to run: this key's, built if missing; when that fails, the last
 * environment used for this project (said so), never an empty one. */
static int env_find(struct start *st, const char *root, struct cache_entry *ret)
{
	struct nix_info nix = { 0 };
	char key[65], last[65];
	int r = nix_locate(&nix);
	if (r < 0)
		return r;
	r = cache_key_for_project(&st->project, nix.id, key);
	if (r < 0) {
		warn("cannot read '%s': %s", st->project.envfile, strerror(-r));
		goto out;
	}
	debug("key %s", key);
	if (!nix.path && cache_last_get(root, &st->project, last) == 0) {
		/* No nix to build with: when only the nix part of the key changed,
		 * the last environment is exactly what this one would be. */
		_cleanup_free_ char *id = NULL;
		char then[65];
		if (cache_meta_get(root, last, "nix", &id) == 0 &&
		    cache_key_for_project(&st->project, id, then) == 0 && streq(then, last) &&
		    cache_lookup(root, last, ret) == 0) {
			debug("nix is missing and the env files are unchanged: entry %s", last);
			r = 0;
			goto out;
		}
	}
	r = cache_lookup(root, key, ret);
	if (r == -ENOENT) {
		r = env_build(st, &nix, root, key);
		if (r == 0)
			r = cache_lookup(root, key, ret);
		if (r < 0 && cache_last_get(root, &st->project, last) == 0 && !streq(last, key) &&
		    cache_lookup(root, last, ret) == 0) {
			warn("using the last environment built for '%s' (stale: it may not match the file)",
			     st->project.envfile);
			r = 0;
			goto out;
		}
	}
	if (r == 0)
		cache_last_set(root, &st->project, key);
out:
	nix_info_release(&nix);
	return r;
}

/* nsbsh's own state must never be writable from a sandbox: when the cache or
 * the data directory lies inside the work tree, it is shown read-only. */
static int protect_own_dirs(struct layout *l, const char *worktree, const char *const *dirs, size_t n)
{
	size_t wlen = strlen(worktree);
	for (size_t i = 0; i < n; i++) {
		if (strncmp(dirs[i], worktree, wlen) == 0 && (dirs[i][wlen] == '/' || wlen == 1)) {
			int r = sandbox_add(&l->spec, SB_BIND_RO, dirs[i], dirs[i], NULL, 0);
			if (r < 0)
				return r;
		}
	}
	return 0;
}

/* Returns only when the project cannot be entered (the reason said). */
static int enter_project(struct start *st)
{
	_cleanup_free_ char *root = NULL, *data = NULL, *private_home = NULL, *err = NULL;
	_cleanup_free_ char *denials = NULL;
	struct cache_entry e = { 0 };
	struct layout l;
	int r;

	layout_init(&l);
	r = cache_root(&root);
	if (r == 0)
		r = cache_data_root(&data);
	if (r < 0) {
		warn("cannot create nsbsh's cache and data directories: %s", strerror(-r));
		goto out;
	}
	r = env_find(st, root, &e);
	if (r < 0)
		goto out;
	r = cache_private_home(st->project.worktree, &private_home);
	if (r < 0) {
		warn("cannot create the project's private home: %s", strerror(-r));
		goto out;
	}
	r = shell_layout(&l, st, &e, private_home, &err);
	/* The prompt's flag needs the log directory inside; a shell without a
	 * prompt only needs it named (the first refusal creates it). */
	bool prompt = shellargs_interactive(&st->args, isatty(STDIN_FILENO), isatty(STDERR_FILENO));
	if (r == 0 && cache_denial_dir(st->project.worktree, prompt, &denials) == 0)
		r = layout_denial_log(&l, denials, prompt);
	if (r == 0) {
		const char *own[] = { root, data };
		r = protect_own_dirs(&l, st->project.worktree, own, ARRAY_SIZE(own));
	}
	if (r < 0)
		goto fail;
	debug("sandbox ready to start");

	int status;
	r = sandbox_run(&l.spec, &status, &err);
	if (r == -EPERM || r == -ENOSPC || r == -EUSERS) {
		warn("cannot create the sandbox: user namespaces are not allowed: %s",
		     userns_hint(userns_blocker(NULL)));
		goto out;
	}
	if (r < 0)
		goto fail;
	fflush(stdout);
	/* _exit: the supervisor has nothing to flush, and libraries' exit
	 * handlers would only add to every shell's exit time. */
	_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));

fail:
	warn("cannot enter the project '%s': %s", st->project.worktree,
	     err ? err : strerror(-r));
out:
	cache_entry_release(&e);
	layout_release(&l);
	return r;
}

static int user_lookup(struct start *st)
{
	uid_t uid = getuid();
	gid_t gid = getgid();
	struct passwd *pw = getpwuid(uid);
	const char *home = getenv("HOME");
	st->user_name = strdup(pw ? pw->pw_name : (getenv("USER") ? getenv("USER") : "user"));
	/* $HOME as the user has it (a login sets it from passwd). */
	st->home = strdup(home && home[0] == '/' ? home : (pw ? pw->pw_dir : "/"));
	if (!st->user_name || !st->home)
		return -ENOMEM;
	size_t hl = strlen(st->home);
	while (hl > 1 && st->home[hl - 1] == '/')
		st->home[--hl] = '\0';
	st->user = (struct layout_user){ .name = st->user_name, .home = st->home, .uid = uid, .gid = gid };
	return 0;
}

int main(int argc, char **argv)
{
	struct start st = { .argv = argv, .argc = argc };
	const char *name = argc > 0 && argv[0] ? argv[0] : "nsbsh";
	const char *base = strrchr(name, '/');
	base = base ? base + 1 : name;
	if (streq(base, "nsb"))
		return nsb_main(argc, argv);
	if (argc < 1 || !argv[0])
		die(EXIT_USAGE, "started without argv[0]");

	log_init("nsbsh");
	shellargs_parse(argc, argv, &st.args);
	if (st.args.version) {
		/* nsbsh's own line first; bash's own lines follow unchanged, so
		 * that programs which look for "GNU bash" in $SHELL --version
		 * still find it. */
		version_print(stdout, "nsbsh");
		fflush(stdout);
	}
	if (st.args.invalid || st.args.info_only)
		exec_plain_bash(argv); /* bash says what it says about these */

	st.cwd = getcwd(NULL, 0);
	if (!st.cwd) {
		warn("cannot read the current directory: %s", strerror(errno));
		exec_plain_bash(argv);
	}
	_cleanup_free_ char *err = NULL, *root = NULL, *memo = NULL;
	if (cache_root_path(&root) == 0 && asprintf(&memo, "%s/discovery", root) < 0)
		memo = NULL;
	int r = project_discover(st.cwd, memo, &st.project, &err);
	if (r == -ENOENT)
		exec_plain_bash(argv);
	if (r < 0) {
		warn("%s", err ? err : strerror(-r));
		exec_plain_bash(argv);
	}
	debug("project %s, env file %s", st.project.worktree, st.project.envfile);
	if (user_lookup(&st) == 0)
		enter_project(&st);
	exec_plain_bash(argv);
}
