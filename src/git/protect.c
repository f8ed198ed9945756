/* protect.c - which paths of a work tree the sandbox must not write, from
 * what git's config and the hooks directory say (see protect.h).  Pure.
 *
 * Invariants (tests/unit/test_protect.c and tests/integration/t-protect.sh
 * name each):
 * PROT-1 from-config: every core.hooksPath, include.path and
 *        includeIf.*.path (whatever its condition) of every config file git
 *        reads for the work tree (the system's, the user's, the
 *        repository's, config.worktree, and what they include), and the
 *        program (first word) of the config keys that run one, is
 *        protected where it lies in the work tree; read before the sandbox
 *        is built.  A hooks directory the config names is made when
 *        missing, so that it can be bound.
 * PROT-2 managers: the configs that a hook manager runs from the work tree
 *        are protected when the hooks directory shows the manager (its stub
 *        names it, or core.hooksPath names its directory): husky (.husky/,
 *        .huskyrc*), pre-commit (.pre-commit-config.yaml, or its stub's
 *        --config), lefthook (lefthook.yml and its other names, .lefthook/),
 *        a .githooks/ that a stub runs, and what a hook links to.
 * PROT-3 policy: the policy's protect entries (default: .vscode, .idea,
 *        .claude, .mcp.json) are protected.
 * PROT-4 worktree-config: the main work tree's .git/config.worktree
 *        (which git reads once extensions.worktreeConfig is set, as git
 *        sparse-checkout init sets it) exists, made empty when missing, and
 *        is read-only.
 * PROT-5 checked (protect-scan.c, sandbox/gitprotect.c): a path is bound
 *        read-only at itself only when it is what was checked, opened from
 *        the work tree without following a link (device and inode checked
 *        on what got mounted); a link at or on the way to it is never
 *        followed, and is reported as PROTECT_LINK.
 * PROT-6 fail-closed: more protected paths than PROTECT_MAX, or a config
 *        that cannot be read (other than missing), refuse the start; a
 *        path that is missing is listed for the creation guard
 *        (protect_refuses), never dropped.
 */
#include "git/protect.h"

#include <fnmatch.h>
#include <stdio.h>

#include "base/path.h"
#include "base/util.h"
#include "git/gitconfig.h"

void protect_list_release(struct protect_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i].path);
	free(l->v);
	*l = (struct protect_list){ 0 };
}

char *protect_normalize(const char *path)
{
	if (!path || path[0] != '/')
		return NULL;
	size_t n = strlen(path);
	char *out = malloc(n + 2);
	if (!out)
		return NULL;
	size_t o = 0;
	const char *p = path;
	while (*p) {
		p += strspn(p, "/");
		size_t c = strcspn(p, "/");
		if (c == 0)
			break;
		if (c == 1 && p[0] == '.') {
			/* nothing */
		} else if (c == 2 && p[0] == '.' && p[1] == '.') {
			while (o > 0 && out[o - 1] != '/')
				o--;
			if (o > 0)
				o--;
		} else {
			out[o++] = '/';
			memcpy(out + o, p, c);
			o += c;
		}
		p += c;
	}
	if (o == 0)
		out[o++] = '/';
	out[o] = '\0';
	return out;
}

/* value as git resolves a path of its config: absolute; ~/ against home;
 * else relative to base (a directory).  NULL: none (~user, %(prefix)/, an
 * empty value, no home) or out of memory (*oom). */
static char *resolve(const char *base, const char *value, const char *home, bool *oom)
{
	char *joined = NULL;
	if (!value || !value[0] || strncmp(value, "%(prefix)/", 10) == 0)
		return NULL;
	if (value[0] == '~') {
		if (value[1] != '/' || !home)
			return NULL; /* ~user: not this user's to know */
		if (asprintf(&joined, "%s/%s", home, value + 2) < 0)
			joined = NULL;
	} else if (value[0] == '/') {
		joined = strdup(value);
	} else if (asprintf(&joined, "%s/%s", base, value) < 0) {
		joined = NULL;
	}
	char *norm = joined ? protect_normalize(joined) : NULL;
	free(joined);
	if (!norm)
		*oom = true;
	return norm;
}

static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	return strndup(path, slash && slash != path ? (size_t)(slash - path) : 1);
}

/* ---- the plan ---------------------------------------------------------- */

struct plan {
	const struct protect_input *in;
	struct protect_list l;
	int error;
};

/* path (malloc'ed, taken) once in the list; a second mention widens dir
 * and make. */
