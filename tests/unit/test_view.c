/* test_view.c - what the shell's view holds, read from the list of
 * operations it builds (a plain value: no namespace is made here), over a
 * real work tree with a real .git in a scratch directory.  The invariants
 * of src/sandbox/shell-view.c (SV-1 to SV-4) and the layout builder's
 * sticky error. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/file.h"
#include "base/path.h"
#include "base/util.h"
#include "policy/config.h"
#include "sandbox/layout.h"
#include "sandbox/eval-view.h"
#include "sandbox/shell-view.h"
#include "unit.h"

static char root[PATH_MAX], wt[PATH_MAX * 2], home[PATH_MAX * 2], phome[PATH_MAX * 2],
	cache[PATH_MAX * 4], data[PATH_MAX * 4], outside[PATH_MAX * 2];

static void mkdirs(const char *path)
{
	CHECK(mkdir_p(path, 0755) == 0);
}

static void setup(void)
{
	/* not under /tmp: a bind at or beneath it is refused as nsbsh's own view */
	char tmpl[] = "/var/tmp/test_view.XXXXXX";
	CHECK(mkdtemp(tmpl) != NULL);
	CHECK(realpath(tmpl, root) != NULL);
	snprintf(wt, sizeof(wt), "%s/proj", root);
	snprintf(home, sizeof(home), "%s/home", root);
	snprintf(phome, sizeof(phome), "%s/private-home", root);
	snprintf(outside, sizeof(outside), "%s/outside", root);
	/* nsbsh's cache inside the work tree (XDG_CACHE_HOME pointed there),
	 * its data dir not there yet: SV-2 must protect and make them. */
	snprintf(cache, sizeof(cache), "%s/.cache/nsbsh", wt);
	snprintf(data, sizeof(data), "%s/data/nsbsh", outside);
	char p[PATH_MAX * 4];
	snprintf(p, sizeof(p), "%s/.git/hooks", wt);
	mkdirs(p);
	snprintf(p, sizeof(p), "%s/.git", wt);
	CHECK(file_write_atomic(p, "config", "[core]\n", 7, 0644) == 0);
	mkdirs(home);
	mkdirs(phome);
	mkdirs(outside);
	mkdirs(cache);
	snprintf(p, sizeof(p), "%s/link-to-home", outside);
	CHECK(symlink(home, p) == 0);
}

static void teardown(void)
{
	CHECK(remove_tree(root) == 0);
}

struct fixture {
	struct policy pol;
	struct project proj;
	struct view_user user;
	struct shell_view v;
	const char *own[3];
	char *argv[3];
};

static void fixture_init(struct fixture *f)
{
	*f = (struct fixture){ 0 };
	policy_init_defaults(&f->pol);
	f->proj = (struct project){ .worktree = wt, .envdir = wt, .envfile = (char *)"flake.nix", .env_rel = (char *)"" };
	f->user = (struct view_user){ .name = "ann", .home = home, .uid = getuid(), .gid = getgid() };
	f->own[0] = cache;
	f->own[1] = data;
	f->argv[0] = (char *)"nsbsh";
	f->argv[1] = (char *)"-c";
	f->argv[2] = (char *)"true";
	static char environ_[] = "DEMO_VAR=from nix\0HOME=/from-nix\0PATH=/nix/store/x-tools/bin\0";
	f->v = (struct shell_view){
		.user = &f->user,
		.project = &f->proj,
		.policy = &f->pol,
		.private_home = phome,
		.inside_rc = "/usr/share/nsbsh/shellwrap/inside.bash",
		.env_rc = "/cache/env/KEY/rc.bash",
		.environ = environ_,
		.environ_len = sizeof(environ_) - 1,
		.bash = "/nix/store/x-bash/bin/bash",
		.own_dirs = f->own,
		.n_own_dirs = 2,
		.cwd = wt,
		.argc = 3,
		.argv = f->argv,
	};
}

