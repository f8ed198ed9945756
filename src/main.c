/* main.c - a start of nsbsh, in the order it happens; main() is the table
 * of contents:
 *   the fast join, when the last start that joined from here decided from
 *   what still reads the same (shell/fastjoin.h) -> else, its inputs kept:
 *   read bash's command line -> read the policy -> find the project (its
 *   session, its overrides) -> then, until a shell ends for good: choose
 *   its environment (build it in the evaluation sandbox on a miss), build
 *   the shell's sandbox, run bash in it, and follow what it asked for on
 *   its way out (nsb reload, a cd out of the sandbox).
 * Outside a project, or when any step fails, plain bash runs with the same
 * arguments: a login shell must never lock its user out.  Except in strict
 * mode (agent accounts): there, outside an allowed project the shell is a
 * sandbox with no project, a project whose environment cannot be built gets
 * a sandbox without it, and when no sandbox can be made the shell is
 * refused (EXIT_REFUSED): never a plain bash.
 *
 * This file and src/shell/ (and src/nsb/) talk to the person; what they
 * call returns errors and notes for them to say.
 *
 * Over 700 lines: each step's fallback (plain bash, a sandbox without the
 * environment, a refusal) is decided here, where every way to a shell
 * outside the sandbox can be read in one file. */
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include "base/dirs.h"
#include "base/file.h"
#include "base/inputs.h"
#include "base/log.h"
#include "base/path.h"
#include "base/util.h"
#include "env/cache.h"
#include "env/choice.h"
#include "env/closure.h"
#include "git/linked.h"
#include "git/nested.h"
#include "git/project.h"
#include "net/inject.h"
#include "nsb/nsb.h"
#include "nsb/version.h"
#include "policy/config.h"
#include "policy/trust.h"
#include "sandbox/agent.h"
#include "sandbox/denylog.h"
#include "sandbox/live.h"
#include "sandbox/net.h"
#include "sandbox/sandbox.h"
#include "sandbox/shell-view.h"
#include "sandbox/tls-inject.h"
#include "sandbox/userns.h"
#include "shell/args.h"
#include "shell/ctl.h"
#include "shell/fastjoin.h"
#include "shell/join.h"
#include "shell/parts.h"
#include "shell/plain.h"
#include "shell/session.h"
#include "shell/ssh.h"

/* What the start was given; fixed once read. */
struct start {
	int argc;
	char **argv;
	struct shellargs args;
	bool interactive;  /* a shell with a prompt, as bash decides it */
	char *home;
	char *user_name;
	struct view_user user;
};

/* Where a shell runs: a directory and the project around it. */
struct place {
	char *cwd;
	struct project project;  /* worktree NULL: a sandbox with no project */
	char *session;           /* the session's branch, or NULL in place */
	bool broken;             /* its repository no longer opens: no environment */
};

/* What the step that ran a shell decided comes next. */
enum next {
	NEXT_EXIT,      /* the shell ended: its status is nsbsh's */
	NEXT_RELOAD,    /* nsb reload: evaluate again, a new shell in dir */
	NEXT_CD,        /* a cd to target, which the sandbox does not show */
	NEXT_FALLBACK,  /* no sandbox could be made: plain bash (strict: refused) */
};

struct shell_end {
	enum next next;
	int status;     /* NEXT_EXIT: as the shell's wait status gives it */
	char *dir;      /* NEXT_RELOAD, NEXT_CD: where the shell was */
	char *target;   /* NEXT_CD */
};

static void start_read(struct start *st, int argc, char **argv, bool *ret_ssh);
static void policy_read(const struct start *st, struct policy *ret);
static void place_find(const struct start *st, struct policy *pol, struct place *ret);
static struct shell_end shell_run(const struct start *st, const struct place *here,
				  const struct policy *pol, bool reload);
static void place_cd(const struct start *st, struct place *here, struct policy *pol,
		     const struct shell_end *end);
static noreturn void exec_outside(const struct start *st, const struct policy *pol);
static noreturn void exit_as(int status);
static void terminal_reclaim(void);
static struct shell_end end_of_request(struct ctl_request *q);

