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
#include <signal.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <fcntl.h>

#include "env/cache.h"
#include "policy/config.h"
#include "env/choice.h"
#include "sandbox/layout.h"
#include "base/log.h"
#include "git/nested.h"
#include "env/nix.h"
#include "nsb/nsb.h"
#include "git/project.h"
#include "sandbox/sandbox.h"
#include "shell/session.h"
#include "shell/args.h"
#include "shell/sshforced.h"
#include "policy/trust.h"
#include "sandbox/userns.h"
#include "base/util.h"
#include "nsb/version.h"
#include "base/file.h"
#include "base/path.h"
#include "base/dirs.h"
#include "base/strbuf.h"

#ifndef NSBSH_HOST_BASH
#define NSBSH_HOST_BASH "/bin/bash"
#endif

#define RC_INSIDE "/run/nsbsh/rc"
#define RC_ENV "/run/nsbsh/env.bash"
#define RC_WATCH "/run/nsbsh/watch.bash"
/* Where the shell asks its supervisor for a restart (nsb reload): the one
 * place of /run/nsbsh that the sandbox may write. */
#define CTL_DIR "/run/nsbsh/ctl"
#define CTL_REQUEST_MAX 4096

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

struct start {
	char **argv;
	int argc;
	struct shellargs args;
	bool interactive;  /* a shell with a prompt, as bash decides it */
	char *cwd;
	struct project project;  /* worktree NULL: a sandbox with no project */
	struct layout_user user;
	char *user_name;
	char *home;
	struct policy policy;
	bool reload;    /* a restart asked for by nsb reload inside */
	bool stale;     /* the environment is not what the files say now */
	char *ctl;      /* the host directory shown at /run/nsbsh/ctl */
	char *session;  /* the session's branch, or NULL in place */
	char *cd_target; /* a cd out of the sandbox asked for this directory */
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

/* Where a policy bind must not go: over nsbsh's own pieces of the view, or
 * over (or above) the work tree or the home, which it would hide. */
static const char *bind_dest_refusal(const struct start *st, const char *dest)
{
	static const char *const kept[] = { "/proc", "/dev", "/run/nsbsh", "/nix/store", "/tmp" };
	for (size_t i = 0; i < ARRAY_SIZE(kept); i++)
		if (path_at_or_below(dest, kept[i]))
			return "nsbsh's own view is there";
	if (st->project.worktree && path_at_or_below(st->project.worktree, dest))
		return "it would hide the project";
	if (path_at_or_below(st->user.home, dest))
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

/* /run/nsbsh/watch.bash: the watched files, and which of them existed,
 * for the prompt hook (shellwrap/inside.bash), which compares them with
 * this file's own time, the moment the sandbox was made: no fork. */
static int watch_file(struct layout *l, const struct start *st)
{
	char **paths = NULL, *text = NULL;
	size_t n = 0, len = 0;
	int r = env_watched_paths(&st->project, &st->policy, &paths, &n);
	if (r < 0)
		return r;
	FILE *f = open_memstream(&text, &len);
	if (f) {
		fputs("__nsbsh_watch=(", f);
		for (size_t i = 0; i < n; i++) {
			_cleanup_free_ char *q = shell_quote(paths[i]);
			if (!q)
				r = -ENOMEM;
			else
				fprintf(f, " %s", q);
		}
		fputs(" )\n__nsbsh_existed=(", f);
		for (size_t i = 0; i < n; i++)
			fprintf(f, " %d", access(paths[i], F_OK) == 0);
		fputs(" )\n", f);
	}
	if (!f || fclose(f) != 0)
		r = -ENOMEM;
	for (size_t i = 0; i < n; i++)
		free(paths[i]);
	free(paths);
	if (r < 0) {
		free(text);
		return r;
	}
	const char *kept = layout_keep(l, text);
	return kept ? sandbox_add(&l->spec, SB_FILE, NULL, RC_WATCH, kept, strlen(kept)) : -ENOMEM;
}

/* Repositories that appeared in the work tree since nsbsh last looked, said
 * once, to a person: code in a sandbox may have made one, with hooks that
 * git outside would run (nested.c; SECURITY.md, Known gaps). */
static void nested_say_new(const char *worktree)
{
	_cleanup_free_ char *list = NULL, *names = NULL;
	size_t len = 0;
	if (nested_take_new(worktree, &list, &len) < 0 || len == 0 ||
	    !(names = nested_names(list, len)))
		return;
	warn("git repositories appeared in '%s' since nsbsh last looked: %s; their hooks/ and config are read-only in the sandbox from now on. If you did not make them, check those before running git there outside nsbsh",
	     worktree, names);
}

/* The repositories nested in the work tree, protected like its own (nested.c).
 * Their list cannot be had: said, and the shell starts without it. */
static int protect_nested(struct layout *l, const char *worktree, bool interactive)
{
	_cleanup_free_ char *list = NULL;
	size_t len = 0;
	if (interactive)
		nested_say_new(worktree);
	int r = nested_for_start(worktree, &list, &len);
	if (r < 0) {
		warn("cannot look for git repositories nested in '%s' (%s): their hooks and config are not protected in this shell",
		     worktree, strerror(-r));
		return 0;
	}
	return layout_protect_nested(l, worktree, list, len);
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
	if (r == 0 && p->worktree)
		r = protect_nested(l, p->worktree, st->interactive);
	if (r == 0)
		r = sandbox_add(&l->spec, SB_BIND_RO, layout_keep(l, steal_pointer(&rc)), RC_INSIDE, NULL, 0);
	/* The prompt hook's list: only a shell with a prompt has the hook. */
	if (r == 0 && p->worktree && st->interactive)
		r = watch_file(l, st);
	if (r == 0 && st->ctl) {
		r = sandbox_add(&l->spec, SB_BIND_RW, st->ctl, CTL_DIR, NULL, 0);
		if (r == 0)
			r = layout_writable(l, CTL_DIR);
	}
	if (r == 0 && e) {
		r = sandbox_add(&l->spec, SB_BIND_RO, layout_keep(l, env_rc), RC_ENV, NULL, 0);
	} else if (r == 0) {
		static const char none[] = "# nsbsh: no environment\n";
		r = sandbox_add(&l->spec, SB_FILE, NULL, RC_ENV, none, sizeof(none) - 1);
	}
	if (r < 0)
		return r;

	/* /bin/bash: a link into the store when it can be (the cheapest), a
	 * bind otherwise: a host file (the static bash, the policy's), or with
	 * the host's system shown, where /bin is the host's (read-only) and
	 * bash must still be ours. */
	bool in_store = strncmp(bash, "/nix/store/", 11) == 0;
	r = sandbox_add(&l->spec, in_store && !st->policy.host_system ? SB_SYMLINK : SB_BIND_RO,
			layout_keep(l, bash), "/bin/bash", NULL, 0);
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
	if (r == 0 && st->stale)
		r = layout_setenv(l, "NSBSH_STALE", "1");
	/* A linked work tree (a session): its common git dir, NSBSH_SESSION. */
	_cleanup_free_ char *note = NULL;
	if (r == 0 && p->worktree)
		r = layout_session(l, p->worktree, st->session, &note);
	if (note)
		warn("%s: the sandbox does not show that git dir", note);
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
	l->spec.nested_userns = st->policy.nested_userns;
	l->spec.max_procs = (unsigned long)st->policy.max_procs;
	l->spec.max_memory = st->policy.max_memory;
	l->spec.max_cpu_seconds = (unsigned long)st->policy.max_cpu_seconds;
	return 0;
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
			if (!dirs[j] || !path_at_or_below(dirs[j], src))
				continue;
			int r = mkdir_p(dirs[j], 0700);
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

/* The control directory of this start: $XDG_CACHE_HOME/nsbsh/run/PID. */
static int ctl_make(struct start *st, const char *root)
{
	if (st->ctl)
		return 0;
	_cleanup_free_ char *run = NULL;
	int r = dirs_subdir(root, "run", &run);
	if (r < 0)
		return r;
	if (asprintf(&st->ctl, "%s/%d", run, (int)getpid()) < 0) {
		st->ctl = NULL;
		return -ENOMEM;
	}
	if (mkdir(st->ctl, 0700) < 0 && errno != EEXIST) {
		free(st->ctl);
		st->ctl = NULL;
		return -errno;
	}
	return 0;
}

/* A directory the shell was in, from inside: kept when it is in the
 * project (the same path inside and out); anywhere else (the private home,
 * /tmp) the new shell starts at the project's root, or the home when there
 * is no project. */
static char *inside_dir(const struct start *st, const char *dir)
{
	char *real = dir[0] == '/' ? realpath(dir, NULL) : NULL;
	if (real && st->project.worktree && path_at_or_below(real, st->project.worktree))
		return real;
	free(real);
	return strdup(st->project.worktree ? st->project.worktree : st->user.home);
}

enum ctl_kind { CTL_NONE, CTL_RELOAD, CTL_CD };

/* What the shell asked for before it exited: "reload\nPWD\n" (nsb reload)
 * or "cd\nTARGET\nPWD\n" (a cd to a directory the sandbox does not show).
 * *ret_dir: where to restart; *ret_target: the cd's target, as given.  The
 * request comes from inside the sandbox: read without following links or
 * blocking, bounded; paths are checked by whoever uses them. */
static enum ctl_kind ctl_request(struct start *st, char **ret_dir, char **ret_target)
{
	_cleanup_free_ char *path = NULL;
	char buf[CTL_REQUEST_MAX + 1];
	ssize_t n = -1;
	if (!st->ctl || asprintf(&path, "%s/request", st->ctl) < 0)
		return CTL_NONE;
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	struct stat sb;
	if (fd >= 0 && fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode))
		n = read(fd, buf, CTL_REQUEST_MAX);
	if (fd >= 0)
		close(fd);
	unlink(path);
	if (n <= 0)
		return CTL_NONE;
	buf[n] = '\0';
	char *line[3] = { buf, NULL, NULL };
	for (int i = 1; i < 3 && line[i - 1]; i++) {
		char *nl = strchr(line[i - 1], '\n');
		if (nl) {
			*nl = '\0';
			line[i] = nl + 1;
		}
	}
	if (streq(line[0], "reload") && line[1] && st->project.worktree) {
		*ret_dir = inside_dir(st, line[1]);
		return *ret_dir ? CTL_RELOAD : CTL_NONE;
	}
	/* cd: only an interactive shell asks; a script's exit stays an exit */
	if (streq(line[0], "cd") && line[1] && line[1][0] == '/' && line[2] &&
	    st->interactive) {
		*ret_target = strdup(line[1]);
		*ret_dir = inside_dir(st, line[2]);
		if (*ret_target && *ret_dir)
			return CTL_CD;
		free(*ret_target);
		free(*ret_dir);
	}
	return CTL_NONE;
}

/* Returns only when the project (or, with project.worktree NULL, the
 * sandbox with no project) cannot be entered, the reason said. */
static int enter_project(struct start *st)
{
	_cleanup_free_ char *root = NULL, *data = NULL, *private_home = NULL, *err = NULL,
			    *again = NULL, *target = NULL;
	char *own[3] = { NULL };
	_cleanup_free_ char *denials = NULL;
	struct cache_entry e = { 0 };
	bool have_env = false;
	struct layout l;
	int r;

	layout_init(&l);
	r = dirs_cache(&root);
	if (r == 0)
		r = dirs_data(&data);
	if (r < 0) {
		warn("cannot create nsbsh's cache and data directories: %s", strerror(-r));
		goto out;
	}
	if (st->project.worktree) {
		struct env_request q = {
			.project = &st->project,
			.policy = &st->policy,
			.user = &st->user,
			.interactive = st->interactive,
			.reload = st->reload,
		};
		r = env_choose(&q, root, &e, &st->stale);
		st->reload = false;
		have_env = r == 0;
		if (r < 0 && !st->policy.strict)
			goto out;
		if (r < 0)
			warn("a sandbox without the environment of '%s' (strict mode: no plain bash)",
			     st->project.envfile);
	}
	r = dirs_private_home(st->project.worktree ? st->project.worktree : "/", &private_home);
	if (r < 0) {
		warn("cannot create the private home: %s", strerror(-r));
		goto out;
	}
	l.spec.cwd = st->project.worktree ? st->cwd : st->user.home;
	/* nsb reload and cd out of the sandbox are a person's: only a shell
	 * with a prompt gets the directory to ask through. */
	if (st->interactive && ctl_make(st, root) < 0)
		debug("no control directory: nsb reload will not work in this shell");
	r = shell_layout(&l, st, have_env ? &e : NULL, private_home, &err);
	/* The prompt's flag needs the log directory inside; a shell without a
	 * prompt only needs it named (the first refusal creates it). */
	if (r == 0 && dirs_denial_log(st->project.worktree ? st->project.worktree : "/", st->interactive,
				       &denials) == 0)
		r = layout_denial_log(&l, denials, st->interactive);
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
		warn("cannot create the sandbox: user namespaces are not allowed: %s",
		     userns_hint(userns_blocker(NULL)));
		goto out;
	}
	if (r < 0)
		goto fail;
	/* Only a shell that ended by itself (exit 0, as nsb reload and the cd
	 * function end it) may ask for another: one that was killed did not. */
	enum ctl_kind asked = ctl_request(st, &again, &target);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		asked = CTL_NONE;
	switch (asked) {
	case CTL_RELOAD:
		/* nsb reload: evaluate again, and a new shell where the old one was */
		free(st->cwd);
		st->cwd = steal_pointer(&again);
		st->reload = true;
		goto out;
	case CTL_CD:
		free(st->cwd);
		st->cwd = steal_pointer(&again);
		free(st->cd_target);
		st->cd_target = steal_pointer(&target);
		goto out;
	case CTL_NONE:
		break;
	}
	if (st->ctl)
		rmdir(st->ctl);
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
	path_strip_trailing_slashes(st->home);
	return 0;
}

static int user_lookup(struct start *st)
{
	uid_t uid = getuid();
	gid_t gid = getgid();
	/* The name only labels the sandbox's /etc/passwd line: $USER as a
	 * login sets it, which spares every start the NSS lookup; passwd's
	 * when it is unset or not a plain name. */
	const char *name = getenv("USER");
	if (!name || !name[0] || strlen(name) > 64 || name[strspn(name, "abcdefghijklmnopqrstuvwxyz"
						      "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")]) {
		struct passwd *pw = getpwuid(uid);
		name = pw ? pw->pw_name : "user";
	}
	st->user_name = strdup(name);
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
	struct config_error err;
	int r = config_load_standard(st->home, &st->policy, &err);
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
	int r = trust_apply_project(&st->policy, worktree, st->home, &f, &err);
	if (f.error)
		warn("cannot read '%s': %s; it is ignored", f.path ? f.path : TRUST_FILE, strerror(-f.error));
	else if (f.state == TRUST_UNTRUSTED && trust_first_notice(worktree, &f))
		warn("'%s' is not trusted, so it is ignored: read it, then run 'nsb trust' in the project to apply it",
		     f.path);
	else if (f.state == TRUST_CHANGED && trust_first_notice(worktree, &f))
		warn("'%s' changed since it was trusted, so it is ignored: read it, then run 'nsb trust' again",
		     f.path);
	/* A path that no file can name (a control character in it) has no
	 * overrides to miss unless it ships a file. */
	if (r < 0 && (f.state != TRUST_NO_FILE || st->policy.n_projects > 0))
		warn("%s; the project's overrides are ignored", err.message);
	trust_file_release(&f);
}

/* The prompt hook of a plain bash that nsbsh starts for a person
 * (shellwrap/outside.bash): after a cd into a project, the shell becomes
 * nsbsh there.  Set in the environment, so that bash loads the user's own
 * startup files exactly as it would, and the hook comes on top: a function
 * (imported by bash from BASH_FUNC_...%%) that compares $PWD with the last
 * directory seen and sources outside.bash only when it changed. */
static void outside_hook_env(const struct start *st, const char *dir)
{
	if (!st->interactive)
		return;
	_cleanup_free_ char *file = shellwrap_file("outside.bash"), *self = realpath("/proc/self/exe", NULL),
			    *pc = NULL;
	if (!file || !self)
		return;
	const char *old = getenv("PROMPT_COMMAND");
	if (old && strstr(old, "__nsbsh_outside_hook"))
		pc = strdup(old);
	else if (asprintf(&pc, "__nsbsh_outside_hook%s%s", old && *old ? ";" : "", old ? old : "") < 0)
		pc = NULL;
	if (!pc)
		return;
	setenv("__NSBSH_BIN", self, 1);
	setenv("__NSBSH_OUTSIDE", file, 1);
	setenv("__nsbsh_pwd", dir, 1);
	setenv("BASH_FUNC___nsbsh_outside_hook%%",
	       "() { [[ $PWD == \"${__nsbsh_pwd-}\" ]] || . \"$__NSBSH_OUTSIDE\"; }", 1);
	setenv("PROMPT_COMMAND", pc, 1);
}

/* Plain bash for a start outside any project, with the hook when a person
 * uses it. */
static noreturn void exec_plain_outside(struct start *st)
{
	if (st->cwd)
		outside_hook_env(st, st->cwd);
	exec_plain_bash(st->argv);
}

static void run_shells(struct start *st);

/* sshd's ForceCommand (src/sshforced.c, SSH-1, SSH-3): the client's
 * command, or a login shell, becomes nsbsh's own command line before
 * anything reads the command line or the environment. */
static bool ssh_forced_begin(int *argc, char ***argv)
{
	char self[PATH_MAX], comm[64] = "", path[64];
	const char *cmd = getenv("SSH_ORIGINAL_COMMAND");
	if (!getenv("SSH_CONNECTION"))
		return false;  /* the common case: no more reads */
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	self[n > 0 ? n : 0] = '\0';
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)getppid());
	FILE *f = fopen(path, "re");
	if (f) {
		if (fgets(comm, sizeof(comm), f))
			comm[strcspn(comm, "\n")] = '\0';
		fclose(f);
	}
	if (!ssh_forced_detect(*argc, *argv, getenv("SSH_CONNECTION"), cmd, comm,
			       self[0] ? self : NULL))
		return false;
	char **v = NULL;
	if (ssh_forced_argv((*argv)[0], cmd, &v, argc) < 0)
		die(EXIT_REFUSED, "refusing the ssh session: out of memory");
	*argv = v;  /* kept for the life of the process */
	ssh_forced_scrub_env();
	/* sshd sets HOME, but ~/.ssh/environment (PermitUserEnvironment) may
	 * say otherwise: the account's home is the password database's. */
	struct passwd *pw = getpwuid(getuid());
	if (!pw || !pw->pw_dir || pw->pw_dir[0] != '/' || setenv("HOME", pw->pw_dir, 1) < 0)
		die(EXIT_REFUSED, "refusing the ssh session: this account has no home in the password database");
	debug("ssh forced command: %s", cmd ? "a command" : "a login shell");
	return true;
}

