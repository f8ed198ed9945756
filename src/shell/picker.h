/* picker.h - the session picker (libedit): on the terminal, before a
 * project's shell starts, choose a session with line editing and Tab
 * completion over the existing sessions and branches, or stay in place. */
#pragma once

#include "git/session.h"

/* Shows the sessions of l, then reads a name on the terminal (stdin, the
 * prompt on stderr).  0 and *ret_branch (malloc'ed), or NULL for "in
 * place" (an empty line, "." or end of input).  A name git would refuse is
 * said so, with why, and asked again.  -ENOTTY without a terminal;
 * -ENOENT with *ret_err when libedit cannot be loaded. */
int picker_run(const struct session_list *l, char **ret_branch, char **ret_err);
