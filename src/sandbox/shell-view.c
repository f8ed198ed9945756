/* shell-view.c - what the shell's sandbox shows (see shell-view.h).
 *
 * Invariants (tests/unit/test_view.c names each; the integration tests
 * that show them from inside a sandbox name them too):
 * SV-1 env-allowlist: the shell's environment is the built-in allowlist and
 *      the policy's passthrough of the outer one, then the environment's
 *      variables, then the policy's setenv (never one of nsbsh's names:
 *      policy/parse.c), then nsbsh's own (HOME, PATH, SHELL, BASH_ENV, NSBSH_*;
 *      with ssh_keys, SSH_AUTH_SOCK and GIT_CONFIG_SYSTEM: agent.h, gitsign.h):
 *      no other outer variable reaches the sandbox, and none of nsbsh's can
 *      be replaced from outside.
 * SV-2 own-dirs-ro: nsbsh's own directories (its cache, with the discovery
 *      and nested memos and the denial logs; its data, with the trust
 *      records, sessions and private homes; the user's configuration) are
 *      read-only wherever a writable bind contains them, made first when
 *      missing so that the sandbox cannot make them either.  TRUST-2 and
 *      NEST-4 rest on it.
 * SV-3 git-last: the git metadata of the work tree and of the repositories
 *      nested in it, and the work tree's protected paths (git/protect.h),
 *      are protected after the policy's binds, so that no bind can uncover
 *      them (gitprotect.c).
 * SV-5 live-hidden: the directory of the join sockets (live.h LIVE-2) is
 *      an empty tmpfs wherever a bind would show it.
 * SV-4 bind-dest: a policy bind never lands over nsbsh's own pieces of the
 *      view (/proc, /dev, /run/nsbsh, /nix/store, /tmp), nor over or above
 *      the work tree or the home, which it would hide; its source is
 *      resolved and checked again (config_bind_refusal) before it is bound.
 * The private home's startup files: sandbox/homerc.c (HOMERC-1).
 */
#include "sandbox/shell-view.h"

#include <stdio.h>

#include "base/file.h"
#include "base/path.h"
#include "base/strbuf.h"
#include "base/util.h"
#include "git/linked.h"
#include "net/inject.h"
#include "net/proxy.h"
#include "policy/config.h"
#include "sandbox/agent.h"
#include "sandbox/denylog.h"
#include "sandbox/gitprotect.h"
#include "sandbox/gitsign.h"
#include "sandbox/homerc.h"
#include "sandbox/tls-inject.h"

/* SV-4: where a policy bind must not go. */
static const char *bind_dest_refusal(const struct shell_view *v, const char *dest)
{
	static const char *const kept[] = { "/proc", "/dev", "/run/nsbsh", "/nix/store", "/tmp" };
	for (size_t i = 0; i < ARRAY_SIZE(kept); i++)
		if (path_at_or_below(dest, kept[i]))
			return "nsbsh's own view is there";
	if (v->project->worktree && path_at_or_below(v->project->worktree, dest))
		return "it would hide the project";
	if (path_at_or_below(v->user->home, dest))
		return "it would hide the home";
	return NULL;
}

/* What the policy adds: binds, files of the real home, the host's system.
 * A bind that cannot be made is a note, left out; the shell still starts. */
static void policy_binds(struct layout *l, const struct shell_view *v)
{
	const struct policy *p = v->policy;
	for (size_t i = 0; i < p->bind.n + p->unshadow.n; i++) {
		bool is_bind = i < p->bind.n;
		const struct policy_entry *b = is_bind ? &p->bind.v[i] : &p->unshadow.v[i - p->bind.n];
		const char *dest = b->dest ? b->dest : b->value;
		const char *key = is_bind ? "bind" : "unshadow";
		_cleanup_free_ char *real = realpath(b->value, NULL);
		const char *why;
		if (!real) {
			/* a home file one does not have is nothing to say */
			if (is_bind || errno != ENOENT)
				layout_note(l, "policy: %s '%s' left out: %s", key, b->value, strerror(errno));
			continue;
		}
		if ((why = config_bind_refusal(real, v->user->home)) ||
		    (is_bind && (why = bind_dest_refusal(v, dest)))) {
			layout_note(l, "policy: %s '%s' refused: %s", key, b->value, why);
			continue;
		}
		layout_add(l, b->rw ? SB_BIND_RW : SB_BIND_RO, real, dest);
		if (b->rw) {
			layout_writable(l, dest);
			layout_guard_root(l, dest);
		}
	}
	if (p->host_system)
		view_host_system(l);
	/* AGENT-3 is the policy's to keep: a key file of ssh_keys that a
	 * bind or an unshadowed file shows is said (the key is readable) */
	for (size_t k = 0; k < p->ssh_keys.n; k++) {
		const char *key = p->ssh_keys.v[k].value;
		for (size_t i = 0; key[0] == '/' && i < p->bind.n + p->unshadow.n; i++) {
			const struct policy_entry *b = i < p->bind.n ? &p->bind.v[i] : &p->unshadow.v[i - p->bind.n];
			if (path_at_or_below(key, b->value))
				layout_note(l, "policy: ssh_keys '%s' is shown in the sandbox by %s '%s': code inside can read that key",
					    key, i < p->bind.n ? "bind" : "unshadow", b->value);
		}
	}
}

