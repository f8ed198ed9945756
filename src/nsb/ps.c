/* ps.c - `nsb ps [DIR]` and `nsb stop [DIR] [--all]`: the live sandboxes
 * (sandbox/live.h), listed with what runs in them, or ended with
 * everything in them.  Reads nsbsh's runtime directory and asks each
 * sandbox's supervisor; runs no nix. */
#include "nsb/nsb.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/log.h"
#include "base/util.h"
#include "env/choice.h"
#include "env/nix.h"
#include "git/nested.h"
#include "git/project.h"
#include "policy/config.h"
#include "policy/trust.h"
#include "sandbox/live.h"

int nsb_current_sandbox(const struct project *p, char *id)
{
	_cleanup_(policy_release) struct policy pol = { 0 };
	struct config_error e;
	struct trust_file f;
	const char *home = getenv("HOME");
	home = home && home[0] == '/' ? home : NULL;
	config_load_standard(home, &pol, &e);
	trust_apply_project(&pol, p->worktree, home, &f, &e);
	trust_file_release(&f);
	struct nix_info nix = { 0 };
	char key[65];
	int r = nix_locate(&nix);
	if (r == 0)
		r = env_key(p, &pol, nix.id, key);
	nix_info_release(&nix);
	if (r < 0)
		return r;
	_cleanup_free_ char *nested = NULL;
	size_t nested_len = 0;
	time_t mtime;
	if (nested_memo_read(p->worktree, &nested, &nested_len, &mtime) < 0)
		nested_len = 0;
	struct live_identity li = { .worktree = p->worktree, .env_key = key, .policy = pol.source,
				    .nested = nested, .nested_len = nested_len };
	live_id(&li, id);
	return 0;
}

static void duration(long long s, char buf[32])
{
	if (s < 0)
		snprintf(buf, 32, "-");
	else if (s < 120)
		snprintf(buf, 32, "%llds", s);
	else if (s < 7200)
		snprintf(buf, 32, "%lldmin", s / 60);
	else
		snprintf(buf, 32, "%lldh", s / 3600);
}

/* The sandboxes of the project around dir (dir NULL: all). */
static int sandboxes(const char *dir, bool all, char **ret_live, struct live_info **ret, size_t *ret_n,
		     char **ret_worktree)
{
	int r = live_dir_path(ret_live);
	if (r < 0)
		return r;
	r = live_list(*ret_live, ret, ret_n);
	if (r < 0 || all)
		return r;
	_cleanup_free_ char *cwd = NULL;
	struct project p = { 0 };
	r = nsb_project_at(dir, &p, &cwd);
	if (r != 0) {
		project_release(&p);
		return -EIO;
	}
	*ret_worktree = steal_pointer(&p.worktree);
	project_release(&p);
	size_t k = 0;
	for (size_t i = 0; i < *ret_n; i++) {
		if (streq((*ret)[i].worktree, *ret_worktree))
			(*ret)[k++] = (*ret)[i];
		else
			live_info_release(&(*ret)[i]);
	}
	*ret_n = k;
	return 0;
}

int nsb_cmd_ps(int argc, char **argv)
{
	if (argc > 2 || (argc == 2 && argv[1][0] == '-')) {
		warn("usage: nsb ps [DIR]");
		return EXIT_USAGE;
	}
	_cleanup_free_ char *live = NULL, *worktree = NULL;
	struct live_info *v = NULL;
	size_t n = 0;
	int r = sandboxes(argc == 2 ? argv[1] : NULL, argc < 2, &live, &v, &n, &worktree);
	if (r == -EIO)
		return 1; /* said */
	if (r < 0) {
		warn("cannot read nsbsh's runtime directory: %s", strerror(-r));
		return EXIT_SYSTEM;
	}
	if (n == 0) {
		printf("no sandbox runs%s%s%s\n", worktree ? " in '" : "", worktree ? worktree : "",
		       worktree ? "'" : "");
		live_list_release(v, n);
		return 0;
	}
	printf("%-16s  %-6s  %-5s  %-6s  %-6s  %-7s  %-12s  %s\n", "SANDBOX", "STATE", "PROCS", "SHELLS",
	       "AGE", "IDLE", "ENV", "WORK TREE (SESSION)");
	for (size_t i = 0; i < n; i++) {
		struct live_stat st = { -1, -1, -1 };
		if (live_stat(live, v[i].id, &st) < 0)
			continue; /* it ended meanwhile */
		/* current: a start in its work tree now would join it */
		const char *state = "old";
		struct project p = { 0 };
		_cleanup_free_ char *err = NULL;
		char now[LIVE_ID_LEN + 1];
		if (project_discover(v[i].worktree, PROJECT_MEMO, &p, &err) == 0 && nsb_current_sandbox(&p, now) == 0 &&
		    streq(now, v[i].id))
			state = "current";
		project_release(&p);
		char age[32], idle[32];
		duration((long long)time(NULL) - v[i].created, age);
		duration(st.idle, idle);
		printf("%-16.16s  %-6s  %-5ld  %-6ld  %-6s  %-7s  %-12.12s  %s%s%s%s\n", v[i].id, state, st.processes,
		       st.shells, age, idle, v[i].env_key[0] ? v[i].env_key : "(none)", v[i].worktree,
		       v[i].session ? " (" : "", v[i].session ? v[i].session : "", v[i].session ? ")" : "");
	}
	live_list_release(v, n);
	return 0;
}

int nsb_cmd_stop(int argc, char **argv)
{
	bool all = false;
	const char *dir = NULL;
	for (int i = 1; i < argc; i++) {
		if (streq(argv[i], "--all"))
			all = true;
		else if (argv[i][0] != '-' && !dir)
			dir = argv[i];
		else {
			warn("usage: nsb stop [DIR] [--all]");
			return EXIT_USAGE;
		}
	}
	if (all && dir) {
		warn("usage: nsb stop [DIR] [--all]");
		return EXIT_USAGE;
	}
	_cleanup_free_ char *live = NULL, *worktree = NULL;
	struct live_info *v = NULL;
	size_t n = 0;
	int r = sandboxes(dir, all, &live, &v, &n, &worktree);
	if (r == -EIO)
		return 1;
	if (r < 0) {
		warn("cannot read nsbsh's runtime directory: %s", strerror(-r));
		return EXIT_SYSTEM;
	}
	int status = 0;
	size_t stopped = 0;
	for (size_t i = 0; i < n; i++) {
		struct live_stat st = { 0 };
		bool known = live_stat(live, v[i].id, &st) == 0;
		r = live_stop(live, v[i].id);
		if (r == -ENOENT)
			continue; /* it ended by itself meanwhile */
		if (r < 0) {
			warn("cannot stop the sandbox of '%s': %s", v[i].worktree, strerror(-r));
			status = 1;
			continue;
		}
		stopped++;
		if (known)
			printf("stopped the sandbox of '%s' and the %ld process%s in it\n", v[i].worktree, st.processes,
			       st.processes == 1 ? "" : "es");
		else
			printf("stopped the sandbox of '%s'\n", v[i].worktree);
	}
	if (stopped == 0 && status == 0)
		printf("no sandbox runs%s%s%s\n", worktree ? " in '" : "", worktree ? worktree : "",
		       worktree ? "'" : "");
	live_list_release(v, n);
	return status;
}
