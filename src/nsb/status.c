/* status.c - `nsb status [DIR]`: the project around DIR (default: the current
 * directory), its env file, the cache key and entry with its age, whether the
 * environment in use is stale, the bash the sandbox runs, and the sandbox's
 * layers on this kernel.  Reads only; builds nothing, runs no nix. */
#include "nsb/nsb.h"

#include <stdio.h>
#include <time.h>

#include "base/dirs.h"
#include "base/log.h"
#include "base/util.h"
#include "env/cache.h"
#include "env/choice.h"
#include "env/nix.h"
#include "git/nested.h"
#include "git/project.h"
#include "policy/config.h"
#include "policy/trust.h"
#include "sandbox/cgroup.h"
#include "sandbox/landlock.h"
#include "sandbox/live.h"
#include "sandbox/shell-view.h"
#include "shell/parts.h"

static void print_age(const char *root, const char *key)
{
	_cleanup_free_ char *created = NULL;
	if (cache_meta_get(root, key, "created", &created) < 0) {
		printf("\n");
		return;
	}
	long long age = (long long)time(NULL) - strtoll(created, NULL, 10);
	if (age < 120)
		printf(" (built %lld s ago)\n", age);
	else if (age < 7200)
		printf(" (built %lld min ago)\n", age / 60);
	else
		printf(" (built %lld h ago)\n", age / 3600);
}

static void print_layers(void)
{
	int abi = landlock_abi();
	printf("sandbox:   user, mount, pid, ipc and uts namespaces; no_new_privs, no capabilities; seccomp filter\n");
	if (abi >= 6)
		printf("landlock:  ABI %d: writes only where the sandbox means them to go; abstract unix sockets and signals scoped\n", abi);
	else if (abi >= 2)
		printf("landlock:  ABI %d: writes only where the sandbox means them to go (no socket and signal scopes before ABI 6)\n", abi);
	else
		printf("landlock:  not used (ABI %d on this kernel; nsbsh needs 2): the mount namespace is the only wall for writes\n", abi < 0 ? 0 : abi);
}

/* The policy a start in the project would use, read quietly (a start says
 * what is wrong with it). */
static void project_policy(const char *worktree, struct policy *pol, bool say)
{
	struct config_error e;
	struct trust_file f;
	const char *home = getenv("HOME");
	home = home && home[0] == '/' ? home : NULL;
	bool bad = config_load_standard(home, pol, &e) < 0;
	trust_apply_project(pol, worktree, home, &f, &e);
	if (say)
		printf("policy:    network %s, store %s, host system %s, %zu bind(s), %zu unshadowed, strict %s%s%s\n",
	       policy_network_word(pol->network), pol->store == POLICY_STORE_ALL ? "all" : "closure",
	       pol->host_system ? "ro" : "off", pol->bind.n,
	       pol->unshadow.n, pol->strict ? "on" : "off",
	       f.state == TRUST_TRUSTED ? "; .nsbsh.conf trusted"
	       : f.state == TRUST_NO_FILE ? ""
					  : "; .nsbsh.conf not trusted (nsb trust)",
	       bad ? "; a file is broken: the defaults apply" : "");
	trust_file_release(&f);
}

/* The process limit, and who keeps it (sandbox.c MUST-9, cgroup.c). */
static void print_limits(const struct policy *pol)
{
	_cleanup_free_ char *cg = NULL;
	if (!pol->max_procs)
		printf("limits:    no process limit (max_procs = none)\n");
	else if (cgroup_delegated(&cg) == 0)
		printf("limits:    %llu processes: pids.max of a cgroup of its own in %s (delegated to you)\n",
		       pol->max_procs, cg);
	else
		printf("limits:    %llu processes: RLIMIT_NPROC (no cgroup delegated to you here)\n",
		       pol->max_procs);
}

/* The live sandboxes of the work tree: the one a start would join now,
 * and older ones still running (sandbox/live.h). */
static void print_sandbox(const struct project *p)
{
	_cleanup_free_ char *live = NULL;
	struct live_info *v = NULL;
	size_t n = 0, shown = 0;
	char now[LIVE_ID_LEN + 1] = "";
	if (live_dir_path(&live) < 0 || live_list(live, &v, &n) < 0)
		n = 0;
	if (nsb_current_sandbox(p, now) < 0)
		now[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		struct live_stat st;
		if (!streq(v[i].worktree, p->worktree) || live_stat(live, v[i].id, &st) < 0)
			continue;
		printf("sandbox:   %s, %s: %ld process%s, %ld shell%s, up %lld s%s\n",
		       streq(v[i].base, now) ? "running" : "running (an older environment or policy: it takes no new shells)",
		       v[i].id, st.processes, st.processes == 1 ? "" : "es", st.shells, st.shells == 1 ? "" : "s",
		       (long long)time(NULL) - v[i].created, st.idle >= 0 ? ", idle" : "");
		shown++;
	}
	if (!shown)
		printf("sandbox:   not running (the next start builds it)\n");
	live_list_release(v, n);
}