/* /run/nsbsh/watch.bash: the watched files, and which of them existed,
 * for the prompt hook (shellwrap/inside.bash), which compares them with
 * this file's own time, the moment the sandbox was made: no fork. */
static void watch_file(struct layout *l, const struct shell_view *v)
{
	struct strbuf b = { 0 };
	strbuf_adds(&b, "__nsbsh_watch=(");
	for (size_t i = 0; i < v->n_watch; i++) {
		_cleanup_free_ char *q = shell_quote(v->watch[i]);
		if (!q)
			b.oom = true;
		else
			strbuf_addf(&b, " %s", q);
	}
	strbuf_adds(&b, " )\n__nsbsh_existed=(");
	for (size_t i = 0; i < v->n_watch; i++)
		strbuf_addf(&b, " %d", access(v->watch[i], F_OK) == 0);
	strbuf_adds(&b, " )\n");
	_cleanup_free_ char *text = strbuf_steal(&b);
	layout_add_file(l, SHELL_RC_WATCH, text, text ? strlen(text) : 0);
}

/* A linked work tree (a session): its common git dir. */
static void session_view(struct layout *l, const struct shell_view *v)
{
	struct linked lk = { 0 };
	_cleanup_free_ char *note = NULL;
	int r = linked_find(v->project->worktree, &lk, &note);
	if (r == 0)
		gitprotect_common(l, &lk);
	else if (r == -ENOMEM)
		layout_set_error(l, r);
	if (note)
		layout_note(l, "%s: the sandbox does not show that git dir", note);
	linked_release(&lk);
}

/* The names the prompt shows: NSBSH_PROJECT_NAME (the repository's) and
 * NSBSH_SESSION (the session's, else the linked work tree's branch). */
static void session_env(struct layout *l, const struct shell_view *v)
{
	const char *worktree = v->project->worktree;
	struct linked lk = { 0 };
	_cleanup_free_ char *note = NULL;
	int r = linked_find(worktree, &lk, &note);
	const char *base = strrchr(worktree, '/');
	const char *name = r == 0 ? lk.name : base && base[1] ? base + 1 : worktree;
	const char *branch = v->session ? v->session : r == 0 ? lk.branch : NULL;
	layout_setenv(l, "NSBSH_PROJECT_NAME", name);
	if (branch)
		layout_setenv(l, "NSBSH_SESSION", branch);
	linked_release(&lk);
}

/* The project's denial log (denylog.h): the supervisor keeps it in dir;
 * the sandbox sees dir read-only, and a shell with a prompt the flag file of
 * this sandbox there (NSBSH_DENIALS_FLAG, shell_env), which the prompt hook
 * tests. */
static void denial_view(struct layout *l, const struct shell_view *v)
{
	l->spec.denial_log = layout_strdup(l, v->denials);
	layout_add(l, SB_BIND_RO, v->denials, DENYLOG_INSIDE);
}

/* Where dir (beneath the bind of src at dest) appears inside (malloc'ed). */
static char *inside_of(const char *dir, const char *src, const char *dest)
{
	char *inside = NULL;
	if (asprintf(&inside, "%s%s", streq(dest, "/") ? "" : dest, dir + (streq(src, "/") ? 0 : strlen(src))) < 0)
		return NULL;
	return inside;
}

/* SV-2: wherever a writable mount contains one of nsbsh's own directories,
 * it is shown read-only on top; one missing there is made first.  SV-5:
 * wherever any bind contains the join sockets' directory, a tmpfs hides it
 * (a read-only mount does not stop a connect). */
