/* main.c - a start of nsbsh, in the order it happens:
 *   read bash's command line -> read the policy -> find the project -> apply
 *   its overrides -> look up its environment (build it in the evaluation
 *   sandbox on a miss) -> build the shell's sandbox -> run bash in it,
 *   passing its exit status through.
 * Outside a project, or when any step fails, plain bash runs with the same
 * arguments: a login shell must never lock its user out.  Except in strict
 * mode (agent accounts): there, outside an allowed project the shell is a
 * sandbox with no project, a project whose environment cannot be built gets
 * a sandbox without it, and when no sandbox can be made the shell is
 * refused (EXIT_REFUSED): never a plain bash. */
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
#include "config.h"
#include "layout.h"
#include "log.h"
#include "nix.h"
#include "nsb.h"
#include "project.h"
#include "sandbox.h"
#include "shellargs.h"
#include "trust.h"
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

static const char *userns_hint(void)
{
	char buf[32] = "";
	FILE *f = fopen("/proc/sys/kernel/unprivileged_userns_clone", "re");
	if (f && fgets(buf, sizeof(buf), f) && buf[0] == '0') {
		fclose(f);
		return "enable them with: sysctl -w kernel.unprivileged_userns_clone=1";
	}
	if (f)
		fclose(f);
	f = fopen("/proc/sys/user/max_user_namespaces", "re");
	if (f && fgets(buf, sizeof(buf), f) && buf[0] == '0' && buf[1] == '\n') {
		fclose(f);
		return "enable them with: sysctl -w user.max_user_namespaces=15000";
	}
	if (f)
		fclose(f);
	f = fopen("/proc/sys/kernel/apparmor_restrict_unprivileged_userns", "re");
	if (f && fgets(buf, sizeof(buf), f) && buf[0] == '1') {
		fclose(f);
		return "AppArmor restricts them: allow userns for nsbsh in an AppArmor profile";
	}
	if (f)
		fclose(f);
	return "check the kernel's user namespace settings";
}

struct start {
	char **argv;
	int argc;
	struct shellargs args;
	char *cwd;
	struct project project;  /* worktree NULL: a sandbox with no project */
	struct layout_user user;
	char *user_name;
	char *home;
	struct policy policy;
};

/* Not one step further without a sandbox: a strict account's end. */
static noreturn void refuse_shell(const char *why)
{
	die(EXIT_REFUSED, "refusing a shell: %s, and this account is strict (no shell runs outside a sandbox)",
	    why);
}

static noreturn void exec_outside(struct start *st)
{
	if (st->policy.strict)
		refuse_shell("no sandbox could be made");
	exec_plain_bash(st->argv);
}

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

/* The bash that the sandbox runs, bound at /bin/bash: the policy's, else
 * the environment's own, else the static one.  NULL with *ret_err. */
static char *shell_bash(const struct start *st, const struct cache_entry *e, char **ret_err)
{
	char *bash = NULL;
	if (st->policy.bash) {
		if (access(st->policy.bash, X_OK) == 0)
			return realpath(st->policy.bash, NULL);
		warn("policy: bash '%s' cannot be run (%s): using the automatic one",
		     st->policy.bash, strerror(errno));
	}
	if (e && (bash = cache_entry_program(e, "bash"))) {
		char *real = realpath(bash, NULL);
		free(bash);
		if (real)
			return real;
	}
	if (access(NSBSH_STATIC_BASH, X_OK) == 0)
		return strdup(NSBSH_STATIC_BASH);
	if (asprintf(ret_err, "%s and '%s' is missing: install bash-static",
		     e ? "the environment has no bash" : "there is no environment", NSBSH_STATIC_BASH) < 0)
		*ret_err = NULL;
	return NULL;
}

/* Whether path is dir or beneath it. */
static bool path_within(const char *path, const char *dir)
{
	size_t n = strlen(dir);
	return strncmp(path, dir, n) == 0 && (path[n] == '\0' || path[n] == '/' || streq(dir, "/"));
}