/* After the policy: file transfers (SSH-4) and the project (SSH-2). */
static void ssh_forced_enter(struct start *st)
{
	const struct policy *p = &st->policy;
	char shown[128];
	char **cmd = st->args.mode == SHELL_MODE_COMMAND ? &st->argv[st->args.operand] : NULL;
	enum ssh_transfer t = ssh_transfer_kind(cmd ? *cmd : NULL);
	if (t != SSH_TRANSFER_NONE && !p->file_transfer)
		die(EXIT_REFUSED, "refusing %s over ssh: this account's policy says file_transfer = off (the administrator can set file_transfer = sandbox in %s)",
		    ssh_transfer_name(t), config_system_path());
	if (t == SSH_TRANSFER_SFTP) {
		/* the subsystem's program as the environment has it */
		static char sftp[] = "exec sftp-server";
		*cmd = sftp;
	}
	const char *dir = p->ssh_project;
	const char *named = p->ssh_project_env ? getenv(p->ssh_project_env) : NULL;
	_cleanup_free_ char *real = NULL;
	if (named && named[0]) {
		const char *why = "cannot be checked";
		int r = ssh_project_check(p, named, st->home, &real, &why);
		if (r < 0)
			die(EXIT_REFUSED, "refusing the ssh session: %s='%s' %s: send a project directory under the account's allowed_roots, or none",
			    p->ssh_project_env, printable(named, shown, sizeof(shown)),
			    r == -ENOMEM ? strerror(ENOMEM) : why);
		dir = real;
	}
	if (dir && chdir(dir) < 0) {
		if (p->strict)
			die(EXIT_REFUSED, "refusing the ssh session: cannot enter ssh_project '%s': %s (ask the administrator)",
			    dir, strerror(errno));
		warn("cannot enter ssh_project '%s': %s; staying in '%s'", dir, strerror(errno), st->home);
	}
	debug("ssh session in %s", dir ? dir : "the home");
}