int main(int argc, char **argv)
{
	const char *base = argc > 0 && argv[0] ? strrchr(argv[0], '/') : NULL;
	if (argc > 0 && argv[0] && streq(base ? base + 1 : argv[0], "nsb"))
		return nsb_main(argc, argv);
	log_init("nsbsh");
	debug("start");
	/* the join a start before this one decided, when nothing it decided
	 * from changed (shell/fastjoin.h); else this start decides, its
	 * inputs kept for the next */
	int fast_status = 0;
	struct ctl_request fast_q = { CTL_NONE };
	bool fast = fastjoin_try(argc, argv, &fast_status, &fast_q);
	if (fast && fast_q.kind == CTL_NONE)
		exit_as(fast_status);

	struct start st;
	bool ssh;
	start_read(&st, argc, argv, &ssh);
	struct policy pol;
	policy_read(&st, &pol);
	if (ssh)
		ssh_start_enter(&st.args, st.argv, &pol, st.home);
	struct place here;
	place_find(&st, &pol, &here);

	bool reload = false;
	struct shell_end end = fast ? end_of_request(&fast_q) : shell_run(&st, &here, &pol, false);
	for (;;) {
		switch (end.next) {
		case NEXT_EXIT:
			exit_as(end.status);
		case NEXT_RELOAD:
			terminal_reclaim();
			free(here.cwd);
			here.cwd = steal_pointer(&end.dir);
			reload = true;
			break;
		case NEXT_CD:
			terminal_reclaim();
			place_cd(&st, &here, &pol, &end);
			break;
		case NEXT_FALLBACK:
			exec_outside(&st, &pol);
		}
		free(end.dir);
		free(end.target);
		end = shell_run(&st, &here, &pol, reload);
		reload = false;
	}
}

/* --- reading the start ---------------------------------------------------- */

/* $HOME as the user has it (a login sets it from passwd), else passwd's. */
static char *home_lookup(void)
{
	const char *home = getenv("HOME");
	if (!home || home[0] != '/') {
		struct passwd *pw = getpwuid(getuid());
		home = pw ? pw->pw_dir : "/";
	}
	char *h = strdup(home);
	if (h)
		path_strip_trailing_slashes(h);
	return h;
}

/* The name only labels the sandbox's /etc/passwd line: $USER as a login
 * sets it, which spares every start the NSS lookup; passwd's when it is
 * unset or not a plain name. */
static char *user_name_lookup(void)
{
	const char *name = getenv("USER");
	if (!name || !name[0] || strlen(name) > 64 || name[strspn(name, "abcdefghijklmnopqrstuvwxyz"
						      "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")]) {
		struct passwd *pw = getpwuid(getuid());
		name = pw ? pw->pw_name : "user";
	}
	return strdup(name);
}

static void start_read(struct start *st, int argc, char **argv, bool *ret_ssh)
{
	if (argc < 1 || !argv[0])
		die(EXIT_USAGE, "started without argv[0]");
	*st = (struct start){ 0 };
	*ret_ssh = ssh_start_begin(&argc, &argv);
	st->argc = argc;
	st->argv = argv;
	shellargs_parse(argc, argv, &st->args);
	st->interactive = shellargs_interactive(&st->args, isatty(STDIN_FILENO), isatty(STDERR_FILENO));
	if (st->args.version) {
		/* nsbsh's own line first; bash's own lines follow unchanged, so
		 * that programs which look for "GNU bash" in $SHELL --version
		 * still find it. */
		version_print(stdout, "nsbsh");
		fflush(stdout);
	}
	if (st->args.invalid || st->args.info_only)
		plain_exec(argv); /* bash says what it says about these */
	st->home = home_lookup();
	st->user_name = user_name_lookup();
	if (!st->home || !st->user_name)
		plain_exec(argv);
	st->user = (struct view_user){ .name = st->user_name, .home = st->home, .uid = getuid(),
				       .gid = getgid() };
}

static void show_notes(const struct policy *p)
{
	for (size_t i = 0; i < p->n_notes; i++)
		warn("%s", p->notes[i]);
}

/* The system's and the user's files; on an error, the defaults (said), or
 * for a strict account no shell at all. */