static void protect_own_dirs(struct layout *l, const struct shell_view *v)
{
	size_t n_ops = l->spec.n_ops;
	for (size_t i = 0; i < n_ops && !layout_error(l); i++) {
		const char *src = l->spec.ops[i].src, *dest = l->spec.ops[i].dest;
		if (l->spec.ops[i].kind != SB_BIND_RW)
			continue;
		for (size_t j = 0; j < v->n_own_dirs; j++) {
			const char *dir = v->own_dirs[j];
			if (!dir || !path_at_or_below(dir, src))
				continue;
			int r = mkdir_p(dir, 0700);
			if (r < 0) {
				layout_set_error(l, r);
				return;
			}
			_cleanup_free_ char *inside = inside_of(dir, src, dest);
			layout_add(l, SB_BIND_RO, dir, inside);
		}
	}
	/* last: over every bind, those of SV-2 too */
	n_ops = l->spec.n_ops;
	for (size_t i = 0; i < n_ops && v->live_dir && !layout_error(l); i++) {
		enum sandbox_op_kind k = l->spec.ops[i].kind;
		const char *src = l->spec.ops[i].src, *dest = l->spec.ops[i].dest;
		if ((k == SB_BIND_RW || k == SB_BIND_RO || k == SB_BIND_TRY_RO) &&
		    path_at_or_below(v->live_dir, src)) {
			_cleanup_free_ char *inside = inside_of(v->live_dir, src, dest);
			layout_add(l, SB_TMPFS, NULL, inside);
		}
	}
}

/* The policy's setenv.  In the view, SHELL_RC_SETENV, which the
 * environment's rc sources before its shellHook, after its own
 * assignments (shellwrap/inside.bash sources it where the rc does not: no
 * environment, or an entry built before setenv existed); every shell of a
 * live sandbox has the same policy.  In each shell's environment, over the
 * environment's values (setenv_env). */
static void setenv_file(struct layout *l, const struct shell_view *v)
{
	const struct policy_list *se = &v->policy->setenv;
	struct strbuf b = { 0 };

	if (!se->n)
		return;
	strbuf_adds(&b, "# nsbsh: the policy's setenv\n");
	for (size_t i = 0; i < se->n; i++) {
		const char *e = se->v[i].value, *eq = strchr(e, '=');
		if (!eq)
			continue;
		strbuf_addf(&b, "export %.*s=", (int)(eq - e), e);
		strbuf_add_quoted(&b, eq + 1, strlen(eq + 1));
		strbuf_adds(&b, "\n");
	}
	strbuf_adds(&b, "__nsbsh_setenv=1\n");
	_cleanup_free_ char *text = strbuf_steal(&b);
	layout_add_file(l, SHELL_RC_SETENV, text, text ? strlen(text) : 0);
}

static void setenv_env(struct layout *l, const struct shell_view *v)
{
	const struct policy_list *se = &v->policy->setenv;
	for (size_t i = 0; i < se->n; i++) {
		const char *e = se->v[i].value, *eq = strchr(e, '=');
		if (!eq)
			continue;
		_cleanup_free_ char *name = strndup(e, (size_t)(eq - e));
		layout_setenv(l, name, eq + 1);
	}
}

/* The environment: what the policy passes, then the environment's
 * variables, then the policy's setenv, then nsbsh's own (SV-1). */
/* inject (INJECT-2): each env: variable a placeholder, whatever passed it
 * or set it before, so that a tool sends the request at all; every TLS
 * client's trust store the one with the sandbox's CA. */
static void inject_env(struct layout *l, const struct policy *pol)
{
	for (size_t i = 0; i < inject_n_bundle_vars; i++)
		layout_setenv(l, inject_bundle_vars[i], INJECT_INSIDE_BUNDLE);
	for (size_t i = 0; i < pol->inject.n && i < INJECT_MAX_ENTRIES; i++) {
		struct inject_rule r;
		const char *why;
		if (inject_rule_parse(pol->inject.v[i].value, &r, &why) == 0 && !r.from_file)
			layout_setenv(l, r.source, INJECT_PLACEHOLDER);
	}
}

/* network = allow: the proxy inside, for every client that reads these
 * (curl, git, npm, pip, cargo, go: http_proxy and https_proxy; all_proxy
 * as SOCKS5 with the name resolved by the proxy); after the environment's
 * variables, before the policy's setenv, which can change them. */
