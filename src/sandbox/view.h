/* view.h - what every sandbox shows (the shell's and the evaluation's):
 * /dev, /proc, /tmp, /run/nsbsh, /nix/store (or of it the closure) read-only, the Nix daemon's
 * socket, a minimal /etc; and the host's system directories for the views
 * that take them. */
#pragma once

#include <sys/types.h>

#include "sandbox/layout.h"

struct view_user {
	const char *name;
	const char *home;   /* the user's $HOME path, shown inside */
	uid_t uid;
	gid_t gid;
};

/* What of /nix/store a view shows: all of it (all), or only the paths of
 * list (store = closure, env/closure.h: "PATH\n" or "PATH TARGET\n" a
 * link, len bytes), each bound read-only at itself (a link made as that
 * link) on an empty store, read-only itself (SB_STORE). */
struct view_store {
	bool all;
	const char *list;
	size_t len;
};

/* The base, the store, the daemon socket's directory (daemon false: not
 * shown, NET-5), /etc: its resolv.conf the host's, or the text resolv
 * (NET-6; NULL: the host's). */
void view_common(struct layout *l, const struct view_user *u, const struct view_store *store,
		 const char *resolv, bool daemon);
/* The host's /usr, /bin, /lib* and the /etc files programs there need,
 * read-only (the evaluation's, and the shell's with host_system = ro). */
void view_host_system(struct layout *l);

/* The Nix daemon's socket: $NIX_DAEMON_SOCKET_PATH or the default. */
const char *view_daemon_socket(void);
