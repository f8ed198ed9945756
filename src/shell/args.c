/* args.c - classify a bash command line (see args.h).
 * Follows bash 5's shell.c: long options first, then single-letter options
 * (set options, -o/+o NAME, -O/+O NAME, -c -i -l -r -s -D), "--" or "-" ends
 * options, and the first operand is the -c string or the script path. */
#include "shell/args.h"

#include <string.h>

#include "base/util.h"

/* Long options that take no argument; --rcfile/--init-file are handled apart. */
static const char *const long_flags[] = {
	"debug", "debugger", "dump-po-strings", "dump-strings", "help", "login",
	"noediting", "noprofile", "norc", "posix", "pretty-print", "protected",
	"restricted", "rpm-requires", "verbose", "version", "wordexp",
};

static bool long_flag_known(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(long_flags); i++)
		if (streq(name, long_flags[i]))
			return true;
	return false;
}

void shellargs_parse(int argc, char *const argv[], struct shellargs *ret)
{
	struct shellargs a = { .mode = SHELL_MODE_STDIN, .operand = argc };
	bool want_command = false, want_stdin = false;
	int i = 1;

	a.login = argc > 0 && argv[0] && argv[0][0] == '-';

	/* Long options: "--name" (bash also takes "-name" for these). */
	for (; i < argc; i++) {
		const char *s = argv[i];
		if (s[0] != '-' || s[1] == '\0' || streq(s, "--"))
			break;
		const char *name = s + (s[1] == '-' ? 2 : 1);
		if (streq(name, "rcfile") || streq(name, "init-file")) {
			if (i + 1 >= argc) {
				a.invalid = true;
				break;
			}
			a.rcfile = true;
			i++;
			continue;
		}
		if (!long_flag_known(name)) {
			if (s[1] == '-')
				a.invalid = true; /* bash: invalid option */
			break;
		}
		if (streq(name, "login"))
			a.login = true;
		else if (streq(name, "norc"))
			a.norc = true;
		else if (streq(name, "noprofile"))
			a.noprofile = true;
		else if (streq(name, "help") || streq(name, "version"))
			a.info_only = true;
		if (streq(name, "version"))
			a.version = true;
	}
	if (a.invalid || a.info_only) {
		*ret = a;
		return;
	}

	/* Single-letter options, possibly bundled ("-xec"), '+' turns set options off. */
	for (; i < argc; i++) {
		const char *s = argv[i];
		if ((s[0] != '-' && s[0] != '+') || s[1] == '\0') {
			if (streq(s, "-") || streq(s, "+"))
				i++; /* a lone "-" ends the options */
			break;
		}
		if (streq(s, "--")) {
			i++;
			break;
		}
		bool on = s[0] == '-';
		bool takes_next = false;
		for (const char *c = s + 1; *c; c++) {
			switch (*c) {
			case 'c': want_command = on; break;
			case 's': want_stdin = on; break;
			case 'i': a.interactive = on; break;
			case 'l': a.login = a.login || on; break;
			case 'o': case 'O': takes_next = true; break;
			case 'r': case 'D': break;
			default:
				if (!strchr("abefhkmnptuvxBCEHPT", *c))
					a.invalid = true;
			}
		}
		if (takes_next) {
			/* "-o NAME": without NAME bash lists the options and goes on. */
			if (i + 1 < argc)
				i++;
		}
	}

	if (want_command) {
		a.mode = SHELL_MODE_COMMAND;
		if (i >= argc)
			a.invalid = true; /* bash: -c: option requires an argument */
	} else if (!want_stdin && i < argc) {
		a.mode = SHELL_MODE_SCRIPT;
	}
	a.operand = i;
	*ret = a;
}

bool shellargs_interactive(const struct shellargs *a, bool stdin_tty, bool stderr_tty)
{
	if (a->interactive)
		return true;
	return a->mode == SHELL_MODE_STDIN && a->operand >= 0 && stdin_tty && stderr_tty &&
	       !a->info_only;
}