/* Where a policy bind must not go: over nsbsh's own pieces of the view, or
 * over (or above) the work tree or the home, which it would hide. */
static const char *bind_dest_refusal(const struct start *st, const char *dest)
{
	static const char *const kept[] = { "/proc", "/dev", "/run/nsbsh", "/nix/store", "/tmp" };
	for (size_t i = 0; i < ARRAY_SIZE(kept); i++)
		if (path_within(dest, kept[i]))
			return "nsbsh's own view is there";
	if (st->project.worktree && path_within(st->project.worktree, dest))
		return "it would hide the project";
	if (path_within(st->user.home, dest))
		return "it would hide the home";
	return NULL;
}

/* What the policy adds: binds, files of the real home, the host's system.
 * A bind that cannot be made is said and left out; the shell still starts. */
static int policy_layout(struct layout *l, const struct start *st)
{
	const struct policy *p = &st->policy;
	int r = 0;

	for (size_t i = 0; r == 0 && i < p->bind.n + p->unshadow.n; i++) {
		bool is_bind = i < p->bind.n;
		const struct policy_entry *b = is_bind ? &p->bind.v[i] : &p->unshadow.v[i - p->bind.n];
		const char *dest = b->dest ? b->dest : b->value;
		const char *key = is_bind ? "bind" : "unshadow";
		_cleanup_free_ char *real = realpath(b->value, NULL);
		const char *why;
		if (!real) {
			/* a home file one does not have is nothing to say */
			if (is_bind || errno != ENOENT)
				warn("policy: %s '%s' left out: %s", key, b->value, strerror(errno));
			continue;
		}
		if ((why = config_bind_refusal(real, st->user.home)) ||
		    (is_bind && (why = bind_dest_refusal(st, dest)))) {
			warn("policy: %s '%s' refused: %s", key, b->value, why);
			continue;
		}
		const char *src = layout_keep(l, steal_pointer(&real));
		r = src ? sandbox_add(&l->spec, b->rw ? SB_BIND_RW : SB_BIND_RO, src, dest, NULL, 0) : -ENOMEM;
		if (r == 0 && b->rw)
			r = layout_writable(l, dest);
	}
	if (r == 0 && p->host_system)
		r = layout_host_system(l);
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
	char *bash = shell_bash(st, e, ret_err);
	if (!bash)
		return -ENOENT;
	char *env_rc = NULL;
	if (e && asprintf(&env_rc, "%s/rc.bash", e->dir) < 0)
		return -ENOMEM;

	int r = layout_common(l, &st->user);
	if (r == 0)
		r = sandbox_add(&l->spec, SB_BIND_RW, private_home, st->user.home, NULL, 0);
	if (r == 0 && p->worktree)
		r = sandbox_add(&l->spec, SB_BIND_RW, p->worktree, p->worktree, NULL, 0);
	if (r == 0 && p->worktree)
		r = layout_writable(l, p->worktree);
	if (r == 0)
		r = layout_writable(l, st->user.home);
	if (r == 0)
		r = policy_layout(l, st);
	/* After the policy's binds, so that none of them can uncover these. */
	if (r == 0 && p->worktree)
		r = layout_protect_git(l, p->worktree);
	if (r == 0)
		r = sandbox_add(&l->spec, SB_BIND_RO, layout_keep(l, steal_pointer(&rc)), RC_INSIDE, NULL, 0);
	if (r == 0 && e) {
		r = sandbox_add(&l->spec, SB_BIND_RO, layout_keep(l, env_rc), RC_ENV, NULL, 0);
	} else if (r == 0) {
		static const char none[] = "# nsbsh: no environment\n";
		r = sandbox_add(&l->spec, SB_FILE, NULL, RC_ENV, none, sizeof(none) - 1);
	}
	if (r < 0)
		return r;

	/* /bin/bash is a bind, not a link: with the host's system shown,
	 * /bin is the host's (read-only) and bash must still be ours. */
	r = sandbox_add(&l->spec, SB_BIND_RO, layout_keep(l, bash), "/bin/bash", NULL, 0);
	if (r == 0 && !st->policy.host_system) {
		char *sh = e ? cache_entry_program(e, "sh") : NULL;
		r = sandbox_add(&l->spec, SB_SYMLINK, sh ? layout_keep(l, sh) : "bash", "/bin/sh", NULL, 0);
		char *envprog = e ? cache_entry_program(e, "env") : NULL;
		if (r == 0 && envprog)
			r = sandbox_add(&l->spec, SB_SYMLINK, layout_keep(l, envprog), "/usr/bin/env", NULL, 0);
	}
	if (r == 0) {
		static const char profile[] = "# nsbsh: login shells load the project's environment\n. " RC_INSIDE "\n";
		r = sandbox_add(&l->spec, SB_FILE, NULL, "/etc/profile", profile, sizeof(profile) - 1);
	}
	if (r < 0)
		return r;

	/* The environment: what the policy passes, then Nix's variables, then ours. */
	r = layout_pass_env(l, &st->policy);
	bool have_path = false;
	/* /bin holds bash and sh: the shell's own programs stay found. */
	const char *tail = st->policy.host_system ? ":/bin:/usr/local/bin:/usr/bin" : ":/bin";
	for (const char *v = e ? e->environ : ""; r == 0 && e && v < e->environ + e->environ_len;
	     v += strlen(v) + 1) {
		const char *eq = strchr(v, '=');
		if (!eq)
			continue;
		_cleanup_free_ char *name = strndup(v, (size_t)(eq - v));
		if (!name)
			return -ENOMEM;
		if (streq(name, "PATH")) {
			_cleanup_free_ char *path = NULL;
			if (asprintf(&path, "%s%s", eq + 1, tail) < 0)
				return -ENOMEM;
			r = layout_setenv(l, "PATH", path);
			have_path = true;
		} else {
			r = layout_setenv(l, name, eq + 1);
		}
	}
	if (r == 0 && !have_path)
		r = layout_setenv(l, "PATH", tail + 1);
	if (r == 0)
		r = layout_setenv(l, "HOME", st->user.home);
	if (r == 0)
		r = layout_setenv(l, "USER", st->user.name);
	if (r == 0)
		r = layout_setenv(l, "LOGNAME", st->user.name);
	if (r == 0)
		r = layout_setenv(l, "SHELL", "/bin/bash");
	if (r == 0)
		r = layout_setenv(l, "PWD", l->spec.cwd);
	if (r == 0)
		r = layout_setenv(l, "BASH_ENV", RC_INSIDE);
	if (r == 0 && p->worktree)
		r = layout_setenv(l, "NSBSH_PROJECT", p->worktree);
	if (r == 0 && p->worktree)
		r = layout_setenv(l, "NSBSH_ENV_FILE", p->envfile);
	if (r == 0 && p->worktree && !e)
		r = layout_setenv(l, "NSBSH_NO_ENV", "1");
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

	l->spec.path = "/bin/bash";
	l->spec.argv = argv;
	l->spec.envp = l->envp;
	l->spec.seccomp = true;
	l->spec.unshare_net = !st->policy.network;
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

/* nsbsh's own state (cache, data with its trust records and homes, the
 * user's configuration) must never be writable from a sandbox: wherever a
 * writable mount contains one of these directories, it is shown read-only
 * on top.  A directory missing there is made first, so that the sandbox
 * cannot make it either. */
static int protect_own_dirs(struct layout *l, char **dirs, size_t n)
{
	size_t n_ops = l->spec.n_ops;
	for (size_t i = 0; i < n_ops; i++) {
		if (l->spec.ops[i].kind != SB_BIND_RW)
			continue;
		const char *src = l->spec.ops[i].src, *dest = l->spec.ops[i].dest;
		for (size_t j = 0; j < n; j++) {
			if (!dirs[j] || !path_within(dirs[j], src))
				continue;
			int r = cache_mkdirs(dirs[j], 0700);
			if (r < 0)
				return r;
			char *inside = NULL;
			if (asprintf(&inside, "%s%s", streq(dest, "/") ? "" : dest,
				     dirs[j] + (streq(src, "/") ? 0 : strlen(src))) < 0)
				return -ENOMEM;
			r = sandbox_add(&l->spec, SB_BIND_RO, dirs[j], layout_keep(l, inside), NULL, 0);
			if (r < 0)
				return r;
		}
	}
	return 0;
}

/* The directories protect_own_dirs keeps read-only, physical paths. */
static void own_dirs(const char *cache, const char *data, char *ret[static 3])
{
	_cleanup_free_ char *conf = NULL;
	ret[0] = realpath(cache, NULL);
	ret[1] = realpath(data, NULL);
	ret[2] = NULL;
	if (config_user_path(&conf) == 0) {
		*strrchr(conf, '/') = '\0';
		/* the configuration directory may not exist yet: resolve its parent */
		char *slash = strrchr(conf, '/');
		*slash = '\0';
		_cleanup_free_ char *parent = realpath(conf[0] ? conf : "/", NULL);
		if (parent && asprintf(&ret[2], "%s/%s", streq(parent, "/") ? "" : parent, slash + 1) < 0)
			ret[2] = NULL;
	}
}

/* Returns only when the project (or, with project.worktree NULL, the
 * sandbox with no project) cannot be entered, the reason said. */
static int enter_project(struct start *st)
{
	_cleanup_free_ char *root = NULL, *data = NULL, *private_home = NULL, *err = NULL;
	char *own[3] = { NULL };
	struct cache_entry e = { 0 };
	bool have_env = false;
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
	if (st->project.worktree) {
		r = env_find(st, root, &e);
		have_env = r == 0;
		if (r < 0 && !st->policy.strict)
			goto out;
		if (r < 0)
			warn("a sandbox without the environment of '%s' (strict mode: no plain bash)",
			     st->project.envfile);
	}
	r = cache_private_home(st->project.worktree ? st->project.worktree : "/", &private_home);
	if (r < 0) {
		warn("cannot create the private home: %s", strerror(-r));
		goto out;
	}
	l.spec.cwd = st->project.worktree ? st->cwd : st->user.home;
	r = shell_layout(&l, st, have_env ? &e : NULL, private_home, &err);
	if (r == 0) {
		own_dirs(root, data, own);
		r = protect_own_dirs(&l, own, ARRAY_SIZE(own));
	}
	if (r < 0)
		goto fail;
	debug("sandbox ready to start");

	int status;
	r = sandbox_run(&l.spec, &status, &err);
	if (r == -EPERM || r == -ENOSPC || r == -EUSERS) {
		warn("cannot create the sandbox: user namespaces are not allowed: %s", userns_hint());
		goto out;
	}
	if (r < 0)
		goto fail;
	fflush(stdout);
	/* _exit: the supervisor has nothing to flush, and libraries' exit
	 * handlers would only add to every shell's exit time. */
	_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));

