/* parse.c - the policy files parsed with libconfuse into layers (see
 * config.h and man/nsbsh.conf.5.scd).
 *
 * Every value goes through one libconfuse parse callback (value_parse),
 * which checks it at once, while libconfuse still knows its line, and
 * keeps it with that line: the merge can then say where an ignored value
 * was written.  libconfuse never prints (error function) and never sees
 * text it would mishandle (text.c's scrub).  Merging the layers is
 * merge.c's, reading the files load.c's, what is asked of a merged policy
 * query.c's.
 *
 * Over 700 lines: the table of every key and the one callback that checks
 * each value belong together; the keys are the bulk of it. */
#include "policy/internal.h"

#include <confuse.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>

#include "base/dl.h"
#include "base/path.h"
#include "base/util.h"
#include "net/inject.h"
#include "net/proxy.h"

/* ---- libconfuse, loaded when a file is first parsed (base/dl.h) -------- */

/* A start with no policy file, and a fast join (shell/fastjoin.c), parse
 * none: linked, libconfuse cost each exec of nsbsh about 0.05 ms here. */
static struct {
	bool tried;
	int error;
	char *why;
	typeof(&cfg_init) init;
	typeof(&cfg_free) free;
	typeof(&cfg_parse_buf) parse_buf;
	typeof(&cfg_set_error_function) set_error_function;
	typeof(&cfg_opt_size) opt_size;
	typeof(&cfg_opt_getnsec) opt_getnsec;
	typeof(&cfg_opt_getnptr) opt_getnptr;
	const char *version;
} lib;

static int lib_load(void)
{
	if (lib.tried)
		return lib.error;
	const struct dl_sym syms[] = {
		{ (void **)&lib.init, "cfg_init" },
		{ (void **)&lib.free, "cfg_free" },
		{ (void **)&lib.parse_buf, "cfg_parse_buf" },
		{ (void **)&lib.set_error_function, "cfg_set_error_function" },
		{ (void **)&lib.opt_size, "cfg_opt_size" },
		{ (void **)&lib.opt_getnsec, "cfg_opt_getnsec" },
		{ (void **)&lib.opt_getnptr, "cfg_opt_getnptr" },
		{ (void **)&lib.version, "confuse_version" },
	};
	void *handle = NULL;
	lib.tried = true;
	lib.error = dl_load(LIBCONFUSE_SONAME, syms, ARRAY_SIZE(syms), &handle, &lib.why);
	return lib.error;
}

const char *config_lib_version(void)
{
	return lib_load() == 0 ? lib.version : NULL;
}

/* Every call below goes through the table (config_parse_layer loads it). */
#define cfg_init (*lib.init)
#define cfg_free (*lib.free)
#define cfg_parse_buf (*lib.parse_buf)
#define cfg_set_error_function (*lib.set_error_function)
#define cfg_opt_size (*lib.opt_size)
#define cfg_opt_getnsec (*lib.opt_getnsec)
#define cfg_opt_getnptr (*lib.opt_getnptr)

/* ---- the keys --------------------------------------------------------- */

static const struct choice choice_onoff[] = { { "on", 1 }, { "off", 0 }, { NULL, 0 } };
static const struct choice choice_network[] = { { "on", POLICY_NETWORK_ON },
						 { "host", POLICY_NETWORK_HOST },
						 { "off", POLICY_NETWORK_OFF },
						 { "allow", POLICY_NETWORK_ALLOW },
						 { NULL, 0 } };
static const struct choice choice_nix_daemon[] = { { "auto", POLICY_NIX_DAEMON_AUTO },
						   { "on", POLICY_NIX_DAEMON_ON },
						   { "off", POLICY_NIX_DAEMON_OFF },
						   { NULL, 0 } };
static const struct choice choice_store[] = { { "all", POLICY_STORE_ALL },
					       { "closure", POLICY_STORE_CLOSURE },
					       { NULL, 0 } };
static const struct choice choice_nested_git[] = { { "refuse", 0 }, { "allow", 1 }, { NULL, 0 } };
static const struct choice choice_host[] = { { "off", 0 }, { "ro", 1 }, { NULL, 0 } };
static const struct choice choice_transfer[] = { { "off", 0 }, { "sandbox", 1 }, { NULL, 0 } };
static const struct choice choice_reload_i[] = { { "ask", POLICY_RELOAD_ASK },
						 { "rebuild", POLICY_RELOAD_REBUILD },
						 { "keep", POLICY_RELOAD_KEEP },
						 { NULL, 0 } };
static const struct choice choice_reload_n[] = { { "rebuild", POLICY_RELOAD_REBUILD },
						 { "keep", POLICY_RELOAD_KEEP },
						 { NULL, 0 } };

