/* nixconf.h - what the Nix daemon's nix.conf says about trusting this user
 * (issue 17 item 5): read as the daemon reads it, without running nix
 * (`nix show-config` costs a nix start). */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#define NIXCONF_DAEMON "/etc/nix/nix.conf"

struct nixconf_trust {
	bool trusted;      /* the user is in trusted-users (by name, @group or *) */
	bool no_sandbox;   /* sandbox is not "true" (false or relaxed) */
	char why[160];     /* what makes it risky, one phrase; "" when neither */
};

/* The pure part: text of a nix.conf (NUL-terminated), its directory for
 * relative includes; include() reads one (0 and *ret malloc'ed, or a
 * negative errno); depth-limited.  user/groups: the user and the names of
 * the groups it is in. */
typedef int nixconf_read_fn(const char *path, char **ret);
void nixconf_parse(const char *text, const char *dir, nixconf_read_fn *include, const char *user,
		   const char *const *groups, size_t n_groups, struct nixconf_trust *ret);

/* The same for conf (NIXCONF_DAEMON) and the running user: 0 (a missing
 * file: nix's defaults, which trust only root and sandbox), or a negative
 * errno. */
int nixconf_trust_read(const char *conf, struct nixconf_trust *ret);
