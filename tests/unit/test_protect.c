/* test_protect.c - git's config syntax as git/gitconfig.c reads it, the
 * plan of protected paths (git/protect.c, PROT-1 to PROT-4, PROT-6), the
 * creation guard's question (protect_refuses), and protect_find over a
 * scratch work tree with a real .git layout (PROT-5: no link followed).
 * The binds themselves: tests/integration/t-protect.sh. */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/file.h"
#include "base/util.h"
#include "git/gitconfig.h"
#include "git/protect.h"
#include "policy/config.h"
#include "unit.h"

/* ---- the config reader ---------------------------------------------------- */

struct seen {
	char text[4096];
	size_t len;
};

static int collect(const struct gitconfig_entry *e, void *ctx)
{
	struct seen *s = ctx;
	s->len += (size_t)snprintf(s->text + s->len, sizeof(s->text) - s->len, "%s.%s%s%s=%s|", e->section,
				   e->subsection ? e->subsection : "", e->subsection ? "." : "", e->name,
				   e->value ? e->value : "(null)");
	return 0;
}

static const char *parsed(const char *text, int *ret)
{
	static struct seen s;
	s = (struct seen){ 0 };
	int line = 0;
	*ret = gitconfig_parse(text, strlen(text), collect, &s, &line);
	if (*ret == -EINVAL)
		*ret = -1000 - line;
	return s.text;
}

static void test_gitconfig(void)
{
	int r;
	CHECK_STREQ(parsed("[core]\n\thooksPath = .husky/_\n", &r), "core.hookspath=.husky/_|");
	CHECK(r == 0);
	/* subsections: kept as written in quotes, lower case in the old form */
	CHECK_STREQ(parsed("[includeIf \"gitdir:~/Work/\"]\n path = a\n[Branch.Main]\nx=1\n", &r),
		    "includeif.gitdir:~/Work/.path=a|branch.main.x=1|");
	/* quotes, escapes, comments, continuation, blanks inside kept */
	CHECK_STREQ(parsed("[a]\nb = \"x ; y\" # c\nc = one  two  \nd = \"q\\\"\\\\\"\ne = lo\\\nng\nf\n", &r),
		    "a.b=x ; y|a.c=one  two|a.d=q\"\\|a.e=long|a.f=(null)|");
	CHECK(r == 0);
	/* a key on the line of its section; CRLF */
	CHECK_STREQ(parsed("[core] fsmonitor = x\r\n[s \"a\\\"b\"]k=v\r\n", &r), "core.fsmonitor=x|s.a\"b.k=v|");
	/* what git refuses: the keys before the bad line, then -EINVAL at it */
	CHECK_STREQ(parsed("[a]\nk = 1\n= nope\nl = 2\n", &r), "a.k=1|");
	CHECK(r == -1003);
	parsed("k = 1\n", &r); /* a key before any section */
	CHECK(r == -1001);
	parsed("[a]\nk = \"open\n", &r);
	CHECK(r < -1000);
	parsed("[a]\nk = \\q\n", &r);
	CHECK(r < -1000);
	parsed("[a \"x]\n", &r);
	CHECK(r < -1000);
	CHECK(gitconfig_is_bool("TRUE") && gitconfig_is_bool("0") && gitconfig_is_bool("") &&
	      gitconfig_is_bool(NULL) && !gitconfig_is_bool("./fsmon.sh") && !gitconfig_is_bool("1x"));
	/* bounds */
	CHECK(gitconfig_parse("", GITCONFIG_MAX_FILE + 1, collect, NULL, NULL) == -EFBIG);
	char longname[GITCONFIG_MAX_NAME + 16];
	snprintf(longname, sizeof(longname), "[%0*d]\n", GITCONFIG_MAX_NAME + 2, 0);
	parsed(longname, &r);
	CHECK(r < -1000);
}

/* ---- the plan ----------------------------------------------------------------- */

#define WT "/w/proj"

static bool listed(const struct protect_list *l, const char *path, const char *why)
{
	for (size_t i = 0; i < l->n; i++)
		if (streq(l->v[i].path, path))
			return !why || streq(l->v[i].why, why);
	return false;
}

static void plan_of(const struct protect_config *c, size_t n, const struct protect_hook *h, size_t nh,
		    char *const *extra, size_t n_extra, struct protect_list *ret, int *r)
{
	struct protect_input in = { .worktree = WT, .home = "/home/ann", .hooks_dir = WT "/.git/hooks",
				    .gitdir = WT "/.git", .configs = c, .n_configs = n, .hooks = h,
				    .n_hooks = nh, .extra = extra, .n_extra = n_extra };
	*r = protect_plan(&in, ret);
}