const struct key_desc config_keys[CONFIG_KEY_COUNT] = {
	[CONFIG_KEY_NETWORK] = { "network", TYPE_CHOICE, false, choice_network, "on, host, off or allow" },
	[CONFIG_KEY_BIND] = { "bind", TYPE_BIND, true, NULL, NULL },
	[CONFIG_KEY_UNSHADOW] = { "unshadow", TYPE_UNSHADOW, true, NULL, NULL },
	[CONFIG_KEY_PASSTHROUGH] = { "passthrough", TYPE_NAME, true, NULL, NULL },
	[CONFIG_KEY_WATCH] = { "watch", TYPE_WATCH, true, NULL, NULL },
	[CONFIG_KEY_RELOAD_INTERACTIVE] = { "reload_interactive", TYPE_CHOICE, false,
					    choice_reload_i, "ask, rebuild or keep" },
	[CONFIG_KEY_RELOAD_NONINTERACTIVE] = { "reload_noninteractive", TYPE_CHOICE, false,
					       choice_reload_n, "rebuild or keep" },
	[CONFIG_KEY_PICKER] = { "picker", TYPE_CHOICE, false, choice_onoff, "on or off" },
	[CONFIG_KEY_BASH] = { "bash", TYPE_OPT_PATH, false, NULL, NULL },
	[CONFIG_KEY_HOST_SYSTEM] = { "host_system", TYPE_CHOICE, false, choice_host, "off or ro" },
	[CONFIG_KEY_STRICT] = { "strict", TYPE_CHOICE, false, choice_onoff, "on or off" },
	[CONFIG_KEY_ALLOWED_ROOTS] = { "allowed_roots", TYPE_ROOT, true, NULL, NULL },
	[CONFIG_KEY_SESSION_COPY] = { "session_copy", TYPE_COPY, true, NULL, NULL },
	[CONFIG_KEY_NESTED_USERNS] = { "nested_userns", TYPE_CHOICE, false, choice_onoff, "on or off" },
	[CONFIG_KEY_MAX_PROCS] = { "max_procs", TYPE_COUNT, false, NULL, NULL, CONFIG_MIN_PROCS },
	[CONFIG_KEY_MAX_MEMORY] = { "max_memory", TYPE_BYTES, false, NULL, NULL, CONFIG_MIN_MEMORY },
	[CONFIG_KEY_MAX_CPU_SECONDS] = { "max_cpu_seconds", TYPE_COUNT, false, NULL, NULL,
					 CONFIG_MIN_CPU_SECONDS },
	[CONFIG_KEY_SSH_PROJECT] = { "ssh_project", TYPE_OPT_PATH, false, NULL, NULL },
	[CONFIG_KEY_SSH_PROJECT_ENV] = { "ssh_project_env", TYPE_VAR, false, NULL, NULL },
	[CONFIG_KEY_LINGER] = { "linger", TYPE_COUNT, false, NULL, NULL, 0 },
	[CONFIG_KEY_FILE_TRANSFER] = { "file_transfer", TYPE_CHOICE, false, choice_transfer,
				       "off or sandbox" },
	[CONFIG_KEY_PROTECT] = { "protect", TYPE_COPY, true, NULL, NULL },
	[CONFIG_KEY_EVAL_TIMEOUT] = { "eval_timeout", TYPE_COUNT, false, NULL, NULL, 1 },
	[CONFIG_KEY_SETENV] = { "setenv", TYPE_SETENV, true, NULL, NULL },
	[CONFIG_KEY_TOOLS] = { "tools", TYPE_TOOL, true, NULL, NULL },
	[CONFIG_KEY_SSH_KEYS] = { "ssh_keys", TYPE_SSH_KEY, true, NULL, NULL },
	[CONFIG_KEY_ALLOW_HOSTS] = { "allow_hosts", TYPE_HOST, true, NULL, NULL },
	[CONFIG_KEY_INJECT] = { "inject", TYPE_INJECT, true, NULL, NULL },
	[CONFIG_KEY_INJECT_CA_FILE] = { "inject_ca_file", TYPE_OPT_PATH, false, NULL, NULL },
	[CONFIG_KEY_FORWARD_PORTS] = { "forward_ports", TYPE_PORT, true, NULL, NULL },
	[CONFIG_KEY_PUBLISH_PORTS] = { "publish_ports", TYPE_PORT, true, NULL, NULL },
	[CONFIG_KEY_NIX_DAEMON] = { "nix_daemon", TYPE_CHOICE, false, choice_nix_daemon, "auto, on or off" },
	[CONFIG_KEY_NESTED_GIT] = { "nested_git", TYPE_CHOICE, false, choice_nested_git, "refuse or allow" },
	[CONFIG_KEY_CREATE_GUARD] = { "create_guard", TYPE_CHOICE, false, choice_onoff, "on or off" },
	[CONFIG_KEY_STORE] = { "store", TYPE_CHOICE, false, choice_store, "all or closure" },
};

/* ---- parsing ---------------------------------------------------------- */

/* One value as the parse callback keeps it inside libconfuse. */
struct value {
	int line;
	int choice;
	unsigned long long number;  /* TYPE_COUNT, TYPE_BYTES; 0: none */
	struct policy_entry e;
};

static void value_free(void *p)
{
	struct value *v = p;

	if (!v)
		return;
	policy_entry_release(&v->e);
	free(v);
}

static void value_freep(struct value **v) { value_free(*v); }

/* libconfuse's callbacks take no user pointer; its lexer is global state
 * anyway, so one parse at a time is no new restriction. */
struct parse_ctx {
	const char *filename;
	const char *home;  /* normalized, or NULL */
	struct config_error *err;
	bool failed;       /* err holds the first message */
	bool oom;
	bool strict_seen;  /* "strict = on" at the top of the file */
};

static struct parse_ctx *ctx;

