/* sshforced.c - a start by sshd's ForceCommand (see sshforced.h).
 *
 * An agent account's sshd_config says `ForceCommand nsbsh`: whatever the
 * client asks for (a command, a shell, scp, sftp, port forwarding aside),
 * sshd runs the account's shell with `-c nsbsh`, and the client's command
 * is only in $SSH_ORIGINAL_COMMAND.  nsbsh turns that into its own
 * command line and then starts as always: a strict account gets the
 * sandbox, never a plain bash.
 *
 * Invariants (each has a check in tests/integration/t-ssh.sh named by its
 * id):
 * SSH-1  MUST hand the client's command to bash as one string after
 *        `-c --`: no part of it is read as an option of nsbsh or of bash
 *        (`ssh host -- '-c ...'` is a command, newlines and all).
 * SSH-2  MUST enter a project that a client names (ssh_project_env) only
 *        when its real path is a directory under allowed_roots; anything
 *        else refuses the session (status 77), never a shell elsewhere.
 * SSH-3  MUST drop, before nsbsh reads its environment, what a client could
 *        send to steer nsbsh itself: XDG_CONFIG_HOME, XDG_CACHE_HOME,
 *        XDG_DATA_HOME, XDG_STATE_HOME, NSBSH_*, GIT_*, NIX_*, BASH_ENV,
 *        ENV; and SSH_ORIGINAL_COMMAND, so that no shell runs it again.
 *        HOME is the password database's (shell/ssh.c), whatever a client or
 *        ~/.ssh/environment said.
 * SSH-4  MUST refuse scp's server side, the sftp subsystem and rsync
 *        --server unless the system's policy says file_transfer = sandbox;
 *        then they run in the sandbox like any command.
 * The sandbox is the wall; SSH-4 is about saying no clearly, not about
 * recognising every way to spell a program. */
#include "shell/sshforced.h"

#include <fnmatch.h>
#include <limits.h>
#include <stdio.h>
#include <sys/stat.h>

#include "base/util.h"

static const char *base_name(const char *s)
{
	const char *slash = strrchr(s, '/');
	return slash ? slash + 1 : s;
}

bool ssh_forced_detect(int argc, char *const argv[], const char *ssh_connection,
		       const char *original_command, const char *parent_comm, const char *self)
{
	if (!ssh_connection || argc < 1 || !argv[0])
		return false;
	/* `nsbsh` alone; sshd's login form `-nsbsh` is an ordinary login.
	 * sshd's session process is "sshd" (OpenSSH 9.8 on: "sshd-session"). */
	if (argc == 1)
		return argv[0][0] != '-' &&
		       (original_command || (parent_comm && strncmp(parent_comm, "sshd", 4) == 0));
	if (argc != 3 || !streq(argv[1], "-c"))
		return false;
	const char *cmd = argv[2];
	if (streq(cmd, "nsbsh"))
		return true;
	if (cmd[0] != '/' || !self)
		return false;
	_cleanup_free_ char *real = realpath(cmd, NULL);
	return real && streq(real, self);
}

int ssh_forced_argv(const char *argv0, const char *command, char ***ret, int *ret_argc)
{
	const char *name = base_name(argv0 && argv0[0] ? argv0 : "nsbsh");
	while (name[0] == '-')
		name++;
	if (!name[0])
		name = "nsbsh";
	size_t nl = strlen(name) + 2, cl = command ? strlen(command) + 1 : 0;
	/* the pointers, then the strings they point at: one free() */
	char **v = malloc(5 * sizeof(*v) + nl + cl + sizeof("-c") + sizeof("--"));
	if (!v)
		return -ENOMEM;
	char *s = (char *)(v + 5);
	int n = 0;
	if (command) {
		v[n++] = strcpy(s, name);
		s += nl;
		v[n++] = strcpy(s, "-c");
		s += sizeof("-c");
		v[n++] = strcpy(s, "--");
		s += sizeof("--");
		v[n++] = memcpy(s, command, cl);
	} else {
		s[0] = '-';
		v[n++] = strcpy(s + 1, name) - 1;
	}
	v[n] = NULL;
	*ret = v;
	*ret_argc = n;
	return 0;
}

