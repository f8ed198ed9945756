/* parts.c - what a shell's view is made of that nsbsh finds on the host:
 * the bash it runs, nsbsh's own directories, and all of them together
 * (shell_host_get, see parts.h).  Shared by a
 * start (main.c) and nsb status --view, which shows the view a start would
 * build. */
#include "shell/parts.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/dirs.h"
#include "base/file.h"
#include "base/log.h"
#include "base/path.h"
#include "base/util.h"
#include "env/cache.h"
#include "env/choice.h"
#include "env/closure.h"
#include "env/nixconf.h"
#include "git/nested.h"
#include "git/project.h"
#include "policy/config.h"
#include "sandbox/live.h"
#include "sandbox/net.h"
#include "sandbox/shell-view.h"
#include "shell/plain.h"

/* The bash that the sandbox runs, bound at /bin/bash: the policy's, else
 * the environment's own, else the static one.  NULL with *ret_err.
 * HOST-1: the environment's only from /nix/store: its PATH is the
 * project's to say, and a bind of a host file found along it would show
 * that file inside. */
char *shell_bash(const struct policy *pol, const struct cache_entry *e, char **ret_err)
{
	char *bash = NULL;
	if (pol->bash) {
		if (access(pol->bash, X_OK) == 0)
			return realpath(pol->bash, NULL);
		warn("policy: bash '%s' cannot be run (%s): using the automatic one", pol->bash,
		     strerror(errno));
	}
	if (e && (bash = cache_entry_program(e, "bash"))) {
		char *real = realpath(bash, NULL);
		free(bash);
		if (real && strncmp(real, "/nix/store/", 11) == 0)
			return real;
		free(real);
	}
	if (access(NSBSH_STATIC_BASH, X_OK) == 0)
		return strdup(NSBSH_STATIC_BASH);
	if (asprintf(ret_err, "%s and '%s' is missing: install bash-static",
		     e ? "the environment has no bash" : "there is no environment", NSBSH_STATIC_BASH) < 0)
		*ret_err = NULL;
	return NULL;
}

/* The directories the shell view keeps read-only (SV-2), physical paths:
 * nsbsh's cache and data, and the user's configuration directory (which
 * may not exist yet: its parent is resolved). */
void own_dirs(const char *cache, const char *data, char *ret[static 3])
{
	_cleanup_free_ char *conf = NULL;
	ret[0] = realpath(cache, NULL);
	ret[1] = realpath(data, NULL);
	ret[2] = NULL;
	if (config_user_path(&conf) == 0) {
		*strrchr(conf, '/') = '\0';
		char *slash = strrchr(conf, '/');
		*slash = '\0';
		_cleanup_free_ char *parent = realpath(conf[0] ? conf : "/", NULL);
		if (parent && asprintf(&ret[2], "%s/%s", streq(parent, "/") ? "" : parent, slash + 1) < 0)
			ret[2] = NULL;
	}
}

