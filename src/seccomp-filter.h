/* seccomp-filter.h - the sandbox's syscall filter (libseccomp), loaded last before exec. */
#pragma once

/* Build and load the filter in the calling process; 0 or a negative errno.
 * Requires no_new_privs. */
int seccomp_install(void);
