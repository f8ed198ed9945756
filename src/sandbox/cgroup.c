/* cgroup.c - the sandbox's own cgroup, in a cgroup delegated to the caller.
 *
 * A cgroup is delegated to a user when its directory is theirs and, in
 * the unified hierarchy (v2), it is marked so: systemd sets the xattr
 * user.delegate=1 on units with Delegate=yes (user@UID.service, a scope of
 * `systemd-run --user --scope -p Delegate=yes`); everything else under a
 * user's systemd is theirs too, but systemd's to manage.  In v1's pids
 * hierarchy systemd chowns only what it delegates, so the owner is enough.  There a child cgroup counts every task of the sandbox (threads
 * too, whatever their user) and refuses a fork past pids.max: that takes
 * the place of RLIMIT_NPROC, which counts one user's tasks in one user
 * namespace.  Where no such cgroup is (root-owned login sessions, the
 * usual case), nothing here runs but one read of /proc/self/cgroup and one
 * stat, and RLIMIT_NPROC holds the limit (sandbox.c MUST-9).
 *
 * Invariants (each has a check in tests/integration/t-limits.sh that names it):
 * CG-1  own-only: nsbsh writes only in the cgroup it is in, and only when
 *       that cgroup's directory belongs to the caller (never for root), it
 *       is marked delegated (v2) and its cgroup.procs is writable; there it makes one child per sandbox,
 *       nsbsh.PID (PID: the supervisor's), and changes nothing else but
 *       enabling the pids controller for the children (v2).
 * CG-2  before-start: pid 1 is moved into the child, whose pids.max is
 *       already set, before it is let go: the program and everything it
 *       forks count.  When any step fails, pid 1 sets RLIMIT_NPROC: a
 *       sandbox never runs with neither limit.
 * CG-3  unseen: the sandbox has no /sys, so code inside can neither move
 *       itself out nor raise pids.max (the files are the user's).
 * CG-4  cleanup: the child is removed once pid 1 is reaped (the kernel
 *       kills the rest of the pid namespace with it); a child whose
 *       supervisor is gone (killed) is removed at the next start in the
 *       same cgroup.
 */
#include "sandbox/cgroup.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <signal.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/xattr.h>
#include <time.h>

#include "base/file.h"
#include "base/util.h"

#define CGROUP_ROOT "/sys/fs/cgroup"
#define CHILD_PREFIX "nsbsh."

static bool has_word(const char *list, const char *word, char sep)
{
	size_t n = strlen(word);
	for (const char *p = list; p && *p;) {
		const char *end = strchr(p, sep);
		size_t len = end ? (size_t)(end - p) : strlen(p);
		if (len == n && strncmp(p, word, n) == 0)
			return true;
		p = end ? end + 1 : NULL;
	}
	return false;
}

static bool path_ok(const char *path, size_t len)
{
	if (len == 0 || path[0] != '/')
		return false;
	static const char deleted[] = " (deleted)";
	if (len >= sizeof(deleted) - 1 && memcmp(path + len - (sizeof(deleted) - 1), deleted,
						 sizeof(deleted) - 1) == 0)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (path[i] == '/' && path[i + 1] == '.' && path[i + 2] == '.' &&
		    (i + 3 == len || path[i + 3] == '/'))
			return false;
	}
	return true;
}

enum cgroup_kind cgroup_parse(const char *text, char **ret_path)
{
	enum cgroup_kind kind = CGROUP_NONE;
	const char *found = NULL;
	size_t found_len = 0;
	*ret_path = NULL;
	for (const char *line = text; line && *line;) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		/* ID:CONTROLLERS:PATH; the path may hold ':' itself */
		const char *c1 = memchr(line, ':', len);
		const char *c2 = c1 ? memchr(c1 + 1, ':', len - (size_t)(c1 + 1 - line)) : NULL;
		if (c2) {
			_cleanup_free_ char *ctl = strndup(c1 + 1, (size_t)(c2 - c1 - 1));
			const char *path = c2 + 1;
			size_t plen = len - (size_t)(path - line);
			if (ctl && has_word(ctl, "pids", ',')) {
				kind = CGROUP_V1_PIDS;
				found = path;
				found_len = plen;
				break;
			}
			if (ctl && !*ctl && c1 - line == 1 && line[0] == '0') {
				kind = CGROUP_V2;
				found = path;
				found_len = plen;
			}
		}
		line = nl ? nl + 1 : NULL;
	}
	if (kind == CGROUP_NONE || !path_ok(found, found_len))
		return CGROUP_NONE;
	*ret_path = strndup(found, found_len);
	return *ret_path ? kind : CGROUP_NONE;
}

/* The whole of a small file (the kernel's, under 4 KiB), NUL-terminated. */
static int read_small(int dirfd, const char *name, char *buf, size_t size)
{
	_cleanup_close_ int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	ssize_t len = read_full(fd, buf, size - 1);
	if (len < 0)
		return (int)len;
	buf[len] = '\0';
	return 0;
}

/* Where the hierarchy of that kind is mounted, checked by its magic. */
static const char *hierarchy_root(enum cgroup_kind kind)
{
	struct statfs st;
	if (kind == CGROUP_V1_PIDS)
		return statfs(CGROUP_ROOT "/pids", &st) == 0 && st.f_type == CGROUP_SUPER_MAGIC
			       ? CGROUP_ROOT "/pids"
			       : NULL;
	if (statfs(CGROUP_ROOT, &st) == 0 && st.f_type == CGROUP2_SUPER_MAGIC)
		return CGROUP_ROOT;
	if (statfs(CGROUP_ROOT "/unified", &st) == 0 && st.f_type == CGROUP2_SUPER_MAGIC)
		return CGROUP_ROOT "/unified";
	return NULL;
}