/* A bind rule as a policy file would have it. */
static void add_bind(struct policy *p, const char *src, const char *dest, bool rw)
{
	p->bind.v = realloc(p->bind.v, (p->bind.n + 1) * sizeof(*p->bind.v));
	p->bind.v[p->bind.n++] = (struct policy_entry){ .value = strdup(src), .dest = strdup(dest), .rw = rw };
}

static const char *env_of(const struct layout *l, const char *name)
{
	size_t n = strlen(name);
	for (size_t i = 0; i < l->n_env; i++)
		if (strncmp(l->envp[i], name, n) == 0 && l->envp[i][n] == '=')
			return l->envp[i] + n + 1;
	return NULL;
}

static bool has_note(const struct layout *l, const char *part)
{
	for (size_t i = 0; i < l->n_notes; i++)
		if (strstr(l->notes[i], part))
			return true;
	return false;
}

static size_t index_of(const struct layout *l, const struct sandbox_op *op)
{
	return (size_t)(op - l->spec.ops);
}

static void test_view_basics(void)
{
	struct fixture f;
	fixture_init(&f);
	struct layout l;
	layout_init(&l);
	shell_view_build(&l, &f.v);
	shell_program_build(&l, &f.v);
	CHECK(layout_error(&l) == 0);
	const struct sandbox_op *op = layout_find(&l, wt);
	CHECK(op && op->kind == SB_BIND_RW && streq(op->src, wt));
	op = layout_find(&l, home);
	CHECK(op && op->kind == SB_BIND_RW && streq(op->src, phome));
	op = layout_find(&l, "/nix/store");
	CHECK(op && op->kind == SB_BIND_RO);
	op = layout_find(&l, "/bin/bash");
	CHECK(op && op->kind == SB_SYMLINK && streq(op->src, "/nix/store/x-bash/bin/bash"));
	CHECK(layout_find(&l, "/usr") == NULL); /* no host_system */
	CHECK(l.prog.path && streq(l.prog.path, "/bin/bash"));
	CHECK(l.prog.argv && streq(l.prog.argv[1], "--rcfile") && streq(l.prog.argv[3], "-c") &&
	      streq(l.prog.argv[4], "true") && l.prog.argv[5] == NULL);
	CHECK(l.prog.cwd && streq(l.prog.cwd, wt));
	layout_release(&l);
	policy_release(&f.pol);
}

/* store = closure: one SB_STORE at /nix/store with the closure's list,
 * never the whole store; /bin/bash a link only when the closure holds it,
 * else bound; the evaluation sees all of the store. */
static void test_store_closure(void)
{
	struct fixture f;
	fixture_init(&f);
	f.pol.store = POLICY_STORE_CLOSURE;
	static const char list[] = "/nix/store/x-bash\n/nix/store/y-link x-bash\n";
	f.v.store_list = list;
	f.v.store_len = sizeof(list) - 1;
	struct layout l;
	layout_init(&l);
	shell_view_build(&l, &f.v);
	CHECK(layout_error(&l) == 0);
	const struct sandbox_op *op = layout_find(&l, "/nix/store");
	CHECK(op && op->kind == SB_STORE && op->len == sizeof(list) - 1 && memcmp(op->data, list, op->len) == 0);
	size_t stores = 0;
	for (size_t i = 0; i < l.spec.n_ops; i++)
		if (l.spec.ops[i].dest && path_at_or_below(l.spec.ops[i].dest, "/nix/store"))
			stores++;
	CHECK(stores == 1);
	op = layout_find(&l, "/bin/bash");
	CHECK(op && op->kind == SB_SYMLINK);
	layout_release(&l);

	/* a bash outside the closure (only a link of that name) is bound */
	static const char other[] = "/nix/store/x-bash-5 x-bash\n";
	f.v.store_list = other;
	f.v.store_len = sizeof(other) - 1;
	layout_init(&l);
	shell_view_build(&l, &f.v);
	op = layout_find(&l, "/bin/bash");
	CHECK(op && op->kind == SB_BIND_RO && streq(op->src, "/nix/store/x-bash/bin/bash"));
	layout_release(&l);
	policy_release(&f.pol);
}

