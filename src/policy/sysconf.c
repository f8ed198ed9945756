/* sysconf.c - where the system's policy file is.  An object of its own, so
 * that the test suite links an nsbsh that reads a file of its own scratch
 * directory instead (Makefile: test-install) and no machine's
 * /etc/nsbsh/nsbsh.conf changes what the tests see.  A compile-time path,
 * never an environment variable: a strict account must not be able to
 * point its shell at another policy. */
#include "policy/config.h"

#ifndef NSBSH_SYSTEM_CONFIG
#define NSBSH_SYSTEM_CONFIG "/etc/nsbsh/nsbsh.conf"
#endif

const char *config_system_path(void)
{
	return NSBSH_SYSTEM_CONFIG;
}