fail:
	if (st->project.worktree)
		warn("cannot enter the project '%s': %s", st->project.worktree, err ? err : strerror(-r));
	else
		warn("cannot make the sandbox: %s", err ? err : strerror(-r));
out:
	for (size_t i = 0; i < ARRAY_SIZE(own); i++)
		free(own[i]);
	cache_entry_release(&e);
	layout_release(&l);
	return r;
}

/* $HOME as the user has it (a login sets it from passwd), else passwd's. */
static int home_lookup(struct start *st)
{
	const char *home = getenv("HOME");
	struct passwd *pw = NULL;
	if (!home || home[0] != '/') {
		pw = getpwuid(getuid());
		home = pw ? pw->pw_dir : "/";
	}
	st->home = strdup(home);
	if (!st->home)
		return -ENOMEM;
	size_t hl = strlen(st->home);
	while (hl > 1 && st->home[hl - 1] == '/')
		st->home[--hl] = '\0';
	return 0;
}

static int user_lookup(struct start *st)
{
	uid_t uid = getuid();
	gid_t gid = getgid();
	struct passwd *pw = getpwuid(uid);
	st->user_name = strdup(pw ? pw->pw_name : (getenv("USER") ? getenv("USER") : "user"));
	if (!st->user_name)
		return -ENOMEM;
	st->user = (struct layout_user){ .name = st->user_name, .home = st->home, .uid = uid, .gid = gid };
	return 0;
}

