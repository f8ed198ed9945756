/* merge.c - the policy's rules of who may widen what (config.h): a layer
 * applied to a struct policy by the kind of file it comes from
 * (config_merge), and the struct's life: its defaults, its copy, its
 * release, its lists and its notes.
 *
 * Pure: it reads the layers and policies it is given and writes only
 * them; no file, no environment, nothing printed (what a file may not set
 * becomes a note in the policy). */
#include "policy/internal.h"

#include <stdarg.h>
#include <stdio.h>

#include "base/path.h"
#include "base/util.h"

/* ---- policies and lists ----------------------------------------------- */

void policy_entry_release(struct policy_entry *e)
{
	free(e->value);
	free(e->dest);
	*e = (struct policy_entry){ 0 };
}

static void list_release(struct policy_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		policy_entry_release(&l->v[i]);
	free(l->v);
	*l = (struct policy_list){ 0 };
}

int policy_list_take(struct policy_list *l, struct policy_entry *e)
{
	struct policy_entry *v = realloc(l->v, (l->n + 1) * sizeof(*v));
	if (!v) {
		policy_entry_release(e);
		return -ENOMEM;
	}
	l->v = v;
	l->v[l->n++] = *e;
	*e = (struct policy_entry){ 0 };
	return 0;
}

static int list_push(struct policy_list *l, const struct policy_entry *e, int line)
{
	struct policy_entry c = { .value = strdup(e->value), .rw = e->rw, .line = line };

	if (!c.value || (e->dest && !(c.dest = strdup(e->dest)))) {
		policy_entry_release(&c);
		return -ENOMEM;
	}
	return policy_list_take(l, &c);
}

static int list_copy(struct policy_list *dst, const struct policy_list *src)
{
	*dst = (struct policy_list){ 0 };
	for (size_t i = 0; i < src->n; i++) {
		int r = list_push(dst, &src->v[i], src->v[i].line);
		if (r < 0)
			return r;
	}
	return 0;
}

void policy_init_defaults(struct policy *p)
{
	*p = (struct policy){
		.network = POLICY_NETWORK_ON,
		.nix_daemon = POLICY_NIX_DAEMON_AUTO,
		.store = POLICY_STORE_ALL,
		.create_guard = true,
		.reload_interactive = POLICY_RELOAD_ASK,
		.reload_noninteractive = POLICY_RELOAD_REBUILD,
		.max_procs = CONFIG_DEFAULT_MAX_PROCS,
		.linger = CONFIG_DEFAULT_LINGER,
		.eval_timeout = CONFIG_DEFAULT_EVAL_TIMEOUT,
	};
}

void policy_release(struct policy *p)
{
	if (!p)
		return;
	free(p->bash);
	free(p->ssh_project);
	free(p->ssh_project_env);
	list_release(&p->bind);
	list_release(&p->unshadow);
	list_release(&p->passthrough);
	list_release(&p->watch);
	list_release(&p->allowed_roots);
	list_release(&p->session_copy);
	list_release(&p->protect);
	list_release(&p->setenv);
	list_release(&p->tools);
	list_release(&p->ssh_keys);
	list_release(&p->allow_hosts);
	list_release(&p->inject);
	free(p->inject_ca_file);
	list_release(&p->forward_ports);
	list_release(&p->publish_ports);
	for (size_t i = 0; i < p->n_projects; i++)
		policy_layer_release(&p->projects[i]);
	free(p->projects);
	for (size_t i = 0; i < p->n_notes; i++)
		free(p->notes[i]);
	free(p->notes);
	*p = (struct policy){ 0 };
}

void policy_layer_release(struct policy_layer *l)
{
	if (!l)
		return;
	free(l->filename);
	free(l->project);
	policy_release(&l->v);
	*l = (struct policy_layer){ 0 };
}