static void test_plan_from_config(void)
{
	struct protect_list l = { 0 };
	int r;
	struct protect_config c[] = {
		{ "/home/ann/.gitconfig", "[core]\n\thooksPath = ~/hooks\n[include]\n\tpath = ~/.gitconfig-w\n", 0 },
		{ WT "/.git/config",
		  "[core]\n\thooksPath = .githooks\n\tfsmonitor = tools/fsmon.sh --x\n\tpager = less\n"
		  "[include]\n\tpath = ../.gitconfig.project\n\tpath = config.local\n"
		  "[includeIf \"onbranch:main\"]\n\tpath = /w/proj/conf/main.inc\n"
		  "[filter \"lfs\"]\n\tclean = git-lfs clean %f\n\tsmudge = ./bin/smudge\n"
		  "[alias]\n\tst = status\n\tx = \"!./scripts/x.sh arg\"\n"
		  "[credential]\n\thelper = !'/w/proj/.cred' get\n"
		  "bad line here\n[core]\n\thooksPath = after-the-bad-line\n", 0 },
	};
	for (size_t i = 0; i < ARRAY_SIZE(c); i++)
		c[i].len = strlen(c[i].text);
	plan_of(c, ARRAY_SIZE(c), NULL, 0, NULL, 0, &l, &r);
	CHECK(r == 0);
	/* PROT-1 from-config: hooksPath relative to the top, made when missing */
	CHECK(listed(&l, WT "/.githooks", "core.hooksPath"));
	for (size_t i = 0; i < l.n; i++)
		if (streq(l.v[i].path, WT "/.githooks"))
			CHECK(l.v[i].dir && l.v[i].make && l.v[i].state == PROTECT_MISSING);
	/* PROT-1: includes relative to the file's directory, every condition */
	CHECK(listed(&l, WT "/.gitconfig.project", "include.path"));
	CHECK(listed(&l, WT "/conf/main.inc", "include.path"));
	/* a file in the main git dir is made empty when missing */
	for (size_t i = 0; i < l.n; i++)
		if (streq(l.v[i].path, WT "/.git/config.local"))
			CHECK(l.v[i].make && !l.v[i].dir);
	CHECK(listed(&l, WT "/.git/config.local", "include.path"));
	/* PROT-1: programs of command keys, when their first word is a path */
	CHECK(listed(&l, WT "/tools/fsmon.sh", "a command in git's config"));
	CHECK(listed(&l, WT "/bin/smudge", NULL));
	CHECK(listed(&l, WT "/scripts/x.sh", NULL));
	CHECK(listed(&l, WT "/.cred", NULL));
	CHECK(!listed(&l, WT "/less", NULL) && !listed(&l, WT "/status", NULL));
	/* candidates outside the work tree are kept for protect_find to map */
	CHECK(listed(&l, "/home/ann/hooks", "core.hooksPath"));
	CHECK(listed(&l, "/home/ann/.gitconfig-w", "include.path"));
	/* nothing git would not read: after the bad line */
	CHECK(!listed(&l, WT "/after-the-bad-line", NULL));
	/* PROT-4 worktree-config: always, made when missing */
	CHECK(listed(&l, WT "/.git/config.worktree", "config.worktree"));
	protect_list_release(&l);

	/* a boolean core.fsmonitor names no program */
	struct protect_config b = { WT "/.git/config", "[core]\nfsmonitor = true\n", 0 };
	b.len = strlen(b.text);
	plan_of(&b, 1, NULL, 0, NULL, 0, &l, &r);
	CHECK(r == 0 && l.n == 1 && listed(&l, WT "/.git/config.worktree", NULL));
	protect_list_release(&l);
}

