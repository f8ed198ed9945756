/* view.c - `nsb status --view [--json] [DIR]`: the view of the sandbox a
 * start in DIR would get now, built as a start builds it (shell-view.c) and
 * shown instead of made: every mount, the protected paths, where Landlock
 * lets it write, what the seccomp filter refuses, the shell's variables and
 * where each comes from, the network.  It runs no Nix: the environment is
 * the cache entry a start would use (the current one, else the last one
 * built), or none.  What it writes is what a start's view building writes:
 * the private home's directory and the mount points of its startup files. */
#include "nsb/nsb.h"

#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/dirs.h"
#include "base/log.h"
#include "base/path.h"
#include "base/util.h"
#include "env/cache.h"
#include "env/closure.h"
#include "env/choice.h"
#include "env/nix.h"
#include "git/nested.h"
#include "git/project.h"
#include "git/protect.h"
#include "policy/config.h"
#include "sandbox/layout.h"
#include "sandbox/live.h"
#include "sandbox/net.h"
#include "sandbox/seccomp.h"
#include "sandbox/shell-view.h"
#include "shell/parts.h"
#include "shell/plain.h"

static const char *const kind_names[] = {
	[SB_BIND_RO] = "ro",     [SB_BIND_RW] = "rw",  [SB_BIND_DEV] = "device", [SB_BIND_TRY_RO] = "ro",
	[SB_TMPFS] = "tmpfs",    [SB_DIR] = "dir",     [SB_SYMLINK] = "link",    [SB_FILE] = "file",
	[SB_PROC] = "proc",      [SB_DEVPTS] = "devpts",   [SB_STORE] = "store",
};

static const char *protect_state_name(enum protect_state s)
{
	switch (s) {
	case PROTECT_MISSING: return "missing: refused when made";
	case PROTECT_FILE: return "file: read-only";
	case PROTECT_DIR: return "directory: read-only, all it holds";
	case PROTECT_LINK: return "a link: refused to make";
	case PROTECT_OTHER: return "not a file or directory: left alone";
	}
	return "?";
}

/* --- JSON ------------------------------------------------------------------ */

/* s as a JSON string: control characters escaped, and each byte that is
 * not part of valid UTF-8 as U+FFFD (paths are bytes; JSON is UTF-8). */
static void json_str(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	fputc('"', f);
	while (*p) {
		unsigned char c = *p;
		size_t n = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 && c >= 0xc2 ? 2 : (c & 0xf0) == 0xe0 ? 3
			   : (c & 0xf8) == 0xf0 && c <= 0xf4                 ? 4
									     : 0;
		for (size_t i = 1; i < n; i++)
			if ((p[i] & 0xc0) != 0x80)
				n = 0;
		if (n == 0) {
			fputs("\\ufffd", f);
			p++;
		} else if (n > 1) {
			fwrite(p, 1, n, f);
			p += n;
		} else {
			if (c == '"' || c == '\\')
				fprintf(f, "\\%c", c);
			else if (c < 0x20 || c == 0x7f)
				fprintf(f, "\\u%04x", c);
			else
				fputc(c, f);
			p++;
		}
	}
	fputc('"', f);
}

/* --- what the view is made of ----------------------------------------------- */

struct view_parts {
	char *home, *user, *cache, *data;
	struct shell_host host;  /* as a start finds them (shell/parts.h) */
	struct cache_entry env;
	struct closure closure;  /* store = closure */
	bool have_env, stale;
	char key[65];
	char *no_env;  /* why the view has no environment though one is built, or NULL */
};

static void view_parts_release(struct view_parts *v)
{
	free(v->home);
	free(v->user);
	free(v->cache);
	free(v->data);
	free(v->no_env);
	shell_host_release(&v->host);
	cache_entry_release(&v->env);
	closure_release(&v->closure);
}

/* The environment a start would use, without building one: this key's
 * entry, else the last one built here (stale), else none. */
static void find_env(const struct project *p, const struct policy *pol, struct view_parts *v)
{
	struct nix_info nix = { 0 };
	char last[65];
	v->key[0] = '\0';
	if (nix_locate(&nix) == 0 && env_key(p, pol, nix.id, v->key) == 0 &&
	    cache_lookup(v->cache, v->key, &v->env) == 0)
		v->have_env = true;
	else if (cache_last_get(v->cache, p, last) == 0 && cache_lookup(v->cache, last, &v->env) == 0)
		v->have_env = v->stale = true;
	nix_info_release(&nix);
}

