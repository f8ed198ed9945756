/* nsblog.c - `nsb log [-n N] [DIR]`: the project around DIR (default: the
 * current directory) and the last N (20) refusals of its sandbox's seccomp
 * filter, oldest first, with time, pid (as the sandbox sees it), command
 * name, syscall and group.  Reads only: nothing is created. */
#include "nsb/nsb.h"

#include <stdio.h>

#include "base/dirs.h"
#include "base/log.h"
#include "base/util.h"
#include "env/cache.h"
#include "git/project.h"
#include "sandbox/denylog.h"

#define NSBLOG_DEFAULT 20
#define NSBLOG_MAX 10000

int nsb_cmd_log(int argc, char **argv)
{
	long n = NSBLOG_DEFAULT;
	int i = 1;
	if (i + 1 < argc && streq(argv[i], "-n")) {
		char *end;
		n = strtol(argv[i + 1], &end, 10);
		if (!argv[i + 1][0] || *end || n < 1 || n > NSBLOG_MAX) {
			warn("'%s' is not a number of lines from 1 to %d: nsb log -n N [DIR]",
			     argv[i + 1], NSBLOG_MAX);
			return EXIT_USAGE;
		}
		i += 2;
	}
	if (argc - i > 1 || (i < argc && argv[i][0] == '-'))
		return nsb_usage("log");
	_cleanup_free_ char *cwd = NULL, *err = NULL, *dir = NULL;
	struct project p = { 0 };
	int r = nsb_project_here(i < argc ? argv[i] : NULL, &cwd, &p, &err);
	if (r == -EIO && !err)
		return 1; /* said */
	if (r == -ENOMEM)
		return EXIT_SYSTEM;
	if (r < 0) {
		warn("'%s' is in no project: %s", cwd,
		     r == -ENOENT ? "no sandbox runs here, so nothing is refused" : err ? err : strerror(-r));
		return 1;
	}
	r = dirs_denial_log(p.worktree, false, &dir);
	if (r < 0) {
		project_release(&p);
		return EXIT_SYSTEM;
	}
	fflush(stdout);
	r = denylog_print(stdout, dir, (size_t)n);
	if (r == -ENOENT || r == 0)
		printf("nothing refused in '%s' yet\n", p.worktree);
	else if (r < 0)
		warn("cannot read the denial log '%s/denials': %s", dir, strerror(-r));
	project_release(&p);
	return r < 0 && r != -ENOENT ? 1 : 0;
}
