/* homerc.h - the startup files bash reads in the sandbox's private home
 * (.bashrc, .bash_profile, .profile, .bash_login, .bash_logout, .inputrc):
 * the user's own from ~/.config/nsbsh/home/, read-only, or an empty one,
 * read-only: never a file the sandbox wrote (HOMERC-1, homerc.c). */
#pragma once

#include "sandbox/layout.h"

#define HOMERC_N 6
extern const char *const homerc_names[HOMERC_N];

/* Each name bound read-only at home/NAME (home: where the private home
 * private_home is shown): rc_dir/NAME when it is a regular file there
 * (rc_dir may be NULL or missing), else nsbsh's empty file.  Readies the
 * mount points in private_home (a link or directory there is removed; the
 * private home's own files are kept, hidden).  After the private home's
 * bind.  A failure is the layout's error. */
void homerc_view(struct layout *l, const char *private_home, const char *home, const char *rc_dir);

/* What /etc/profile must add so that a login bash reads the file it would
 * read without nsbsh, now that every one of the three exists inside:
 * ~/.bash_login or ~/.profile when rc_dir has no .bash_profile; "" when
 * nothing is to be added (malloc'ed; NULL: out of memory). */
char *homerc_login_chain(const char *rc_dir);