static void policy_read(const struct start *st, struct policy *ret)
{
	struct config_error err;
	int r = config_load_standard(st->home, ret, &err);
	if (r < 0 && ret->strict)
		die(EXIT_REFUSED, "%s; refusing a shell: this account is strict and its policy cannot be read (ask the administrator)",
		    err.message);
	if (r < 0)
		warn("%s; using the default policy", err.message);
}

/* The project's overrides: the user's section for it, and its own
 * .nsbsh.conf when the user trusted this very content. */
static void policy_for_project(const struct start *st, const char *worktree, struct policy *pol)
{
	struct trust_file f;
	struct config_error err;
	int r = trust_apply_project(pol, worktree, st->home, &f, &err);
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
	if (r < 0 && (f.state != TRUST_NO_FILE || pol->n_projects > 0))
		warn("%s; the project's overrides are ignored", err.message);
	trust_file_release(&f);
}

/* Not one step further without a sandbox: a strict account's end. */
static noreturn void refuse_shell(const char *why)
{
	die(EXIT_REFUSED, "refusing a shell: %s, and this account is strict (no shell runs outside a sandbox)",
	    why);
}

/* Plain bash for a start outside any project, with the prompt hook when
 * a person uses it. */
static noreturn void exec_plain_outside(const struct start *st, const char *dir)
{
	if (dir && st->interactive)
		plain_hook_env(dir);
	plain_exec(st->argv);
}

static noreturn void exec_outside(const struct start *st, const struct policy *pol)
{
	if (pol->strict)
		refuse_shell("no sandbox could be made");
	plain_exec(st->argv);
}

/* The project around the current directory, its session and its
 * overrides; outside any project plain bash runs (strict: a sandbox with
 * no project). */
static void place_find(const struct start *st, struct policy *pol, struct place *ret)
{
	*ret = (struct place){ .cwd = getcwd(NULL, 0) };
	if (!ret->cwd) {
		warn("cannot read the current directory: %s", strerror(errno));
		if (!pol->strict)
			plain_exec(st->argv);
		return; /* strict: a sandbox with no project */
	}
	_cleanup_free_ char *err = NULL;
	int r = project_discover(ret->cwd, PROJECT_MEMO, &ret->project, &err);
	if (r == -ENOTDIR)
		warn("%s; the shell runs in the sandbox without the environment", err ? err : strerror(-r));
	else if (r < 0 && r != -ENOENT)
		warn("%s", err ? err : strerror(-r));
	if (r == -ENOTDIR) {
		/* never plain bash in a tree the sandbox could write */
		ret->broken = true;
		r = 0;
	}
	if (r < 0) {
		show_notes(pol);
		if (!pol->strict)
			exec_plain_outside(st, ret->cwd);
		ret->project = (struct project){ 0 };
		return;
	}
	debug("project %s, env file %s", ret->project.worktree, ret->project.envfile);
	if (!policy_allows_project(pol, ret->project.worktree)) {
		warn("'%s' is not under this account's allowed roots: a sandbox with no project",
		     ret->project.worktree);
		show_notes(pol);
		project_release(&ret->project);
		return;
	}
	/* The repository is allowed; its sessions live under nsbsh's data. */
	if (session_for_start(&ret->project, &ret->cwd, st->interactive, pol, &ret->session) < 0)
		exit(EXIT_REFUSED); /* said: a session asked for cannot be entered */
	policy_for_project(st, ret->project.worktree, pol);
	show_notes(pol);
}

/* --- one shell in its sandbox --------------------------------------------- */

/* Repositories that appeared in the work tree since nsbsh last looked, said
 * once, to a person: code in a sandbox may have made one, with hooks that
 * git outside would run (nested.c; SECURITY.md, Known gaps). */
static void nested_say_new(const char *worktree)
{
	_cleanup_free_ char *list = NULL, *names = NULL;
	size_t len = 0;
	if (nested_take_new(worktree, &list, &len) < 0 || len == 0 || !(names = nested_names(list, len)))
		return;
	warn("git repositories appeared in '%s' since nsbsh last looked: %s; their hooks/ and config are read-only in the sandbox from now on. If you did not make them, check those before running git there outside nsbsh",
	     worktree, names);
}