/* A policy list of the values a and b. */
static void two_values(struct policy_list *l, const char *a, const char *b)
{
	l->v = calloc(2, sizeof(*l->v));
	l->v[0].value = strdup(a);
	l->v[1].value = strdup(b);
	l->n = 2;
}

static void test_sv1_env_allowlist(void)
{
	struct fixture f;
	fixture_init(&f);
	setenv("TERM", "xterm-test", 1);
	setenv("NSBSH_TEST_SECRET", "do-not-pass", 1);
	setenv("SSH_AUTH_SOCK", "/tmp/agent.sock", 1);
	setenv("BASH_ENV", "/tmp/evil", 1);
	struct layout l;
	layout_init(&l);
	shell_view_build(&l, &f.v);
	shell_program_build(&l, &f.v);
	CHECK(layout_error(&l) == 0);
	/* SV-1 env-allowlist: the allowlist passes, nothing else does */
	CHECK_STREQ(env_of(&l, "TERM"), "xterm-test");
	CHECK(env_of(&l, "NSBSH_TEST_SECRET") == NULL);
	CHECK(env_of(&l, "SSH_AUTH_SOCK") == NULL);
	/* SV-1: the environment's variables, then nsbsh's own, which no one
	 * replaces: neither the outer BASH_ENV nor the environment's HOME */
	CHECK_STREQ(env_of(&l, "DEMO_VAR"), "from nix");
	CHECK_STREQ(env_of(&l, "HOME"), home);
	CHECK_STREQ(env_of(&l, "BASH_ENV"), SHELL_RC_INSIDE);
	CHECK_STREQ(env_of(&l, "PATH"), "/nix/store/x-tools/bin:/bin");
	CHECK_STREQ(env_of(&l, "SHELL"), "/bin/bash");
	CHECK_STREQ(env_of(&l, "NSBSH_PROJECT"), wt);
	layout_release(&l);

	/* SV-1: the policy's passthrough lets a name through, never one of nsbsh's */
	two_values(&f.pol.passthrough, "NSBSH_TEST_*", "SSH_AUTH_SOCK");
	layout_init(&l);
	shell_view_build(&l, &f.v);
	shell_program_build(&l, &f.v);
	CHECK_STREQ(env_of(&l, "SSH_AUTH_SOCK"), "/tmp/agent.sock");
	CHECK(env_of(&l, "NSBSH_TEST_SECRET") == NULL);
	CHECK(layout_find(&l, SHELL_RC_SETENV) == NULL);
	layout_release(&l);

	/* SV-1: the policy's setenv comes after the environment's variables
	 * (over one it sets), and is also the rc that its rc sources */
	two_values(&f.pol.setenv, "DEMO_VAR=from setenv", "RUST_LOG=it's $(x)");
	layout_init(&l);
	shell_view_build(&l, &f.v);
	shell_program_build(&l, &f.v);
	CHECK(layout_error(&l) == 0);
	CHECK_STREQ(env_of(&l, "DEMO_VAR"), "from setenv");
	CHECK_STREQ(env_of(&l, "RUST_LOG"), "it's $(x)");
	CHECK_STREQ(env_of(&l, "HOME"), home);
	const struct sandbox_op *op = layout_find(&l, SHELL_RC_SETENV);
	CHECK(op && op->kind == SB_FILE && op->data);
	if (op && op->data)
		CHECK(strstr(op->data, "\nexport DEMO_VAR='from setenv'\nexport RUST_LOG='it'\\''s $(x)'\n"));
	layout_release(&l);
	unsetenv("NSBSH_TEST_SECRET");
	unsetenv("SSH_AUTH_SOCK");
	unsetenv("BASH_ENV");
	policy_release(&f.pol);
}