static void show_notes(const struct policy *p)
{
	for (size_t i = 0; i < p->n_notes; i++)
		warn("%s", p->notes[i]);
}

/* The system's and the user's files; on an error, the defaults (said), or
 * for a strict account no shell at all. */
static void load_policy(struct start *st)
{
	_cleanup_free_ char *user = NULL;
	struct config_error err;
	if (config_user_path(&user) < 0)
		user = NULL;
	int r = config_load(NSBSH_SYSTEM_CONFIG, user, st->home, &st->policy, &err);
	if (r < 0 && st->policy.strict)
		die(EXIT_REFUSED, "%s; refusing a shell: this account is strict and its policy cannot be read (ask the administrator)",
		    err.message);
	if (r < 0)
		warn("%s; using the default policy", err.message);
}

/* The project's overrides: the user's section for it, and its own
 * .nsbsh.conf when the user trusted this very content. */
static void project_policy(struct start *st)
{
	struct trust_file f;
	struct config_error err;
	const char *worktree = st->project.worktree;
	int r = trust_read(worktree, &f);
	if (r < 0)
		warn("cannot read '%s': %s; it is ignored", f.path ? f.path : TRUST_FILE, strerror(-r));
	else if (f.state == TRUST_UNTRUSTED && trust_first_notice(worktree, &f))
		warn("'%s' is not trusted, so it is ignored: read it, then run 'nsb trust' in the project to apply it",
		     f.path);
	else if (f.state == TRUST_CHANGED && trust_first_notice(worktree, &f))
		warn("'%s' changed since it was trusted, so it is ignored: read it, then run 'nsb trust' again",
		     f.path);
	r = config_load_project(&st->policy, worktree, f.text, f.len, f.path,
				f.state == TRUST_TRUSTED, st->home, &err);
	if (r < 0)
		warn("%s; the project's overrides are ignored", err.message);
	trust_file_release(&f);
}

