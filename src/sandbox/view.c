/* view.c - what every sandbox shows (see view.h). */
#include "sandbox/view.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "base/util.h"

#define DEFAULT_DAEMON_SOCKET "/nix/var/nix/daemon-socket/socket"

const char *view_daemon_socket(void)
{
	const char *s = getenv("NIX_DAEMON_SOCKET_PATH");
	return s && s[0] == '/' ? s : DEFAULT_DAEMON_SOCKET;
}

/* /dev, /proc, /tmp, /run/nsbsh. */
static void view_base(struct layout *l)
{
	static const char *const devs[] = { "/dev/null", "/dev/zero", "/dev/full",
					    "/dev/random", "/dev/urandom", "/dev/tty" };
	layout_add(l, SB_TMPFS, NULL, "/dev");
	for (size_t i = 0; i < ARRAY_SIZE(devs); i++)
		layout_add(l, SB_BIND_DEV, devs[i], devs[i]);
	layout_add(l, SB_DEVPTS, NULL, "/dev/pts");
	layout_add(l, SB_TMPFS, NULL, "/dev/shm");
	layout_add(l, SB_SYMLINK, "/proc/self/fd", "/dev/fd");
	layout_add(l, SB_SYMLINK, "/proc/self/fd/0", "/dev/stdin");
	layout_add(l, SB_SYMLINK, "/proc/self/fd/1", "/dev/stdout");
	layout_add(l, SB_SYMLINK, "/proc/self/fd/2", "/dev/stderr");
	layout_add(l, SB_PROC, NULL, "/proc");
	layout_add(l, SB_TMPFS, NULL, "/tmp");
	layout_add(l, SB_DIR, NULL, "/run/nsbsh");
}

static void view_store(struct layout *l, const struct view_store *store)
{
	if (store->all)
		layout_add(l, SB_BIND_RO, "/nix/store", "/nix/store");
	else
		layout_add_data(l, SB_STORE, "/nix/store", store->list ? store->list : "", store->len);
}

void view_common(struct layout *l, const struct view_user *u, const struct view_store *store,
		 const char *resolv, bool daemon)
{
	view_base(l);
	/* Writes: the private /tmp and /dev/shm, the devices (the private
	 * devpts covers /dev/ptmx and new ptys; nothing new can be made in /dev
	 * itself), and the sandbox's own /proc (/proc/self/comm, oom_score_adj;
	 * no capability is left to make more of it). */
	static const char *const writable[] = { "/tmp", "/dev/shm", "/dev/pts", "/dev/null",
						 "/dev/zero", "/dev/full", "/dev/tty", "/proc" };
	for (size_t i = 0; i < ARRAY_SIZE(writable); i++)
		layout_writable(l, writable[i]);
	view_store(l, store);

	/* The daemon socket's directory, so that a restarted daemon's new socket
	 * is seen; absent when no daemon was ever started (then nix says so).
	 * Read-only is enough: connect() needs write permission on the socket,
	 * which a read-only mount does not take away (only files, directories
	 * and links become EROFS); nothing can be made there. */
	char sockdir[PATH_MAX];
	snprintf(sockdir, sizeof(sockdir), "%s", view_daemon_socket());
	char *slash = strrchr(sockdir, '/');
	if (slash && slash != sockdir)
		*slash = '\0';
	struct stat st;
	if (daemon && stat(sockdir, &st) == 0 && S_ISDIR(st.st_mode))
		layout_add(l, SB_BIND_RO, sockdir, sockdir);

	_cleanup_free_ char *passwd = NULL, *group = NULL;
	if (asprintf(&passwd, "%s:x:%u:%u::%s:/bin/bash\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n",
		     u->name, u->uid, u->gid, u->home) < 0)
		passwd = NULL;
	if (asprintf(&group, "%s:x:%u:\nnogroup:x:65534:\n", u->name, u->gid) < 0)
		group = NULL;
	static const char nss[] = "passwd: files\ngroup: files\nhosts: files dns\n";
	layout_add_file(l, "/etc/passwd", passwd, passwd ? strlen(passwd) : 0);
	layout_add_file(l, "/etc/group", group, group ? strlen(group) : 0);
	layout_add_file(l, "/etc/nsswitch.conf", nss, sizeof(nss) - 1);
	layout_add(l, SB_BIND_TRY_RO, "/etc/hosts", "/etc/hosts");
	if (resolv)
		layout_add_file(l, "/etc/resolv.conf", resolv, strlen(resolv));
	else
		layout_add(l, SB_BIND_TRY_RO, "/etc/resolv.conf", "/etc/resolv.conf");
	layout_add(l, SB_BIND_TRY_RO, "/etc/ssl/certs", "/etc/ssl/certs");
}

void view_host_system(struct layout *l)
{
	static const char *const dirs[] = { "/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64",
					    "/libx32", "/etc/nix", "/etc/alternatives",
					    "/etc/ca-certificates", "/etc/ld.so.cache" };
	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++) {
		struct stat st;
		if (lstat(dirs[i], &st) < 0)
			continue;
		if (!S_ISLNK(st.st_mode)) {
			layout_add(l, SB_BIND_RO, dirs[i], dirs[i]);
			continue;
		}
		/* merged /usr: /bin -> usr/bin stays a link */
		char target[PATH_MAX];
		ssize_t n = readlink(dirs[i], target, sizeof(target) - 1);
		if (n < 0)
			continue;
		target[n] = '\0';
		layout_add(l, SB_SYMLINK, target, dirs[i]);
	}
}