int shell_closure(const struct cache_entry *e, struct closure *ret)
{
	char *text = NULL;
	size_t len = 0;
	_cleanup_close_ int dir = open(e->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int r = dir < 0 ? -errno : file_read(dir, "closure", (size_t)CLOSURE_MAX * 4352, FILE_NOFOLLOW, &text, &len);
	if (r == 0 && (r = closure_parse(text, len, ret)) < 0)
		free(text);
	return r;
}

char *shell_resolv(void)
{
	_cleanup_free_ char *text = NULL;
	char *ret = NULL;
	size_t len = 0;
	/* often a link (systemd-resolved's stub file): followed, it is the host's */
	if (file_read(AT_FDCWD, "/etc/resolv.conf", 64 * 1024, 0, &text, &len) < 0 ||
	    net_resolv_conf(text, len, &ret) <= 0)
		return NULL;
	return ret;
}

int shell_env_closure(const struct policy *pol, const struct cache_entry *e, struct closure *ret, char **ret_why)
{
	if (!e || pol->store != POLICY_STORE_CLOSURE)
		return 0;
	int r = shell_closure(e, ret);
	if (r >= 0 || r == -ENOMEM)
		return r;
	char big[64];
	snprintf(big, sizeof(big), "too large (over %d paths)", CLOSURE_MAX);
	if (asprintf(ret_why, "store = closure: the closure of the environment is %s",
		     r == -ENOENT ? "not known" : r == -EINVAL ? "not nsbsh's list" : r == -E2BIG ? big : strerror(-r)) < 0) {
		*ret_why = NULL;
		return -ENOMEM;
	}
	return r;
}

bool shell_daemon_hidden(const struct policy *pol, char why[static 160])
{
	struct nixconf_trust trust = { 0 };
	/* the daemon's own settings count only where auto would show it */
	if (pol->nix_daemon == POLICY_NIX_DAEMON_AUTO && pol->network != POLICY_NETWORK_OFF &&
	    nixconf_trust_read(NIXCONF_DAEMON, &trust) < 0)
		trust = (struct nixconf_trust){ 0 };
	memcpy(why, trust.why, sizeof(trust.why));
	return !policy_daemon_shown(pol, trust.why[0]);
}

static int host_err(char **ret_err, int r, const char *what)
{
	if (asprintf(ret_err, "%s: %s", what, strerror(-r)) < 0)
		*ret_err = NULL;
	return r;
}

int shell_host_get(const struct project *p, const struct policy *pol, const struct cache_entry *e,
		   const char *cache, const char *data, bool start, struct shell_host *ret, char **ret_err)
{
	const char *tree = p->worktree ? p->worktree : "/";
	int r = dirs_private_home(tree, &ret->private_home);
	if (r < 0)
		return host_err(ret_err, r, "cannot create the private home");
	r = start ? live_dir(&ret->live) : live_dir_path(&ret->live);
	if (r < 0)
		return host_err(ret_err, r, "cannot use nsbsh's runtime directory");
	if (!(ret->inside_rc = shellwrap_path("inside.bash"))) {
		*ret_err = strdup("cannot find nsbsh's shellwrap/inside.bash (is nsbsh installed?)");
		return -ENOENT;
	}
	if (!(ret->bash = shell_bash(pol, e, ret_err)))
		return -ENOENT;
	if (pol->network == POLICY_NETWORK_ALLOW)
		ret->connect = connect_path();
	/* NET-3: the host's PATH, at the start */
	if (pol->network == POLICY_NETWORK_ON && net_pasta_find(getenv("PATH"), &ret->pasta) < 0)
		return -ENOMEM;
	if (ret->pasta)
		ret->resolv = shell_resolv();
	if (e) {
		ret->sh = cache_entry_program(e, "sh");
		ret->env_program = cache_entry_program(e, "env");
		if (asprintf(&ret->env_rc, "%s/rc.bash", e->dir) < 0)
			ret->env_rc = NULL;
	}
	if (p->worktree) {
		if (env_watched_paths(p, pol, &ret->watch, &ret->n_watch) < 0)
			ret->n_watch = 0;
		/* The repositories nested in the work tree, protected like its
		 * own (a tree that cannot be looked into: all of it read-only). */
		r = nested_for_start(p->worktree, &ret->nested, &ret->nested_len);
		if (r < 0)
			return host_err(ret_err, r, "cannot look for git repositories nested in it");
	}
	/* Shown inside, so a start makes it (the first refusal writes into it). */
	if (dirs_denial_log(tree, start, &ret->denials) < 0)
		ret->denials = NULL;
	own_dirs(cache, data, ret->own);
	/* most people keep no startup files: looked for once, not once a file */
	ret->rc_dir = ret->own[2] ? path_join(ret->own[2], "home") : NULL;
	struct stat st;
	if (ret->rc_dir && (stat(ret->rc_dir, &st) < 0 || !S_ISDIR(st.st_mode)))
		ret->rc_dir = (free(ret->rc_dir), NULL);
	return 0;
}

void shell_host_release(struct shell_host *h)
{
	char **str[] = { &h->private_home, &h->live, &h->inside_rc, &h->bash, &h->sh, &h->env_program,
			 &h->env_rc, &h->connect, &h->pasta, &h->resolv, &h->nested, &h->denials,
			 &h->own[0], &h->own[1], &h->own[2], &h->rc_dir };
	for (size_t i = 0; i < ARRAY_SIZE(str); i++)
		free(*str[i]);
	for (size_t i = 0; i < h->n_watch; i++)
		free(h->watch[i]);
	free(h->watch);
	*h = (struct shell_host){ 0 };
}

void shell_host_view(const struct shell_host *h, struct shell_view *v)
{
	v->private_home = h->private_home;
	v->live_dir = h->live;
	v->inside_rc = h->inside_rc;
	v->bash = h->bash;
	v->sh = h->sh;
	v->env_program = h->env_program;
	v->env_rc = h->env_rc;
	v->connect = h->connect;
	v->pasta = h->pasta;
	v->resolv = h->resolv;
	v->nested = h->nested;
	v->nested_len = h->nested_len;
	v->watch = h->watch;
	v->n_watch = h->n_watch;
	v->denials = h->denials;
	v->own_dirs = (const char *const *)h->own;
	v->n_own_dirs = ARRAY_SIZE(h->own);
	v->rc_dir = h->rc_dir;
}
