/* parts.c - what a shell's view is made of that nsbsh finds on the host:
 * the bash it runs, nsbsh's own directories (see parts.h).  Shared by a
 * start (main.c) and nsb status --view, which shows the view a start would
 * build. */
#include "shell/parts.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/file.h"
#include "base/log.h"
#include "base/util.h"
#include "env/cache.h"
#include "env/closure.h"
#include "policy/config.h"
#include "sandbox/net.h"
#include "sandbox/shell-view.h"

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