/* CG-1: the caller's cgroup, opened, when it is delegated to the caller;
 * enable: turn the pids controller on for its children (v2) when it is
 * off, else only look; ret_dir: its path (may be NULL). */
static int delegated_open(bool enable, enum cgroup_kind *ret_kind, char **ret_dir)
{
	char text[4096];
	if (read_small(AT_FDCWD, "/proc/self/cgroup", text, sizeof(text)) < 0)
		return -ENOENT;
	_cleanup_free_ char *path = NULL;
	enum cgroup_kind kind = cgroup_parse(text, &path);
	const char *root = kind == CGROUP_NONE ? NULL : hierarchy_root(kind);
	if (!root)
		return -ENOENT;
	_cleanup_free_ char *dir = NULL;
	if (asprintf(&dir, "%s%s", root, path) < 0)
		return -ENOMEM;
	_cleanup_close_ int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	struct stat st;
	uid_t uid = getuid();
	if (fd < 0 || fstat(fd, &st) < 0 || uid == 0 || st.st_uid != uid ||
	    faccessat(fd, "cgroup.procs", W_OK, 0) < 0)
		return -ENOENT;
	if (kind == CGROUP_V2) {
		char mark[2];
		if (fgetxattr(fd, "user.delegate", mark, sizeof(mark)) != 1 || mark[0] != '1')
			return -ENOENT;
		/* pids is a threaded controller: the kernel lets a cgroup with
		 * processes of its own enable it for its children. */
		char ctl[1024];
		if (read_small(fd, "cgroup.controllers", ctl, sizeof(ctl)) < 0)
			return -ENOENT;
		ctl[strcspn(ctl, "\n")] = '\0';
		if (!has_word(ctl, "pids", ' '))
			return -ENOENT;
		if (read_small(fd, "cgroup.subtree_control", ctl, sizeof(ctl)) < 0)
			return -ENOENT;
		ctl[strcspn(ctl, "\n")] = '\0';
		if (enable && !has_word(ctl, "pids", ' ')) {
			int r = file_write_kernel(fd, "cgroup.subtree_control", "+pids");
			if (r < 0)
				return r;
		}
	}
	*ret_kind = kind;
	if (ret_dir)
		*ret_dir = steal_pointer(&dir);
	return steal_fd(&fd);
}

int cgroup_delegated(char **ret_dir)
{
	enum cgroup_kind kind;
	int fd = delegated_open(false, &kind, ret_dir);
	if (fd < 0)
		return fd;
	close(fd);
	return 0;
}

/* CG-4: children of supervisors that are gone; an rmdir of one with
 * processes fails (EBUSY), so a sandbox that runs on is never touched. */
static void stale_remove(int parent_fd)
{
	int fd = fcntl(parent_fd, F_DUPFD_CLOEXEC, 3);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	if (!d) {
		if (fd >= 0)
			close(fd);
		return;
	}
	struct dirent *e;
	while ((e = readdir(d))) {
		if (strncmp(e->d_name, CHILD_PREFIX, sizeof(CHILD_PREFIX) - 1) != 0)
			continue;
		char *end;
		long pid = strtol(e->d_name + sizeof(CHILD_PREFIX) - 1, &end, 10);
		if (*end || pid <= 0 || pid == getpid())
			continue;
		if (kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue; /* alive (or not ours to ask): its supervisor removes it */
		unlinkat(parent_fd, e->d_name, AT_REMOVEDIR);
	}
	closedir(d);
}

int cgroup_prepare(struct sandbox_cgroup *cg, unsigned long max_procs)
{
	*cg = (struct sandbox_cgroup){ .parent_fd = -1, .fd = -1 };
	enum cgroup_kind kind;
	int parent = delegated_open(true, &kind, NULL);
	if (parent < 0)
		return parent;
	cg->parent_fd = parent;
	stale_remove(parent);
	snprintf(cg->name, sizeof(cg->name), CHILD_PREFIX "%d", (int)getpid());
	/* A sandbox of this supervisor before (nsb reload) left it behind
	 * only if its rmdir failed; an empty one goes now. */
	if (mkdirat(parent, cg->name, 0755) < 0 &&
	    (errno != EEXIST || unlinkat(parent, cg->name, AT_REMOVEDIR) < 0 ||
	     mkdirat(parent, cg->name, 0755) < 0)) {
		int r = -errno;
		cg->name[0] = '\0';
		cgroup_release(cg);
		return r;
	}
	cg->fd = openat(parent, cg->name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	char value[32];
	snprintf(value, sizeof(value), "%lu", max_procs);
	int r = cg->fd < 0 ? -errno : file_write_kernel(cg->fd, "pids.max", value);
	if (r < 0) {
		cgroup_release(cg);
		return r;
	}
	return 0;
}

int cgroup_attach(struct sandbox_cgroup *cg, pid_t pid)
{
	if (cg->fd < 0)
		return -ENOENT;
	char value[32];
	snprintf(value, sizeof(value), "%d", (int)pid);
	return file_write_kernel(cg->fd, "cgroup.procs", value);
}

void cgroup_release(struct sandbox_cgroup *cg)
{
	if (cg->fd >= 0)
		close(cg->fd);
	cg->fd = -1;
	if (cg->parent_fd < 0)
		return;
	/* The last tasks of the pid namespace may still be leaving it. */
	for (int i = 0; cg->name[0] && i < 50; i++) {
		if (unlinkat(cg->parent_fd, cg->name, AT_REMOVEDIR) == 0 || errno != EBUSY)
			break;
		nanosleep(&(struct timespec){ .tv_nsec = 2 * 1000 * 1000 }, NULL);
	}
	close(cg->parent_fd);
	cg->parent_fd = -1;
}
