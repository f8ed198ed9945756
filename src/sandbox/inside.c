/* inside.c - what runs inside a new sandbox: its pid 1, which builds the
 * mounts, loads the filter, forks the program and reaps orphans, and the
 * program's last steps before exec.  The invariants and the order of the
 * final stage are stated at the top of sandbox.c, which starts pid 1. */
#include "sandbox/inside.h"

#include <fcntl.h>
#include <limits.h>
#include <linux/capability.h>
#include <linux/mount.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "base/file.h"
#include "base/util.h"
#include "sandbox/landlock.h"
#include "sandbox/guard.h"
#include "sandbox/seccomp.h"
#include "sandbox/wire.h"

#define SANDBOX_BASE "/tmp"
#define OLDROOT "/oldroot"
#define ERRBUF 1024

/* --- signals ------------------------------------------------------------
 * While the program runs, the supervisor and pid 1 stay out of the way of
 * the terminal's SIGINT and SIGQUIT (the program decides, as under bash),
 * and pass SIGHUP and SIGTERM on, so that a hung-up bash still saves its
 * history instead of being killed with its supervisor. */

static struct sigaction saved_int, saved_quit;

void signals_save(void)
{
	sigaction(SIGINT, NULL, &saved_int);
	sigaction(SIGQUIT, NULL, &saved_quit);
}
static volatile pid_t forward_to;

static void forward_signal(int sig)
{
	pid_t p = forward_to;
	if (p > 0)
		kill(p, sig);
}

void signals_supervise(pid_t to)
{
	struct sigaction ign = { .sa_handler = SIG_IGN }, fwd = { .sa_handler = forward_signal };
	sigemptyset(&ign.sa_mask);
	sigemptyset(&fwd.sa_mask);
	forward_to = to;
	sigaction(SIGINT, &ign, NULL);
	sigaction(SIGQUIT, &ign, NULL);
	sigaction(SIGHUP, &fwd, NULL);
	sigaction(SIGTERM, &fwd, NULL);
}

void signals_restore(void)
{
	struct sigaction dfl = { .sa_handler = SIG_DFL };
	sigemptyset(&dfl.sa_mask);
	forward_to = 0;
	sigaction(SIGINT, &saved_int, NULL);
	sigaction(SIGQUIT, &saved_quit, NULL);
	sigaction(SIGHUP, &dfl, NULL);
	sigaction(SIGTERM, &dfl, NULL);
}

/* --- inside the sandbox (pid 1 and the program): report and exit ------- */

static int child_errfd = -1;

static void __attribute__((__noreturn__, format(printf, 1, 2))) child_fail(const char *fmt, ...)
{
	char buf[ERRBUF];
	int saved = errno;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	if ((size_t)n >= sizeof(buf))
		n = sizeof(buf) - 1;
	n += snprintf(buf + n, sizeof(buf) - (size_t)n, ": %s", strerror(saved));
	if ((size_t)n >= sizeof(buf))
		n = sizeof(buf) - 1;
	if (child_errfd >= 0 && write(child_errfd, buf, (size_t)n) < 0) {
		/* nothing more can be said */
	}
	_exit(EXIT_SANDBOX_SETUP);
}

/* Read-only (or not), nosuid and nodev, on the mount at path and every mount
 * below it (MUST-3).  mount_setattr() does it in one call; older kernels get
 * a remount that keeps the flags the kernel has locked. */
static void restrict_mount_or_fail(const char *path, bool ro)
{
	struct mount_attr attr = {
		.attr_set = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | (ro ? MOUNT_ATTR_RDONLY : 0),
	};
	if (syscall(SYS_mount_setattr, AT_FDCWD, path, AT_RECURSIVE, &attr, sizeof(attr)) == 0)
		return;
	if (errno != ENOSYS)
		child_fail("cannot make '%s' %s", path, ro ? "read-only" : "nosuid");
	struct statvfs sv;
	if (statvfs(path, &sv) < 0)
		child_fail("cannot stat '%s'", path);
	unsigned long flags = MS_BIND | MS_REMOUNT | MS_NOSUID | MS_NODEV | (ro ? MS_RDONLY : 0);
	if (sv.f_flag & ST_NOEXEC)
		flags |= MS_NOEXEC;
	if (sv.f_flag & ST_NOATIME)
		flags |= MS_NOATIME;
	if (sv.f_flag & ST_NODIRATIME)
		flags |= MS_NODIRATIME;
	if (sv.f_flag & ST_RELATIME)
		flags |= MS_RELATIME;
	if (mount(NULL, path, NULL, flags, NULL) < 0)
		child_fail("cannot make '%s' %s", path, ro ? "read-only" : "nosuid");
}