/* What a shell's sandbox is made of, besides the start and the place. */
struct shell_parts {
	char *cache, *data, *ctl;
	struct shell_host host;  /* the host's pieces of the view (shell/parts.h) */
	bool no_daemon;  /* NET-5: the daemon socket not shown */
	struct cache_entry env;
	bool have_env, stale;
	char base_id[LIVE_ID_LEN + 1];  /* the sandbox's id without its view (live_info) */
	struct agent_spec agent;        /* its ssh agent (ssh_keys), made by a first start */
	struct inject_spec inject;      /* its injected tokens (inject), made by a first start */
	struct closure closure;         /* store = closure: the environment's (env/closure.h) */
};

static void shell_parts_release(struct shell_parts *s)
{
	free(s->cache);
	free(s->data);
	free(s->ctl);
	shell_host_release(&s->host);
	cache_entry_release(&s->env);
	closure_release(&s->closure);
	agent_spec_release(&s->agent);
	inject_spec_release(&s->inject);
}

/* Why the shell's sandbox does not see the daemon, said once to a person
 * (a terminal: scripts have nsb doctor), again only when the reason
 * changes (a marker in the cache directory). */
static void daemon_note_once(const char *cache, const char *why)
{
	_cleanup_free_ char *old = NULL;
	size_t len = 0;
	if (!isatty(STDERR_FILENO))
		return;
	_cleanup_close_ int dir = open(cache, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dir < 0 || (file_read(dir, "daemon-hidden", 4096, FILE_NOFOLLOW, &old, &len) == 0 &&
			len == strlen(why) && memcmp(old, why, len) == 0))
		return;
	warn("sandboxes do not see the Nix daemon's socket: %s (nsb doctor says more; nix_daemon = on shows it)", why);
	(void)file_write_cache(cache, "daemon-hidden", why, strlen(why), 0600);
}

/* The shell's environment and the host's pieces of its view: 0, or a
 * negative errno with *ret_err, or *ret_said (said here). */
static int shell_parts_get(const struct start *st, const struct place *here, const struct policy *pol,
			    bool reload, struct shell_parts *s, char **ret_err, bool *ret_said)
{
	const struct project *p = &here->project;
	*ret_said = true;
	int r = dirs_cache(&s->cache);
	if (r == 0)
		r = dirs_data(&s->data);
	if (r < 0) {
		warn("cannot create nsbsh's cache and data directories: %s", strerror(-r));
		return r;
	}
	/* NET-5: the evaluation needs the daemon (but with network = off);
	 * the shell, where the project's code runs, not one that trusts it */
	char why_daemon[160];
	s->no_daemon = shell_daemon_hidden(pol, why_daemon);
	if (why_daemon[0])
		daemon_note_once(s->cache, why_daemon);
	if (p->worktree) {
		struct env_request q = { .project = p, .policy = pol, .user = &st->user,
					 .interactive = st->interactive, .reload = reload,
					 .no_daemon = !policy_daemon_evaluates(pol) };
		_cleanup_free_ char *why = NULL;
		r = here->broken ? -ENOTDIR : env_choose(&q, s->cache, &s->env, &s->stale, &why);
		s->have_env = r == 0;
		/* Never plain bash in a tree the sandbox could write: the sandbox,
		 * without the environment, said in one line (a broken repository's
		 * was said already). */
		if (r < 0 && !here->broken)
			warn("%s; the shell runs in the sandbox without the environment",
			     why ? why : strerror(-r));
		/* store = closure shows no more than the closure, and never
		 * the environment without it */
		_cleanup_free_ char *no_env = NULL;
		if ((r = shell_env_closure(pol, s->have_env ? &s->env : NULL, &s->closure, &no_env)) == -ENOMEM)
			return r;
		if (r < 0) {
			warn("%s; the shell runs in the sandbox without the environment ('nsb reload' builds it again)",
			     no_env);
			s->have_env = false;
		}
	}
	*ret_said = false;
	r = shell_host_get(p, pol, s->have_env ? &s->env : NULL, s->cache, s->data, true, &s->host, ret_err);
	if (r == 0 && p->worktree && st->interactive)
		nested_say_new(p->worktree);
	return r;
}