static void proxy_env(struct layout *l)
{
	char http[64], socks[64];
	snprintf(http, sizeof(http), "http://%s:%d", PROXY_ADDR_INSIDE, PROXY_PORT_INSIDE);
	snprintf(socks, sizeof(socks), "socks5h://%s:%d", PROXY_ADDR_INSIDE, PROXY_PORT_INSIDE);
	static const char no_proxy[] = "localhost,127.0.0.1,::1";
	const char *const set[][2] = { { "http_proxy", http },   { "HTTP_PROXY", http },
				       { "https_proxy", http },  { "HTTPS_PROXY", http },
				       { "all_proxy", socks },   { "ALL_PROXY", socks },
				       { "no_proxy", no_proxy }, { "NO_PROXY", no_proxy } };
	for (size_t i = 0; i < ARRAY_SIZE(set); i++)
		layout_setenv(l, set[i][0], set[i][1]);
}

static void shell_env(struct layout *l, const struct shell_view *v)
{
	const struct project *p = v->project;
	layout_pass_env(l, v->policy);
	bool have_path = false;
	/* /bin holds bash and sh: the shell's own programs stay found. */
	const char *tail = v->policy->host_system ? ":/bin:/usr/local/bin:/usr/bin" : ":/bin";
	const char *end = v->environ ? v->environ + v->environ_len : NULL;
	l->env_origin = "environment";
	for (const char *e = v->environ; e && e < end && !layout_error(l); e += strlen(e) + 1) {
		const char *eq = strchr(e, '=');
		if (!eq)
			continue;
		_cleanup_free_ char *name = strndup(e, (size_t)(eq - e)), *path = NULL;
		if (name && streq(name, "PATH")) {
			if (asprintf(&path, "%s%s", eq + 1, tail) < 0)
				path = NULL;
			layout_setenv(l, "PATH", path);
			have_path = true;
		} else {
			layout_setenv(l, name, eq + 1);
		}
	}
	l->env_origin = NULL;
	if (!have_path)
		layout_setenv(l, "PATH", tail + 1);
	if (v->policy->network == POLICY_NETWORK_ALLOW)
		proxy_env(l);
	l->env_origin = "setenv";
	setenv_env(l, v);
	l->env_origin = NULL;
	layout_setenv(l, "HOME", v->user->home);
	layout_setenv(l, "USER", v->user->name);
	layout_setenv(l, "LOGNAME", v->user->name);
	layout_setenv(l, "SHELL", "/bin/bash");
	layout_setenv(l, "PWD", v->cwd);
	layout_setenv(l, "BASH_ENV", SHELL_RC_INSIDE);
	if (v->policy->network == POLICY_NETWORK_ALLOW && v->policy->inject.n)
		inject_env(l, v->policy);
	/* the sandbox's own agent (agent.h), never the user's (AGENT-3), and
	 * the signing settings for it (gitsign.h) */
	if (v->policy->ssh_keys.n) {
		layout_setenv(l, "SSH_AUTH_SOCK", AGENT_INSIDE_SOCK);
		layout_setenv(l, "GIT_CONFIG_SYSTEM", GITSIGN_INSIDE);
	}
	if (p->worktree) {
		layout_setenv(l, "NSBSH_PROJECT", p->worktree);
		layout_setenv(l, "NSBSH_ENV_FILE", p->envfile);
		if (!v->env_rc)
			layout_setenv(l, "NSBSH_NO_ENV", "1");
		session_env(l, v);
	}
	if (v->stale)
		layout_setenv(l, "NSBSH_STALE", "1");
	if (v->ctl_shell)
		layout_setenv(l, "NSBSH_CTL", v->ctl_shell);
	if (v->cd_leaves)
		layout_setenv(l, "NSBSH_CD_LEAVES", "1");
	/* the flag of this shell: the prefix, its pid follows ($$) */
	if (v->denials && v->interactive && v->sandbox_id) {
		_cleanup_free_ char *flag = NULL;
		if (asprintf(&flag, "%s/refused-%s-", DENYLOG_INSIDE, v->sandbox_id) < 0)
			flag = NULL;
		layout_setenv(l, "NSBSH_DENIALS_FLAG", flag);
	}
}

