/* nsb-trust.c - `nsb trust [--remove] [DIR]`: pin the content of the
 * project's own .nsbsh.conf (trust.c), after checking that it parses, so
 * that starts apply it; --remove forgets the pin. */
#include "nsb/nsb.h"

#include <stdio.h>

#include "base/log.h"
#include "base/util.h"
#include "git/project.h"
#include "policy/config.h"
#include "policy/trust.h"

int nsb_cmd_trust(int argc, char **argv)
{
	bool remove = argc > 1 && streq(argv[1], "--remove");
	int first = remove ? 2 : 1;
	if (argc > first + 1 || (argc == first + 1 && argv[first][0] == '-')) {
		return nsb_usage("trust");
	}
	if (argc == first + 1 && chdir(argv[first]) < 0) {
		warn("cannot enter '%s': %s", argv[first], strerror(errno));
		return 1;
	}
	_cleanup_free_ char *cwd = getcwd(NULL, 0), *err = NULL;
	if (!cwd) {
		warn("cannot read the current directory: %s", strerror(errno));
		return 1;
	}
	_cleanup_(project_release) struct project p = { 0 };
	int r = project_discover(cwd, 0, &p, &err);
	if (r < 0) {
		warn("'%s' is not in a project: %s", cwd,
		     r == -ENOENT ? "no Git work tree with a flake.nix here" : err ? err : strerror(-r));
		return 1;
	}
	if (remove) {
		r = trust_forget(p.worktree);
		if (r < 0) {
			warn("cannot forget the trust of '%s': %s", p.worktree, strerror(-r));
			return EXIT_SYSTEM;
		}
		printf("'%s/" TRUST_FILE "' is no longer trusted: starts ignore it\n", p.worktree);
		return 0;
	}

	_cleanup_(trust_file_release) struct trust_file f = { 0 };
	r = trust_read(p.worktree, &f);
	if (r < 0) {
		warn("cannot read '%s': %s", f.path ? f.path : TRUST_FILE, strerror(-r));
		return 1;
	}
	if (f.state == TRUST_NO_FILE) {
		warn("there is no '%s' to trust", f.path);
		return 1;
	}
	/* What is pinned must be a file that a start can apply. */
	_cleanup_(policy_layer_release) struct policy_layer l = { 0 };
	struct config_error cerr;
	const char *home = getenv("HOME");
	r = config_parse_text(f.text, f.len, f.path, home && home[0] == '/' ? home : NULL, &l, &cerr);
	if (r < 0) {
		warn("%s; not trusted: fix the file first", cerr.message);
		return 1;
	}
	r = trust_pin(p.worktree, &f);
	if (r < 0) {
		warn("cannot record the trust of '%s': %s", f.path, strerror(-r));
		return EXIT_SYSTEM;
	}
	printf("trusted '%s' (sha256 %.16s): starts in this project apply it, and may give the sandbox more than your own policy does; a change to the file untrusts it\n",
	       f.path, f.hex);
	return 0;
}