/* The view of the shell's sandbox and this shell's part of it. */
static void shell_view_of(const struct start *st, const struct place *here, const struct policy *pol,
			  const struct shell_parts *s, const char *id, const char *ctl_shell,
			  struct shell_view *ret)
{
	const struct project *p = &here->project;
	*ret = (struct shell_view){
		.user = &st->user,
		.project = p,
		.session = here->session,
		.policy = pol,
		.environ = s->have_env ? s->env.environ : NULL,
		.environ_len = s->have_env ? s->env.environ_len : 0,
		.no_daemon = s->no_daemon,
		.store_list = s->closure.text,
		.store_len = s->closure.len,
		.ctl = s->ctl,
		.ctl_shell = ctl_shell,
		.sandbox_id = id,
		.interactive = st->interactive,
		.stale = s->stale,
		.cd_leaves = st->interactive && !pol->strict,
		.cwd = p->worktree && here->cwd ? here->cwd : st->home,
		.argc = st->argc,
		.argv = st->argv,
	};
	shell_host_view(&s->host, ret);
}

/* The first start of a sandbox: its view (l, built without the control
 * directory, which is added here once: *ctl_added) made a sandbox, its
 * supervisor left running (LIVE-1: under lock, which the supervisor takes
 * over).  0 and *ret_conn, this start's connection to the sandbox's pid 1
 * (send the request at once: it is read once the sandbox is built), and
 * *ret_ready for created_wait; or a negative errno with *ret_err. */
static int shell_sandbox_create(const struct place *here, const struct policy *pol, struct shell_parts *s,
				struct layout *l, bool *ctl_added, const char *id, int lock, int *ret_conn,
				int *ret_ready, char **ret_err)
{
	if (!*ctl_added) {
		shell_view_ctl(l, s->ctl);
		/* the ssh agent's directory, named by the id too (agent.h) */
		int a = agent_spec_init(&s->agent, pol, s->host.live, id, s->host.denials);
		if (a == 0) {
			shell_view_agent(l, s->agent.dir);
			l->spec.agent = &s->agent;
			if (s->agent.n_fps && !s->agent.upstream)
				warn("ssh_keys: no ssh agent of yours here (SSH_AUTH_SOCK): the keys listed by fingerprint are not offered in the sandbox");
		} else if (a != -ENOENT) {
			warn("ssh_keys: cannot serve the sandbox's ssh agent: %s",
			     a == -ENOEXEC ? "no ssh-agent on PATH" : strerror(-a));
		}
		/* inject's trust store, in its own directory named by the id */
		const char *home = getenv("HOME");
		int ij = inject_spec_init(&s->inject, pol, s->host.live, id, home && home[0] == '/' ? home : "/", s->host.denials);
		if (ij == 0) {
			shell_view_inject(l, s->inject.bundle);
			l->spec.inject = &s->inject;
			for (size_t i = 0; i < s->inject.n; i++) {
				const struct inject_rule *r = &s->inject.rules[i];
				if (inject_find(s->inject.rules, i, r->host))
					warn("inject: %s is listed twice: only its first entry is used", r->host);
				else if (!inject_host_allowed(r, pol))
					warn("inject: %s is not in allow_hosts: its requests are refused", r->host);
			}
		} else if (ij != -ENOENT) {
			warn("inject: cannot ready the sandbox's trust store: %s", strerror(-ij));
		} else if (pol->inject.n) {
			warn("inject: only with network = allow; the tokens are not injected");
		}
	}
	*ctl_added = true;
	for (size_t i = 0; i < l->n_notes; i++)
		warn("%s", l->notes[i]);
	int r = layout_error(l);
	if (r < 0) {
		if (layout_error_text(l))
			*ret_err = strdup(layout_error_text(l));
		return r;
	}
	l->spec.live = true;
	l->spec.linger = pol->linger > UINT_MAX ? UINT_MAX : (unsigned)pol->linger;
	struct live_info info = { .worktree = here->project.worktree ? here->project.worktree : (char *)"/",
				  .session = here->session,
				  .env_key = s->have_env ? strrchr(s->env.dir, '/') + 1 : (char *)"",
				  .created = (long long)time(NULL) };
	memcpy(info.base, s->base_id, sizeof(info.base));
	debug("sandbox ready to start");
	return live_create(s->host.live, id, &l->spec, &info, lock, ret_conn, ret_ready);
}

