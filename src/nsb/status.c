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
static void project_policy(const char *worktree, struct policy *pol)
{
	struct config_error e;
	struct trust_file f;
	const char *home = getenv("HOME");
	home = home && home[0] == '/' ? home : NULL;
	bool bad = config_load_standard(home, pol, &e) < 0;
	trust_apply_project(pol, worktree, home, &f, &e);
	printf("policy:    network %s, host system %s, %zu bind(s), %zu unshadowed, strict %s%s%s\n",
	       pol->network ? "on" : "off", pol->host_system ? "ro" : "off", pol->bind.n,
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
		       streq(v[i].id, now) ? "running" : "running (an older environment or policy: it takes no new shells)",
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
	names = nested_names(list, len);
	printf("nested:    %zu git repositories in the work tree, protected like its own (the list is %lld s old)%s%s\n",
	       nested_count(list, len), (long long)(time(NULL) - mtime), len && names ? ": " : "",
	       len && names ? names : "");
}

int nsb_cmd_status(int argc, char **argv)
{
	if (argc > 2) {
		warn("usage: nsb status [DIR]");
		return EXIT_USAGE;
	}
	_cleanup_free_ char *cwd = NULL, *root = NULL, *err = NULL;
	struct project p = { 0 };
	int r = nsb_project_here(argc == 2 ? argv[1] : NULL, &cwd, &p, &err);
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
	project_policy(p.worktree, &pol);
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
	if (e.dir) {
		printf("entry:     %s\n", e.dir);
		_cleanup_free_ char *bash = cache_entry_program(&e, "bash");
		printf("bash:      %s (%s)\n", bash ? bash : NSBSH_STATIC_BASH,
		       bash ? "the environment's" : "packaged: the environment has none");
	}
out:
	print_layers();
	cache_entry_release(&e);
	nix_info_release(&nix);
	project_release(&p);
	return status;
}