/* MUST-12: dest (absolute, inside the new root) resolved from that root
 * with no link followed that lies in a bound host directory (the private
 * home, the work tree: code in a sandbox can plant one there, and the
 * host's root is still at /oldroot while the view is built), the last
 * component included.  Links in the sandbox's own root (a tmpfs nsbsh
 * filled: /bin -> usr/bin with the host's system) are followed.  Missing
 * directories are made; the last component is made as a directory (dir)
 * or an empty file when missing.  An O_PATH fd of it. */
static int dest_open_depth(const char *dest, bool dir, int depth)
{
	struct stat root_st;
	int fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &root_st) < 0)
		child_fail("cannot open the new root");
	char done[PATH_MAX] = "";  /* the part resolved so far */
	const char *p = dest + strspn(dest, "/");
	while (*p) {
		size_t n = strcspn(p, "/");
		char name[NAME_MAX + 1];
		if (n > NAME_MAX || (n == 2 && p[0] == '.' && p[1] == '.') || strlen(done) + n + 2 >= sizeof(done)) {
			errno = EINVAL;
			child_fail("cannot use the mount point '%s'", dest);
		}
		memcpy(name, p, n);
		name[n] = '\0';
		const char *next = p + n + strspn(p + n, "/");
		struct stat st, here;
		if (*next) {
			/* the common case: a directory there already (no link: an
			 * O_NOFOLLOW directory open of one fails) */
			int sub = openat(fd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (sub >= 0) {
				close(fd);
				fd = sub;
				strcat(done, "/");
				strcat(done, name);
				p = next;
				continue;
			}
		}
		if (fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode) &&
		    fstat(fd, &here) == 0 && here.st_dev == root_st.st_dev && depth < 8) {
			/* a link of nsbsh's own root: resolved as the kernel would */
			char target[PATH_MAX], again[PATH_MAX];
			ssize_t t = readlinkat(fd, name, target, sizeof(target) - 1);
			if (t <= 0)
				child_fail("cannot read the link '%s'", name);
			target[t] = '\0';
			int w = target[0] == '/' ? snprintf(again, sizeof(again), "%s/%s", target, next)
						 : snprintf(again, sizeof(again), "%s/%s/%s", done, target, next);
			if (w < 0 || (size_t)w >= sizeof(again)) {
				errno = ENAMETOOLONG;
				child_fail("cannot use the mount point '%s'", dest);
			}
			close(fd);
			return dest_open_depth(again, dir, depth + 1);
		}
		int sub;
		if (*next || dir) {
			if (mkdirat(fd, name, 0755) < 0 && errno != EEXIST)
				child_fail("cannot create the directory '%s' of '%s'", name, dest);
			sub = openat(fd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		} else {
			if (mknodat(fd, name, S_IFREG | 0644, 0) < 0 && errno != EEXIST)
				child_fail("cannot create the mount point '%s'", dest);
			sub = openat(fd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
			if (sub >= 0 && (fstat(sub, &st) < 0 || S_ISLNK(st.st_mode))) {
				close(sub);
				sub = -1;
				errno = ELOOP;
			}
		}
		if (sub < 0)
			child_fail("cannot use the mount point '%s' (a link in a bound directory is not followed)", dest);
		close(fd);
		fd = sub;
		strcat(done, "/");
		strcat(done, name);
		p = next;
	}
	return fd;
}

static int dest_open_or_fail(const char *dest, bool dir)
{
	return dest_open_depth(dest, dir, 0);
}

/* The parent directory of dest, as dest_open_or_fail resolves it, and the
 * last component's name into name. */
static int parent_open_or_fail(const char *dest, char name[static NAME_MAX + 1])
{
	const char *slash = strrchr(dest, '/');
	char parent[PATH_MAX];
	size_t n = slash ? (size_t)(slash - dest) : 0;
	if (!slash || !slash[1] || strlen(slash + 1) > NAME_MAX || n >= sizeof(parent)) {
		errno = EINVAL;
		child_fail("cannot use '%s'", dest);
	}
	memcpy(parent, dest, n);
	parent[n] = '\0';
	strcpy(name, slash + 1);
	return dest_open_or_fail(n ? parent : "/", true);
}

static long new_mount_api = 1; /* 0 once the kernel says ENOSYS */

/* src (a host path under /oldroot) bound at the fd target (MUST-12), made
 * read-only (or not), nosuid and nodev before it is put there (MUST-3),
 * and, with id, refused unless it is that directory (NEST-2).  false when
 * the kernel has no open_tree (before 5.2): the caller mounts by path. */
static bool bind_at(const char *src, const char *what, int target, enum sandbox_op_kind kind,
		    const struct sandbox_bind_id *id)
{
	if (!new_mount_api)
		return false;
	int tree = (int)syscall(SYS_open_tree, AT_FDCWD, src, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
	if (tree < 0 && errno == ENOSYS) {
		new_mount_api = 0;
		return false;
	}
	if (tree < 0)
		child_fail("cannot bind '%s'", what);
	struct stat st;
	if (id && (fstat(tree, &st) < 0 || st.st_dev != id->dev || st.st_ino != id->ino)) {
		errno = EXDEV;
		child_fail("'%s' changed while the sandbox was built", what);
	}
	if (kind != SB_BIND_DEV) {
		struct mount_attr attr = {
			.attr_set = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | (kind != SB_BIND_RW ? MOUNT_ATTR_RDONLY : 0),
		};
		if (syscall(SYS_mount_setattr, tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof(attr)) < 0)
			child_fail("cannot make '%s' %s", what, kind != SB_BIND_RW ? "read-only" : "nosuid");
	}
	if (syscall(SYS_move_mount, tree, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		child_fail("cannot bind '%s'", what);
	close(tree);
	return true;
}

/* A new file system (tmpfs, proc, devpts) at the fd target with the mount
 * attributes attrs (MOUNT_ATTR_...) and options "key=value,..."; false
 * when the kernel has no fsopen: the caller mounts by path. */
static bool fs_at(const char *type, const char *options, int target, unsigned attrs)
{
	if (!new_mount_api)
		return false;
	int fs = (int)syscall(SYS_fsopen, type, FSOPEN_CLOEXEC);
	if (fs < 0 && errno == ENOSYS) {
		new_mount_api = 0;
		return false;
	}
	if (fs < 0)
		child_fail("cannot make a %s", type);
	char opts[256];
	snprintf(opts, sizeof(opts), "%s", options);
	for (char *o = strtok(opts, ","); o; o = strtok(NULL, ",")) {
		char *eq = strchr(o, '=');
		if (eq)
			*eq = '\0';
		if (syscall(SYS_fsconfig, fs, eq ? FSCONFIG_SET_STRING : FSCONFIG_SET_FLAG, o, eq ? eq + 1 : NULL, 0) < 0)
			child_fail("cannot set '%s' of a %s", o, type);
	}
	if (syscall(SYS_fsconfig, fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		child_fail("cannot make a %s", type);
	int m = (int)syscall(SYS_fsmount, fs, FSMOUNT_CLOEXEC, attrs);
	if (m < 0 || syscall(SYS_move_mount, m, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		child_fail("cannot mount a %s", type);
	close(m);
	close(fs);
	return true;
}

/* SB_STORE (store = closure): an empty tmpfs at dest with the store paths
 * the list names, each bound at its name from a read-only, nosuid, nodev
 * copy of the host's store staged beside it (so each bind is read-only
 * when it is made, MUST-3, in two calls: one open_tree, one move_mount),
 * a link made as that link; a path gone from the host's store (collected)
 * is left out.  Then the stage goes and the store is read-only. */
#define STORE_STAGE "/.nsbsh-store"
static void store_apply(const struct sandbox_op *op)
{
	_cleanup_close_ int dst = dest_open_or_fail(op->dest, true);
	if (!fs_at("tmpfs", "mode=0755", dst, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV) &&
	    mount("tmpfs", op->dest, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755") < 0)
		child_fail("cannot mount a tmpfs on '%s'", op->dest);
	close(dst);
	dst = open(op->dest, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dst < 0 || mkdir(STORE_STAGE, 0700) < 0)
		child_fail("cannot make the store '%s'", op->dest);
	_cleanup_close_ int stage_at = open(STORE_STAGE, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (stage_at < 0 || !bind_at(OLDROOT "/nix/store", "/nix/store", stage_at, SB_BIND_RO, NULL)) {
		if (mount(OLDROOT "/nix/store", STORE_STAGE, NULL, MS_BIND | MS_REC, NULL) < 0)
			child_fail("cannot bind '/nix/store'");
		restrict_mount_or_fail(STORE_STAGE, true);
	}
	_cleanup_close_ int stage = open(STORE_STAGE, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (stage < 0)
		child_fail("cannot open the store's stage");
	const char *end = op->data + op->len;
	for (const char *line = op->data, *nl; line < end && (nl = memchr(line, '\n', (size_t)(end - line)));
	     line = nl + 1) {
		char name[NAME_MAX + 1], target[PATH_MAX];
		const char *sp = memchr(line, ' ', (size_t)(nl - line));
		const char *name_end = sp ? sp : nl;
		size_t n = (size_t)(name_end - line), tl = sp ? (size_t)(nl - sp - 1) : 0;
		if (n <= 11 || n - 11 > NAME_MAX || memcmp(line, "/nix/store/", 11) != 0 || tl >= sizeof(target)) {
			errno = EINVAL;
			child_fail("cannot show the store path '%.*s'", (int)n, line);
		}
		memcpy(name, line + 11, n - 11);
		name[n - 11] = '\0';
		if (sp) {
			memcpy(target, sp + 1, tl);
			target[tl] = '\0';
			if (symlinkat(target, dst, name) < 0)
				child_fail("cannot create the link '%.*s'", (int)n, line);
			continue;
		}
		struct stat st;
		if (fstatat(stage, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			if (errno == ENOENT)
				continue;
			child_fail("cannot show the store path '%s'", name);
		}
		if (S_ISLNK(st.st_mode))
			continue; /* the list says what is a link */
		if ((S_ISDIR(st.st_mode) ? mkdirat(dst, name, 0755) : mknodat(dst, name, S_IFREG | 0644, 0)) < 0)
			child_fail("cannot create the mount point '/nix/store/%s'", name);
		if (new_mount_api) {
			int tree = (int)syscall(SYS_open_tree, stage, name,
						OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE | AT_SYMLINK_NOFOLLOW);
			if (tree < 0 || syscall(SYS_move_mount, tree, "", dst, name, MOVE_MOUNT_F_EMPTY_PATH) < 0)
				child_fail("cannot bind '/nix/store/%s'", name);
			close(tree);
			continue;
		}
		char from[PATH_MAX], to[PATH_MAX];
		snprintf(from, sizeof(from), STORE_STAGE "/%s", name);
		snprintf(to, sizeof(to), "%s/%s", op->dest, name);
		if (mount(from, to, NULL, MS_BIND | MS_REC, NULL) < 0)
			child_fail("cannot bind '/nix/store/%s'", name);
	}
	if (umount2(STORE_STAGE, MNT_DETACH) < 0 || rmdir(STORE_STAGE) < 0)
		child_fail("cannot remove the store's stage");
	restrict_mount_or_fail(op->dest, true);
}

static void op_apply(const struct sandbox_op *op)
{
	char src[PATH_MAX], name[NAME_MAX + 1];
	struct stat st;
	_cleanup_close_ int target = -1;

	switch (op->kind) {
	case SB_BIND_TRY_RO:
	case SB_BIND_RO:
	case SB_BIND_RW:
	case SB_BIND_DEV: {
		if ((size_t)snprintf(src, sizeof(src), OLDROOT "%s", op->src) >= sizeof(src)) {
			errno = ENAMETOOLONG;
			child_fail("cannot bind '%s'", op->src);
		}
		if (stat(src, &st) < 0) {
			if (op->kind == SB_BIND_TRY_RO && errno == ENOENT)
				return;
			child_fail("cannot bind '%s'", op->src);
		}
		const struct sandbox_bind_id *id = op->data && op->len == sizeof(struct sandbox_bind_id)
							   ? (const void *)op->data : NULL;
		target = dest_open_or_fail(op->dest, S_ISDIR(st.st_mode));
		if (bind_at(src, op->src, target, op->kind, id))
			return;
		/* a kernel before 5.2: by path, checked after (MUST-12 is weaker there) */
		if (mount(src, op->dest, NULL, MS_BIND | MS_REC, NULL) < 0)
			child_fail("cannot bind '%s'", op->src);
		if (id && (stat(op->dest, &st) < 0 || st.st_dev != id->dev || st.st_ino != id->ino)) {
			errno = EXDEV;
			child_fail("'%s' changed while the sandbox was built", op->src);
		}
		if (op->kind != SB_BIND_DEV)
			restrict_mount_or_fail(op->dest, op->kind != SB_BIND_RW);
		return;
	}
	case SB_TMPFS:
		target = dest_open_or_fail(op->dest, true);
		if (!fs_at("tmpfs", "mode=0755", target, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV) &&
		    mount("tmpfs", op->dest, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755") < 0)
			child_fail("cannot mount a tmpfs on '%s'", op->dest);
		if (streq(op->dest, "/tmp") || streq(op->dest, "/dev/shm")) {
			if (chmod(op->dest, 01777) < 0)
				child_fail("cannot chmod '%s'", op->dest);
		}
		return;
	case SB_DIR:
		target = dest_open_or_fail(op->dest, true);
		return;
	case SB_SYMLINK:
		target = parent_open_or_fail(op->dest, name);
		if (symlinkat(op->src, target, name) < 0 && errno != EEXIST)
			child_fail("cannot create the link '%s'", op->dest);
		return;
	case SB_FILE: {
		target = parent_open_or_fail(op->dest, name);
		_cleanup_close_ int fd = openat(target, name, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, 0644);
		if (fd < 0)
			child_fail("cannot create '%s'", op->dest);
		int r = write_full(fd, op->data, op->len);
		if (r < 0) {
			errno = -r;
			child_fail("cannot write '%s'", op->dest);
		}
		return;
	}
	case SB_PROC:
		target = dest_open_or_fail(op->dest, true);
		if (!fs_at("proc", "", target, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC) &&
		    mount("proc", op->dest, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
			child_fail("cannot mount '%s'", op->dest);
		return;
	case SB_STORE:
		store_apply(op);
		return;
	case SB_DEVPTS:
		target = dest_open_or_fail(op->dest, true);
		/* devices: its pts are what it is for (no nodev) */
		if (!fs_at("devpts", "newinstance,ptmxmode=0666,mode=620", target, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC) &&
		    mount("devpts", op->dest, "devpts", MS_NOSUID | MS_NOEXEC, "newinstance,ptmxmode=0666,mode=620") < 0)
			child_fail("cannot mount '%s'", op->dest);
		if (symlink("pts/ptmx", "/dev/ptmx") < 0 && errno != EEXIST)
			child_fail("cannot create '/dev/ptmx'");
		return;
	}
}

static void loopback_up_or_fail(void)
{
	_cleanup_close_ int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct ifreq ifr = { 0 };
	strcpy(ifr.ifr_name, "lo");
	if (fd < 0 || ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
		child_fail("cannot read the loopback interface");
	ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
	if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
		child_fail("cannot bring the loopback interface up");
}

/* network = allow: the proxy's socket, bound and listening on the
 * loopback of the sandbox's own network namespace, for the supervisor's
 * proxy outside (proxy-run.c), which no process outside could make here
 * (it cannot enter this namespace). */
static int proxy_listen_or_fail(unsigned short port)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port),
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int one = 1;
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 128) < 0)
		child_fail("cannot listen on 127.0.0.1:%u for the proxy", (unsigned)port);
	return fd;
}

/* MUST-4: no capability survives into the program. */
static void caps_drop_or_fail(void)
{
	for (int cap = 0; cap <= 63; cap++) {
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL)
			child_fail("cannot drop capability %d", cap);
	}
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
		child_fail("cannot clear the ambient capabilities");
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2] = { { 0 } };
	if (syscall(SYS_capset, &hdr, data) < 0)
		child_fail("cannot drop capabilities");
}

/* MUST-5: only 0, 1, 2 reach the program; keep (close-on-exec, the error
 * pipe) stays open until the exec itself closes it. */
static void fds_close_or_fail(int keep)
{
	if (close_range(3, (unsigned)keep - 1, 0) == 0 && close_range((unsigned)keep + 1, ~0U, 0) == 0)
		return;
	for (int fd = 3; fd < 65536; fd++)
		if (fd != keep)
			close(fd);
}

/* MUST-9: soft = hard = value, never above the hard limit there is (only
 * the host's CAP_SYS_RESOURCE could raise that). */
static void limit_or_fail(int resource, const char *name, rlim_t value)
{
	struct rlimit rl;
	if (getrlimit(resource, &rl) < 0)
		child_fail("cannot read the limit %s", name);
	if (rl.rlim_max != RLIM_INFINITY && value > rl.rlim_max)
		value = rl.rlim_max;
	rl.rlim_cur = rl.rlim_max = value;
	if (setrlimit(resource, &rl) < 0)
		child_fail("cannot set the limit %s", name);
}

/* procs_by_cgroup: the sandbox's cgroup counts the processes (CG-2). */
static void limits_apply_or_fail(const struct sandbox_spec *s, bool procs_by_cgroup)
{
	limit_or_fail(RLIMIT_CORE, "RLIMIT_CORE", 0);
	if (s->max_procs && !procs_by_cgroup)
		limit_or_fail(RLIMIT_NPROC, "RLIMIT_NPROC", s->max_procs);
	if (s->max_memory)
		limit_or_fail(RLIMIT_AS, "RLIMIT_AS", s->max_memory);
	if (s->max_cpu_seconds)
		limit_or_fail(RLIMIT_CPU, "RLIMIT_CPU", s->max_cpu_seconds);
}

/* MUST-10: the listener goes to the supervisor (and, with the guard, to
 * its helper first, guard[0] and guard[1] then to the supervisor too), then
 * out of this process. */
static void listener_send_or_fail(int sock, int listener, const int guard[2])
{
	struct wire_msg m = { .event = WIRE_LISTENER };
	int fds[3] = { listener, guard[0], guard[1] };
	if (guard[0] >= 0 && guard_helper_listener(guard[0], listener) < 0)
		child_fail("cannot pass the seccomp listener to the creation guard");
	if (wire_send(sock, &m, fds, guard[0] >= 0 ? 3 : 1) < 0)
		child_fail("cannot pass the seccomp listener to the supervisor");
	close(listener);
	if (guard[0] >= 0) {
		close(guard[0]);
		close(guard[1]);
	}
}

/* Landlock after the fds are closed: it does not check fds opened before. */
static void landlock_or_fail(const struct sandbox_spec *s)
{
	if (s->n_writable == 0)
		return;
	int r = landlock_restrict(s->writable, s->n_writable, NULL);
	if (r < 0) {
		errno = -r;
		child_fail("cannot restrict writes with Landlock");
	}
}

static void __attribute__((__noreturn__)) program_exec(const struct sandbox_spec *s,
						   const struct sandbox_program *p)
{
	if (p->stdout_fd >= 0) {
		if (dup2(p->stdout_fd, STDOUT_FILENO) < 0)
			child_fail("cannot set up standard output");
	}
	/* pid 1 made itself undumpable before the fork (MUST-8); the program is
	 * the user's own process: exec would make it dumpable anyway, and a
	 * tracer outside (strace -f) must be able to read its execve. */
	if (prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) < 0)
		child_fail("cannot make the program dumpable");
	/* The program starts with the dispositions nsbsh was started with. */
	signals_restore();
	caps_drop_or_fail();
	fds_close_or_fail(child_errfd);
	landlock_or_fail(s);
	execve(p->path, p->argv, p->envp);
	/* Only the exit status can tell now; 126/127 as bash reports them. */
	dprintf(STDERR_FILENO, "nsbsh: cannot run '%s' in the sandbox: %s\n", p->path,
		strerror(errno));
	_exit(errno == ENOENT ? 127 : 126);
}

noreturn void inside_pid1(const struct sandbox_spec *s, const struct sandbox_program *p, int errfd,
			  int syncfd, int sock)
{
	char go[2];

	child_errfd = errfd;

	/* MUST-6 */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0)
		child_fail("cannot set the parent death signal");
	/* Wait for the supervisor to write the id maps; EOF means it died.
	 * Two bytes (a pipe's write of them is atomic): 'n' when it answers
	 * notifications, else 'x'; 'c' when this process is in the sandbox's
	 * cgroup, else 'r'. */
	if (read(syncfd, go, sizeof(go)) != (ssize_t)sizeof(go))
		_exit(EXIT_SANDBOX_SETUP);
	close(syncfd);
	limits_apply_or_fail(s, go[1] == 'c');

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		child_fail("cannot set no_new_privs");
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		child_fail("cannot make the mounts private");
	if (mount("tmpfs", SANDBOX_BASE, "tmpfs", MS_NODEV | MS_NOSUID, "mode=0755") < 0)
		child_fail("cannot mount the new root");
	if (chdir(SANDBOX_BASE) < 0 || mkdir("." OLDROOT, 0700) < 0)
		child_fail("cannot prepare the new root");
	if (syscall(SYS_pivot_root, ".", "." OLDROOT) < 0)
		child_fail("cannot pivot to the new root");
	if (chdir("/") < 0)
		child_fail("cannot enter the new root");

	for (size_t i = 0; i < s->n_ops; i++)
		op_apply(&s->ops[i]);
	if (s->unshare_net)
		loopback_up_or_fail();
	int proxy = s->live && s->unshare_net && s->proxy_port ? proxy_listen_or_fail(s->proxy_port) : -1;

	/* MUST-2: nothing of the host stays reachable but the binds. */
	if (umount2(OLDROOT, MNT_DETACH) < 0 || rmdir(OLDROOT) < 0)
		child_fail("cannot detach the old root");
	if (mount(NULL, "/", NULL, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV, NULL) < 0)
		child_fail("cannot make the root read-only");
	if (chdir(s->live ? "/" : p->cwd) < 0)
		child_fail("cannot enter '%s' in the sandbox", s->live ? "/" : p->cwd);

	/* MUST-8; the program gets the filter by inheritance, and its exec
	 * makes it dumpable again (gdb and strace inside keep working). */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		child_fail("cannot make pid 1 undumpable");
	/* The guard's helper: only where the supervisor answers (GUARD-6:
	 * a guard asked for without one is an error, never none). */
	bool guard = s->live && s->seccomp && s->guard.on;
	if (guard && go[0] != 'n')
		child_fail("cannot start the creation guard: no supervisor answers the filter");
	if (s->live) {
		/* MUST-11: no capability from now on, for pid 1 (which needs none
		 * any more) and every shell it forks.  One Landlock domain for pid
		 * 1 and all its shells: the sandbox is one machine, whose
		 * terminals signal each other's jobs and reach each other's
		 * abstract sockets (MUST-L2, MUST-L3 keep out what is not in it);
		 * pid 1 itself takes no signal from inside that it has no handler
		 * for, the kernel's rule for the init of a pid namespace.  Before
		 * the filter: the guard's helper is started here (GUARD-7), a
		 * thread of this process with this domain and no capability;
		 * the filter is loaded for this thread alone (no TSYNC), so the
		 * helper is not under it. */
		caps_drop_or_fail();
		landlock_or_fail(s);
	}
	int guard_socks[2] = { -1, -1 };
	if (guard) {
		int r = guard_helper_start(s, &guard_socks[0], &guard_socks[1]);
		if (r < 0) {
			errno = -r;
			child_fail("cannot start the creation guard");
		}
	}
	if (s->seccomp) {
		/* 'n': the supervisor will answer notifications (live.c). */
		struct seccomp_options o = { .nested_userns = s->nested_userns, .notify = go[0] == 'n',
					     .guard = guard };
		int listener = -1;
		int r = seccomp_install(&o, &listener);
		if (r < 0) {
			errno = -r;
			child_fail("cannot load the seccomp filter");
		}
		if (listener >= 0)
			listener_send_or_fail(sock, listener, guard_socks);
	}
	if (proxy >= 0) {
		struct wire_msg m = { .event = WIRE_PROXY };
		if (wire_send(sock, &m, &proxy, 1) < 0)
			child_fail("cannot pass the proxy's socket to the supervisor");
		close(proxy);
	}
	if (s->live) {
		close(child_errfd); /* EOF: the supervisor knows the sandbox is built */
		child_errfd = -1;
		spawner_run(s, sock);
	}
	if (sock >= 0)
		close(sock);

	pid_t prog = fork();
	if (prog < 0)
		child_fail("cannot start the program");
	if (prog == 0)
		program_exec(s, p);
	signals_supervise(prog);

	/* pid 1: the supervisor learns of failures from the program itself. */
	close(child_errfd);
	child_errfd = -1;
	if (p->stdout_fd >= 0)
		close(p->stdout_fd);
	for (;;) {
		int status;
		pid_t got = waitpid(-1, &status, 0);
		if (got < 0) {
			if (errno == EINTR)
				continue;
			_exit(EXIT_SANDBOX_SETUP);
		}
		if (got != prog)
			continue; /* an orphan reparented to us */
		if (WIFEXITED(status))
			_exit(WEXITSTATUS(status));
		_exit(128 + WTERMSIG(status));
	}
}