/* What the supervisor of a first start said: 0 once it served, or why
 * not (one line said already: *ret_said). */
static int created_wait(int ready, char **ret_err, bool *ret_said)
{
	int r = live_create_wait(ready, ret_err);
	if (r == -EPERM || r == -ENOSPC || r == -EUSERS) {
		free(*ret_err);
		*ret_err = NULL;
		warn("cannot create the sandbox: user namespaces are not allowed: %s", userns_hint(userns_blocker()));
		*ret_said = true;
	}
	return r;
}

/* The view as a start would build it now, into l, and hashed (without
 * this start's own ids, and without the control directory, which the id
 * names): what exists of the protected paths, git dirs and startup files
 * is what a sandbox protects, so one built before they were what they are
 * is not joined (issue 15: PROT, GITP-1, HOMERC-1).  A first start makes
 * its sandbox of l (shell_sandbox_create). */
static void shell_view_fingerprint(const struct start *st, const struct place *here, const struct policy *pol,
				   const struct shell_parts *s, struct layout *l, char ret[65])
{
	struct shell_view v;
	shell_view_of(st, here, pol, s, "", NULL, &v);
	v.ctl = NULL;
	shell_view_build(l, &v);
	layout_fingerprint(l, ret);
}

/* The shell, in the live sandbox of its identity (built when none serves):
 * 0 and its wait status and this shell's control file (host), or a
 * negative errno with *ret_err, or *ret_said. */
static int shell_join(const struct start *st, const struct place *here, const struct policy *pol,
		      struct shell_parts *s, int *ret_status, char **ret_ctl, char **ret_err, bool *ret_said)
{
	char id[LIVE_ID_LEN + 1], view[65];
	_cleanup_(layout_release) struct layout l_view;
	bool ctl_added = false;
	layout_init(&l_view);
	shell_view_fingerprint(st, here, pol, s, &l_view, view);
	struct live_identity li = { .worktree = here->project.worktree ? here->project.worktree : "/",
				    .env_key = s->have_env ? strrchr(s->env.dir, '/') + 1 : "",
				    .stale = s->stale, .policy = pol->source, .nested = s->host.nested,
				    .nested_len = s->host.nested_len };
	live_id(&li, s->base_id);
	li.view = view;
	live_id(&li, id);
	int r = ctl_sandbox_dir(s->cache, id, &s->ctl);
	if (r < 0) {
		*ret_err = strdup("cannot create the sandbox's control directory");
		return r;
	}
	for (int attempt = 0;; attempt++) {
		int conn = -1, ready = -1;
		/* whether it serves is no input of the decision (nor, below, this
		 * shell's control file: base/inputs.h) */
		inputs_pause(true);
		r = live_connect(s->host.live, id, WIRE_JOIN, &conn);
		inputs_pause(false);
		if (r == -ENOENT) {
			int lock = live_lock(s->host.live, id);
			r = live_connect(s->host.live, id, WIRE_JOIN, &conn);
			if (r == -ENOENT)
				r = shell_sandbox_create(here, pol, s, &l_view, &ctl_added, id, lock, &conn, &ready,
							 ret_err);
			if (lock >= 0)
				close(lock);
			/* the key files into the sandbox's private agent (a
			 * passphrase asked on this terminal) while it is built,
			 * the lock let go: a start that comes meanwhile joins */
			_cleanup_free_ char *why = NULL;
			if (r == 0 && ready >= 0 && s->agent.keys_sock && agent_add_files(&s->agent, &why) < 0)
				warn("ssh_keys: %s", why ? why : "cannot add the key files");
		}
		if (r < 0)
			return r;
		/* This shell's part: its command line, environment, request file. */
		_cleanup_free_ char *ctl_host = NULL, *ctl_inside = NULL;
		inputs_pause(true);
		if (ctl_shell_path(s->ctl, &ctl_host, &ctl_inside) < 0)
			debug("no control file: nsb reload will not work in this shell");
		inputs_pause(false);
		struct shell_view v;
		shell_view_of(st, here, pol, s, id, ctl_inside, &v);
		struct layout l;
		layout_init(&l);
		shell_program_build(&l, &v);
		r = layout_error(&l);
		if (r == 0) {
			struct join_request q = { .cwd = l.prog.cwd, .path = l.prog.path, .argc = st->argc + 2,
						  .argv = l.prog.argv, .envp = l.envp };
			if (attempt == 0 && ready < 0)
				fastjoin_record(&(struct fastjoin_decision){
					.live = s->host.live, .id = id, .ctl = s->ctl, .denials = s->host.denials,
					.worktree = here->project.worktree, .home = st->home,
					.interactive = st->interactive, .policy = pol, .program = &l,
					.argc = st->argc, .ctl_shell = ctl_inside != NULL });
			inputs_end();
			debug("joining sandbox %s", id);
			pid_t shell = 0;
			r = join_run(conn, &q, ret_status, &shell, ret_err);
			debug("the shell ended");
			if (shell > 0 && s->host.denials)
				denylog_unflag(s->host.denials, id, shell);
		}
		layout_release(&l);
		close(conn);
		/* a first start: why its sandbox did not serve, if it did not */
		if (ready >= 0 && r < 0) {
			free(*ret_err);
			*ret_err = NULL;
			int e = created_wait(ready, ret_err, ret_said);
			if (e < 0)
				r = e;
		} else if (ready >= 0) {
			close(ready);
		}
		if (r == 0) {
			*ret_ctl = steal_pointer(&ctl_host);
			return 0;
		}
		if (ctl_host)
			ctl_remove(ctl_host);
		/* it ended as this start came (its linger was over): a new one,
		 * once its supervisor has taken its socket away (until then
		 * it takes a connection and drops it); 255 ms at most */
		if (r != -EAGAIN || attempt == 8)
			return r == -EAGAIN ? -EIO : r;
		struct timespec pause = { .tv_nsec = (1L << attempt) * 1000000L };
		nanosleep(&pause, NULL);
	}
}

