/* version.c - the version line of nsbsh and nsb. */
#include "nsb/version.h"

#include "nsb/nsb.h"

#include <histedit.h>
#include <seccomp.h>

#include "git/gitlib.h"
#include "policy/config.h"
#include "sandbox/seccomp.h"

void version_print(FILE *f, const char *name)
{
	const struct scmp_version *sv = seccomp_lib_version();
	const char *confuse = config_lib_version();
	const struct gitlib *g = NULL;
	char *err = NULL;
	int major = 0, minor = 0, rev = 0;
	char git[32] = "not found";

	/* Loading libgit2 costs a few ms, which only this line pays. */
	if (gitlib_load(&g, &err) == 0 && g->libgit2_version(&major, &minor, &rev) == 0)
		snprintf(git, sizeof(git), "%d.%d.%d", major, minor, rev);
	free(err);
	fprintf(f, "%s %s (libgit2 %s, libseccomp %u.%u.%u, libedit %d.%d, libconfuse %s)\n", name,
		NSBSH_VERSION, git, sv ? sv->major : 0, sv ? sv->minor : 0, sv ? sv->micro : 0,
		LIBEDIT_MAJOR, LIBEDIT_MINOR, confuse ? confuse : "not found");
}

int nsb_cmd_version(int argc, char **argv)
{
	version_print(stdout, "nsb");
	return 0;
}
