/* choice.c - the environment a start runs (see choice.h).  The one module
 * outside the top level that talks to the person: it asks, on the
 * terminal, whether to rebuild a changed environment. */
#include "env/choice.h"

#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "base/file.h"
#include "base/log.h"
#include "base/util.h"
#include "env/nix.h"

/* The policy's watched names, borrowed from it. */
static const char **watch_names(const struct policy *policy, size_t *n)
{
	*n = policy->watch.n;
	const char **v = calloc(*n + 1, sizeof(*v));
	for (size_t i = 0; v && i < *n; i++)
		v[i] = policy->watch.v[i].value;
	return v;
}

/* What a project's key is made of beside its files: the programs found
 * and the policy's tools (borrowed from it). */
struct key_parts {
	struct nix_info nix, devenv;  /* devenv: devenv projects only */
	const char **tools;
	struct cache_key_ids ids;
};

static void key_parts_release(struct key_parts *k)
{
	nix_info_release(&k->nix);
	nix_info_release(&k->devenv);
	free(k->tools);
	*k = (struct key_parts){ 0 };
}

/* nix_id: nix's, when the caller has it (else nix is looked up). */
static int key_parts_find(const struct project *p, const struct policy *policy, const char *nix_id,
			  struct key_parts *k)
{
	size_t n = policy->tools.n;
	int r = 0;

	*k = (struct key_parts){ 0 };
	if (!nix_id)
		r = nix_locate(&k->nix);
	if (r == 0 && p->kind == ENV_DEVENV)
		r = nix_locate_devenv(&k->devenv);
	if (r == 0 && !(k->tools = calloc(n + 1, sizeof(*k->tools))))
		r = -ENOMEM;
	for (size_t i = 0; r == 0 && i < n; i++)
		k->tools[i] = policy->tools.v[i].value;
	if (r < 0) {
		key_parts_release(k);
		return r;
	}
	k->ids = (struct cache_key_ids){ .nix_id = nix_id ? nix_id : k->nix.id,
					 .devenv_id = k->devenv.id, .tools = k->tools, .n_tools = n };
	return 0;
}

int env_key(const struct project *p, const struct policy *policy, const char *nix_id,
	    char ret_hex[65])
{
	size_t n = 0;
	_cleanup_(key_parts_release) struct key_parts k;
	_cleanup_free_ const char **names = watch_names(policy, &n);
	int r = key_parts_find(p, policy, nix_id, &k);
	if (r < 0)
		return r;
	return names ? cache_key_for_project(p, &k.ids, names, n, ret_hex) : -ENOMEM;
}

int env_watched_paths(const struct project *p, const struct policy *policy, char ***ret,
		      size_t *ret_n)
{
	size_t n_env;
	const char *const *env_files = cache_key_file_names(p->kind, &n_env);
	size_t n = n_env + policy->watch.n;
	char **v = calloc(n, sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		const char *name = i < n_env ? env_files[i] : policy->watch.v[i - n_env].value;
		if (asprintf(&v[i], "%s/%s", p->envdir, name) < 0) {
			while (i > 0)
				free(v[--i]);
			free(v);
			return -ENOMEM;
		}
	}
	*ret = v;
	*ret_n = n;
	return 0;
}