static void test_sv2_own_dirs_ro(void)
{
	struct fixture f;
	fixture_init(&f);
	/* the data dir lies beneath a policy rw bind */
	add_bind(&f.pol, outside, "/mnt/outside", true);
	struct layout l;
	layout_init(&l);
	shell_view_build(&l, &f.v);
	CHECK(layout_error(&l) == 0);
	/* SV-2 own-dirs-ro: the cache in the work tree is read-only on top */
	const struct sandbox_op *op = layout_find(&l, cache);
	CHECK(op && op->kind == SB_BIND_RO && streq(op->src, cache));
	/* SV-2: the data dir, made first, read-only where the bind shows it */
	struct stat st;
	CHECK(stat(data, &st) == 0 && S_ISDIR(st.st_mode));
	op = layout_find(&l, "/mnt/outside/data/nsbsh");
	CHECK(op && op->kind == SB_BIND_RO && streq(op->src, data));
	/* SV-2: after every writable bind that contains them */
	const struct sandbox_op *bind = layout_find(&l, "/mnt/outside");
	CHECK(bind && bind->kind == SB_BIND_RW && op && index_of(&l, op) > index_of(&l, bind));
	layout_release(&l);
	policy_release(&f.pol);
}

static void test_sv3_git_last(void)
{
	struct fixture f;
	fixture_init(&f);
	char hooks[PATH_MAX * 4], config[PATH_MAX * 4];
	snprintf(hooks, sizeof(hooks), "%s/.git/hooks", wt);
	snprintf(config, sizeof(config), "%s/.git/config", wt);
	/* a policy bind that would make the hooks writable */
	add_bind(&f.pol, outside, hooks, true);
	struct layout l;
	layout_init(&l);
	shell_view_build(&l, &f.v);
	CHECK(layout_error(&l) == 0);
	/* SV-3 git-last: what decides .git/hooks is the read-only bind that
	 * comes after the policy's */
	const struct sandbox_op *op = layout_find(&l, hooks);
	CHECK(op && op->kind == SB_BIND_RO && streq(op->src, hooks));
	op = layout_find(&l, config);
	CHECK(op && op->kind == SB_BIND_RO);
	char dotgit[PATH_MAX * 4];
	snprintf(dotgit, sizeof(dotgit), "%s/.git", wt);
	op = layout_find(&l, dotgit);
	CHECK(op && op->kind == SB_BIND_RW); /* pinned: a mount point */
	layout_release(&l);
	policy_release(&f.pol);
}

/* SV-3 with the protected paths (git/protect.h): bound read-only after
 * the policy's binds, each checked by device and inode (PROT-5); the list,
 * with the missing ones, kept for the creation guard (PROT-6). */
static void test_sv3_protected_paths(void)
{
	struct fixture f;
	fixture_init(&f);
	setenv("GIT_CONFIG_NOSYSTEM", "1", 1);
	setenv("GIT_CONFIG_GLOBAL", "/dev/null", 1);
	char vscode[PATH_MAX * 4], mcp[PATH_MAX * 4], cw[PATH_MAX * 4];
	snprintf(vscode, sizeof(vscode), "%s/.vscode", wt);
	snprintf(mcp, sizeof(mcp), "%s/.mcp.json", wt);
	snprintf(cw, sizeof(cw), "%s/.git/config.worktree", wt);
	mkdirs(vscode);
	add_bind(&f.pol, outside, vscode, true); /* a policy bind that would uncover it */
	struct layout l;
	layout_init(&l);
	shell_view_build(&l, &f.v);
	CHECK(layout_error(&l) == 0);
	const struct sandbox_op *op = layout_find(&l, vscode);
	CHECK(op && op->kind == SB_BIND_RO && streq(op->src, vscode) &&
	      op->len == sizeof(struct sandbox_bind_id));
	const struct sandbox_op *bind = NULL;
	for (size_t i = 0; i < l.spec.n_ops; i++)
		if (l.spec.ops[i].kind == SB_BIND_RW && streq(l.spec.ops[i].dest, vscode))
			bind = &l.spec.ops[i];
	CHECK(bind && op && index_of(&l, op) > index_of(&l, bind));
	op = layout_find(&l, cw);
	CHECK(op && op->kind == SB_BIND_RO);
	const struct protect_path *e = NULL;
	CHECK(protect_refuses(&l.protect, mcp, PROTECT_CREATE, &e) && e && streq(e->why, "policy protect"));
	CHECK(!protect_refuses(&l.protect, vscode, PROTECT_CREATE, NULL));
	layout_release(&l);
	policy_release(&f.pol);
	unsetenv("GIT_CONFIG_NOSYSTEM");
	unsetenv("GIT_CONFIG_GLOBAL");
}