/* The strict account's shell outside an allowed project. */
static noreturn void enter_no_project(struct start *st)
{
	project_release(&st->project);
	st->project = (struct project){ 0 };
	if (user_lookup(st) == 0)
		run_shells(st);
	refuse_shell("no sandbox could be made");
}

/* A cd, inside a sandbox, to a directory the sandbox does not show: the
 * shell that belongs there.  Another project (allowed by the policy): its
 * sandbox.  No project: plain bash there (strict: no, the same sandbox
 * again).  Anything wrong: said, and the same sandbox again, in the
 * directory the shell was in. */
static void switch_dir(struct start *st)
{
	_cleanup_free_ char *target = steal_pointer(&st->cd_target), *err = NULL, *root = NULL,
			    *memo = NULL;
	_cleanup_free_ char *real = realpath(target, NULL);
	struct stat sb;
	if (!real || stat(real, &sb) < 0 || !S_ISDIR(sb.st_mode)) {
		warn("cd: %s: %s", target, real ? strerror(ENOTDIR) : strerror(errno));
		return;
	}
	_cleanup_(project_release) struct project next = { 0 };
	int r = project_discover(real, PROJECT_MEMO, &next, &err);
	if (r < 0 && r != -ENOENT)
		warn("%s", err ? err : strerror(-r));
	if (r < 0) {
		if (st->policy.strict) {
			warn("cd: '%s' is outside the sandbox, and this account is strict", real);
			return;
		}
		free(st->cwd);
		st->cwd = steal_pointer(&real);
		if (chdir(st->cwd) < 0) {
			warn("cd: %s: %s", st->cwd, strerror(errno));
			return;
		}
		if (st->ctl)
			rmdir(st->ctl);
		/* Said on the terminal every time: code in the sandbox can ask for
		 * this too, and what the person types next runs outside. */
		warn("left the sandbox of '%s': plain bash in '%s'",
		     st->project.worktree ? st->project.worktree : "no project", st->cwd);
		/* a new interactive bash there: what ran before was one too */
		static char opt_i[] = "-i";
		char *argv[] = { st->argv[0] + (st->argv[0][0] == '-'), opt_i, NULL };
		st->argv = argv;
		st->argc = 2;
		exec_plain_outside(st);
	}
	if (!policy_allows_project(&st->policy, next.worktree)) {
		warn("cd: '%s' is not under this account's allowed roots", next.worktree);
		return;
	}
	project_release(&st->project);
	st->project = next;
	next = (struct project){ 0 };
	free(st->cwd);
	st->cwd = steal_pointer(&real);
	free(st->session);
	st->session = NULL;
	/* The policy without the last project's overrides, then this one's. */
	policy_release(&st->policy);
	load_policy(st);
	project_policy(st);
	show_notes(&st->policy);
}

