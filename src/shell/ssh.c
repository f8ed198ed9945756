/* ssh.c - the start's side of a forced ssh session (see ssh.h). */
#include "shell/ssh.h"

#include <limits.h>
#include <pwd.h>
#include <stdio.h>

#include "base/log.h"
#include "base/util.h"
#include "policy/config.h"
#include "shell/sshforced.h"

/* sshd's ForceCommand (sshforced.c, SSH-1, SSH-3): the client's
 * command, or a login shell, becomes nsbsh's own command line before
 * anything reads the command line or the environment. */
bool ssh_start_begin(int *argc, char ***argv)
{
	char self[PATH_MAX], comm[64] = "", path[64];
	const char *cmd = getenv("SSH_ORIGINAL_COMMAND");
	if (!getenv("SSH_CONNECTION"))
		return false;  /* the common case: no more reads */
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	self[n > 0 ? n : 0] = '\0';
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)getppid());
	FILE *f = fopen(path, "re");
	if (f) {
		if (fgets(comm, sizeof(comm), f))
			comm[strcspn(comm, "\n")] = '\0';
		fclose(f);
	}
	if (!ssh_forced_detect(*argc, *argv, getenv("SSH_CONNECTION"), cmd, comm,
			       self[0] ? self : NULL))
		return false;
	char **v = NULL;
	if (ssh_forced_argv((*argv)[0], cmd, &v, argc) < 0)
		die(EXIT_REFUSED, "refusing the ssh session: out of memory");
	*argv = v;  /* kept for the life of the process */
	ssh_forced_scrub_env();
	/* sshd sets HOME, but ~/.ssh/environment (PermitUserEnvironment) may
	 * say otherwise: the account's home is the password database's. */
	struct passwd *pw = getpwuid(getuid());
	if (!pw || !pw->pw_dir || pw->pw_dir[0] != '/' || setenv("HOME", pw->pw_dir, 1) < 0)
		die(EXIT_REFUSED, "refusing the ssh session: this account has no home in the password database");
	debug("ssh forced command: %s", cmd ? "a command" : "a login shell");
	return true;
}

/* After the policy: file transfers (SSH-4) and the project (SSH-2). */
void ssh_start_enter(const struct shellargs *args, char **argv, const struct policy *p,
		     const char *home)
{
	char shown[128];
	char **cmd = args->mode == SHELL_MODE_COMMAND ? &argv[args->operand] : NULL;
	enum ssh_transfer t = ssh_transfer_kind(cmd ? *cmd : NULL);
	if (t != SSH_TRANSFER_NONE && !p->file_transfer)
		die(EXIT_REFUSED, "refusing %s over ssh: this account's policy says file_transfer = off (the administrator can set file_transfer = sandbox in %s)",
		    ssh_transfer_name(t), config_system_path());
	if (t == SSH_TRANSFER_SFTP) {
		/* the subsystem's program as the environment has it */
		static char sftp[] = "exec sftp-server";
		*cmd = sftp;
	}
	const char *dir = p->ssh_project;
	const char *named = p->ssh_project_env ? getenv(p->ssh_project_env) : NULL;
	_cleanup_free_ char *real = NULL;
	if (named && named[0]) {
		const char *why = "cannot be checked";
		int r = ssh_project_check(p, named, home, &real, &why);
		if (r < 0)
			die(EXIT_REFUSED, "refusing the ssh session: %s='%s' %s: send a project directory under the account's allowed_roots, or none",
			    p->ssh_project_env, printable(named, shown, sizeof(shown)),
			    r == -ENOMEM ? strerror(ENOMEM) : why);
		dir = real;
	}
	if (dir && chdir(dir) < 0) {
		if (p->strict)
			die(EXIT_REFUSED, "refusing the ssh session: cannot enter ssh_project '%s': %s (ask the administrator)",
			    dir, strerror(errno));
		warn("cannot enter ssh_project '%s': %s; staying in '%s'", dir, strerror(errno), home);
	}
	debug("ssh session in %s", dir ? dir : "the home");
}
