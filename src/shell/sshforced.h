/* sshforced.h - a start by sshd's ForceCommand (README "Agents over SSH"):
 * recognising it, the argv it turns into, the file-transfer programs a
 * client's command may be, the project a client may name, and the
 * variables a client may have sent that must not steer nsbsh.  Nothing
 * here prints; shell/ssh.c decides and says. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "policy/config.h"

enum ssh_transfer {
	SSH_TRANSFER_NONE,   /* any other command */
	SSH_TRANSFER_SCP,    /* scp -t / scp -f: scp's server side */
	SSH_TRANSFER_SFTP,   /* the sftp subsystem: internal-sftp, .../sftp-server */
	SSH_TRANSFER_RSYNC,  /* rsync --server */
};

/* Whether this start is sshd running the forced command: ssh_connection
 * ($SSH_CONNECTION) set, and argv either `nsbsh` alone (the account's
 * shell ran `SHELL -c nsbsh` and bash exec'd it) with original_command
 * ($SSH_ORIGINAL_COMMAND, which sshd sets for forced commands only) set
 * or parent_comm (the parent's /proc comm, or NULL) "sshd..." (without a
 * command; someone typing `nsbsh` in an ssh session has a shell as
 * parent), or `SHELL -c CMD` where CMD is "nsbsh" or a path to the
 * running binary self (the account's login shell is nsbsh itself). */
bool ssh_forced_detect(int argc, char *const argv[], const char *ssh_connection,
		       const char *original_command, const char *parent_comm, const char *self);

/* The command line a forced start runs as: with a command, bash's
 * `NAME -c -- COMMAND` (NAME: argv0's base name, without a leading '-');
 * without one, a login shell `-NAME`.  0 and *ret (one allocation, free()
 * it), or -ENOMEM. */
int ssh_forced_argv(const char *argv0, const char *command, char ***ret, int *ret_argc);

/* What a client's command is, by its first word (a command that hides it
 * is just a command, and runs in the sandbox like any other). */
enum ssh_transfer ssh_transfer_kind(const char *command);
const char *ssh_transfer_name(enum ssh_transfer t);


/* Drops from the environment what a client could have sent with SetEnv
 * to steer nsbsh itself, and SSH_ORIGINAL_COMMAND (which is run once, as
 * argv). */
void ssh_forced_scrub_env(void);

/* The project directory a client named (the value of ssh_project_env):
 * its real path must be a directory at or beneath allowed_roots.  0 and
 * *ret (malloc'ed real path); -EINVAL, -ENOENT, -ENOTDIR, -EPERM with
 * *ret_why; -ENOMEM. */
int ssh_project_check(const struct policy *p, const char *value, const char *home, char **ret,
		      const char **ret_why);
