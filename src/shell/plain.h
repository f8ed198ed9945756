/* plain.h - the plain bash that nsbsh runs outside any sandbox, and where
 * nsbsh's own bash startup files (shellwrap/) are installed. */
#pragma once

#include <stdnoreturn.h>

#ifndef NSBSH_HOST_BASH
#define NSBSH_HOST_BASH "/bin/bash"
#endif

/* exec the host's bash with argv; does not return (127/126 as bash says). */
noreturn void plain_exec(char **argv);
/* The prompt hook of a plain bash that nsbsh starts for a person
 * (shellwrap/outside.bash), put in the environment: after a cd into a
 * project, the shell becomes nsbsh there.  dir: where the shell starts. */
void plain_hook_env(const char *dir);

/* shellwrap/NAME next to the binary (a build tree) or in
 * ../share/nsbsh/shellwrap (an install), malloc'ed; NULL: not found. */
char *shellwrap_path(const char *name);
/* tools/nsbsh-connect (lib/nsbsh/ once installed), ssh's ProxyCommand
 * inside with network = allow; NULL when there is none. */
char *connect_path(void);
