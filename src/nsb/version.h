/* version.h - what `nsbsh --version` and `nsb --version` print. */
#pragma once

#include <stdio.h>

/* "nsbsh 0.1.0 (libgit2 1.5.1, libseccomp 2.5.4, libedit 2.11, libconfuse 3.3)":
 * the versions of the libraries this binary runs with (libedit's is the one
 * it was built with: libedit has no run-time version call). */
void version_print(FILE *f, const char *name);