static void plan_take(struct plan *pl, char *path, const char *why, bool dir, bool make)
{
	if (pl->error) {
		free(path);
		return;
	}
	if (!path) {
		pl->error = -ENOMEM;
		return;
	}
	for (size_t i = 0; i < pl->l.n; i++)
		if (streq(pl->l.v[i].path, path)) {
			pl->l.v[i].dir |= dir;
			pl->l.v[i].make |= make;
			free(path);
			return;
		}
	if (pl->l.n >= PROTECT_MAX_PLAN) {
		free(path);
		pl->error = -E2BIG;
		return;
	}
	struct protect_path *v = realloc(pl->l.v, (pl->l.n + 1) * sizeof(*v));
	if (!v) {
		free(path);
		pl->error = -ENOMEM;
		return;
	}
	pl->l.v = v;
	pl->l.v[pl->l.n++] = (struct protect_path){ .path = path, .why = why, .dir = dir, .make = make,
						    .state = PROTECT_MISSING };
}

/* WORKTREE/rel */
static void plan_rel(struct plan *pl, const char *rel, const char *why, bool dir)
{
	char *p = NULL;
	if (asprintf(&p, "%s/%s", streq(pl->in->worktree, "/") ? "" : pl->in->worktree, rel) < 0)
		p = NULL;
	char *n = p ? protect_normalize(p) : NULL;
	free(p);
	plan_take(pl, n, why, dir, false);
}

static void plan_resolved(struct plan *pl, const char *base, const char *value, const char *why, bool dir,
			  bool make)
{
	bool oom = false;
	char *p = resolve(base, value, pl->in->home, &oom);
	if (oom)
		pl->error = -ENOMEM;
	else if (p) {
		/* a file inside the main git dir is git's own place: made empty
		 * when missing, unseen by git status */
		bool in_gitdir = pl->in->gitdir && path_at_or_below(p, pl->in->gitdir);
		plan_take(pl, p, why, dir, make || in_gitdir);
	}
}

/* The keys whose value is a command git runs (section, subsection pattern
 * or NULL for none, name pattern), and whether a leading '!' means "a
 * shell command" there. */
static const struct {
	const char *section, *subsection, *name;
	bool bang;
} command_keys[] = {
	{ "core", NULL, "fsmonitor", false },
	{ "core", NULL, "sshcommand", false },
	{ "core", NULL, "editor", false },
	{ "core", NULL, "pager", false },
	{ "core", NULL, "askpass", false },
	{ "core", NULL, "gitproxy", false },
	{ "core", NULL, "alternaterefscommand", false },
	{ "sequence", NULL, "editor", false },
	{ "gpg", NULL, "program", false },
	{ "gpg", "*", "program", false },
	{ "diff", NULL, "external", false },
	{ "diff", "*", "command", false },
	{ "diff", "*", "textconv", false },
	{ "difftool", "*", "cmd", false },
	{ "difftool", "*", "path", false },
	{ "mergetool", "*", "cmd", false },
	{ "mergetool", "*", "path", false },
	{ "filter", "*", "clean", false },
	{ "filter", "*", "smudge", false },
	{ "filter", "*", "process", false },
	{ "merge", "*", "driver", false },
	{ "credential", NULL, "helper", true },
	{ "credential", "*", "helper", true },
	{ "alias", NULL, "*", true },
	{ "pager", NULL, "*", false },
	{ "interactive", NULL, "difffilter", false },
	{ "uploadpack", NULL, "packobjectshook", false },
	{ "remote", "*", "uploadpack", false },
	{ "remote", "*", "receivepack", false },
	{ "submodule", "*", "update", true },
	{ "hook", "*", "command", false },
	{ "web", NULL, "browser", false },
	{ "browser", "*", "cmd", false },
	{ "browser", "*", "path", false },
	{ "sendemail", NULL, "smtpserver", false },
};

static bool is_command_key(const struct gitconfig_entry *e, bool *ret_bang)
{
	for (size_t i = 0; i < ARRAY_SIZE(command_keys); i++) {
		if (!streq(e->section, command_keys[i].section))
			continue;
		if (!command_keys[i].subsection != !e->subsection)
			continue;
		if (e->subsection && fnmatch(command_keys[i].subsection, e->subsection, 0) != 0)
			continue;
		if (fnmatch(command_keys[i].name, e->name, 0) != 0)
			continue;
		*ret_bang = command_keys[i].bang;
		return true;
	}
	return false;
}

/* The first word of a shell command (quotes taken off), if it names a
 * path (holds a '/'); malloc'ed, or NULL. */
static char *command_path(const char *cmd, bool bang, bool *oom)
{
	if (bang) {
		if (*cmd != '!')
			return NULL; /* alias.x = log: a git command */
		cmd++;
	}
	cmd += strspn(cmd, " \t\n");
	size_t n;
	char quote = 0;
	if (*cmd == '\'' || *cmd == '"') {
		quote = *cmd++;
		const char *end = strchr(cmd, quote);
		n = end ? (size_t)(end - cmd) : strlen(cmd);
	} else {
		n = strcspn(cmd, " \t\n;&|<>()$`");
	}
	if (n == 0 || !memchr(cmd, '/', n))
		return NULL;
	char *w = strndup(cmd, n);
	if (!w)
		*oom = true;
	return w;
}