/* The nested repositories the next start protects (nested.c). */
static void print_nested(const char *worktree)
{
	_cleanup_free_ char *list = NULL, *names = NULL;
	size_t len = 0;
	time_t mtime;
	if (nested_memo_read(worktree, &list, &len, &mtime) < 0) {
		printf("nested:    not looked for yet: the next start walks the work tree\n");
		return;
	}
	if (len == sizeof(NESTED_WHOLE) && streq(list, NESTED_WHOLE)) {
		printf("nested:    too many git repositories, directories or entries in the work tree to protect one by one: the sandbox shows all of it read-only (the list is %lld s old)\n",
		       (long long)(time(NULL) - mtime));
		return;
	}
	size_t deep = 0;
	for (size_t i = 0; i < len; i += strlen(list + i) + 1)
		deep += list[i + strlen(list + i) - 1] == '/';
	names = nested_names(list, len);
	printf("nested:    %zu git repositories in the work tree, protected like its own (the list is %lld s old; each start checks it against the tree)%s%s\n",
	       nested_count(list, len) - deep, (long long)(time(NULL) - mtime), len && names ? ": " : "",
	       len && names ? names : "");
	if (deep)
		printf("           and %zu directories too deep to look into (ending in '/' above): read-only whole\n", deep);
}

int nsb_cmd_status(int argc, char **argv)
{
	bool view = false, json = false;
	const char *dir = NULL;
	for (int i = 1; i < argc; i++) {
		if (streq(argv[i], "--view"))
			view = true;
		else if (streq(argv[i], "--json"))
			json = true;
		else if (argv[i][0] != '-' && !dir)
			dir = argv[i];
		else
			return nsb_usage("status");
	}
	if (json && !view)
		return nsb_usage("status");
	_cleanup_free_ char *cwd = NULL, *root = NULL, *err = NULL, *bash = NULL, *policy_bash = NULL;
	struct project p = { 0 };
	int r = nsb_project_here(dir, &cwd, &p, &err);
	if (view) {
		if (r == -ENOENT)
			printf(json ? "{\"worktree\":null}\n" : "no project here: a start runs plain bash, with no sandbox\n");
		else if (r < 0 && r != -EIO)
			warn("no project: %s", err ? err : strerror(-r));
		int status = r == -ENOENT ? 0 : r == -ENOMEM ? EXIT_SYSTEM : 1;
		if (r == 0) {
			_cleanup_(policy_release) struct policy pol = { 0 };
			project_policy(p.worktree, &pol, false);
			status = nsb_status_view(&p, cwd, &pol, json);
		}
		project_release(&p);
		return status;
	}
	if (r == -EIO && !err)
		return 1; /* said */
	if (r == -ENOMEM || dirs_cache_path(&root) < 0)
		return EXIT_SYSTEM;
	if (r == -ENOENT) {
		printf("project:   none (a start here runs plain bash)\n");
		print_layers();
		return 0;
	}
	if (r < 0) {
		printf("project:   none: %s\n", err ? err : strerror(-r));
		return 1;
	}
	printf("project:   %s\nenv file:  %s (%s)\n", p.worktree, p.envfile, project_kind_name(p.kind));

	struct nix_info nix = { 0 };
	char key[65], last[65];
	struct cache_entry e = { 0 };
	_cleanup_(policy_release) struct policy pol = { 0 };
	int status = 0;
	project_policy(p.worktree, &pol, true);
	print_limits(&pol);
	print_nested(p.worktree);
	print_sandbox(&p);
	if (nix_locate(&nix) < 0 || env_key(&p, &pol, nix.id, key) < 0) {
		printf("cache key: cannot be computed (cannot read the env files)\n");
		status = 1;
		goto out;
	}
	printf("nix:       %s\n", nix.path ? nix.path : "not found on PATH");
	printf("cache key: %s", key);
	bool hit = cache_lookup(root, key, &e) == 0;
	if (hit) {
		print_age(root, key);
		printf("stale:     no\n");
	} else {
		printf(" (not built: the next start builds it)\n");
		if (cache_last_get(root, &p, last) == 0 && cache_lookup(root, last, &e) == 0) {
			printf("stale:     yes: the last environment built here is %s", last);
			print_age(root, last);
			printf("           a start uses it only when the build of the new one fails\n");
		} else {
			printf("stale:     no environment built here yet\n");
		}
	}
	if (e.dir)
		printf("entry:     %s\n", e.dir);
	/* what a start binds at /bin/bash (HOST-1: the environment's only
	 * from the store) */
	bash = shell_bash(&pol, e.dir ? &e : NULL, &err);
	policy_bash = pol.bash ? realpath(pol.bash, NULL) : NULL;
	printf("bash:      %s (%s)\n", bash ? bash : err ? err : "none",
	       !bash				       ? "a start cannot run"
	       : policy_bash && streq(bash, policy_bash) ? "the policy's"
	       : strncmp(bash, "/nix/store/", 11) == 0 ? "the environment's"
						       : "packaged: the environment has none in the store");
out:
	print_layers();
	cache_entry_release(&e);
	nix_info_release(&nix);
	project_release(&p);
	return status;
}