/* HOMERC-1 (sandbox/homerc.c): the six startup files read-only, the
 * user's own where ~/.config/nsbsh/home has it, nsbsh's empty file else;
 * /etc/profile reads ~/.profile when there is no .bash_profile. */
static void test_homerc(void)
{
	struct fixture f;
	fixture_init(&f);
	char rcdir[PATH_MAX * 3], mine[PATH_MAX * 4], dest[PATH_MAX * 4];
	snprintf(rcdir, sizeof(rcdir), "%s/rc", outside);
	mkdirs(rcdir);
	CHECK(file_write_atomic(rcdir, ".bashrc", "x=1\n", 4, 0644) == 0);
	CHECK(file_write_atomic(rcdir, ".profile", "y=1\n", 4, 0644) == 0);
	snprintf(mine, sizeof(mine), "%s/.bashrc", rcdir);
	f.v.rc_dir = rcdir;
	struct layout l;
	layout_init(&l);
	shell_view_build(&l, &f.v);
	CHECK(layout_error(&l) == 0);
	snprintf(dest, sizeof(dest), "%s/.bashrc", home);
	const struct sandbox_op *op = layout_find(&l, dest);
	CHECK(op && op->kind == SB_BIND_RO && streq(op->src, mine));
	static const char *const missing[] = { ".bash_profile", ".bash_login", ".bash_logout", ".inputrc" };
	for (size_t i = 0; i < ARRAY_SIZE(missing); i++) {
		snprintf(dest, sizeof(dest), "%s/%s", home, missing[i]);
		op = layout_find(&l, dest);
		CHECK(op && op->kind == SB_BIND_RO && strstr(op->src, "/.empty-rc") &&
		      op->len == sizeof(struct sandbox_bind_id));
	}
	/* each after the private home's bind, which it would otherwise hide */
	const struct sandbox_op *h = layout_find(&l, home);
	CHECK(h && op && h < op);
	/* their mount points are files of the private home */
	snprintf(dest, sizeof(dest), "%s/.bash_logout", phome);
	struct stat st;
	CHECK(lstat(dest, &st) == 0 && S_ISREG(st.st_mode));
	op = layout_find(&l, "/etc/profile");
	CHECK(op && op->kind == SB_FILE && op->data && memmem(op->data, op->len, ". \"$HOME/.profile\"", 18));
	layout_release(&l);
	policy_release(&f.pol);
}

static void test_sv4_bind_dest(void)
{
	struct fixture f;
	fixture_init(&f);
	char parent[PATH_MAX], link[PATH_MAX * 4];
	snprintf(parent, sizeof(parent), "%s", root);
	snprintf(link, sizeof(link), "%s/link-to-home", outside);
	add_bind(&f.pol, outside, "/proc/x", false);  /* nsbsh's own view */
	add_bind(&f.pol, outside, parent, false);     /* above the work tree */
	add_bind(&f.pol, outside, home, false);       /* over the home */
	add_bind(&f.pol, link, "/mnt/h", false);      /* the home, through a link */
	add_bind(&f.pol, outside, "/mnt/ok", false);  /* control: a bind that is fine */
	struct layout l;
	layout_init(&l);
	shell_view_build(&l, &f.v);
	CHECK(layout_error(&l) == 0);
	/* SV-4 bind-dest: refused, each with a note, none bound */
	CHECK(has_note(&l, "nsbsh's own view is there"));
	CHECK(has_note(&l, "it would hide the project"));
	CHECK(has_note(&l, "it would hide the home"));
	CHECK(has_note(&l, "would expose the whole home"));
	CHECK(layout_find(&l, "/proc/x") == NULL);
	CHECK(layout_find(&l, parent) == NULL);
	CHECK(layout_find(&l, "/mnt/h") == NULL);
	const struct sandbox_op *op = layout_find(&l, home);
	CHECK(op && streq(op->src, phome)); /* still the private home */
	op = layout_find(&l, "/mnt/ok");
	CHECK(op && op->kind == SB_BIND_RO && streq(op->src, outside));
	layout_release(&l);
	policy_release(&f.pol);
}

