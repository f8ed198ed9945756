/* plain.c - plain bash outside any sandbox (see plain.h). */
#include "shell/plain.h"

#include <limits.h>
#include <stdio.h>

#include "base/log.h"
#include "base/util.h"

noreturn void plain_exec(char **argv)
{
	execv(NSBSH_HOST_BASH, argv);
	die(errno == ENOENT ? EXIT_NOT_FOUND : EXIT_CANNOT_EXEC, "cannot run '%s': %s",
	    NSBSH_HOST_BASH, strerror(errno));
}

/* name in the first of where[] (relative to the binary's directory) that
 * has it readable. */
static char *own_file(const char *const *where, size_t n_where, const char *name)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return NULL;
	exe[n] = '\0';
	char *slash = strrchr(exe, '/');
	if (!slash)
		return NULL;
	*slash = '\0';
	for (size_t i = 0; i < n_where; i++) {
		char *path = NULL;
		if (asprintf(&path, "%s/%s/%s", exe, where[i], name) < 0)
			return NULL;
		if (access(path, R_OK) == 0)
			return path;
		free(path);
	}
	return NULL;
}

char *shellwrap_path(const char *name)
{
	static const char *const where[] = { "shellwrap", "../share/nsbsh/shellwrap" };
	return own_file(where, ARRAY_SIZE(where), name);
}

char *connect_path(void)
{
	static const char *const where[] = { "tools", "../lib/nsbsh" };
	return own_file(where, ARRAY_SIZE(where), "nsbsh-connect");
}

/* Set in the environment, so that bash loads the user's own startup files
 * exactly as it would, and the hook comes on top: a function (imported by
 * bash from BASH_FUNC_...%%) that compares $PWD with the last directory
 * seen and sources outside.bash only when it changed. */
void plain_hook_env(const char *dir)
{
	_cleanup_free_ char *file = shellwrap_path("outside.bash"), *self = realpath("/proc/self/exe", NULL),
			    *pc = NULL;
	if (!file || !self)
		return;
	const char *old = getenv("PROMPT_COMMAND");
	if (old && strstr(old, "__nsbsh_outside_hook"))
		pc = strdup(old);
	else if (asprintf(&pc, "__nsbsh_outside_hook%s%s", old && *old ? ";" : "", old ? old : "") < 0)
		pc = NULL;
	if (!pc)
		return;
	setenv("__NSBSH_BIN", self, 1);
	setenv("__NSBSH_OUTSIDE", file, 1);
	setenv("__nsbsh_pwd", dir, 1);
	setenv("BASH_FUNC___nsbsh_outside_hook%%",
	       "() { [[ $PWD == \"${__nsbsh_pwd-}\" ]] || . \"$__NSBSH_OUTSIDE\"; }", 1);
	setenv("PROMPT_COMMAND", pc, 1);
}