/* Whether the view's store shows path (a store path or beneath one). */
static bool store_shows(const struct shell_view *v, const char *path)
{
	if (v->policy->store == POLICY_STORE_ALL)
		return true;
	const char *end = v->store_list ? v->store_list + v->store_len : NULL;
	for (const char *line = v->store_list, *nl; line && (nl = memchr(line, '\n', (size_t)(end - line)));
	     line = nl + 1) {
		size_t n = (size_t)(nl - line);
		if (!memchr(line, ' ', n) && strncmp(path, line, n) == 0 && (path[n] == '/' || !path[n]))
			return true;
	}
	return false;
}

/* /bin/bash: a link into the store when it can be (the cheapest), a bind
 * otherwise: a host file (the static bash, the policy's), or with the
 * host's system shown, where /bin is the host's (read-only) and bash must
 * still be ours. */
static void shell_programs(struct layout *l, const struct shell_view *v)
{
	bool host = v->policy->host_system;
	bool in_store = strncmp(v->bash, "/nix/store/", 11) == 0 && store_shows(v, v->bash);
	layout_add(l, in_store && !host ? SB_SYMLINK : SB_BIND_RO, v->bash, "/bin/bash");
	if (!host) {
		layout_add(l, SB_SYMLINK, v->sh ? v->sh : "bash", "/bin/sh");
		if (v->env_program)
			layout_add(l, SB_SYMLINK, v->env_program, "/usr/bin/env");
	}
	static const char profile[] = "# nsbsh: login shells load the project's environment\n. " SHELL_RC_INSIDE "\n";
	_cleanup_free_ char *chain = homerc_login_chain(v->rc_dir), *text = NULL;
	if (chain && asprintf(&text, "%s%s", profile, chain) < 0)
		text = NULL;
	layout_add_file(l, "/etc/profile", text, text ? strlen(text) : 0);
}

void shell_view_ctl(struct layout *l, const char *ctl)
{
	layout_add(l, SB_BIND_RW, ctl, SHELL_CTL_DIR);
	layout_writable(l, SHELL_CTL_DIR);
}

void shell_view_agent(struct layout *l, const char *dir)
{
	/* read-only: nothing can be made there; a connect needs only write
	 * permission on the socket, which a read-only mount leaves */
	layout_add(l, SB_BIND_RO, dir, AGENT_INSIDE_DIR);
}

void shell_view_inject(struct layout *l, const char *bundle)
{
	layout_add(l, SB_BIND_RO, bundle, INJECT_INSIDE_BUNDLE);
	struct stat st;
	if (stat(INJECT_HOST_BUNDLE, &st) == 0 && S_ISREG(st.st_mode))
		layout_add(l, SB_BIND_RO, bundle, INJECT_HOST_BUNDLE);
}

/* NET-1: a namespace of its own but with network = host; on: pasta
 * outside, or the host's network when pasta is not installed (said once:
 * notes are shown by the start that builds the sandbox). */
static void shell_view_net(struct layout *l, const struct shell_view *v)
{
	const struct policy *pol = v->policy;
	l->spec.unshare_net = pol->network != POLICY_NETWORK_HOST;
	if (pol->network != POLICY_NETWORK_ON)
		return;
	if (!v->pasta) {
		layout_note(l, "network = on needs pasta (Debian's passt package) and /dev/net/tun; "
			       "without them the sandbox shares the host's network");
		l->spec.unshare_net = false;
		return;
	}
	l->spec.pasta = v->pasta;
	l->spec.forward_ports = &pol->forward_ports;
	l->spec.publish_ports = &pol->publish_ports;
}