static void test_layout_sticky_error(void)
{
	struct layout l;
	layout_init(&l);
	layout_add(&l, SB_BIND_RO, "/a", "/a");
	CHECK(layout_error(&l) == 0 && l.spec.n_ops == 1);
	/* NULL is refused: an allocation that failed upstream */
	layout_add(&l, SB_BIND_RO, NULL, "/b");
	CHECK(layout_error(&l) == -ENOMEM);
	/* the first error stays, and nothing more is added */
	layout_fail(&l, -EPERM, "a later reason");
	CHECK(layout_error(&l) == -ENOMEM && layout_error_text(&l) == NULL);
	layout_add(&l, SB_BIND_RO, "/c", "/c");
	layout_setenv(&l, "X", "1");
	CHECK(l.spec.n_ops == 1 && l.n_env == 0);
	layout_release(&l);

	/* a reason given with the first error is kept */
	layout_init(&l);
	layout_fail(&l, -E2BIG, "too many: %d", 3);
	CHECK(layout_error(&l) == -E2BIG);
	CHECK_STREQ(layout_error_text(&l), "too many: 3");
	layout_release(&l);

	/* what is added is copied: the caller's strings can go at once */
	layout_init(&l);
	char *src = strdup("/src"), *dest = strdup("/dest");
	layout_add(&l, SB_BIND_RW, src, dest);
	free(src);
	free(dest);
	const struct sandbox_op *op = layout_find(&l, "/dest");
	CHECK(op && streq(op->src, "/src"));
	layout_setenv(&l, "A", "1");
	layout_setenv(&l, "A", "2");
	CHECK(l.n_env == 1 && streq(l.envp[0], "A=2"));
	layout_release(&l);
}