/* *ret_err = the reason, once (the first one stays). */
static void reason(char **ret_err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void reason(char **ret_err, const char *fmt, ...)
{
	if (*ret_err)
		return;
	va_list ap;
	va_start(ap, fmt);
	if (vasprintf(ret_err, fmt, ap) < 0)
		*ret_err = NULL;
	va_end(ap);
}

/* After a failed build: the reason nix gives, or the plainer one when the
 * env file is not tracked (nix does not see untracked files, and says so
 * obscurely).  Asked only now: it loads libgit2, which a build that
 * works never needs. */
static void why_failed(const struct project *p, const char *nix_err, char **ret_err)
{
	_cleanup_free_ char *err = NULL;
	int t = project_envfile_tracked(p, &err);
	if (t == 0)
		reason(ret_err, "'%s' is not tracked by git, and nix does not see untracked files: run 'git add %s'",
		       p->envfile, p->envfile);
	else
		reason(ret_err, "cannot evaluate '%s': %s", p->envfile, nix_err);
}

/* Build (or wait for another shell's build of) the entry of key; with
 * force, evaluate again even when it exists (nsb reload). */
static int env_build(const struct env_request *q, const struct key_parts *k, const char *root,
		     const char *key, const struct cache_files *files, const char *why, bool force,
		     char **ret_err)
{
	_cleanup_free_ char *err = NULL, *note = NULL;
	const char *envfile = q->project->envfile;
	const struct nix_info *nix = &k->nix;

	if (!nix->path) {
		reason(ret_err, "cannot find 'nix' in PATH, needed for the environment of '%s': install Nix (e.g. apt-get install nix-bin)",
		       envfile);
		return -ENOENT;
	}
	int r = nix_daemon_check();
	if (r < 0) {
		reason(ret_err, "cannot reach the nix daemon at '%s': %s; start it (nix-daemon, or systemctl start nix-daemon)",
		       view_daemon_socket(), strerror(-r));
		return r;
	}

	_cleanup_free_ char *entry = NULL;
	r = cache_entry_dir(root, key, &entry);
	if (r < 0) {
		reason(ret_err, "cannot create the cache entry under '%s': %s", root, strerror(-r));
		return r;
	}
	/* One build per key: a second shell waits here, then finds it done. */
	_cleanup_free_ char *lockpath = NULL;
	if (asprintf(&lockpath, "%s/lock", entry) < 0)
		return -ENOMEM;
	/* HOST-3: the entry is writable in the evaluation's sandbox: no link
	 * followed, never a FIFO opened (a planted one would be replaced). */
	int lflags = O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY;
	_cleanup_close_ int lock = open(lockpath, lflags, 0600);
	struct stat lst;
	if (lock < 0 || fstat(lock, &lst) < 0 || !S_ISREG(lst.st_mode)) {
		if (lock >= 0)
			close(lock);
		unlink(lockpath);
		lock = open(lockpath, lflags | O_EXCL, 0600);
	}
	if (lock >= 0 && flock(lock, LOCK_EX | LOCK_NB) < 0) {
		warn("waiting for another nsbsh building the environment of '%s'", envfile);
		flock(lock, LOCK_EX);
		force = false; /* that build was the one asked for */
	}
	struct cache_entry done;
	if (!force && cache_lookup(root, key, &done) == 0) {
		cache_entry_release(&done);
		return 0;
	}
	if (isatty(STDERR_FILENO))
		warn("building the environment of '%s' (%s)", envfile, why);
	/* The copies first, "meta" (written by the build) last. */
	r = cache_files_save(entry, files);
	if (r < 0)
		debug("cannot keep the env files in '%s': %s", entry, strerror(-r));
	struct nix_build b = { .project = q->project, .nix = nix, .devenv = &k->devenv,
			       .tools = k->tools, .n_tools = k->ids.n_tools, .user = q->user,
			       .entry_dir = entry, .key = key,
			       .timeout_s = q->policy->eval_timeout,
			       .offline = q->policy->network == POLICY_NETWORK_OFF, .no_daemon = q->no_daemon,
			       .closure = q->policy->store == POLICY_STORE_CLOSURE };
	r = nix_build_env(&b, &err, &note);
	if (r < 0)
		why_failed(q->project, err ? err : strerror(-r), ret_err);
	else if (note)
		warn("%s", note);
	return r;
}

/* diff -u of each changed file against the entry's copy, on the terminal.
 * What the file holds now is what cache_files_read read, without
 * following a link (HOST-2), given to diff on its stdin: diff never opens
 * the work tree's file itself. */
static void show_diff(int tty, const char *old_dir, const struct cache_files *files)
{
	for (size_t i = 0; i < files->n; i++) {
		_cleanup_free_ char *saved = cache_files_saved(old_dir, files->v[i].name), *l_old = NULL,
				      *l_now = NULL;
		if (!saved || asprintf(&l_old, "%s (built)", files->v[i].name) < 0 ||
		    asprintf(&l_now, "%s (now)", files->v[i].name) < 0)
			return;
		int in[2];
		if (pipe2(in, O_CLOEXEC) < 0)
			return;
		pid_t pid = fork();
		if (pid < 0) {
			close(in[0]);
			close(in[1]);
			return;
		}
		if (pid == 0) {
			dup2(tty, STDOUT_FILENO);
			dup2(in[0], STDIN_FILENO);
			execlp("diff", "diff", "-u", "-N", "--label", l_old, "--label", l_now, saved, "-",
			       (char *)NULL);
			dprintf(tty, "nsbsh: cannot run diff: %s (apt-get install diffutils)\n", strerror(errno));
			_exit(2);
		}
		close(in[0]);
		/* diff may stop reading early: no SIGPIPE for nsbsh */
		sigset_t pipe_set, old;
		sigemptyset(&pipe_set);
		sigaddset(&pipe_set, SIGPIPE);
		sigprocmask(SIG_BLOCK, &pipe_set, &old);
		if (files->v[i].data)
			(void)write_full(in[1], files->v[i].data, files->v[i].len);
		close(in[1]);
		struct timespec zero = { 0 };
		while (sigtimedwait(&pipe_set, NULL, &zero) > 0)
			;
		sigprocmask(SIG_SETMASK, &old, NULL);
		int status;
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
	}
}

enum choice { CHOICE_REBUILD, CHOICE_KEEP };

/* Ask on the terminal: rebuild, keep, or show the diff (then ask again). */
static enum choice ask(const char *what, const char *old_dir, const struct project *p,
		       const struct cache_files *files)
{
	_cleanup_close_ int tty = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
	if (tty < 0)
		return CHOICE_REBUILD;
	for (;;) {
		char line[64];
		dprintf(tty, "nsbsh: %s changed since the environment of '%s' was built.\n"
			     "nsbsh: [r]ebuild it now, [k]eep the last one for this shell, or show the [d]iff? [R/k/d] ",
			what, p->envfile);
		ssize_t n = read(tty, line, sizeof(line) - 1);
		if (n <= 0) {
			dprintf(tty, "\n");
			return CHOICE_REBUILD;
		}
		line[n] = '\0';
		switch (line[0]) {
		case '\n':
		case 'r':
		case 'R':
			return CHOICE_REBUILD;
		case 'k':
		case 'K':
			return CHOICE_KEEP;
		case 'd':
		case 'D':
			show_diff(tty, old_dir, files);
			break;
		default:
			dprintf(tty, "nsbsh: answer r, k or d\n");
		}
	}
}

/* The entry of a key that changed since the last one: what the policy (or
 * the person at the terminal) says. */
static enum choice decide(const struct env_request *q, const char *old_dir,
			  const struct cache_files *files, char **ret_what)
{
	_cleanup_free_ char *list = NULL;
	int r = cache_files_changed(old_dir, files, &list);
	*ret_what = strdup(r == 0 && list ? list : r == 0 ? "the nix or devenv program, the tools or the watch list" : "an env file");
	enum policy_reload how = q->interactive ? q->policy->reload_interactive
						: q->policy->reload_noninteractive;
	if (how == POLICY_RELOAD_ASK && q->interactive)
		return ask(*ret_what ? *ret_what : "an env file", old_dir, q->project, files);
	return how == POLICY_RELOAD_KEEP ? CHOICE_KEEP : CHOICE_REBUILD;
}

int env_choose(const struct env_request *q, const char *root, struct cache_entry *ret,
	       bool *ret_stale, char **ret_err)
{
	const struct project *p = q->project;
	struct key_parts k = { 0 };
	struct cache_files files = { 0 };
	struct cache_entry old = { 0 };
	_cleanup_free_ const char **names = NULL;
	_cleanup_free_ char *what = NULL, *why_buf = NULL;
	char key[65], last[65];
	size_t n_names = 0;

	*ret_stale = false;
	int r = key_parts_find(p, q->policy, NULL, &k);
	if (r < 0)
		return r;
	names = watch_names(q->policy, &n_names);
	r = names ? cache_files_read(p, names, n_names, &files) : -ENOMEM;
	if (r < 0) {
		reason(ret_err, "cannot read the env files of '%s': %s", p->envfile, strerror(-r));
		goto out;
	}
	cache_key_for_files(p, &k.ids, &files, key);
	debug("key %s", key);
	bool have_last = cache_last_get(root, p, last) == 0;
	bool no_devenv = p->kind == ENV_DEVENV && !k.devenv.path;
	if ((!k.nix.path || no_devenv) && have_last) {
		/* No nix (or devenv) to build with: when only that program's part
		 * of the key changed, the last environment is exactly what this
		 * one would be. */
		_cleanup_free_ char *nix_id = NULL, *devenv_id = NULL;
		struct cache_key_ids then_ids = k.ids;
		char then[65];
		bool known = true;
		if (!k.nix.path)
			known = cache_meta_get(root, last, "nix", &nix_id) == 0, then_ids.nix_id = nix_id;
		if (known && no_devenv)
			known = cache_meta_get(root, last, "devenv_id", &devenv_id) == 0,
			then_ids.devenv_id = devenv_id;
		if (known) {
			cache_key_for_files(p, &then_ids, &files, then);
			if (streq(then, last) && cache_lookup(root, last, ret) == 0) {
				debug("%s is missing and the env files are unchanged: entry %s",
				      k.nix.path ? "devenv" : "nix", last);
				r = 0;
				goto out;
			}
		}
	}
	r = q->reload ? -ENOENT : cache_lookup(root, key, ret);
	if (r != -ENOENT)
		goto done;

	have_last = have_last && cache_lookup(root, last, &old) == 0;
	const char *why = q->reload ? "nsb reload" : "first entry in this project";
	if (have_last && !streq(last, key) && !q->reload) {
		if (decide(q, old.dir, &files, &what) == CHOICE_KEEP) {
			warn("keeping the last environment of '%s': it is stale (%s changed; 'nsb reload' in the shell rebuilds it)",
			     p->envfile, what ? what : "an env file");
			*ret = old;
			old = (struct cache_entry){ 0 };
			*ret_stale = true;
			r = 0;
			goto out;
		}
		if (asprintf(&why_buf, "%s changed", what ? what : "an env file") >= 0)
			why = why_buf;
	}
	r = env_build(q, &k, root, key, &files, why, q->reload, ret_err);
	if (r == 0)
		r = cache_lookup(root, key, ret);
	if (r < 0 && have_last) {
		if (*ret_err)
			warn("%s", *ret_err);
		free(*ret_err);
		*ret_err = NULL;
		warn("using the last environment built for '%s' (stale: it may not match the file)",
		     p->envfile);
		*ret = old;
		old = (struct cache_entry){ 0 };
		*ret_stale = !streq(last, key);
		r = 0;
		goto out;
	}
done:
	if (r == 0)
		cache_last_set(root, p, key);
out:
	cache_entry_release(&old);
	cache_files_release(&files);
	key_parts_release(&k);
	return r;
}