static void test_plan_managers(void)
{
	struct protect_list l = { 0 };
	int r;
	static const char precommit[] = "#!/usr/bin/env bash\n# File generated by pre-commit: https://pre-commit.com\n"
					"ARGS=(hook-impl --config=tools/pc.yaml --hook-type=pre-commit)\n";
	struct protect_hook h[] = {
		{ "pre-commit", NULL, precommit, sizeof(precommit) - 1 },
		{ "pre-push", NULL, "#!/bin/sh\ncall_lefthook run pre-push\n", 36 },
		{ "post-merge", "../../.githooks/post-merge", NULL, 0 },
	};
	struct protect_config c = { WT "/.git/config", "[core]\n\thooksPath = web/.husky/_\n", 0 };
	c.len = strlen(c.text);
	char *extra[] = { (char *)".vscode", (char *)"secrets/keys" };
	plan_of(&c, 1, h, ARRAY_SIZE(h), extra, 2, &l, &r);
	CHECK(r == 0);
	/* PROT-2 managers: husky by its hooks path, the directory up to .husky */
	CHECK(listed(&l, WT "/web/.husky", "husky"));
	CHECK(listed(&l, WT "/web/.husky/_", "core.hooksPath"));
	/* pre-commit by its stub, with the config the stub names */
	CHECK(listed(&l, WT "/tools/pc.yaml", "pre-commit"));
	CHECK(listed(&l, WT "/.pre-commit-config.yaml", "pre-commit"));
	/* lefthook by its stub: its config names, also missing ones */
	CHECK(listed(&l, WT "/lefthook.yml", "lefthook") && listed(&l, WT "/.lefthook.yaml", "lefthook") &&
	      listed(&l, WT "/.lefthook", "lefthook"));
	/* a hook that links into the work tree */
	CHECK(listed(&l, WT "/.githooks/post-merge", "a hook links there"));
	/* PROT-3 policy: the policy's entries, as directories (nothing beneath either) */
	CHECK(listed(&l, WT "/.vscode", "policy protect") && listed(&l, WT "/secrets/keys", "policy protect"));
	/* no husky files without husky's mark */
	CHECK(!listed(&l, WT "/.huskyrc", NULL));
	protect_list_release(&l);

	/* husky 4: its stub in .git/hooks names it */
	struct protect_hook h4 = { "pre-commit", NULL, "#!/bin/sh\n# husky\n. \"$(dirname \"$0\")/husky.sh\"\n", 40 };
	plan_of(NULL, 0, &h4, 1, NULL, 0, &l, &r);
	CHECK(r == 0 && listed(&l, WT "/.husky", "husky") && listed(&l, WT "/.huskyrc", "husky"));
	protect_list_release(&l);
}

static void test_plan_bounded(void)
{
	/* PROT-6 fail-closed: more paths than the plan holds refuse, never less */
	size_t n = PROTECT_MAX_PLAN + 1;
	char **extra = calloc(n, sizeof(*extra));
	for (size_t i = 0; i < n; i++)
		CHECK(asprintf(&extra[i], "p%zu", i) > 0);
	struct protect_list l = { 0 };
	int r;
	plan_of(NULL, 0, NULL, 0, extra, n, &l, &r);
	CHECK(r == -E2BIG && l.n == 0);
	for (size_t i = 0; i < n; i++)
		free(extra[i]);
	free(extra);
}

static void test_refuses(void)
{
	struct protect_path v[] = {
		{ .path = (char *)WT "/.husky", .why = "husky", .dir = true, .state = PROTECT_MISSING },
		{ .path = (char *)WT "/.mcp.json", .why = "policy protect", .dir = false, .state = PROTECT_MISSING },
		{ .path = (char *)WT "/.vscode", .why = "policy protect", .dir = true, .state = PROTECT_DIR },
		{ .path = (char *)WT "/lefthook.yml", .why = "lefthook", .state = PROTECT_LINK },
	};
	struct protect_list l = { .v = v, .n = ARRAY_SIZE(v) };
	const struct protect_path *e = NULL;
	CHECK(protect_refuses(&l, WT "/.husky", PROTECT_CREATE, &e) && e && streq(e->why, "husky"));
	CHECK(protect_refuses(&l, WT "/.husky/pre-commit", PROTECT_CREATE, NULL));
	CHECK(protect_refuses(&l, WT "/.mcp.json", PROTECT_CREATE, NULL));
	CHECK(!protect_refuses(&l, WT "/.mcp.json.bak", PROTECT_CREATE, NULL));
	CHECK(!protect_refuses(&l, WT "/.huskyx", PROTECT_CREATE, NULL));
	/* one that exists is its read-only bind's, not the guard's */
	CHECK(!protect_refuses(&l, WT "/.vscode/tasks.json", PROTECT_CREATE, NULL));
	/* a link at a protected name: not to be replaced */
	CHECK(protect_refuses(&l, WT "/lefthook.yml", PROTECT_CREATE, NULL));
	/* a rename of a tree into an ancestor would bring the name along */
	CHECK(!protect_refuses(&l, WT, PROTECT_CREATE, NULL));
	CHECK(protect_refuses(&l, WT, PROTECT_MOVE, NULL));
	CHECK(!protect_refuses(&l, WT "/src", PROTECT_MOVE, NULL));
	CHECK(!protect_refuses(NULL, WT "/x", PROTECT_MOVE, NULL));
}

