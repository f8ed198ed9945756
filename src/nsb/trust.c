/* trust.c - `nsb trust [--remove | --sha256 HEX] [DIR]`: pin the content
 * of the project's own .nsbsh.conf (policy/trust.c), after checking that
 * it parses, so that starts apply it, and show what was pinned; with
 * --sha256, only if the file's hash is HEX (what the person read: code in
 * a sandbox may have changed the file since); --remove forgets the pin. */
#include "nsb/nsb.h"

#include <stdio.h>
#include <strings.h>

#include "base/log.h"
#include "base/util.h"
#include "git/project.h"
#include "policy/config.h"
#include "policy/trust.h"

/* What is pinned, shown as it is: each line, control bytes as \xNN (a
 * file must not drive the terminal), then its hash. */
static void show_pinned(const struct trust_file *f)
{
	printf("--- %s (sha256 %s)\n", f->path, f->hex);
	bool bol = true;
	for (size_t i = 0; i < f->len; i++) {
		unsigned char c = (unsigned char)f->text[i];
		if (bol)
			fputs("  | ", stdout);
		bol = c == '\n';
		if (c == '\n' || c == '\t' || (c >= 0x20 && c != 0x7f))
			putchar(c);
		else
			printf("\\x%02x", c);
	}
	if (!bol)
		putchar('\n');
	printf("---\n");
}

static bool is_hex64(const char *s)
{
	return strlen(s) == 64 && strspn(s, "0123456789abcdefABCDEF") == 64;
}

int nsb_cmd_trust(int argc, char **argv)
{
	static const char usage[] = "usage: nsb trust [--remove | --sha256 HEX] [DIR]";
	bool remove = argc > 1 && streq(argv[1], "--remove");
	const char *want = NULL;
	int first = remove ? 2 : 1;
	if (!remove && argc > 1 && streq(argv[1], "--sha256")) {
		if (argc < 3 || !is_hex64(argv[2])) {
			warn("%s (HEX: the 64 hex digits of the SHA-256 you read, e.g. from sha256sum)", usage);
			return EXIT_USAGE;
		}
		want = argv[2];
		first = 3;
	}
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

	/* TRUST-1: the bytes hashed are the bytes shown, parsed and pinned */
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
	/* HOST-6: --sha256 pins exactly what the person read, or nothing */
	if (want && strcasecmp(want, f.hex) != 0) {
		warn("'%s' is not what you read: its sha256 is %s, not %s (it changed since); not trusted: read it again",
		     f.path, f.hex, want);
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
	show_pinned(&f);
	printf("trusted '%s' (sha256 %s): starts in this project apply what is shown above, and it may give the sandbox more than your own policy does; a change to the file untrusts it\n",
	       f.path, f.hex);
	return 0;
}