void shell_view_build(struct layout *l, const struct shell_view *v)
{
	const struct project *p = v->project;
	const struct policy *pol = v->policy;

	struct view_store store = { .all = pol->store == POLICY_STORE_ALL, .list = v->store_list, .len = v->store_len };
	view_common(l, v->user, &store, v->pasta ? v->resolv : NULL, !v->no_daemon);
	layout_add(l, SB_BIND_RW, v->private_home, v->user->home);
	homerc_view(l, v->private_home, v->user->home, v->rc_dir);
	if (p->worktree) {
		layout_add(l, SB_BIND_RW, p->worktree, p->worktree);
		layout_writable(l, p->worktree);
		layout_guard_root(l, p->worktree);
	}
	layout_writable(l, v->user->home);
	policy_binds(l, v);
	/* SV-3: after the policy's binds, so that none of them can uncover these. */
	if (p->worktree) {
		gitprotect_worktree(l, p->worktree);
		gitprotect_nested(l, p->worktree, v->nested, v->nested_len);
		gitprotect_paths(l, p->worktree, v->user->home, pol);
	}
	layout_add(l, SB_BIND_RO, v->inside_rc, SHELL_RC_INSIDE);
	/* The prompt hook's list (only a shell with a prompt has the hook, but
	 * every shell of a live sandbox sees the same view). */
	if (p->worktree)
		watch_file(l, v);
	if (v->env_rc) {
		layout_add(l, SB_BIND_RO, v->env_rc, SHELL_RC_ENV);
	} else {
		static const char none[] = "# nsbsh: no environment\n";
		layout_add_file(l, SHELL_RC_ENV, none, sizeof(none) - 1);
	}
	setenv_file(l, v);
	if (pol->ssh_keys.n) {
		static const char none[] = "# nsbsh: no ssh signing of yours uses a key of ssh_keys\n";
		_cleanup_free_ char *sign = gitsign_config(pol, v->user->home);
		layout_add_file(l, GITSIGN_INSIDE, sign ? sign : none, sign ? strlen(sign) : sizeof(none) - 1);
	}
	shell_programs(l, v);
	if (p->worktree)
		session_view(l, v);
	l->spec.seccomp = true;
	shell_view_net(l, v);
	if (pol->network == POLICY_NETWORK_ALLOW && v->connect) {
		/* ssh to an allowed host: through the proxy (CONNECT); a
		 * ProxyCommand in ~/.ssh/config still comes first */
		static const char ssh[] = "# nsbsh: network = allow: ssh goes through the sandbox's proxy\n"
					  "Host *\n\tProxyCommand " SHELL_CONNECT " %h %p\n";
		layout_add(l, SB_BIND_RO, v->connect, SHELL_CONNECT);
		layout_add_file(l, "/etc/ssh/ssh_config", ssh, sizeof(ssh) - 1);
	}
	if (pol->network == POLICY_NETWORK_ALLOW) {
		l->spec.proxy_port = PROXY_PORT_INSIDE;
		size_t n = pol->allow_hosts.n < LAYOUT_MAX_ALLOW_HOSTS ? pol->allow_hosts.n : LAYOUT_MAX_ALLOW_HOSTS;
		for (size_t i = 0; i < n; i++)
			l->allow_hosts[i] = layout_strdup(l, pol->allow_hosts.v[i].value);
		l->spec.allow_hosts = l->allow_hosts;
		l->spec.n_allow_hosts = n;
	}
	l->spec.nested_userns = pol->nested_userns;
	l->spec.max_procs = (unsigned long)pol->max_procs;
	l->spec.max_memory = pol->max_memory;
	l->spec.max_cpu_seconds = (unsigned long)pol->max_cpu_seconds;
	l->spec.guard.on = pol->create_guard;
	l->spec.guard.nested_git = pol->nested_git;
	l->spec.guard.protect = &l->protect;

	if (v->denials)
		denial_view(l, v);
	/* last: the one part that depends on the sandbox's id */
	if (v->ctl)
		shell_view_ctl(l, v->ctl);
	protect_own_dirs(l, v);
}

char **shell_argv(char *const *opts, size_t n_opts, int argc, char *const *argv, int *ret_argc)
{
	int n = argc + (int)n_opts;
	char **v = calloc((size_t)n + 1, sizeof(*v));
	if (!v)
		return NULL;
	v[0] = argv[0];
	for (size_t i = 0; i < n_opts; i++)
		v[1 + i] = opts[i];
	for (int i = 1; i < argc; i++)
		v[i + (int)n_opts] = argv[i];
	*ret_argc = n;
	return v;
}

void shell_program_build(struct layout *l, const struct shell_view *v)
{
	shell_env(l, v);
	/* bash's own argv, unchanged but for --rcfile in front (long options
	 * must come first; a user's own --rcfile later on still wins). */
	char *const opts[] = { (char *)"--rcfile", (char *)SHELL_RC_INSIDE };
	int argc = 0;
	_cleanup_free_ char **argv = shell_argv(opts, ARRAY_SIZE(opts), v->argc, v->argv, &argc);
	if (!argv) {
		layout_set_error(l, -ENOMEM);
		return;
	}
	layout_program(l, "/bin/bash", argc, argv, v->cwd);
}