static int parts_get(const struct project *p, const struct policy *pol, struct view_parts *v, char **ret_err)
{
	const char *home = getenv("HOME"), *user = getenv("USER");
	struct passwd *pw = (!home || home[0] != '/' || !user || !user[0]) ? getpwuid(getuid()) : NULL;
	v->home = strdup(home && home[0] == '/' ? home : pw ? pw->pw_dir : "/");
	v->user = strdup(user && user[0] ? user : pw ? pw->pw_name : "user");
	if (!v->home || !v->user || dirs_cache(&v->cache) < 0 || dirs_data(&v->data) < 0)
		return -ENOMEM;
	find_env(p, pol, v);
	/* as a start: with store = closure, no environment without its
	 * closure, and said */
	int r = shell_env_closure(pol, v->have_env ? &v->env : NULL, &v->closure, &v->no_env);
	if (r == -ENOMEM)
		return r;
	if (r < 0)
		v->have_env = false;
	return shell_host_get(p, pol, v->have_env ? &v->env : NULL, v->cache, v->data, false, &v->host, ret_err);
}

/* --- showing it -------------------------------------------------------------- */

static const char *const view_argv[] = { "bash", NULL };

static void show_text(const struct layout *l, const struct policy *pol, const struct view_parts *v,
		      const struct project *p)
{
	printf("view of the sandbox of '%s', as a start would build it now\n", p->worktree);
	if (v->have_env)
		printf("environment: %s%s\n", strrchr(v->env.dir, '/') + 1,
		       v->stale ? " (the last one built: the current one is not built yet)" : "");
	else if (v->no_env)
		printf("environment: none: %s ('nsb reload' builds it again)\n", v->no_env);
	else
		printf("environment: none built yet (the view has none)\n");
	const char *net = !l->spec.unshare_net ? "the host's network, shared"
			  : l->spec.pasta ? "a namespace of its own, pasta outside"
					  : "a namespace with loopback only";
	printf("network: %s: %s\n", policy_network_word(pol->network), net);
	for (size_t i = 0; pol->network == POLICY_NETWORK_ALLOW && i < pol->allow_hosts.n; i++)
		printf("  allow %s\n", pol->allow_hosts.v[i].value);
	/* the entry names where the secret is, never the secret */
	for (size_t i = 0; i < pol->inject.n; i++)
		printf("  inject %s%s\n", pol->inject.v[i].value, pol->network == POLICY_NETWORK_ALLOW ? "" : " (not used: network is not allow)");
	printf("mounts (in order):\n");
	for (size_t i = 0; i < l->spec.n_ops; i++) {
		const struct sandbox_op *o = &l->spec.ops[i];
		const char *k = (size_t)o->kind < ARRAY_SIZE(kind_names) ? kind_names[o->kind] : "?";
		if (o->kind == SB_SYMLINK)
			printf("  %-6s %s -> %s\n", k, o->dest, o->src);
		else if (o->src && o->kind != SB_FILE)
			printf("  %-6s %s%s%s%s\n", k, o->dest, strcmp(o->src, o->dest) ? " (from " : "",
			       strcmp(o->src, o->dest) ? o->src : "", strcmp(o->src, o->dest) ? ")" : "");
		else if (o->kind == SB_STORE)
			printf("  %-6s %s (only the environment's closure: store = closure)\n", k, o->dest);
		else
			printf("  %-6s %s%s\n", k, o->dest, o->kind == SB_FILE ? " (nsbsh's text)" : "");
	}
	printf("protected paths:\n");
	for (size_t i = 0; i < l->protect.n; i++)
		printf("  %s  (%s; %s)\n", l->protect.v[i].path, l->protect.v[i].why,
		       protect_state_name(l->protect.v[i].state));
	if (l->protect.n == 0)
		printf("  none\n");
	printf("landlock: writes only beneath:");
	for (size_t i = 0; i < l->n_writable; i++)
		printf(" %s", l->writable[i]);
	printf("\nseccomp: refused, by group:\n");
	struct seccomp_group_info g;
	for (size_t i = 0; seccomp_group_at(i, pol->nested_userns, &g); i++) {
		printf("  %-10s %s%s:", g.name, strerror(g.error), g.logged ? ", logged" : "");
		for (const char *const *c = g.calls; *c; c++)
			printf(" %s", *c);
		printf("\n             (%s)\n", g.why);
	}
	printf("variables of the shell (name: from):\n");
	for (size_t i = 0; i < l->n_env; i++)
		printf("  %.*s: %s\n", (int)strcspn(l->envp[i], "="), l->envp[i], l->env_from[i]);
	for (size_t i = 0; i < l->n_notes; i++)
		printf("note: %s\n", l->notes[i]);
}