struct config_walk {
	struct plan *pl;
	const char *file;
	char *dir;  /* the file's directory */
	/* what core.hooksPath named (resolved), for the managers */
	char **hooks_paths;
	size_t n_hooks_paths;
};

static int on_entry(const struct gitconfig_entry *e, void *ctx)
{
	struct config_walk *w = ctx;
	struct plan *pl = w->pl;
	const char *wt = pl->in->worktree;
	bool oom = false;

	if (streq(e->section, "core") && !e->subsection && streq(e->name, "hookspath") && e->value) {
		/* relative: to the top of the work tree, where hooks run */
		char *p = resolve(wt, e->value, pl->in->home, &oom);
		if (p) {
			char **v = realloc(w->hooks_paths, (w->n_hooks_paths + 1) * sizeof(*v));
			if (!v) {
				free(p);
				return -ENOMEM;
			}
			w->hooks_paths = v;
			w->hooks_paths[w->n_hooks_paths++] = strdup(p);
			if (!w->hooks_paths[w->n_hooks_paths - 1])
				oom = true;
			plan_take(pl, p, "core.hooksPath", true, true);
		}
	} else if (((streq(e->section, "include") && !e->subsection) ||
		    (streq(e->section, "includeif") && e->subsection)) &&
		   streq(e->name, "path") && e->value) {
		plan_resolved(pl, w->dir, e->value, "include.path", false, false);
	} else {
		bool bang = false;
		if (e->value && is_command_key(e, &bang) &&
		    !(streq(e->section, "core") && streq(e->name, "fsmonitor") && gitconfig_is_bool(e->value))) {
			_cleanup_free_ char *word = command_path(e->value, bang, &oom);
			if (word)
				plan_resolved(pl, wt, word, "a command in git's config", false, false);
		}
	}
	if (oom)
		return -ENOMEM;
	return pl->error;
}

/* The managers: their marks in the hooks, and their configs. */
static const char *const lefthook_files[] = {
	"lefthook.yml", ".lefthook.yml", "lefthook.yaml", ".lefthook.yaml", "lefthook.toml",
	".lefthook.toml", "lefthook.json", ".lefthook.json", "lefthook-local.yml",
	".lefthook-local.yml", "lefthook-local.yaml", ".lefthook-local.yaml",
};
static const char *const husky_files[] = { ".huskyrc", ".huskyrc.json", ".huskyrc.js", ".huskyrc.yaml",
					   ".huskyrc.yml", "husky.config.js" };

static bool head_has(const struct protect_hook *h, const char *mark)
{
	return h->head && memmem(h->head, h->head_len, mark, strlen(mark)) != NULL;
}

/* pre-commit's stub: ARGS=(hook-impl --config=FILE ...) */
static void plan_precommit_config(struct plan *pl, const struct protect_hook *h)
{
	const char *m = memmem(h->head, h->head_len, "--config=", 9);
	if (!m)
		return;
	m += 9;
	size_t rest = h->head_len - (size_t)(m - h->head);
	size_t n = 0;
	while (n < rest && !strchr(" \t\n)'\"", m[n]))
		n++;
	if (n == 0 || n > 1024)
		return;
	_cleanup_free_ char *name = strndup(m, n);
	if (!name) {
		pl->error = -ENOMEM;
		return;
	}
	plan_resolved(pl, pl->in->worktree, name, "pre-commit", false, false);
}

static void plan_managers(struct plan *pl, char *const *hooks_paths, size_t n_hooks_paths)
{
	const struct protect_input *in = pl->in;
	bool husky = false, precommit = false, lefthook = false, githooks = false;
	/* core.hooksPath into a .husky directory (husky 5 and later: .husky/_) */
	for (size_t i = 0; i < n_hooks_paths; i++) {
		const char *p = hooks_paths[i], *h = strstr(p, "/.husky");
		while (h && h[7] && h[7] != '/')
			h = strstr(h + 1, "/.husky");
		if (h)
			plan_take(pl, strndup(p, (size_t)(h - p) + 7), "husky", true, false);
	}
	for (size_t i = 0; i < in->n_hooks; i++) {
		const struct protect_hook *h = &in->hooks[i];
		husky |= head_has(h, "husky");
		lefthook |= head_has(h, "lefthook");
		githooks |= head_has(h, ".githooks/");
		if (head_has(h, "pre-commit") && (head_has(h, "hook-impl") || head_has(h, "pre_commit") ||
						  head_has(h, "pre-commit.com"))) {
			precommit = true;
			plan_precommit_config(pl, h);
		}
		if (h->link)
			plan_resolved(pl, in->hooks_dir, h->link, "a hook links there", false, false);
	}
	if (husky) {
		plan_rel(pl, ".husky", "husky", true);
		for (size_t i = 0; i < ARRAY_SIZE(husky_files); i++)
			plan_rel(pl, husky_files[i], "husky", false);
	}
	if (precommit)
		plan_rel(pl, ".pre-commit-config.yaml", "pre-commit", false);
	if (lefthook) {
		for (size_t i = 0; i < ARRAY_SIZE(lefthook_files); i++)
			plan_rel(pl, lefthook_files[i], "lefthook", false);
		plan_rel(pl, ".lefthook", "lefthook", true);
		plan_rel(pl, ".lefthook-local", "lefthook", true);
	}
	if (githooks)
		plan_rel(pl, ".githooks", "a hook runs .githooks/", true);
}

