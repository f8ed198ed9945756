/* args.h - read bash's command line the way bash does, without changing it.
 * nsbsh passes argv to bash untouched; this only tells it what kind of start
 * this is (login? -c? a script? interactive?). Pure; unit-tested. */
#pragma once

#include <stdbool.h>

enum shell_mode {
	SHELL_MODE_STDIN,   /* commands from standard input (interactive or -s or a pipe) */
	SHELL_MODE_COMMAND, /* -c STRING [NAME [ARGS...]] */
	SHELL_MODE_SCRIPT,  /* FILE [ARGS...] */
};

struct shellargs {
	enum shell_mode mode;
	bool login;        /* argv[0] starts with '-', or -l / --login */
	bool interactive;  /* -i given (bash may also decide so from the tty) */
	bool norc, noprofile, rcfile;
	bool info_only;    /* --help or --version: bash prints and exits */
	bool version;      /* --version */
	bool invalid;      /* bash will refuse this command line itself */
	int operand;       /* index of the first operand (command string or script), or argc */
};

void shellargs_parse(int argc, char *const argv[], struct shellargs *ret);
/* As bash decides it: -i, or commands from stdin with stdin and stderr on a tty. */
bool shellargs_interactive(const struct shellargs *a, bool stdin_tty, bool stderr_tty);