static void test_eval_view(void)
{
	struct view_user user = { .name = "ann", .home = home, .uid = getuid(), .gid = getgid() };
	char entry[PATH_MAX * 4];
	snprintf(entry, sizeof(entry), "%s/entry", outside);
	mkdirs(entry);
	char *argv[] = { (char *)"/nix/store/x-nix/bin/nix", (char *)"print-dev-env", NULL };
	struct eval_view v = { .user = &user, .worktree = wt, .entry_dir = entry,
			       .program = argv[0], .argc = 2, .argv = argv, .cwd = wt,
			       .path_env = EVAL_PATH, .stdout_fd = -1 };
	setenv("TERM", "xterm-test", 1);
	setenv("SSH_AUTH_SOCK", "/tmp/agent.sock", 1);
	struct layout l;
	layout_init(&l);
	eval_view_build(&l, &v);
	CHECK(layout_error(&l) == 0);
	/* EV-1 no-home: the home is an empty tmpfs, nothing of it is bound */
	const struct sandbox_op *op = layout_find(&l, home);
	CHECK(op && op->kind == SB_TMPFS);
	bool home_bound = false;
	for (size_t i = 0; i < l.spec.n_ops; i++)
		if (l.spec.ops[i].src && path_at_or_below(l.spec.ops[i].src, home) &&
		    l.spec.ops[i].kind != SB_SYMLINK)
			home_bound = true;
	CHECK(!home_bound);
	/* EV-2 writes-listed: the work tree read-only, writes only where listed */
	op = layout_find(&l, wt);
	CHECK(op && op->kind == SB_BIND_RO);
	op = layout_find(&l, EVAL_FLAKE_VIEW);
	CHECK(op && op->kind == SB_BIND_RO && streq(op->src, wt));
	op = layout_find(&l, entry);
	CHECK(op && op->kind == SB_BIND_RW);
	for (size_t i = 0; i < l.spec.n_ops; i++) {
		const struct sandbox_op *o = &l.spec.ops[i];
		if (o->kind == SB_BIND_RW)
			CHECK(streq(o->dest, entry));
	}
	bool wt_writable = false;
	for (size_t i = 0; i < l.n_writable; i++)
		if (path_at_or_below(l.writable[i], wt) || path_at_or_below(wt, l.writable[i]))
			wt_writable = true;
	CHECK(!wt_writable);
	/* EV-3 env-allowlist: TERM yes, an agent socket no, the system's PATH */
	CHECK_STREQ(env_of(&l, "TERM"), "xterm-test");
	CHECK(env_of(&l, "SSH_AUTH_SOCK") == NULL);
	CHECK_STREQ(env_of(&l, "PATH"), EVAL_PATH);
	CHECK_STREQ(env_of(&l, "NIX_REMOTE"), "daemon");
	CHECK(l.prog.path && streq(l.prog.path, argv[0]) && l.prog.argv[2] == NULL);
	/* EV-5 no-questions: no flake's nixConfig, and no extra env unless given */
	CHECK_STREQ(env_of(&l, "NIX_CONFIG"), "accept-flake-config = false");
	CHECK(env_of(&l, "GIT_CONFIG_COUNT") == NULL);
	layout_release(&l);
	/* EV-5: the git settings given are set, last */
	char *git_env[] = { (char *)"GIT_CONFIG_COUNT=1", (char *)"GIT_CONFIG_KEY_0=core.fsmonitor",
			    (char *)"GIT_CONFIG_VALUE_0=false", NULL };
	v.extra_env = git_env;
	v.n_extra_env = 3;
	layout_init(&l);
	eval_view_build(&l, &v);
	CHECK_STREQ(env_of(&l, "GIT_CONFIG_COUNT"), "1");
	CHECK_STREQ(env_of(&l, "GIT_CONFIG_KEY_0"), "core.fsmonitor");
	CHECK_STREQ(env_of(&l, "GIT_CONFIG_VALUE_0"), "false");
	size_t n_plain = l.spec.n_ops;
	layout_release(&l);

	/* EV-4 tools-ro: the listed host paths, read-only, checked, after all
	 * else (over the home's tmpfs), and nothing more */
	char tool[PATH_MAX * 4];
	snprintf(tool, sizeof(tool), "%s/tools", home);
	struct eval_bind binds[] = { { .path = tool, .st = { .st_dev = 7, .st_ino = 42 } } };
	v.binds = binds;
	v.n_binds = 1;
	layout_init(&l);
	eval_view_build(&l, &v);
	CHECK(layout_error(&l) == 0);
	CHECK(l.spec.n_ops == n_plain + 1);
	op = &l.spec.ops[l.spec.n_ops - 1];
	CHECK(op->kind == SB_BIND_RO && streq(op->src, tool) && streq(op->dest, tool));
	CHECK(op->data && op->len == sizeof(struct sandbox_bind_id) &&
	      ((const struct sandbox_bind_id *)(const void *)op->data)->ino == 42);
	op = layout_find(&l, home);
	CHECK(op && op->kind == SB_TMPFS);
	for (size_t i = 0; i < l.n_writable; i++)
		CHECK(!path_at_or_below(tool, l.writable[i]) || streq(l.writable[i], home));
	layout_release(&l);
	unsetenv("SSH_AUTH_SOCK");
}

static void run(void)
{
	setup();
	test_view_basics();
	test_store_closure();
	test_sv1_env_allowlist();
	test_sv2_own_dirs_ro();
	test_sv3_git_last();
	test_sv3_protected_paths();
	test_homerc();
	test_sv4_bind_dest();
	test_layout_sticky_error();
	test_eval_view();
	teardown();
}

UNIT_MAIN("view", run)