/* The first word of a shell command, and whether a later word matches. */
static size_t word_len(const char *s)
{
	return strcspn(s, " \t\n");
}

static const char *next_word(const char *s)
{
	s += word_len(s);
	return s + strspn(s, " \t\n");
}

enum ssh_transfer ssh_transfer_kind(const char *command)
{
	if (!command)
		return SSH_TRANSFER_NONE;
	const char *w = command + strspn(command, " \t\n");
	size_t n = word_len(w);
	_cleanup_free_ char *first = strndup(w, n);
	if (!first)
		return SSH_TRANSFER_NONE;
	const char *prog = base_name(first);
	if (streq(prog, "internal-sftp") || streq(prog, "sftp-server"))
		return SSH_TRANSFER_SFTP;
	bool scp = streq(prog, "scp"), rsync = streq(prog, "rsync");
	if (!scp && !rsync)
		return SSH_TRANSFER_NONE;
	for (w = next_word(w); *w; w = next_word(w)) {
		n = word_len(w);
		if (rsync && n == 8 && strncmp(w, "--server", 8) == 0)
			return SSH_TRANSFER_RSYNC;
		if (scp && n == 2 && w[0] == '-' && w[1] == '-')
			break;
		/* scp -t DIR, -f FILE, also bundled: -prt, -vf */
		if (scp && n > 1 && w[0] == '-' && w[1] != '-' &&
		    (memchr(w, 't', n) || memchr(w, 'f', n)))
			return SSH_TRANSFER_SCP;
	}
	return SSH_TRANSFER_NONE;
}

const char *ssh_transfer_name(enum ssh_transfer t)
{
	switch (t) {
	case SSH_TRANSFER_SCP: return "scp";
	case SSH_TRANSFER_SFTP: return "sftp";
	case SSH_TRANSFER_RSYNC: return "rsync";
	case SSH_TRANSFER_NONE: break;
	}
	return "a command";
}

void ssh_forced_scrub_env(void)
{
	static const char *const steering[] = {
		"XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME",
		"NSBSH_*", "GIT_*", "NIX_*", "BASH_ENV", "ENV", "SSH_ORIGINAL_COMMAND",
	};
	extern char **environ;
	/* unsetenv changes environ: look again from the start after each */
	for (bool again = true; again;) {
		again = false;
		for (char **e = environ; e && *e && !again; e++) {
			const char *eq = strchr(*e, '=');
			if (!eq)
				continue;
			char name[256];
			size_t n = (size_t)(eq - *e);
			if (n == 0 || n >= sizeof(name))
				continue;
			memcpy(name, *e, n);
			name[n] = '\0';
			for (size_t i = 0; i < ARRAY_SIZE(steering) && !again; i++)
				if (fnmatch(steering[i], name, 0) == 0)
					again = unsetenv(name) == 0;
		}
	}
}

int ssh_project_check(const struct policy *p, const char *value, const char *home, char **ret,
		      const char **ret_why)
{
	_cleanup_free_ char *path = NULL;
	struct stat sb;

	for (const char *c = value; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f) {
			*ret_why = "contains a control character";
			return -EINVAL;
		}
	if (value[0] == '~' && (value[1] == '\0' || value[1] == '/') && home && home[0] == '/') {
		if (asprintf(&path, "%s%s", home, value + 1) < 0)
			return -ENOMEM;
	} else if (value[0] == '/') {
		if (!(path = strdup(value)))
			return -ENOMEM;
	} else {
		*ret_why = "is not an absolute path";
		return -EINVAL;
	}
	if (strlen(path) >= PATH_MAX) {
		*ret_why = "is too long";
		return -EINVAL;
	}
	/* The real path: a link under the roots that leads out is out. */
	char *real = realpath(path, NULL);
	if (!real) {
		int r = errno == ENOMEM ? -ENOMEM : -ENOENT;
		*ret_why = "does not exist";
		return r;
	}
	if (!policy_under_allowed_roots(p, real)) {
		free(real);
		*ret_why = "is not under this account's allowed_roots";
		return -EPERM;
	}
	if (stat(real, &sb) < 0 || !S_ISDIR(sb.st_mode)) {
		free(real);
		*ret_why = "is not a directory";
		return -ENOTDIR;
	}
	*ret = real;
	return 0;
}