int policy_copy(struct policy *dst, const struct policy *src)
{
	*dst = *src;
	dst->bash = dst->ssh_project = dst->ssh_project_env = NULL;
	dst->bind = dst->unshadow = dst->passthrough = dst->watch = dst->allowed_roots =
		dst->session_copy = dst->protect = (struct policy_list){ 0 };
	dst->projects = NULL;
	dst->n_projects = 0;
	dst->notes = NULL;
	dst->n_notes = 0;
	dst->setenv = dst->tools = dst->ssh_keys = dst->allow_hosts = dst->inject = (struct policy_list){ 0 };
	dst->forward_ports = dst->publish_ports = (struct policy_list){ 0 };
	dst->inject_ca_file = NULL;
	if ((src->bash && !(dst->bash = strdup(src->bash))) ||
	    (src->ssh_project && !(dst->ssh_project = strdup(src->ssh_project))) ||
	    (src->ssh_project_env && !(dst->ssh_project_env = strdup(src->ssh_project_env))) ||
	    (src->inject_ca_file && !(dst->inject_ca_file = strdup(src->inject_ca_file))))
		return -ENOMEM;
	int r = list_copy(&dst->bind, &src->bind);
	if (r == 0)
		r = list_copy(&dst->unshadow, &src->unshadow);
	if (r == 0)
		r = list_copy(&dst->passthrough, &src->passthrough);
	if (r == 0)
		r = list_copy(&dst->watch, &src->watch);
	if (r == 0)
		r = list_copy(&dst->allowed_roots, &src->allowed_roots);
	if (r == 0)
		r = list_copy(&dst->session_copy, &src->session_copy);
	if (r == 0)
		r = list_copy(&dst->protect, &src->protect);
	if (r == 0)
		r = list_copy(&dst->setenv, &src->setenv);
	if (r == 0)
		r = list_copy(&dst->tools, &src->tools);
	if (r == 0)
		r = list_copy(&dst->ssh_keys, &src->ssh_keys);
	if (r == 0)
		r = list_copy(&dst->allow_hosts, &src->allow_hosts);
	if (r == 0)
		r = list_copy(&dst->inject, &src->inject);
	if (r == 0)
		r = list_copy(&dst->forward_ports, &src->forward_ports);
	if (r == 0)
		r = list_copy(&dst->publish_ports, &src->publish_ports);
	if (r < 0)
		return r;
	if (src->n_notes) {
		dst->notes = calloc(src->n_notes, sizeof(*dst->notes));
		if (!dst->notes)
			return -ENOMEM;
		for (; dst->n_notes < src->n_notes; dst->n_notes++)
			if (!(dst->notes[dst->n_notes] = strdup(src->notes[dst->n_notes])))
				return -ENOMEM;
	}
	return 0;
}