/* Runs the shell in its live sandbox and waits; says why not. */
static struct shell_end shell_run(const struct start *st, const struct place *here,
				  const struct policy *pol, bool reload)
{
	struct shell_end end = { .next = NEXT_FALLBACK };
	const struct project *p = &here->project;
	_cleanup_free_ char *err = NULL, *ctl = NULL;
	struct shell_parts s = { 0 };
	bool said = false;
	int status;

	int r = shell_parts_get(st, here, pol, reload, &s, &err, &said);
	if (r == 0)
		r = shell_join(st, here, pol, &s, &status, &ctl, &err, &said);
	if (r == 0) {
		end = (struct shell_end){ .next = NEXT_EXIT, .status = status };
		/* A request counts only from a shell that ended through nsbsh's
		 * own cd or nsb reload (their exit status, ctl.h). */
		struct ctl_request q = { CTL_NONE };
		if (ctl)
			q = ctl_take(ctl, status, st->interactive, p->worktree, st->home);
		if (q.kind != CTL_NONE)
			end = end_of_request(&q);
		ctl_request_release(&q);
	} else if (!said && p->worktree) {
		warn("cannot enter the project '%s': %s", p->worktree, err ? err : strerror(-r));
	} else if (!said) {
		warn("cannot make the sandbox: %s", err ? err : strerror(-r));
	}
	if (ctl)
		ctl_remove(ctl);
	shell_parts_release(&s);
	return end;
}

/* --- what comes after a shell --------------------------------------------- */

/* A shell's request (nsb reload, a cd out), q's strings taken. */
static struct shell_end end_of_request(struct ctl_request *q)
{
	return (struct shell_end){ .next = q->kind == CTL_RELOAD ? NEXT_RELOAD : NEXT_CD,
				   .dir = steal_pointer(&q->dir), .target = steal_pointer(&q->target) };
}

/* _exit: the supervisor has nothing to flush, and libraries' exit handlers
 * would only add to every shell's exit time. */