int protect_plan(const struct protect_input *in, struct protect_list *ret)
{
	struct plan pl = { .in = in };
	char **hooks_paths = NULL;
	size_t n_hooks_paths = 0;
	for (size_t i = 0; i < in->n_configs && !pl.error; i++) {
		struct config_walk w = { .pl = &pl, .file = in->configs[i].path,
					 .dir = dir_of(in->configs[i].path),
					 .hooks_paths = hooks_paths, .n_hooks_paths = n_hooks_paths };
		if (!w.dir) {
			pl.error = -ENOMEM;
			break;
		}
		/* a file git refuses: git outside refuses to run, and what
		 * came before the bad line is all it could have read */
		int r = gitconfig_parse(in->configs[i].text, in->configs[i].len, on_entry, &w, NULL);
		if ((r == -ENOMEM || r == -E2BIG) && !pl.error)
			pl.error = r;
		hooks_paths = w.hooks_paths;
		n_hooks_paths = w.n_hooks_paths;
		free(w.dir);
	}
	if (!pl.error)
		plan_managers(&pl, hooks_paths, n_hooks_paths);
	for (size_t i = 0; i < n_hooks_paths; i++)
		free(hooks_paths[i]);
	free(hooks_paths);
	if (in->gitdir && !pl.error) {
		char *cw = path_join(in->gitdir, "config.worktree");
		plan_take(&pl, cw, "config.worktree", false, true);
	}
	for (size_t i = 0; i < in->n_extra && !pl.error; i++)
		plan_rel(&pl, in->extra[i], "policy protect", true);
	if (pl.error) {
		protect_list_release(&pl.l);
		return pl.error;
	}
	*ret = pl.l;
	return 0;
}

/* ---- includes ------------------------------------------------------------ */

struct include_walk {
	const char *home;
	char *dir;
	char **v;
	size_t n;
};

static int on_include(const struct gitconfig_entry *e, void *ctx)
{
	struct include_walk *w = ctx;
	if (!e->value || !streq(e->name, "path") ||
	    !((streq(e->section, "include") && !e->subsection) ||
	      (streq(e->section, "includeif") && e->subsection)))
		return 0;
	bool oom = false;
	char *p = resolve(w->dir, e->value, w->home, &oom);
	if (oom)
		return -ENOMEM;
	if (!p)
		return 0;
	char **v = realloc(w->v, (w->n + 1) * sizeof(*v));
	if (!v) {
		free(p);
		return -ENOMEM;
	}
	w->v = v;
	w->v[w->n++] = p;
	return 0;
}

int protect_includes(const struct protect_config *c, const char *home, char ***ret, size_t *ret_n)
{
	struct include_walk w = { .home = home, .dir = dir_of(c->path) };
	if (!w.dir)
		return -ENOMEM;
	int r = gitconfig_parse(c->text, c->len, on_include, &w, NULL);
	free(w.dir);
	if (r == -ENOMEM) {
		for (size_t i = 0; i < w.n; i++)
			free(w.v[i]);
		free(w.v);
		return r;
	}
	*ret = w.v;
	*ret_n = w.n;
	return 0;
}

/* ---- the guard's question ------------------------------------------------ */

bool protect_refuses(const struct protect_list *l, const char *path, enum protect_how how,
		     const struct protect_path **ret_entry)
{
	for (size_t i = 0; l && i < l->n; i++) {
		const struct protect_path *e = &l->v[i];
		if (e->state != PROTECT_MISSING && e->state != PROTECT_LINK)
			continue;
		if (streq(path, e->path) || (e->dir && path_at_or_below(path, e->path)) ||
		    (how == PROTECT_MOVE && path_at_or_below(e->path, path))) {
			if (ret_entry)
				*ret_entry = e;
			return true;
		}
	}
	return false;
}