static void show_json(const struct layout *l, const struct policy *pol, const struct view_parts *v,
		      const struct project *p)
{
	printf("{\"worktree\":");
	json_str(stdout, p->worktree);
	printf(",\"environment\":");
	if (v->have_env)
		json_str(stdout, strrchr(v->env.dir, '/') + 1);
	else
		printf("null");
	if (v->no_env) {
		printf(",\"no_environment\":");
		json_str(stdout, v->no_env);
	}
	printf(",\"stale\":%s,\"network\":\"%s\",\"mounts\":[", v->stale ? "true" : "false",
	       policy_network_word(pol->network));
	for (size_t i = 0; i < l->spec.n_ops; i++) {
		const struct sandbox_op *o = &l->spec.ops[i];
		printf("%s{\"kind\":\"%s\",\"dest\":", i ? "," : "",
		       (size_t)o->kind < ARRAY_SIZE(kind_names) ? kind_names[o->kind] : "?");
		json_str(stdout, o->dest);
		if (o->src && o->kind != SB_FILE) {
			printf(",\"%s\":", o->kind == SB_SYMLINK ? "target" : "source");
			json_str(stdout, o->src);
		}
		printf(",\"read_only\":%s}", o->kind == SB_BIND_RW || o->kind == SB_TMPFS || o->kind == SB_DIR ||
						     o->kind == SB_DEVPTS || o->kind == SB_PROC
					       ? "false"
					       : "true");
	}
	printf("],\"protected\":[");
	for (size_t i = 0; i < l->protect.n; i++) {
		printf("%s{\"path\":", i ? "," : "");
		json_str(stdout, l->protect.v[i].path);
		printf(",\"why\":");
		json_str(stdout, l->protect.v[i].why);
		printf(",\"state\":");
		json_str(stdout, protect_state_name(l->protect.v[i].state));
		printf("}");
	}
	printf("],\"landlock_writable\":[");
	for (size_t i = 0; i < l->n_writable; i++) {
		printf("%s", i ? "," : "");
		json_str(stdout, l->writable[i]);
	}
	printf("],\"seccomp\":[");
	struct seccomp_group_info g;
	for (size_t i = 0; seccomp_group_at(i, pol->nested_userns, &g); i++) {
		printf("%s{\"group\":\"%s\",\"errno\":\"%s\",\"logged\":%s,\"calls\":[", i ? "," : "", g.name,
		       strerrorname_np(g.error) ? strerrorname_np(g.error) : "?", g.logged ? "true" : "false");
		for (const char *const *c = g.calls; *c; c++)
			printf("%s\"%s\"", c == g.calls ? "" : ",", *c);
		printf("]}");
	}
	printf("],\"variables\":[");
	for (size_t i = 0; i < l->n_env; i++) {
		_cleanup_free_ char *name = strndup(l->envp[i], strcspn(l->envp[i], "="));
		printf("%s{\"name\":", i ? "," : "");
		json_str(stdout, name);
		printf(",\"from\":\"%s\"}", l->env_from[i]);
	}
	printf("],\"notes\":[");
	for (size_t i = 0; i < l->n_notes; i++) {
		printf("%s", i ? "," : "");
		json_str(stdout, l->notes[i]);
	}
	printf("]}\n");
}

int nsb_status_view(const struct project *p, const char *cwd, const struct policy *pol, bool json)
{
	struct view_parts v = { 0 };
	_cleanup_free_ char *err = NULL;
	int r = parts_get(p, pol, &v, &err);
	if (r < 0) {
		warn("cannot show the view of '%s': %s", p->worktree, err ? err : strerror(-r));
		view_parts_release(&v);
		return r == -ENOMEM ? EXIT_SYSTEM : 1;
	}
	char why_daemon[160];
	struct view_user u = { .name = v.user, .home = v.home, .uid = getuid(), .gid = getgid() };
	struct shell_view sv = {
		.user = &u, .project = p, .policy = pol,
		.environ = v.have_env ? v.env.environ : NULL, .environ_len = v.have_env ? v.env.environ_len : 0,
		.no_daemon = shell_daemon_hidden(pol, why_daemon),
		.store_list = v.closure.text, .store_len = v.closure.len,
		.interactive = isatty(STDIN_FILENO), .stale = v.stale,
		.cd_leaves = isatty(STDIN_FILENO) && !pol->strict, .cwd = cwd,
		.argc = 1, .argv = (char *const *)view_argv,
	};
	shell_host_view(&v.host, &sv);
	_cleanup_(layout_release) struct layout l;
	layout_init(&l);
	shell_view_build(&l, &sv);
	/* the one part a start adds once it knows the sandbox's id (its
	 * control directory, named by the id): shown by what it is */
	_cleanup_free_ char *ctl = NULL;
	if (asprintf(&ctl, "%s/ctl/ID", v.cache) >= 0)
		shell_view_ctl(&l, ctl);
	/* and its ssh agent's directory (ssh_keys), named by the id too */
	_cleanup_free_ char *agent = NULL;
	if (pol->ssh_keys.n && v.host.live && asprintf(&agent, "%s/ID.PID.agent", v.host.live) >= 0)
		shell_view_agent(&l, agent);
	shell_program_build(&l, &sv);
	r = layout_error(&l);
	if (r < 0) {
		warn("a start there could not build its sandbox: %s",
		     layout_error_text(&l) ? layout_error_text(&l) : strerror(-r));
		view_parts_release(&v);
		return 1;
	}
	if (json)
		show_json(&l, pol, &v, p);
	else
		show_text(&l, pol, &v, p);
	view_parts_release(&v);
	return 0;
}