/* The terminal back in this process's group: the shell that just ended
 * had made its own job the foreground one, and the next shell (plain bash
 * or a new sandbox) must start in the foreground to have job control. */
static void terminal_reclaim(void)
{
	if (!isatty(STDIN_FILENO))
		return;
	sigset_t ttou, old;
	sigemptyset(&ttou);
	sigaddset(&ttou, SIGTTOU);
	sigprocmask(SIG_BLOCK, &ttou, &old);
	if (tcsetpgrp(STDIN_FILENO, getpgrp()) < 0)
		debug("cannot take the terminal back: %s", strerror(errno));
	sigprocmask(SIG_SETMASK, &old, NULL);
}

/* Shells, one after the other while they ask for another (nsb reload, a
 * cd out of the sandbox); returns when one cannot be made. */
static void run_shells(struct start *st)
{
	while (enter_project(st) == 0) {
		terminal_reclaim();
		if (st->cd_target)
			switch_dir(st);
	}
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
	bool ssh = ssh_forced_begin(&argc, &argv);
	st.argv = argv;
	st.argc = argc;
	shellargs_parse(argc, argv, &st.args);
	st.interactive = shellargs_interactive(&st.args, isatty(STDIN_FILENO), isatty(STDERR_FILENO));
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
	if (ssh)
		ssh_forced_enter(&st);

	st.cwd = getcwd(NULL, 0);
	if (!st.cwd) {
		warn("cannot read the current directory: %s", strerror(errno));
		if (st.policy.strict)
			enter_no_project(&st);
		exec_plain_bash(argv);
	}
	_cleanup_free_ char *err = NULL;
	int r = project_discover(st.cwd, PROJECT_MEMO, &st.project, &err);
	if (r < 0 && r != -ENOENT)
		warn("%s", err ? err : strerror(-r));
	if (r < 0) {
		show_notes(&st.policy);
		if (st.policy.strict)
			enter_no_project(&st);
		exec_plain_outside(&st);
	}
	debug("project %s, env file %s", st.project.worktree, st.project.envfile);
	if (!policy_allows_project(&st.policy, st.project.worktree)) {
		warn("'%s' is not under this account's allowed roots: a sandbox with no project",
		     st.project.worktree);
		show_notes(&st.policy);
		enter_no_project(&st);
	}
	/* The repository is allowed; its sessions live under nsbsh's data. */
	session_for_start(&st.project, &st.cwd,
			  st.interactive,
			  &st.policy, &st.session);
	project_policy(&st);
	show_notes(&st.policy);
	if (user_lookup(&st) == 0)
		run_shells(&st);
	if (st.ctl)
		rmdir(st.ctl);
	exec_outside(&st);
}
