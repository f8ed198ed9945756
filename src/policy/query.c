/* query.c - the questions asked of a merged policy (config.h): which outer
 * variables reach the sandbox (the built-in allowlist, the reserved names,
 * passthrough), which projects may be entered, which files a new session
 * gets, which binds would expose too much, and which host path a tool
 * names.
 *
 * Pure: it reads only the policy and the strings it is given, no file and
 * no environment, and changes nothing. */
#include "policy/internal.h"

#include "base/path.h"
#include "base/util.h"

/* The outer variables that always reach the sandbox: terminal and locale,
 * nothing that names a person's secrets or steers a program. */
static const char *const env_builtin[] = { "TERM", "COLORTERM", "LANG", "LANGUAGE", "LC_*",
					   "TZ", "NO_COLOR", "COLUMNS", "LINES" };
/* Variables nsbsh sets inside itself: a passthrough must not replace them
 * (an outer BASH_ENV or PATH would decide what the sandbox's bash runs). */
static const char *const env_reserved[] = { "HOME", "USER", "LOGNAME", "SHELL", "PWD", "OLDPWD",
					    "PATH", "BASH_ENV", "ENV", "NSBSH_*" };

bool policy_env_builtin(const char *name)
{
	return name_in(name, env_builtin, ARRAY_SIZE(env_builtin));
}

bool policy_env_reserved(const char *name)
{
	return name_in(name, env_reserved, ARRAY_SIZE(env_reserved));
}

const char *config_bind_refusal(const char *path, const char *home)
{
	if (streq(path, "/"))
		return "would expose the whole file system";
	if (!home || home[0] != '/')
		return NULL;
	_cleanup_free_ char *h = strdup(home);
	if (h)
		path_strip_trailing_slashes(h);
	if (h && streq(path, h))
		return "would expose the whole home";
	if (!h || path_at_or_below(h, path))
		return "would expose the whole home, which is inside it";
	return NULL;
}

/* The URL schemes of flake references that read a host path. */
static bool scheme_is_local(const char *s, size_t n)
{
	static const char *const local[] = { "path", "file", "git+file", "hg+file", "tarball+file",
					     "file+file" };
	for (size_t i = 0; i < ARRAY_SIZE(local); i++)
		if (strlen(local[i]) == n && strncmp(s, local[i], n) == 0)
			return true;
	return false;
}

int config_tool_path(const char *tool, char **ret)
{
	const char *rest = tool;
	size_t n = strspn(tool, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+-.");

	*ret = NULL;
	if (tool[0] != '/' && tool[0] != '.') {
		/* "nixpkgs#x", "github:o/r": no host path; "path:..": one */
		if (tool[n] != ':' || !scheme_is_local(tool, n))
			return 0;
		rest = tool + n + 1;
		if (strncmp(rest, "//", 2) == 0)
			rest += 2; /* file:///a: the empty host; file://h/a has one */
	}
	size_t len = strcspn(rest, "#?");
	if (rest[0] != '/' || memchr(rest, '%', len))
		return -EINVAL;
	for (const char *c = rest; c < rest + len;) {
		const char *e = memchr(c, '/', (size_t)(rest + len - c));
		size_t m = e ? (size_t)(e - c) : (size_t)(rest + len - c);
		if (m == 2 && c[0] == '.' && c[1] == '.')
			return -EINVAL;
		c += m + 1;
	}
	char *p = strndup(rest, len);
	if (!p)
		return -ENOMEM;
	path_strip_trailing_slashes(p);
	*ret = p;
	return 0;
}

const struct policy_list *policy_session_copy(const struct policy *p)
{
	return p ? &p->session_copy : NULL;
}

bool policy_passes_env(const struct policy *p, const char *name)
{
	if (!name[0] || strchr(name, '=') || policy_env_reserved(name))
		return false;
	if (policy_env_builtin(name))
		return true;
	for (size_t i = 0; p && i < p->passthrough.n; i++)
		if (fnmatch(p->passthrough.v[i].value, name, 0) == 0)
			return true;
	return false;
}

bool policy_under_allowed_roots(const struct policy *p, const char *path)
{
	for (size_t i = 0; i < p->allowed_roots.n; i++)
		if (path_at_or_below(path, p->allowed_roots.v[i].value))
			return true;
	return false;
}

bool policy_allows_project(const struct policy *p, const char *root)
{
	return !p->strict || policy_under_allowed_roots(p, root);
}

/* What editors and agents outside the sandbox run commands from (README
 * "Protected paths"): .envrc is not here, direnv pins its content itself. */
static const char *const protect_default[] = { ".vscode", ".idea", ".claude", ".mcp.json" };

size_t policy_protect_count(const struct policy *p)
{
	return p && p->protect_set ? p->protect.n : ARRAY_SIZE(protect_default);
}

const char *policy_protect_path(const struct policy *p, size_t i)
{
	return p && p->protect_set ? p->protect.v[i].value : protect_default[i];
}

const char *policy_network_word(enum policy_network n)
{
	switch (n) {
	case POLICY_NETWORK_OFF: return "off";
	case POLICY_NETWORK_ALLOW: return "allow";
	case POLICY_NETWORK_ON: return "on";
	case POLICY_NETWORK_HOST: return "host";
	}
	return "?";
}

bool policy_daemon_shown(const struct policy *p, bool daemon_risky)
{
	return policy_daemon_evaluates(p) &&
	       (p->nix_daemon == POLICY_NIX_DAEMON_ON || (p->store != POLICY_STORE_CLOSURE && !daemon_risky));
}

bool policy_daemon_evaluates(const struct policy *p)
{
	if (p->nix_daemon != POLICY_NIX_DAEMON_AUTO)
		return p->nix_daemon == POLICY_NIX_DAEMON_ON;
	return p->network != POLICY_NETWORK_OFF;
}