/* ---- protect_find on a scratch work tree ---------------------------------------- */

static char root[PATH_MAX];

static void put(const char *rel, const char *text)
{
	char p[PATH_MAX * 2];
	snprintf(p, sizeof(p), "%s/%s", root, rel);
	char *slash = strrchr(p, '/');
	*slash = '\0';
	CHECK(mkdir_p(p, 0755) == 0);
	CHECK(file_write_atomic(p, slash + 1, text, strlen(text), 0644) == 0);
}

static const struct protect_path *entry(const struct protect_list *l, const char *rel)
{
	char p[PATH_MAX * 2];
	snprintf(p, sizeof(p), "%s/%s", root, rel);
	for (size_t i = 0; i < l->n; i++)
		if (streq(l->v[i].path, p))
			return &l->v[i];
	return NULL;
}

static void test_find(void)
{
	char tmpl[] = "/tmp/test_protect.XXXXXX";
	CHECK(mkdtemp(tmpl) != NULL);
	CHECK(realpath(tmpl, root) != NULL);
	char wt[PATH_MAX * 2], home[PATH_MAX * 2], p[PATH_MAX * 3], q[PATH_MAX * 3];
	snprintf(wt, sizeof(wt), "%s/w", root);
	snprintf(home, sizeof(home), "%s/home", root);
	/* the user's config and the system's out of the picture */
	setenv("GIT_CONFIG_NOSYSTEM", "1", 1);
	unsetenv("GIT_CONFIG_GLOBAL");
	unsetenv("XDG_CONFIG_HOME");
	put("home/.gitconfig", "[include]\n\tpath = ~/linked/inc.cfg\n");
	put("w/.git/config", "[core]\n\thooksPath = .githooks\n[include]\n\tpath = ../shared.cfg\n\tpath = ../gone.cfg\n");
	put("w/shared.cfg", "[include]\n\tpath = sub/deeper.cfg\n");
	put("w/sub/deeper.cfg", "[alias]\n\tt = !tools/t.sh\n");
	put("w/tools/t.sh", "#!/bin/sh\n");
	put("w/.git/hooks/pre-commit.sample", "lefthook\n");   /* git never runs it */
	put("w/.git/hooks/pre-push", "#!/bin/sh\n# husky\n");
	put("w/.vscode/settings.json", "{}\n");
	put("elsewhere/x", "");
	snprintf(p, sizeof(p), "%s/w", root);
	snprintf(q, sizeof(q), "%s/linked", home);
	CHECK(symlink(p, q) == 0); /* ~/linked -> the work tree: its include lies in it */
	snprintf(p, sizeof(p), "%s/elsewhere", root);
	snprintf(q, sizeof(q), "%s/.idea", wt);
	CHECK(symlink(p, q) == 0); /* a protected name that is a link */
	put("w/inc.cfg", "");

	struct policy pol;
	policy_init_defaults(&pol);
	struct protect_list l = { 0 };
	CHECK(protect_find(wt, home, &pol, &l) == 0);
	const struct protect_path *e;
	/* PROT-1: the include chain followed: shared.cfg, then what it includes */
	CHECK((e = entry(&l, "w/shared.cfg")) && e->state == PROTECT_FILE);
	CHECK((e = entry(&l, "w/sub/deeper.cfg")) && e->state == PROTECT_FILE);
	CHECK((e = entry(&l, "w/tools/t.sh")) && e->state == PROTECT_FILE);
	/* a missing include stays listed, for the guard */
	CHECK((e = entry(&l, "w/gone.cfg")) && e->state == PROTECT_MISSING);
	/* the hooks directory the config names is made, so that it can be bound */
	CHECK((e = entry(&l, "w/.githooks")) && e->state == PROTECT_DIR);
	struct stat st;
	snprintf(p, sizeof(p), "%s/.githooks", wt);
	CHECK(stat(p, &st) == 0 && S_ISDIR(st.st_mode));
	/* PROT-4: config.worktree made empty */
	CHECK((e = entry(&l, "w/.git/config.worktree")) && e->state == PROTECT_FILE);
	snprintf(p, sizeof(p), "%s/.git/config.worktree", wt);
	CHECK(stat(p, &st) == 0 && st.st_size == 0);
	/* an include of ~/linked/inc.cfg lies in the work tree through a link */
	CHECK((e = entry(&l, "w/inc.cfg")) && e->state == PROTECT_FILE);
	/* PROT-2: husky's stub; never a *.sample */
	CHECK((e = entry(&l, "w/.husky")) && e->state == PROTECT_MISSING && e->dir);
	CHECK(entry(&l, "w/lefthook.yml") == NULL);
	/* PROT-3 with the default: what exists is there, a link is not followed (PROT-5) */
	CHECK((e = entry(&l, "w/.vscode")) && e->state == PROTECT_DIR);
	CHECK((e = entry(&l, "w/.idea")) && e->state == PROTECT_LINK);
	CHECK((e = entry(&l, "w/.mcp.json")) && e->state == PROTECT_MISSING);
	/* nothing outside the work tree */
	for (size_t i = 0; i < l.n; i++) {
		size_t n = strlen(wt);
		CHECK(strncmp(l.v[i].path, wt, n) == 0 && (l.v[i].path[n] == '/' || !l.v[i].path[n]));
	}
	protect_list_release(&l);

	/* PROT-6: a config larger than the reader takes refuses the start */
	char *big = malloc(GITCONFIG_MAX_FILE + 2);
	memset(big, '#', GITCONFIG_MAX_FILE + 1);
	big[GITCONFIG_MAX_FILE + 1] = '\0';
	put("w/shared.cfg", big);
	free(big);
	CHECK(protect_find(wt, home, &pol, &l) == -E2BIG && l.n == 0);
	put("w/shared.cfg", "");

	/* PROT-5: a link on the way to a protected path is not followed; the
	 * policy's own list replaces the default */
	snprintf(p, sizeof(p), "%s/elsewhere", root);
	snprintf(q, sizeof(q), "%s/lnk", wt);
	CHECK(symlink(p, q) == 0);
	pol.protect.v = calloc(1, sizeof(*pol.protect.v));
	pol.protect.v[0].value = strdup("lnk/x");
	pol.protect.n = 1;
	pol.protect_set = true;
	CHECK(protect_find(wt, home, &pol, &l) == 0);
	CHECK((e = entry(&l, "w/lnk/x")) && e->state == PROTECT_LINK);
	CHECK(entry(&l, "w/.vscode") == NULL);
	protect_list_release(&l);
	policy_release(&pol);

	/* EV-5: the evaluation's git settings, with every filter driver of the
	 * configs (includes followed) emptied */
	put("w/.git/config", "[include]\n\tpath = ../f.cfg\n[filter \"lfs\"]\n\tclean = git-lfs clean\n");
	put("w/f.cfg", "[filter \"evil\"]\n\tsmudge = ./x\n");
	char **env = NULL;
	size_t n = 0;
	CHECK(protect_git_env(wt, home, &env, &n) == 0 && env && env[n] == NULL);
	bool count = false, fsmon = false, hooks = false, bare = false, evil = false, lfs = false;
	for (size_t i = 0; env && i < n; i++) {
		const char *kv = env[i];
		count |= strncmp(kv, "GIT_CONFIG_COUNT=", 17) == 0;
		fsmon |= strstr(kv, "=core.fsmonitor") != NULL;
		hooks |= strstr(kv, "=core.hooksPath") != NULL;
		bare |= strstr(kv, "=safe.bareRepository") != NULL;
		evil |= strstr(kv, "=filter.evil.smudge") != NULL;
		lfs |= strstr(kv, "=filter.lfs.clean") != NULL;
	}
	CHECK(count && fsmon && hooks && bare && evil && lfs);
	/* every KEY_n has its VALUE_n, and the count is theirs */
	size_t keys = 0, values = 0, said = 0;
	for (size_t i = 0; env && i < n; i++) {
		keys += strncmp(env[i], "GIT_CONFIG_KEY_", 15) == 0;
		values += strncmp(env[i], "GIT_CONFIG_VALUE_", 17) == 0;
		if (strncmp(env[i], "GIT_CONFIG_COUNT=", 17) == 0)
			said = strtoul(env[i] + 17, NULL, 10);
	}
	CHECK(keys == values && keys == said && keys > 8);
	for (size_t i = 0; env && i < n; i++)
		free(env[i]);
	free(env);
	unsetenv("GIT_CONFIG_NOSYSTEM");
	CHECK(remove_tree(root) == 0);
}

UNIT_MAIN("protect", test_gitconfig, test_plan_from_config, test_plan_managers, test_plan_bounded,
	  test_refuses, test_find)
