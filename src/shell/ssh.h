/* ssh.h - the start's side of a forced ssh session (sshforced.h decides
 * what is what; these say it, and refuse with EXIT_REFUSED). */
#pragma once

#include <stdbool.h>

#include "shell/args.h"

struct policy;

/* Before anything reads the command line or the environment (SSH-1,
 * SSH-3): when this start is sshd's ForceCommand, *argc and *argv become
 * nsbsh's own command line (the client's command, or a login shell), the
 * environment is cleaned, and HOME is the password database's.  true then. */
bool ssh_start_begin(int *argc, char ***argv);
/* After the policy: file transfers (SSH-4) and the project the client
 * names or the policy sets (SSH-2), entered with chdir; argv[args->operand]
 * may be replaced (sftp). */
void ssh_start_enter(const struct shellargs *args, char **argv, const struct policy *p,
		     const char *home);