static int parse_fail(int line, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int parse_fail(int line, const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	if (ctx->failed)
		return -1;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	config_err_set(ctx->err, line, "%s:%d: %s", ctx->filename, line, msg);
	ctx->failed = true;
	return -1;
}

static int parse_oom(void)
{
	if (!ctx->failed)
		config_err_set(ctx->err, 0, "%s: out of memory", ctx->filename);
	ctx->failed = ctx->oom = true;
	return -1;
}

/* libconfuse's messages, said as nsbsh says things; each "%s" of theirs
 * is the one place the argument goes in ours (prefix, argument, suffix). */
static const struct {
	const char *theirs, *prefix, *suffix;
} cfg_messages[] = {
	{ "no such option '%s'", "unknown key '", "'" },
	{ "unexpected token '%s'", "syntax error: unexpected '", "'" },
	{ "missing equal sign after option '%s'", "syntax error: '=' expected after '", "'" },
	{ "missing opening brace for section '%s'", "syntax error: '{' expected after '", "' and its path" },
	{ "missing title for section '%s'", "syntax error: '", "' needs a project path before '{'" },
	{ "attempt to append to non-list option '%s'", "key '", "': '+=' works on lists only" },
	{ "found duplicate title '%s'", "project '", "' appears twice" },
	{ "bad escape sequence '%s'", "syntax error: bad escape sequence '", "'" },
	{ "invalid octal number '%s'", "syntax error: bad escape sequence '", "'" },
	{ "no sub-section '%s' in '%s'", "unknown key '", "'" },
	{ "premature end of file", "syntax error: unexpected end of file", NULL },
	{ "unexpected closing brace", "syntax error: unexpected '}'", NULL },
};

static void on_cfg_error(cfg_t *cfg, const char *fmt, va_list ap)
{
	char msg[300], arg[72];
	int line = cfg ? cfg->line : 0;

	if (!ctx || ctx->failed)
		return;
	for (size_t i = 0; i < ARRAY_SIZE(cfg_messages); i++) {
		if (!streq(fmt, cfg_messages[i].theirs))
			continue;
		if (!cfg_messages[i].suffix)
			parse_fail(line, "%s", cfg_messages[i].prefix);
		else
			parse_fail(line, "%s%s%s", cfg_messages[i].prefix,
				   config_shown(va_arg(ap, const char *), arg), cfg_messages[i].suffix);
		return;
	}
	vsnprintf(msg, sizeof(msg), fmt, ap);
	parse_fail(line, "syntax error: %s", msg);
}

static int key_index(const char *name)
{
	for (int k = 0; k < CONFIG_KEY_COUNT; k++)
		if (streq(name, config_keys[k].name))
			return k;
	return -1;
}

/* A section gets this hidden key's default value parsed when libconfuse
 * creates it, at the line of its '{': the only moment a callback sees the
 * section's title with the section's first line (afterwards libconfuse
 * keeps its last).  "" cannot be written without quotes, and writing it
 * with this value changes nothing. */
static char section_mark_text[] = "nsbsh-section-start";

static int section_mark(cfg_t *cfg, cfg_opt_t *opt, const char *text, void *result)
{
	char b[72];
	const char *why = NULL;

	if (!text || !streq(text, section_mark_text) || !cfg->title)
		return parse_fail(cfg->line, "unknown key '%s'", config_shown(opt->name, b));
	struct value *v = calloc(1, sizeof(*v));
	if (!v) {
		/* Failing here would make libconfuse abort(): fail at the end. */
		parse_oom();
		*(struct value **)result = NULL;
		return 0;
	}
	v->line = cfg->line;
	int r = config_path_clean(cfg->title, ctx->home, false, &v->e.value, &why);
	if (r == -ENOMEM)
		parse_oom();
	else if (r < 0)
		parse_fail(cfg->line, "project '%s' %s", config_shown(cfg->title, b), why);
	*(struct value **)result = v;
	return 0;
}

static int parse_choice(const struct key_desc *d, const char *text, int line, struct value *v)
{
	char b[72];

	for (const struct choice *c = d->choices; c->word; c++)
		if (streq(text, c->word)) {
			v->choice = c->value;
			return 0;
		}
	return parse_fail(line, "key '%s': '%s' is not %s", d->name, config_shown(text, b), d->expected);
}

static int parse_path(const struct key_desc *d, const char *text, bool relative, int line, char **ret)
{
	char b[72];
	const char *why = NULL;

	int r = config_path_clean(text, ctx->home, relative, ret, &why);
	if (r == -ENOMEM)
		return parse_oom();
	if (r < 0)
		return parse_fail(line, "key '%s': '%s' %s", d->name, config_shown(text, b), why);
	return 0;
}

/* "none" (0), or a decimal number at least d->min; TYPE_BYTES takes a
 * K, M, G or T suffix (powers of 1024). */
static int parse_number(const struct key_desc *d, const char *text, int line, struct value *v)
{
	char b[72];
	const char *what = d->type == TYPE_BYTES ? "a size (like 8G), or none" : "a number, or none";
	if (streq(text, "none")) {
		/* no limit: 0 for a limit; for linger, whose 0 is "at once", for ever */
		v->number = streq(d->name, "linger") ? ULLONG_MAX : 0;
		return 0;
	}
	if (text[0] < '0' || text[0] > '9')
		return parse_fail(line, "key '%s': '%s' is not %s", d->name, config_shown(text, b), what);
	errno = 0;
	char *end;
	unsigned long long n = strtoull(text, &end, 10);
	unsigned shift = 0;
	if (d->type == TYPE_BYTES && *end && !end[1]) {
		const char *units = "KMGT", *u = strchr(units, *end);
		if (u) {
			shift = 10 * (unsigned)(u - units + 1);
			end++;
		}
	}
	if (*end)
		return parse_fail(line, "key '%s': '%s' is not %s", d->name, config_shown(text, b), what);
	if (errno == ERANGE || n > (ULLONG_MAX >> 1) >> shift)
		return parse_fail(line, "key '%s': '%s' is too large", d->name, config_shown(text, b));
	n <<= shift;
	if (n < d->min)
		return parse_fail(line, "key '%s': '%s' is below %llu%s (a shell could not start): "
				  "use none for no limit", d->name, config_shown(text, b),
				  d->type == TYPE_BYTES ? d->min >> 20 : d->min,
				  d->type == TYPE_BYTES ? "M" : "");
	v->number = n;
	return 0;
}

/* ":ro" or ":rw" at the end: the mode, taken off *len. */
static bool parse_mode(const char *text, size_t *len, bool *rw)
{
	if (*len < 3 || text[*len - 3] != ':')
		return false;
	if (strncmp(text + *len - 2, "rw", 2) == 0)
		*rw = true;
	else if (strncmp(text + *len - 2, "ro", 2) == 0)
		*rw = false;
	else
		return false;
	*len -= 3;
	return true;
}

/* "SOURCE[:DEST][:ro|:rw]" */
static int parse_bind(const struct key_desc *d, const char *text, int line, struct value *v)
{
	char b[72];
	size_t len = strlen(text);
	const char *why;

	parse_mode(text, &len, &v->e.rw);
	_cleanup_free_ char *spec = strndup(text, len);
	if (!spec)
		return parse_oom();
	char *colon = strchr(spec, ':');
	if (colon) {
		*colon = '\0';
		if (strchr(colon + 1, ':'))
			return parse_fail(line, "key '%s': '%s' is not SOURCE[:DEST][:ro|:rw] "
					  "(a path with ':' cannot be bound)", d->name, config_shown(text, b));
	}
	if (parse_path(d, spec, false, line, &v->e.value) < 0 ||
	    parse_path(d, colon ? colon + 1 : spec, false, line, &v->e.dest) < 0)
		return -1;
	if ((why = config_bind_refusal(v->e.value, ctx->home)))
		return parse_fail(line, "key '%s': '%s' %s", d->name, config_shown(text, b), why);
	if (streq(v->e.dest, "/"))
		return parse_fail(line, "key '%s': '%s' would cover the whole sandbox", d->name,
				  config_shown(text, b));
	return 0;
}

/* "~/FILE[:ro|:rw]": a file or directory of the real home. */
static int parse_unshadow(const struct key_desc *d, const char *text, int line, struct value *v)
{
	char b[72];
	size_t len = strlen(text);

	parse_mode(text, &len, &v->e.rw);
	_cleanup_free_ char *spec = strndup(text, len);
	if (!spec)
		return parse_oom();
	if (parse_path(d, spec, false, line, &v->e.value) < 0)
		return -1;
	if (ctx->home && streq(v->e.value, ctx->home))
		return parse_fail(line, "key '%s': '%s' would expose the whole home", d->name,
				  config_shown(text, b));
	if (!ctx->home || !path_at_or_below(v->e.value, ctx->home))
		return parse_fail(line, "key '%s': '%s' is not in the home", d->name, config_shown(text, b));
	return 0;
}

/* A file of the work tree, relative to its root: no '..', no '~'. */
static int parse_copy(const struct key_desc *d, const char *text, int line, struct value *v)
{
	char b[72];
	const char *why = NULL;

	int r = config_path_clean(text, ctx->home, true, &v->e.value, &why);
	if (r == -ENOMEM)
		return parse_oom();
	if (r < 0) {
		/* config_path_clean speaks of watch's env file directory */
		if (strstr(why, "itself"))
			why = "names the work tree itself";
		else if (strstr(why, "env file"))
			why = "must be relative to the work tree's root";
		return parse_fail(line, "key '%s': '%s' %s", d->name, config_shown(text, b), why);
	}
	return 0;
}

/* An allow_hosts entry, as the proxy reads it (net/proxy.h). */
static int parse_host(const struct key_desc *d, const char *text, int line, struct value *v)
{
	char b[72];
	const char *why;
	struct proxy_rule r;

	if (proxy_rule_parse(text, &r, &why) < 0)
		return parse_fail(line, "key '%s': '%s' %s", d->name, config_shown(text, b), why);
	if (!(v->e.value = strdup(text)))
		return parse_oom();
	return 0;
}

/* inject: checked as the proxy reads it (net/inject.h), kept as written
 * (a file:~/ path is expanded by the supervisor that reads it). */
static int parse_inject(const struct key_desc *d, const char *text, int line, struct value *v)
{
	char b[72];
	const char *why;
	struct inject_rule r;

	if (inject_rule_parse(text, &r, &why) < 0)
		return parse_fail(line, "key '%s': '%s' %s", d->name, config_shown(text, b), why);
	if (!(v->e.value = strdup(text)))
		return parse_oom();
	return 0;
}

/* A variable name, or an fnmatch(3) pattern that starts like one: "*"
 * would be the whole outer environment: the sandbox's is built from an
 * allowlist, never inherited. */
static int parse_name(const struct key_desc *d, const char *text, int line, struct value *v)
{
	char b[72];

	if (!(text[0] == '_' || (text[0] >= 'A' && text[0] <= 'Z') ||
	      (text[0] >= 'a' && text[0] <= 'z')))
		return parse_fail(line, "key '%s': '%s' must start with a letter or '_'", d->name,
				  config_shown(text, b));
	if (text[strspn(text, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_*?[]!-")])
		return parse_fail(line, "key '%s': '%s' is not a variable name or pattern", d->name,
				  config_shown(text, b));
	if (!has_glob(text) && policy_env_reserved(text))
		return parse_fail(line, "key '%s': '%s' is set by nsbsh itself", d->name,
				  config_shown(text, b));
	if (!(v->e.value = strdup(text)))
		return parse_oom();
	return 0;
}

/* [A-Za-z_][A-Za-z0-9_]*: a variable's name. */
static bool var_name_ok(const char *s)
{
	return (s[0] == '_' || (s[0] >= 'A' && s[0] <= 'Z') || (s[0] >= 'a' && s[0] <= 'z')) &&
	       !s[strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_")];
}

/* ssh_project_env: "" (none), or the name of a variable that sshd's
 * AcceptEnv lets a client send; not one that sshd or nsbsh sets. */
static int parse_var(const struct key_desc *d, const char *text, int line, struct value *v)
{
	char b[72];

	if (!text[0])
		return 0;
	if (!var_name_ok(text))
		return parse_fail(line, "key '%s': '%s' is not a variable name", d->name, config_shown(text, b));
	/* sshd's own, and those a forced session drops (shell/sshforced.c) */
	static const char *const taken[] = { "SSH_*", "XDG_*", "GIT_*", "NIX_*" };
	if (policy_env_reserved(text) ||
	    name_in(text, taken, ARRAY_SIZE(taken)))
		return parse_fail(line, "key '%s': '%s' is set or dropped by sshd or nsbsh itself",
				  d->name, config_shown(text, b));
	if (!(v->e.value = strdup(text)))
		return parse_oom();
	return 0;
}

/* setenv: "NAME=VALUE", NAME a variable name that neither nsbsh (PATH:
 * the tools key adds to it) nor bash keeps for itself. */
static int parse_setenv(const struct key_desc *d, const char *text, int line, struct value *v)
{
	char b[72];
	static const char *const bash_own[] = { "BASH*", "SHELLOPTS", "EUID", "UID", "PPID" };
	size_t n = strcspn(text, "=");

	if (!text[n])
		return parse_fail(line, "key '%s': '%s' is not NAME=VALUE", d->name, config_shown(text, b));
	_cleanup_free_ char *name = strndup(text, n);
	if (!name)
		return parse_oom();
	if (!var_name_ok(name))
		return parse_fail(line, "key '%s': '%s' is not a variable name", d->name, config_shown(name, b));
	if (streq(name, "PATH"))
		return parse_fail(line, "key '%s': 'PATH' is set by nsbsh itself (the tools key adds to it)",
				  d->name);
	if (policy_env_reserved(name) || name_in(name, bash_own, ARRAY_SIZE(bash_own)))
		return parse_fail(line, "key '%s': '%s' is set by nsbsh or bash itself", d->name,
				  config_shown(name, b));
	if (!(v->e.value = strdup(text)))
		return parse_oom();
	return 0;
}

/* tools: an installable for nix build, one word; a local one absolute
 * ("~/" expanded), never /, the home or a parent of it. */
static int parse_tool(const struct key_desc *d, const char *text, int line, struct value *v)
{
	char b[72];
	const char *why;
	_cleanup_free_ char *path = NULL, *expanded = NULL;

	if (!text[0] || text[0] == '-')
		return parse_fail(line, "key '%s': '%s' is not an installable (like nixpkgs#ripgrep)", d->name,
				  config_shown(text, b));
	for (const char *c = text; *c; c++)
		if ((unsigned char)*c <= ' ' || *c == 0x7f)
			return parse_fail(line, "key '%s': '%s' has a space or control character", d->name,
					  config_shown(text, b));
	if (text[0] == '~') {
		size_t n = strcspn(text, "#?");
		_cleanup_free_ char *spec = strndup(text, n);
		if (!spec || parse_path(d, spec, false, line, &expanded) < 0)
			return spec ? -1 : parse_oom();
		char *full = NULL;
		if (asprintf(&full, "%s%s", expanded, text + n) < 0)
			return parse_oom();
		free(expanded);
		expanded = full;
		text = expanded;
	}
	int r = config_tool_path(text, &path);
	if (r == -ENOMEM)
		return parse_oom();
	if (r < 0)
		return parse_fail(line, "key '%s': '%s' names a path that is not absolute and plain "
				  "(no host, no %%-escapes, no '..'): write it as path:/DIR#NAME or ~/DIR#NAME",
				  d->name, config_shown(text, b));
	if (path && (why = config_bind_refusal(path, ctx->home)))
		return parse_fail(line, "key '%s': '%s' %s", d->name, config_shown(text, b), why);
	if (!(v->e.value = strdup(text)))
		return parse_oom();
	return 0;
}

/* ssh_keys: "SHA256:" and 43 characters of unpadded base64 (what
 * ssh-keygen -l prints), or a key file's path (absolute or ~/). */
static int parse_ssh_key(const struct key_desc *d, const char *text, int line, struct value *v)
{
	char b[72];
	static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

	if (strncmp(text, "SHA256:", 7) == 0) {
		if (strlen(text) != 7 + 43 || text[7 + strspn(text + 7, b64)])
			return parse_fail(line, "key '%s': '%s' is not a SHA256 fingerprint as ssh-keygen -l "
					  "prints it (SHA256: and 43 characters)", d->name, config_shown(text, b));
		if (!(v->e.value = strdup(text)))
			return parse_oom();
		return 0;
	}
	if (text[0] != '/' && text[0] != '~')
		return parse_fail(line, "key '%s': '%s' is neither SHA256:FINGERPRINT nor a key file's "
				  "path (absolute or ~/)", d->name, config_shown(text, b));
	return parse_path(d, text, false, line, &v->e.value);
}

/* One port, 1 to 65535, decimal with no sign or leading zero; *end past it. */
static bool port_word(const char *s, const char **end, unsigned *ret)
{
	unsigned v = 0;
	size_t n = 0;
	if (s[0] < '1' || s[0] > '9')
		return false;
	for (; s[n] >= '0' && s[n] <= '9' && n < 6; n++)
		v = v * 10 + (unsigned)(s[n] - '0');
	if (v > 65535)
		return false;
	*end = s + n;
	*ret = v;
	return true;
}

/* forward_ports, publish_ports: PORT or "HOST:SANDBOX", kept as
 * "HOST:SANDBOX". */
static int parse_port(const struct key_desc *d, const char *text, int line, struct value *v)
{
	char b[72];
	const char *e;
	unsigned host, inside;

	if (!port_word(text, &e, &host) ||
	    (*e == ':' ? !port_word(e + 1, &e, &inside) : (inside = host, false)) || *e)
		return parse_fail(line, "key '%s': '%s' is not a port or \"HOST:SANDBOX\" (1 to 65535)",
				  d->name, config_shown(text, b));
	if (asprintf(&v->e.value, "%u:%u", host, inside) < 0) {
		v->e.value = NULL;
		return parse_oom();
	}
	return 0;
}

static bool list_has_dest(cfg_opt_t *opt, const struct value *v, bool by_dest)
{
	/* The value being parsed is the last one already. */
	for (unsigned i = 0; i + 1 < cfg_opt_size(opt); i++) {
		const struct value *o = cfg_opt_getnptr(opt, i);
		if (o && streq(by_dest ? o->e.dest : o->e.value, by_dest ? v->e.dest : v->e.value))
			return true;
	}
	return false;
}

/* Whether the NAME of v (NAME=VALUE) is set by an earlier value. */
static bool setenv_twice(cfg_opt_t *opt, const struct value *v)
{
	size_t n = strcspn(v->e.value, "=");
	for (unsigned i = 0; i + 1 < cfg_opt_size(opt); i++) {
		const struct value *o = cfg_opt_getnptr(opt, i);
		if (o && o->e.value && strncmp(o->e.value, v->e.value, n + 1) == 0)
			return true;
	}
	return false;
}

static int value_parse(cfg_t *cfg, cfg_opt_t *opt, const char *text, void *result)
{
	char b[72];
	int k = key_index(opt->name), line = cfg->line, r = 0;

	if (k < 0)
		return section_mark(cfg, opt, text, result);
	const struct key_desc *d = &config_keys[k];
	if (!text)
		return parse_fail(line, "key '%s': no value", d->name);
	if (d->list && cfg_opt_size(opt) > CONFIG_MAX_LIST)
		return parse_fail(line, "key '%s': more than %d values", d->name, CONFIG_MAX_LIST);
	if (strlen(text) > CONFIG_MAX_PATH)
		return parse_fail(line, "key '%s': a value longer than %d bytes", d->name,
				  CONFIG_MAX_PATH);
	_cleanup_(value_freep) struct value *v = calloc(1, sizeof(*v));
	if (!v)
		return parse_oom();
	v->line = line;

	switch (d->type) {
	case TYPE_CHOICE:
		r = parse_choice(d, text, line, v);
		break;
	case TYPE_BIND:
		r = parse_bind(d, text, line, v);
		if (r == 0 && list_has_dest(opt, v, true))
			r = parse_fail(line, "key '%s': two binds at '%s'", d->name,
				       config_shown(v->e.dest, b));
		break;
	case TYPE_UNSHADOW:
		r = parse_unshadow(d, text, line, v);
		if (r == 0 && list_has_dest(opt, v, false))
			r = parse_fail(line, "key '%s': '%s' is listed twice", d->name,
				       config_shown(v->e.value, b));
		break;
	case TYPE_NAME:
		r = parse_name(d, text, line, v);
		break;
	case TYPE_WATCH:
		r = parse_path(d, text, true, line, &v->e.value);
		break;
	case TYPE_ROOT:
		r = parse_path(d, text, false, line, &v->e.value);
		break;
	case TYPE_COPY:
		r = parse_copy(d, text, line, v);
		break;
	case TYPE_OPT_PATH:
		if (text[0])  /* "": automatic (bash), none (ssh_project) */
			r = parse_path(d, text, false, line, &v->e.value);
		break;
	case TYPE_COUNT:
	case TYPE_BYTES:
		r = parse_number(d, text, line, v);
		break;
	case TYPE_VAR:
		r = parse_var(d, text, line, v);
		break;
	case TYPE_SETENV:
		r = parse_setenv(d, text, line, v);
		if (r == 0 && setenv_twice(opt, v))
			r = parse_fail(line, "key '%s': '%.*s' is set twice", d->name,
				       (int)strcspn(v->e.value, "="), config_shown(v->e.value, b));
		break;
	case TYPE_SSH_KEY:
	case TYPE_INJECT:
	case TYPE_HOST:
	case TYPE_PORT:
		r = d->type == TYPE_SSH_KEY ? parse_ssh_key(d, text, line, v)
		    : d->type == TYPE_INJECT ? parse_inject(d, text, line, v)
		    : d->type == TYPE_PORT   ? parse_port(d, text, line, v)
						 : parse_host(d, text, line, v);
		if (r == 0 && list_has_dest(opt, v, false))
			r = parse_fail(line, "key '%s': '%s' is listed twice", d->name,
				       config_shown(v->e.value, b));
		break;
	case TYPE_TOOL:
		r = parse_tool(d, text, line, v);
		if (r == 0 && list_has_dest(opt, v, false))
			r = parse_fail(line, "key '%s': '%s' is listed twice", d->name,
				       config_shown(v->e.value, b));
		break;
	}
	if (r < 0)
		return -1;
	if (k == CONFIG_KEY_STRICT && v->choice && !cfg->title)
		ctx->strict_seen = true;
	*(struct value **)result = steal_pointer(&v);
	return 0;
}

static int projects_validate(cfg_t *cfg, cfg_opt_t *opt)
{
	if (cfg_opt_size(opt) > CONFIG_MAX_PROJECTS)
		return parse_fail(cfg->line, "more than %d project sections", CONFIG_MAX_PROJECTS);
	return 0;
}

static cfg_opt_t *opt_find(cfg_t *cfg, const char *name)
{
	for (cfg_opt_t *o = cfg->opts; o && o->name; o++)
		if (streq(o->name, name))
			return o;
	return NULL;
}

/* Moves the parsed values of one section (or the file) into l. */
static int layer_fill(cfg_t *cfg, struct policy_layer *l)
{
	struct policy *p = &l->v;

	for (int k = 0; k < CONFIG_KEY_COUNT; k++) {
		cfg_opt_t *o = opt_find(cfg, config_keys[k].name);
		if (!o || !(o->flags & CFGF_MODIFIED))
			continue;
		l->set |= 1ull << k;
		for (unsigned i = 0; i < cfg_opt_size(o); i++) {
			struct value *v = cfg_opt_getnptr(o, i);
			struct policy_list *list = NULL;
			if (!v)
				continue;
			l->line[k] = v->line;
			switch ((enum config_key)k) {
			case CONFIG_KEY_NETWORK: p->network = v->choice; break;
			case CONFIG_KEY_PICKER: p->picker = v->choice; break;
			case CONFIG_KEY_HOST_SYSTEM: p->host_system = v->choice; break;
			case CONFIG_KEY_STRICT: p->strict = v->choice; break;
			case CONFIG_KEY_NESTED_USERNS: p->nested_userns = v->choice; break;
			case CONFIG_KEY_NESTED_GIT: p->nested_git = v->choice; break;
			case CONFIG_KEY_CREATE_GUARD: p->create_guard = v->choice; break;
			case CONFIG_KEY_MAX_PROCS: p->max_procs = v->number; break;
			case CONFIG_KEY_MAX_MEMORY: p->max_memory = v->number; break;
			case CONFIG_KEY_MAX_CPU_SECONDS: p->max_cpu_seconds = v->number; break;
			case CONFIG_KEY_RELOAD_INTERACTIVE: p->reload_interactive = v->choice; break;
			case CONFIG_KEY_RELOAD_NONINTERACTIVE: p->reload_noninteractive = v->choice; break;
			case CONFIG_KEY_BASH:
				free(p->bash);
				p->bash = steal_pointer(&v->e.value);
				break;
			case CONFIG_KEY_SSH_PROJECT:
				free(p->ssh_project);
				p->ssh_project = steal_pointer(&v->e.value);
				break;
			case CONFIG_KEY_SSH_PROJECT_ENV:
				free(p->ssh_project_env);
				p->ssh_project_env = steal_pointer(&v->e.value);
				break;
			case CONFIG_KEY_FILE_TRANSFER: p->file_transfer = v->choice; break;
			case CONFIG_KEY_LINGER: p->linger = v->number; break;
			case CONFIG_KEY_BIND: list = &p->bind; break;
			case CONFIG_KEY_UNSHADOW: list = &p->unshadow; break;
			case CONFIG_KEY_PASSTHROUGH: list = &p->passthrough; break;
			case CONFIG_KEY_WATCH: list = &p->watch; break;
			case CONFIG_KEY_ALLOWED_ROOTS: list = &p->allowed_roots; break;
			case CONFIG_KEY_SESSION_COPY: list = &p->session_copy; break;
			case CONFIG_KEY_PROTECT:
				list = &p->protect;
				p->protect_set = true;
				break;
			case CONFIG_KEY_EVAL_TIMEOUT: p->eval_timeout = v->number; break;
			case CONFIG_KEY_SETENV: list = &p->setenv; break;
			case CONFIG_KEY_TOOLS: list = &p->tools; break;
			case CONFIG_KEY_SSH_KEYS: list = &p->ssh_keys; break;
			case CONFIG_KEY_ALLOW_HOSTS: list = &p->allow_hosts; break;
			case CONFIG_KEY_INJECT: list = &p->inject; break;
			case CONFIG_KEY_INJECT_CA_FILE:
				free(p->inject_ca_file);
				p->inject_ca_file = steal_pointer(&v->e.value);
				break;
			case CONFIG_KEY_FORWARD_PORTS: list = &p->forward_ports; break;
			case CONFIG_KEY_PUBLISH_PORTS: list = &p->publish_ports; break;
			case CONFIG_KEY_NIX_DAEMON: p->nix_daemon = v->choice; break;
			case CONFIG_KEY_STORE: p->store = v->choice; break;
			case CONFIG_KEY_COUNT: break;
			}
			v->e.line = v->line;
			if (list && policy_list_take(list, &v->e) < 0)
				return -ENOMEM;
		}
	}
	return 0;
}

static int layer_build(cfg_t *cfg, struct policy_layer *l)
{
	int r = layer_fill(cfg, l);
	cfg_opt_t *o = opt_find(cfg, "project");
	unsigned n = cfg_opt_size(o);

	if (r < 0 || n == 0)
		return r;
	l->v.projects = calloc(n, sizeof(*l->v.projects));
	if (!l->v.projects)
		return -ENOMEM;
	for (unsigned i = 0; i < n; i++) {
		cfg_t *sec = cfg_opt_getnsec(o, i);
		struct policy_layer *s = &l->v.projects[l->v.n_projects++];
		struct value *mark = sec ? cfg_opt_getnptr(opt_find(sec, ""), 0) : NULL;
		char b[72];

		policy_init_defaults(&s->v);
		if (!mark || !mark->e.value || !(s->filename = strdup(l->filename)))
			return -ENOMEM;
		s->project = steal_pointer(&mark->e.value);
		s->project_line = mark->line;
		r = layer_fill(sec, s);
		if (r < 0)
			return r;
		/* libconfuse compares titles as written: "~/x" and "/home/u/x" too */
		for (size_t j = 0; j + 1 < l->v.n_projects; j++)
			if (streq(l->v.projects[j].project, s->project))
				return parse_fail(s->project_line, "project '%s' appears twice",
						  config_shown(s->project, b));
	}
	return 0;
}

int config_parse_layer(const char *text, size_t len, const char *filename, const char *home,
		       struct policy_layer *ret, struct config_error *err, bool *ret_strict_seen)
{
	struct parse_ctx c = { .filename = filename ? filename : "(configuration)", .err = err };
	_cleanup_free_ char *home_clean = NULL, *buf = NULL;
	_cleanup_(policy_layer_release) struct policy_layer l = { 0 };
	const char *why;

	*err = (struct config_error){ 0 };
	if (ret_strict_seen)
		*ret_strict_seen = false;
	if (lib_load() < 0) {
		config_err_set(err, 0, "%s: %s", c.filename, lib.why ? lib.why : "cannot load " LIBCONFUSE_SONAME);
		return -ELIBACC;
	}
	if (len > CONFIG_MAX_FILE) {
		config_err_set(err, 0, "%s: larger than %u KiB", c.filename, CONFIG_MAX_FILE / 1024);
		return -EFBIG;
	}
	if (home && home[0] == '/' &&
	    config_path_clean(home, NULL, false, &home_clean, &why) == -ENOMEM)
		return -ENOMEM;
	c.home = home_clean;

	const char *nul = memchr(text, '\0', len);
	if (nul) {
		int line = 1;
		for (const char *t = text; t < nul; t++)
			line += *t == '\n';
		config_err_set(err, line, "%s:%d: syntax error: a NUL byte", c.filename, line);
		return -EINVAL;
	}
	buf = malloc(len + 1);
	if (!buf)
		return -ENOMEM;
	memcpy(buf, text, len);
	buf[len] = '\0';

	cfg_opt_t subopts[CONFIG_KEY_COUNT + 2], opts[CONFIG_KEY_COUNT + 2];
	for (int k = 0; k < CONFIG_KEY_COUNT; k++) {
		cfg_opt_t o = CFG_PTR_CB(config_keys[k].name, 0, CFGF_NODEFAULT, value_parse,
					 value_free);
		if (config_keys[k].list)
			o.flags |= CFGF_LIST;
		subopts[k] = opts[k] = o;
	}
	cfg_opt_t mark = CFG_PTR_CB("", section_mark_text, CFGF_NONE, value_parse, value_free);
	cfg_opt_t end = CFG_END();
	cfg_opt_t project = CFG_SEC("project", subopts, CFGF_MULTI | CFGF_TITLE | CFGF_NO_TITLE_DUPES);
	project.validcb = projects_validate;
	subopts[CONFIG_KEY_COUNT] = mark;
	subopts[CONFIG_KEY_COUNT + 1] = end;
	opts[CONFIG_KEY_COUNT] = project;
	opts[CONFIG_KEY_COUNT + 1] = end;

	ctx = &c;
	cfg_t *cfg = NULL;
	int line = 0, r = config_scrub(buf, len, &line, &why);
	if (r < 0)
		parse_fail(line, "%s", why);
	if (r == 0) {
		cfg = cfg_init(opts, CFGF_NONE);
		if (!cfg) {
			r = -ENOMEM;
		} else {
			cfg_set_error_function(cfg, on_cfg_error);
			if (cfg_parse_buf(cfg, buf) != CFG_SUCCESS && !c.failed)
				parse_fail(cfg->line, "syntax error");
		}
	}
	if (r == 0 && !c.failed) {
		l.filename = strdup(c.filename);
		policy_init_defaults(&l.v);
		r = l.filename ? layer_build(cfg, &l) : -ENOMEM;
	}
	if (c.failed)
		r = c.oom ? -ENOMEM : -EINVAL;
	if (r == -ENOMEM && !c.failed)
		config_err_set(err, 0, "%s: out of memory", c.filename);
	cfg_free(cfg);
	ctx = NULL;
	if (ret_strict_seen)
		*ret_strict_seen = c.strict_seen;
	if (r < 0)
		return r;
	*ret = l;
	l = (struct policy_layer){ 0 };
	return 0;
}

int config_parse_text(const char *text, size_t len, const char *filename, const char *home,
		      struct policy_layer *ret, struct config_error *err)
{
	return config_parse_layer(text, len, filename, home, ret, err, NULL);
}