/* The strict account's shell outside an allowed project. */
static noreturn void enter_no_project(struct start *st)
{
	project_release(&st->project);
	st->project = (struct project){ 0 };
	if (user_lookup(st) == 0)
		enter_project(st);
	refuse_shell("no sandbox could be made");
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

	if (home_lookup(&st) < 0)
		exec_plain_bash(argv);
	load_policy(&st);

	st.cwd = getcwd(NULL, 0);
	if (!st.cwd) {
		warn("cannot read the current directory: %s", strerror(errno));
		if (st.policy.strict)
			enter_no_project(&st);
		exec_plain_bash(argv);
	}
	_cleanup_free_ char *err = NULL, *root = NULL, *memo = NULL;
	if (cache_root_path(&root) == 0 && asprintf(&memo, "%s/discovery", root) < 0)
		memo = NULL;
	int r = project_discover(st.cwd, memo, &st.project, &err);
	if (r < 0 && r != -ENOENT)
		warn("%s", err ? err : strerror(-r));
	if (r < 0) {
		show_notes(&st.policy);
		if (st.policy.strict)
			enter_no_project(&st);
		exec_plain_bash(argv);
	}
	debug("project %s, env file %s", st.project.worktree, st.project.envfile);
	if (!policy_allows_project(&st.policy, st.project.worktree)) {
		warn("'%s' is not under this account's allowed roots: a sandbox with no project",
		     st.project.worktree);
		show_notes(&st.policy);
		enter_no_project(&st);
	}
	project_policy(&st);
	show_notes(&st.policy);
	if (user_lookup(&st) == 0)
		enter_project(&st);
	exec_outside(&st);
}