int policy_note(struct policy *p, const char *fmt, ...)
{
	char *s = NULL;
	va_list ap;

	if (p->n_notes >= CONFIG_MAX_NOTES)
		return 0;
	va_start(ap, fmt);
	int r = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (r < 0)
		return -ENOMEM;
	for (char *c = s; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			*c = '?';
	if (p->n_notes == CONFIG_MAX_NOTES - 1) {
		free(s);
		s = strdup("more values were ignored; the first ones are shown above");
		if (!s)
			return -ENOMEM;
	}
	char **v = realloc(p->notes, (p->n_notes + 1) * sizeof(*v));
	if (!v) {
		free(s);
		return -ENOMEM;
	}
	p->notes = v;
	p->notes[p->n_notes++] = s;
	return 0;
}

/* ---- merging ---------------------------------------------------------- */

struct merge {
	struct policy *p;
	const struct policy_layer *l;
	enum layer_kind kind;
	bool may_widen;
	const char *why;
};

static bool key_set(const struct merge *m, enum config_key k)
{
	return m->l->set & (1ull << k);
}

static int merge_note(struct merge *m, enum config_key k, int line, const char *value)
{
	return policy_note(m->p, "%s:%d: key '%s': '%s' ignored: %s", m->l->filename, line,
			   config_keys[k].name, value, m->why);
}

/* A yes/no key whose value `wide` is the wider one. */
static int merge_flag(struct merge *m, enum config_key k, bool *dst, bool val, bool wide,
		      const char *wide_word)
{
	if (!key_set(m, k) || *dst == val)
		return 0;
	if (val != wide || m->may_widen) {
		*dst = val;
		return 0;
	}
	return merge_note(m, k, m->l->line[k], wide_word);
}

/* A choice whose values are ranked, the higher the wider (config.h's
 * enums are in that order). */
static int merge_rank(struct merge *m, enum config_key k, int *dst, int val)
{
	if (!key_set(m, k) || *dst == val)
		return 0;
	if (val < *dst || m->may_widen) {
		*dst = val;
		return 0;
	}
	for (const struct choice *c = config_keys[k].choices; c->word; c++)
		if (c->value == val)
			return merge_note(m, k, m->l->line[k], c->word);
	return -EINVAL;
}

/* A limit: 0 (none) is the widest, then the higher the wider. */
static int merge_limit(struct merge *m, enum config_key k, unsigned long long *dst,
		       unsigned long long val)
{
	char b[32];
	if (!key_set(m, k) || *dst == val)
		return 0;
	if ((val != 0 && (*dst == 0 || val < *dst)) || m->may_widen) {
		*dst = val;
		return 0;
	}
	if (val == 0)
		snprintf(b, sizeof(b), "none");
	else
		snprintf(b, sizeof(b), "%llu", val);
	return merge_note(m, k, m->l->line[k], b);
}

typedef bool covered_fn(const struct policy_list *have, const struct policy_entry *e);

/* Same source and destination, and not rw where the policy has ro. */
static bool bind_covered(const struct policy_list *have, const struct policy_entry *e)
{
	for (size_t i = 0; i < have->n; i++)
		if (streq(have->v[i].value, e->value) && streq(have->v[i].dest, e->dest) &&
		    (have->v[i].rw || !e->rw))
			return true;
	return false;
}

static bool unshadow_covered(const struct policy_list *have, const struct policy_entry *e)
{
	for (size_t i = 0; i < have->n; i++)
		if (streq(have->v[i].value, e->value) && (have->v[i].rw || !e->rw))
			return true;
	return false;
}

/* A pattern is covered only by the same pattern ("A?" matches the string
 * "A*" but does not cover it); a name, by anything that lets it through. */
static bool passthrough_covered(const struct policy_list *have, const struct policy_entry *e)
{
	bool name = !has_glob(e->value);

	if (name && policy_env_builtin(e->value))
		return true;
	for (size_t i = 0; i < have->n; i++)
		if (streq(have->v[i].value, e->value) ||
		    (name && fnmatch(have->v[i].value, e->value, 0) == 0))
			return true;
	return false;
}

static bool root_covered(const struct policy_list *have, const struct policy_entry *e)
{
	for (size_t i = 0; i < have->n; i++)
		if (path_at_or_below(e->value, have->v[i].value))
			return true;
	return false;
}

/* setenv, tools: only the very same value. */
static bool value_listed(const struct policy_list *have, const struct policy_entry *e)
{
	for (size_t i = 0; i < have->n; i++)
		if (streq(have->v[i].value, e->value))
			return true;
	return false;
}

static int merge_list(struct merge *m, enum config_key k, struct policy_list *dst,
		      const struct policy_list *src, covered_fn *covered)
{
	struct policy_list out = { 0 };

	if (!key_set(m, k))
		return 0;
	for (size_t i = 0; i < src->n; i++) {
		const struct policy_entry *e = &src->v[i];
		int r;

		if (m->may_widen || !covered || covered(dst, e)) {
			r = list_push(&out, e, 0);
		} else {
			_cleanup_free_ char *s = NULL;
			if (k == CONFIG_KEY_BIND)
				r = asprintf(&s, "%s%s%s:%s", e->value, streq(e->value, e->dest) ? "" : ":",
					     streq(e->value, e->dest) ? "" : e->dest, e->rw ? "rw" : "ro");
			else if (k == CONFIG_KEY_UNSHADOW)
				r = asprintf(&s, "%s:%s", e->value, e->rw ? "rw" : "ro");
			else
				r = asprintf(&s, "%s", e->value);
			r = r < 0 ? -ENOMEM : merge_note(m, k, e->line, s);
		}
		if (r < 0) {
			list_release(&out);
			return r;
		}
	}
	list_release(dst);
	*dst = out;
	return 0;
}

/* protect: a longer list narrows, so a layer that may not widen adds its
 * entries to what p protects (the built-in default first, when no file set
 * the key yet); one that may replaces the list. */
static int merge_protect(struct merge *m)
{
	struct policy *p = m->p;
	const struct policy_list *src = &m->l->v.protect;
	if (!key_set(m, CONFIG_KEY_PROTECT))
		return 0;
	if (m->may_widen) {
		struct policy_list out = { 0 };
		int r = list_copy(&out, src);
		if (r < 0) {
			list_release(&out);
			return r;
		}
		list_release(&p->protect);
		p->protect = out;
		p->protect_set = true;
		return 0;
	}
	if (!p->protect_set) {
		for (size_t i = 0; i < policy_protect_count(p); i++) {
			struct policy_entry e = { .value = (char *)policy_protect_path(p, i) };
			int r = list_push(&p->protect, &e, 0);
			if (r < 0)
				return r;
		}
		p->protect_set = true;
	}
	for (size_t i = 0; i < src->n; i++) {
		bool have = false;
		for (size_t j = 0; j < p->protect.n && !have; j++)
			have = streq(p->protect.v[j].value, src->v[i].value);
		int r = have ? 0 : list_push(&p->protect, &src->v[i], 0);
		if (r < 0)
			return r;
	}
	return 0;
}

/* tools are code the person runs in the sandbox, as the environment's
 * are: a project's file adds some to the person's, which stay, as its
 * flake could.  Building one that names a host path shows that path to
 * the evaluation (nix copies it into the store), so such a tool widens
 * (the system's file, or the user's outside strict mode), unless the
 * policy has it already.  The store is shown to every evaluation anyway. */
static int merge_tools(struct merge *m)
{
	const struct policy_list *src = &m->l->v.tools;
	struct policy_list out = { 0 };
	int r = 0;

	if (!key_set(m, CONFIG_KEY_TOOLS))
		return 0;
	if (m->kind == LAYER_PROJECT || m->kind == LAYER_REPO)
		r = list_copy(&out, &m->p->tools);
	for (size_t i = 0; r == 0 && i < src->n; i++) {
		const struct policy_entry *e = &src->v[i];
		_cleanup_free_ char *path = NULL;
		r = config_tool_path(e->value, &path);
		if (r == -ENOMEM)
			break;
		bool host = r < 0 || (path && !path_at_or_below(path, "/nix/store"));
		r = 0;
		if (host && !m->may_widen && !value_listed(&m->p->tools, e)) {
			const char *why = m->why;
			if (m->kind == LAYER_PROJECT)
				m->why = "a project file may add only tools that name no host path "
					 "(like nixpkgs#ripgrep, or one in /nix/store)";
			r = merge_note(m, CONFIG_KEY_TOOLS, e->line, e->value);
			m->why = why;
		} else if (!value_listed(&out, e)) {
			r = list_push(&out, e, 0);
		}
	}
	if (r < 0) {
		list_release(&out);
		return r;
	}
	list_release(&m->p->tools);
	m->p->tools = out;
	return 0;
}

/* The keys of forced ssh sessions say what a client of the account may
 * reach: the system's file alone sets them, in strict mode or not (a user
 * whose own file could name the project would not need ssh to reach it,
 * but an agent account must not choose its own). */
static int merge_ssh(struct merge *m)
{
	static const enum config_key ks[] = { CONFIG_KEY_SSH_PROJECT, CONFIG_KEY_SSH_PROJECT_ENV,
					      CONFIG_KEY_FILE_TRANSFER };
	struct policy *p = m->p;
	const struct policy *v = &m->l->v;

	for (size_t i = 0; i < ARRAY_SIZE(ks); i++) {
		enum config_key k = ks[i];
		if (!key_set(m, k))
			continue;
		if (m->kind != LAYER_SYSTEM) {
			const char *val = k == CONFIG_KEY_SSH_PROJECT	  ? v->ssh_project
					  : k == CONFIG_KEY_SSH_PROJECT_ENV ? v->ssh_project_env
					  : v->file_transfer		  ? "sandbox"
									  : "off";
			const char *why = m->why;
			m->why = "only the system's file sets it";
			int r = merge_note(m, k, m->l->line[k], val ? val : "");
			m->why = why;
			if (r < 0)
				return r;
			continue;
		}
		if (k == CONFIG_KEY_FILE_TRANSFER) {
			p->file_transfer = v->file_transfer;
			continue;
		}
		char **dst = k == CONFIG_KEY_SSH_PROJECT ? &p->ssh_project : &p->ssh_project_env;
		const char *src = k == CONFIG_KEY_SSH_PROJECT ? v->ssh_project : v->ssh_project_env;
		char *c = src ? strdup(src) : NULL;
		if (src && !c)
			return -ENOMEM;
		free(*dst);
		*dst = c;
	}
	return 0;
}

int config_merge(struct policy *p, const struct policy_layer *layer, enum layer_kind kind)
{
	const struct policy *v = &layer->v;
	struct merge m = {
		.p = p,
		.l = layer,
		.kind = kind,
		.may_widen = kind == LAYER_SYSTEM || ((kind == LAYER_USER || kind == LAYER_REPO) && !p->strict),
		.why = kind == LAYER_PROJECT ? "a project file can only narrow the policy"
					     : "strict mode: only the system file can widen the policy",
	};
	int r = 0;

	int net = (int)p->network, daemon = (int)p->nix_daemon;
	r = merge_rank(&m, CONFIG_KEY_NETWORK, &net, (int)v->network);
	p->network = (enum policy_network)net;
	if (r == 0)
		r = merge_rank(&m, CONFIG_KEY_NIX_DAEMON, &daemon, (int)v->nix_daemon);
	p->nix_daemon = (enum policy_nix_daemon)daemon;
	int store = (int)p->store;
	if (r == 0)
		r = merge_rank(&m, CONFIG_KEY_STORE, &store, (int)v->store);
	p->store = (enum policy_store)store;
	if (r == 0)
		r = merge_flag(&m, CONFIG_KEY_HOST_SYSTEM, &p->host_system, v->host_system, true, "ro");
	if (r == 0)
		r = merge_flag(&m, CONFIG_KEY_STRICT, &p->strict, v->strict, false, "off");
	if (r == 0)
		r = merge_flag(&m, CONFIG_KEY_NESTED_USERNS, &p->nested_userns, v->nested_userns, true, "on");
	if (r == 0)
		r = merge_flag(&m, CONFIG_KEY_NESTED_GIT, &p->nested_git, v->nested_git, true, "allow");
	if (r == 0)
		r = merge_flag(&m, CONFIG_KEY_CREATE_GUARD, &p->create_guard, v->create_guard, false, "off");
	if (r == 0)
		r = merge_limit(&m, CONFIG_KEY_MAX_PROCS, &p->max_procs, v->max_procs);
	if (r == 0)
		r = merge_limit(&m, CONFIG_KEY_MAX_MEMORY, &p->max_memory, v->max_memory);
	if (r == 0)
		r = merge_limit(&m, CONFIG_KEY_MAX_CPU_SECONDS, &p->max_cpu_seconds, v->max_cpu_seconds);
	if (r == 0)
		r = merge_limit(&m, CONFIG_KEY_EVAL_TIMEOUT, &p->eval_timeout, v->eval_timeout);
	if (r < 0)
		return r;
	/* Neither wider nor narrower: how starts feel, not what they see. */
	if (key_set(&m, CONFIG_KEY_PICKER))
		p->picker = v->picker;
	if (key_set(&m, CONFIG_KEY_RELOAD_INTERACTIVE))
		p->reload_interactive = v->reload_interactive;
	if (key_set(&m, CONFIG_KEY_RELOAD_NONINTERACTIVE))
		p->reload_noninteractive = v->reload_noninteractive;
	/* How long an idle sandbox stays warm: its processes are the user's,
	 * and nothing of what they see changes with it. */
	if (key_set(&m, CONFIG_KEY_LINGER))
		p->linger = v->linger;
	/* Another bash is a host file shown inside; automatic is nsbsh's own. */
	if (key_set(&m, CONFIG_KEY_BASH) && !(v->bash && p->bash && streq(v->bash, p->bash))) {
		if (!v->bash || m.may_widen) {
			char *b = v->bash ? strdup(v->bash) : NULL;
			if (v->bash && !b)
				return -ENOMEM;
			free(p->bash);
			p->bash = b;
		} else if ((r = merge_note(&m, CONFIG_KEY_BASH, layer->line[CONFIG_KEY_BASH], v->bash)) < 0) {
			return r;
		}
	}
	r = merge_ssh(&m);
	if (r == 0)
		r = merge_list(&m, CONFIG_KEY_BIND, &p->bind, &v->bind, bind_covered);
	if (r == 0)
		r = merge_list(&m, CONFIG_KEY_UNSHADOW, &p->unshadow, &v->unshadow, unshadow_covered);
	if (r == 0)
		r = merge_list(&m, CONFIG_KEY_PASSTHROUGH, &p->passthrough, &v->passthrough,
			       passthrough_covered);
	if (r == 0)
		r = merge_list(&m, CONFIG_KEY_ALLOWED_ROOTS, &p->allowed_roots, &v->allowed_roots,
			       root_covered);
	if (r == 0)
		r = merge_list(&m, CONFIG_KEY_WATCH, &p->watch, &v->watch, NULL);
	/* Files of the main work tree copied into a new session's: a project
	 * file may name its own (.env), which its sandbox in place sees
	 * anyway; paths stay beneath the work tree, and the copy follows no
	 * link (git/session.c). */
	if (r == 0)
		r = merge_list(&m, CONFIG_KEY_SESSION_COPY, &p->session_copy, &v->session_copy, NULL);
	if (r == 0)
		r = merge_protect(&m);
	/* A variable can change what programs do (LD_PRELOAD, GIT_SSH_COMMAND,
	 * a proxy): a new NAME=VALUE widens. */
	if (r == 0)
		r = merge_list(&m, CONFIG_KEY_SETENV, &p->setenv, &v->setenv, value_listed);
	if (r == 0)
		r = merge_tools(&m);
	/* A key the sandbox may sign with (sandbox/agent.c): one p does not
	 * list widens; a project file may only keep some of p's. */
	if (r == 0)
		r = merge_list(&m, CONFIG_KEY_SSH_KEYS, &p->ssh_keys, &v->ssh_keys, value_listed);
	/* network = allow's hosts: one that p does not list widens. */
	if (r == 0)
		r = merge_list(&m, CONFIG_KEY_ALLOW_HOSTS, &p->allow_hosts, &v->allow_hosts, value_listed);
	/* A header with a secret of the user's sent to a host: one p does not
	 * list widens (a project's file could send a token anywhere), and so
	 * does another file to verify those hosts against. */
	if (r == 0)
		r = merge_list(&m, CONFIG_KEY_INJECT, &p->inject, &v->inject, value_listed);
	if (r == 0 && key_set(&m, CONFIG_KEY_INJECT_CA_FILE) &&
	    !(v->inject_ca_file && p->inject_ca_file && streq(v->inject_ca_file, p->inject_ca_file))) {
		if (!v->inject_ca_file || m.may_widen) {
			char *c = v->inject_ca_file ? strdup(v->inject_ca_file) : NULL;
			if (v->inject_ca_file && !c)
				return -ENOMEM;
			free(p->inject_ca_file);
			p->inject_ca_file = c;
		} else {
			r = merge_note(&m, CONFIG_KEY_INJECT_CA_FILE, m.l->line[CONFIG_KEY_INJECT_CA_FILE],
				       v->inject_ca_file);
		}
	}
	/* A forwarded port opens a host service to the sandbox; a published
	 * one, the sandbox to the host's other programs: both widen. */
	if (r == 0)
		r = merge_list(&m, CONFIG_KEY_FORWARD_PORTS, &p->forward_ports, &v->forward_ports, value_listed);
	if (r == 0)
		r = merge_list(&m, CONFIG_KEY_PUBLISH_PORTS, &p->publish_ports, &v->publish_ports, value_listed);
	return r;
}