static noreturn void exit_as(int status)
{
	fflush(stdout);
	_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
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

/* A cd, inside a sandbox, to a directory the sandbox does not show: the
 * shell that belongs there.  Another project (allowed by the policy): its
 * sandbox.  No project: plain bash there (strict: no, the same sandbox
 * again).  Anything wrong: said, and the same sandbox again, in the
 * directory the shell was in. */
/* CTL-3: whether dir (a real path) is one the sandbox of here could write:
 * its work tree, a private home, the control directories, a writable bind
 * of the policy, a session's git dirs; anything beneath them. */
static bool sandbox_could_write(const struct place *here, const struct policy *pol, const char *dir)
{
	if (here->project.worktree && path_at_or_below(dir, here->project.worktree))
		return true;
	_cleanup_free_ char *data = NULL, *homes = NULL, *cache = NULL, *ctl = NULL;
	if (dirs_data_path(&data) == 0 && (homes = path_join(data, "home"))) {
		_cleanup_free_ char *real = realpath(homes, NULL);
		if (real && path_at_or_below(dir, real))
			return true;
	}
	if (dirs_cache_path(&cache) == 0 && (ctl = path_join(cache, "ctl"))) {
		_cleanup_free_ char *real = realpath(ctl, NULL);
		if (real && path_at_or_below(dir, real))
			return true;
	}
	for (size_t i = 0; i < pol->bind.n + pol->unshadow.n; i++) {
		const struct policy_entry *b = i < pol->bind.n ? &pol->bind.v[i] : &pol->unshadow.v[i - pol->bind.n];
		_cleanup_free_ char *real = b->rw ? realpath(b->value, NULL) : NULL;
		if (real && path_at_or_below(dir, real))
			return true;
	}
	struct linked lk = { 0 };
	_cleanup_free_ char *lerr = NULL;
	bool in_git = here->project.worktree && linked_find(here->project.worktree, &lk, &lerr) == 0 &&
		      path_at_or_below(dir, lk.commondir);
	linked_release(&lk);
	return in_git;
}

static void place_cd(const struct start *st, struct place *here, struct policy *pol,
		     const struct shell_end *end)
{
	free(here->cwd);
	here->cwd = strdup(end->dir);
	_cleanup_free_ char *err = NULL, *real = realpath(end->target, NULL);
	struct stat sb;
	if (!real || stat(real, &sb) < 0 || !S_ISDIR(sb.st_mode)) {
		warn("cd: %s: %s", end->target, real ? strerror(ENOTDIR) : strerror(errno));
		return;
	}
	if (sandbox_could_write(here, pol, real)) {
		/* CTL-3: never plain bash where the sandbox could have made it */
		if (here->project.worktree && path_at_or_below(real, here->project.worktree)) {
			free(here->cwd);
			here->cwd = steal_pointer(&real);
		} else {
			warn("cd: '%s' is a directory the sandbox can write: the sandbox again, not a shell outside it",
			     real);
		}
		return;
	}
	_cleanup_(project_release) struct project next = { 0 };
	int r = project_discover(real, PROJECT_MEMO, &next, &err);
	if (r == -ENOTDIR)
		warn("%s; the shell runs in the sandbox without the environment", err ? err : strerror(-r));
	else if (r < 0 && r != -ENOENT)
		warn("%s", err ? err : strerror(-r));
	bool broken = r == -ENOTDIR;
	if (broken)
		r = 0;
	if (r < 0) {
		if (pol->strict) {
			warn("cd: '%s' is outside the sandbox, and this account is strict", real);
			return;
		}
		if (chdir(real) < 0) {
			warn("cd: %s: %s", real, strerror(errno));
			return;
		}
		/* Said on the terminal every time: code in the sandbox can ask for
		 * this too, and what the person types next runs outside. */
		warn("left the sandbox of '%s': plain bash in '%s'",
		     here->project.worktree ? here->project.worktree : "no project", real);
		/* a new interactive bash there: what ran before was one too */
		char *argv[] = { st->argv[0] + (st->argv[0][0] == '-'), (char *)"-i", NULL };
		plain_hook_env(real);
		plain_exec(argv);
	}
	if (!policy_allows_project(pol, next.worktree)) {
		warn("cd: '%s' is not under this account's allowed roots", next.worktree);
		return;
	}
	project_release(&here->project);
	here->project = next;
	next = (struct project){ 0 };
	free(here->cwd);
	here->cwd = steal_pointer(&real);
	free(here->session);
	here->session = NULL;
	here->broken = broken;
	/* The policy without the last project's overrides, then this one's. */
	policy_release(pol);
	policy_read(st, pol);
	policy_for_project(st, here->project.worktree, pol);
	show_notes(pol);
}
