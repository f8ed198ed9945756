/* guard.c - the creation guard (see guard.h).  Over 700 lines: the
 * supervisor's side and the helper's speak one protocol (struct guard_req,
 * struct guard_resp, struct guard_fwd), kept in one file so that the two
 * cannot drift apart.
 *
 * Who does what: the helper, threads of the sandbox's pid 1 (one that
 * answers the supervisor and watches the listener, GUARD_RECEIVERS that
 * receive the filter's notifications, SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP
 * where the kernel has it, 6.6: the caller wakes one on its own CPU),
 * copies a creating call's path,
 * checks and makes it, and answers: one round trip, the supervisor not in
 * it.  It passes on to the supervisor (struct guard_fwd, with a pidfd of
 * the caller, whose fdinfo gives its pid outside) what the supervisor
 * answers: a refusal of a rule (to be logged), every call of the filter's
 * other groups (seccomp.c), and a creating call whose caller it may not
 * read (an undumpable process: process_vm_readv is EPERM), which the
 * supervisor asks it about as before (guard_answer: it reads the path, and
 * sends a struct guard_req).
 *
 * Invariants (tests/integration/t-guard.sh names each):
 * GUARD-1 only-creating: the filter notifies only the calls that make a
 *         name: open and openat with O_CREAT in their flags (matched on the
 *         argument: an open without it is never notified), creat, mkdir,
 *         mkdirat, mknod, mknodat, symlink, symlinkat, link, linkat, rename,
 *         renameat, renameat2.  openat2 fails with ENOSYS (its flags are
 *         behind a pointer, which a filter cannot read; libc never uses it
 *         for open(), and programs that try it fall back to openat).
 *         Besides these, only the calls GUARD-10 notes are notified.
 * GUARD-2 checked-once: the helper (or, for a caller it may not read,
 *         the supervisor) copies each path from the caller's memory once
 *         (process_vm_readv: the helper, a thread of pid 1, is an ancestor
 *         of every process of the sandbox, which Yama's ptrace_scope 1
 *         asks), opens the caller's working directory or dirfd
 *         (/proc/PID/cwd, /proc/PID/fd/N), and uses what it got only if the
 *         notification is still valid after both (SECCOMP_IOCTL_NOTIF_ID_VALID):
 *         the caller cannot change the path after it was copied, and a pid
 *         reused meanwhile is not taken for the caller.
 * GUARD-3 created-as-checked: the helper resolves the parent directory once,
 *         to an fd; checks the final name against the rules on where that
 *         fd is (its place as the kernel resolved it, its device and inode);
 *         makes the name beneath that fd with a call that follows no link
 *         at the final name (O_EXCL|O_NOFOLLOW, mkdirat, symlinkat, linkat,
 *         renameat2); the fd of a made file goes to the caller with
 *         SECCOMP_IOCTL_NOTIF_ADDFD.  Nothing is answered with
 *         SECCOMP_USER_NOTIF_FLAG_CONTINUE, which reads the path again.
 * GUARD-4 no-link-out: links in the parent path are followed by the kernel
 *         inside that one resolution (no magic links: /proc/PID/fd/N, cwd,
 *         root, never the helper's own), and the rules look at what it gave;
 *         a link at the final name of an open is followed by the helper,
 *         checked again at its target (at most 40 hops, then ELOOP).
 * GUARD-5 refusal-logged: a refused call fails with EPERM and the denial
 *         log gets one line with the path and the rule's key (nested_git,
 *         gitdir, protect): the helper passes it on unanswered, and the
 *         supervisor answers and logs it; where the kernel would refuse it anyway, its
 *         answer and no line: EEXIST when the name is there (mkdir -p keeps
 *         working), EROFS on a read-only bind, EBUSY onto a mount point.
 * GUARD-6 fail-closed: a sandbox whose policy has the guard does not start
 *         where the kernel has no user notification or no
 *         SECCOMP_IOCTL_NOTIF_ADDFD (before 5.9); the helper cannot be gone
 *         while the sandbox runs: its threads are threads of pid 1, which
 *         no signal from inside ends (the init of a pid namespace), and a
 *         thread that fails, or cannot be started, ends pid 1 (_exit), and
 *         with it the sandbox; a request the
 *         supervisor cannot ask it, or a caller it cannot tell outside,
 *         makes the call fail with EPERM.
 * GUARD-7 same-domain: the helper is a thread that pid 1 starts after its
 *         capabilities are dropped and it took the sandbox's one Landlock
 *         domain, before it loads the filter for itself alone (no TSYNC:
 *         the helper is not under it); with an fd table and a umask of its
 *         own (unshare CLONE_FILES, CLONE_FS: pid 1's shells get neither);
 *         pid 1 is undumpable: the helper writes nowhere a shell could
 *         not, and no process inside can trace it or open its fds; a path
 *         into its own /proc/1 or any of its threads' /proc/TID (their
 *         mem, their fds, which it could open and hand over) is EACCES;
 *         its receiving threads are started by it, each with a umask of
 *         its own, and serve only once all of their ids are known.
 * GUARD-8 nothing-unseen-in-gitdir: what is not a regular file (a
 *         directory, a link) is never moved to or beneath a git dir (its
 *         top or anywhere in it), and no link is made there: a directory
 *         would bring names the rules never checked there
 *         (modules/NAME/config, worktrees/NAME/commondir), a link would
 *         lead git outside to what they never saw; such a check and its
 *         rename are made while no other helper thread makes a name (a
 *         lock: every call but a creating open takes it), so what was
 *         checked is what moves.
 * GUARD-9 side-by-side: notifications are received by several threads at
 *         once, so that a caller waits neither for another's answer nor
 *         for the end of an ADDFD (which waits for its caller to take the
 *         fd: on two CPUs that wait was most of a create); they share no
 *         state but the rules, read-only, and the lock of GUARD-8.
 * GUARD-10 umask-followed: a made name gets the umask its caller has
 *         when it calls, though the helper keeps umasks it read: every
 *         umask() is notified, and none kept is used after it nor any
 *         kept until it is seen to have taken effect; each kept umask is
 *         its task's (a pidfd of it, opened before the read); after any
 *         call that gives a task an fs of its own (a thread cloned
 *         without CLONE_FS, unshare of CLONE_FS, CLONE_NEWNS or, with
 *         nested_userns, CLONE_NEWUSER) none is kept.  The helper lets
 *         these calls continue once noted (their arguments are registers:
 *         nothing is read again).
 *
 * The rules, on the resolved parent directory P and the final name N:
 * - nested_git: N is ".git" and P is at or beneath the work tree or a
 *   writable bind the host sees (unless nested_git = allow); the private
 *   /tmp and home are not among them;
 * - gitdir: P is the top of a git dir there at the start (the work tree's
 *   .git, worktrees/NAME, modules/..., a nested repository's, a session's)
 *   and N is not a name git writes there (git_names); P is such a git
 *   dir's info/; P is its objects/info and N names alternates; P lies
 *   beneath its modules/ (a submodule's git dir being made) and N is
 *   config, hooks, commondir, gitdir, config.worktree or info;
 * - protect: P/N is a missing protected path (protect_refuses); when one
 *   is a link, also the path as the caller wrote it (lexical_refuses).
 * Known limits: an existing FIFO opened with O_CREAT for writing with no
 * reader fails with ENXIO (the helper must not block); a path through a
 * magic link (/proc/PID/fd/N/x) fails with ELOOP; /dev/tty opened with
 * O_CREAT is the caller's terminal only when one of its fds 0 to 9 is it
 * (else ENXIO).
 */
#include "sandbox/guard.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <stdnoreturn.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/uio.h>
#include <unistd.h>

#include "base/path.h"
#include "base/util.h"
#include "git/protect.h"
#include "sandbox/sandbox.h"
#include "sandbox/seccomp.h"
#include "sandbox/wire.h"

enum guard_op { OP_OPEN = 1, OP_MKDIR, OP_MKNOD, OP_SYMLINK, OP_LINK, OP_RENAME };
enum guard_rule { RULE_NONE, RULE_NESTED_GIT, RULE_GITDIR, RULE_PROTECT };
static const char *const rule_key[] = { "", "nested_git", "gitdir", "protect" };

#ifndef SECCOMP_IOCTL_NOTIF_SET_FLAGS /* 6.6 */
#define SECCOMP_IOCTL_NOTIF_SET_FLAGS SECCOMP_IOW(4, uint64_t)
#define SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP (1UL << 0)
#endif

enum guard_fwd_kind { FWD_DENY = 1, FWD_REFUSED, FWD_SLOW };

#define GUARD_RECEIVERS 2 /* threads receiving notifications (GUARD-9) */
#define MAX_HOPS 40  /* links followed at an open's final name, as the kernel's MAXSYMLINKS */

/* What the supervisor asks the helper: one datagram, the paths after the
 * header (no NUL), with the directory fd of each path that has one. */
struct guard_req {
	uint32_t op;
	int32_t flags;    /* open: its flags; link: linkat's; rename: renameat2's */
	uint32_t mode;
	uint32_t umask;
	uint64_t dev;
	int32_t tgid;     /* the caller in the sandbox's pid namespace (0: unknown) */
	int32_t tid;
	uint8_t has_dir[2];
	uint16_t len[2];
	char paths[2 * PATH_MAX];
};
#define REQ_HEAD offsetof(struct guard_req, paths)

struct guard_resp {
	int32_t result;   /* >= 0 (open: the fd follows), or -errno */
	int32_t rule;     /* enum guard_rule that refused (result -EPERM) */
	char path[PATH_MAX];
};

/* ---- the helper, inside ---- */

struct gitdir_top {
	const char *path;
	dev_t dev;
	ino_t ino;
	bool has_info;
	dev_t info_dev;
	ino_t info_ino;
};

struct helper {
	const struct sandbox_guard *g;
	struct gitdir_top *tops;
	size_t n_tops;
	int root;
	bool lexical;  /* a protected path is a link (or has one on its way) */
	bool nested_userns;  /* the filter lets user namespaces be made (GUARD-10) */
};

/* The helper's threads, by their ids: each one's /proc/TID is its own
 * (GUARD-7), and a caller may name any of them. */
static pid_t helper_tids[1 + GUARD_RECEIVERS];

static void helper_tid_add(void)
{
	static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
	pthread_mutex_lock(&m);
	for (size_t i = 0; i < ARRAY_SIZE(helper_tids); i++)
		if (!helper_tids[i]) {
			__atomic_store_n(&helper_tids[i], gettid(), __ATOMIC_RELEASE);
			break;
		}
	pthread_mutex_unlock(&m);
}

/* The names git itself makes at the top of a git dir (git's own sources:
 * path.c's common list, refs, sequencer, bisect, merge, rebase, notes,
 * worktree, gc, stash, fsmonitor).  Lock files (*.lock) and index.* too. */
static bool git_names(const char *n)
{
	static const char *const names[] = {
		"HEAD", "ORIG_HEAD", "FETCH_HEAD", "MERGE_HEAD", "MERGE_MSG", "MERGE_MODE", "MERGE_RR",
		"MERGE_AUTOSTASH", "CHERRY_PICK_HEAD", "REVERT_HEAD", "REBASE_HEAD", "AUTO_MERGE",
		"COMMIT_EDITMSG", "TAG_EDITMSG", "SQUASH_MSG", "NOTES_EDITMSG", "NOTES_MERGE_PARTIAL",
		"NOTES_MERGE_REF", "NOTES_MERGE_WORKTREE", "EDIT_DESCRIPTION", "BRANCH_DESCRIPTION",
		"index", "packed-refs", "rebase-merge", "rebase-apply", "sequencer", "shallow",
		"description", "logs", "refs", "objects", "rr-cache", "worktrees", "modules", "gc.pid",
		"gc.log", "lost-found", "locked", "reftable", "lfs", "gitk.cache", "fsmonitor--daemon",
		"fsmonitor--daemon.ipc",
	};
	size_t len = strlen(n);
	if (len > 5 && streq(n + len - 5, ".lock"))
		return true;
	static const char *const prefixes[] = { "BISECT_", "index.", "sharedindex", "packed-refs.",
						 "shallow_", "next-index-" };
	for (size_t i = 0; i < ARRAY_SIZE(prefixes); i++)
		if (strncmp(n, prefixes[i], strlen(prefixes[i])) == 0)
			return true;
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (streq(n, names[i]))
			return true;
	return false;
}

/* The directory fd's place as the sandbox names it. */
static int fd_path(int fd, char *buf, size_t size)
{
	char link[64];
	snprintf(link, sizeof(link), "/proc/thread-self/fd/%d", fd);
	ssize_t n = readlink(link, buf, size - 1);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	if (buf[0] != '/' || (size_t)n == size - 1)
		return -ENOENT; /* deleted, or not a place of the tree */
	return 0;
}

static bool under(const char *path, const char *dir)
{
	return path_at_or_below(path, dir);
}

/* The rule that refuses making name in parent, or RULE_NONE; ret_path: the
 * full path (for the log).  unseen: what is made there is not a regular
 * file (a directory moved, a link made: GUARD-8). */
static enum guard_rule rule_of(const struct helper *h, int parent, const char *name, bool move, bool unseen,
			       char *ret_path, size_t size)
{
	char dir[PATH_MAX];
	struct stat st;
	if (fd_path(parent, dir, sizeof(dir)) < 0 || fstat(parent, &st) < 0) {
		snprintf(ret_path, size, "?/%s", name);
		return RULE_GITDIR; /* GUARD-6: where it is cannot be told: refused */
	}
	int n = snprintf(ret_path, size, "%s%s%s", dir, streq(dir, "/") ? "" : "/", name);
	if (n < 0 || (size_t)n >= size)
		return RULE_GITDIR; /* too long to tell: refused */
	const struct sandbox_guard *g = h->g;
	if (!g->nested_git && streq(name, ".git"))
		for (size_t i = 0; i < g->n_roots; i++)
			if (under(dir, g->roots[i]))
				return RULE_NESTED_GIT;
	for (size_t i = 0; i < h->n_tops; i++) {
		const struct gitdir_top *t = &h->tops[i];
		bool top = st.st_dev == t->dev && st.st_ino == t->ino;
		if (top && (unseen || !git_names(name)))
			return RULE_GITDIR;
		if (t->has_info && st.st_dev == t->info_dev && st.st_ino == t->info_ino)
			return RULE_GITDIR;
		size_t tl = strlen(t->path);
		if (strncmp(dir, t->path, tl) != 0 || (dir[tl] != '/' && dir[tl] != '\0'))
			continue;
		if (unseen)
			return RULE_GITDIR; /* at or beneath a git dir (GUARD-8) */
		if (dir[tl] == '\0')
			continue;
		const char *rest = dir + tl + 1;
		if (streq(rest, "objects/info") && (streq(name, "alternates") || streq(name, "http-alternates")))
			return RULE_GITDIR;
		if (strncmp(rest, "modules/", 8) == 0 || streq(rest, "modules")) {
			static const char *const bad[] = { "config", "hooks", "commondir", "gitdir",
							   "config.worktree", "info" };
			for (size_t k = 0; k < ARRAY_SIZE(bad) && !streq(rest, "modules"); k++)
				if (streq(name, bad[k]))
					return RULE_GITDIR;
		}
	}
	if (protect_refuses(g->protect, ret_path, move ? PROTECT_MOVE : PROTECT_CREATE, NULL))
		return RULE_PROTECT;
	return RULE_NONE;
}

/* name in dir is there and is not a regular file (a directory, a link) */
static bool unchecked_inside(int dir, const char *name)
{
	struct stat st;
	return fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISREG(st.st_mode);
}

static bool in_proc(int fd)
{
	struct statfs sf;
	return fstatfs(fd, &sf) == 0 && sf.f_type == PROC_SUPER_MAGIC;
}

/* GUARD-7: the helper's own /proc/PID, which it may open and a caller may
 * not (its mem, its fds): never a caller's parent directory. */
static bool helper_own(int dir)
{
	char path[PATH_MAX], own[32];
	if (!in_proc(dir))
		return false;
	if (fd_path(dir, path, sizeof(path)) < 0)
		return true;
	/* the helper's threads are threads of pid 1: /proc/1 and each
	 * /proc/TID are their own */
	pid_t ids[2 + GUARD_RECEIVERS] = { getpid() };
	for (size_t i = 0; i < ARRAY_SIZE(helper_tids); i++)
		ids[1 + i] = __atomic_load_n(&helper_tids[i], __ATOMIC_ACQUIRE);
	for (size_t i = 0; i < ARRAY_SIZE(ids); i++) {
		if (!ids[i])
			continue;
		int n = snprintf(own, sizeof(own), "/proc/%d", (int)ids[i]);
		if (strncmp(path, own, (size_t)n) == 0 && (path[n] == '/' || path[n] == '\0'))
			return true;
	}
	return false;
}

/* path (as the caller wrote it) to its parent's fd and final name.
 * *ret_slash: it ended in '/'. */
static int resolve(const struct helper *h, int dirfd, const char *path, pid_t tgid, pid_t tid,
		   int *ret_parent, char name[NAME_MAX + 1], bool *ret_slash)
{
	char buf[PATH_MAX + 64];
	if (!path[0])
		return -ENOENT;
	/* The caller's own /proc/self, not the helper's. */
	if (tgid > 0 && (strncmp(path, "/proc/self/", 11) == 0 || streq(path, "/proc/self")))
		snprintf(buf, sizeof(buf), "/proc/%d%s", (int)tgid, path + 10);
	else if (tgid > 0 && (strncmp(path, "/proc/thread-self/", 18) == 0 || streq(path, "/proc/thread-self")))
		snprintf(buf, sizeof(buf), "/proc/%d/task/%d%s", (int)tgid, (int)tid, path + 17);
	else if (tgid > 0 && strncmp(path, "/dev/fd/", 8) == 0)
		snprintf(buf, sizeof(buf), "/proc/%d/fd/%s", (int)tgid, path + 8);
	else
		snprintf(buf, sizeof(buf), "%s", path);
	size_t n = strlen(buf);
	*ret_slash = false;
	while (n > 1 && buf[n - 1] == '/') {
		buf[--n] = '\0';
		*ret_slash = true;
	}
	char *last = strrchr(buf, '/');
	const char *dir = ".", *base = buf;
	if (last == buf) {
		dir = "/";
		base = buf + 1;
	} else if (last) {
		*last = '\0';
		dir = buf;
		base = last + 1;
	}
	if (!base[0])
		base = "."; /* "/" itself */
	if (strlen(base) > NAME_MAX)
		return -ENAMETOOLONG;
	int start = buf[0] == '/' ? h->root : dirfd;
	if (start < 0)
		return -EBADF;
	struct open_how how = { .flags = O_PATH | O_DIRECTORY | O_CLOEXEC, .resolve = RESOLVE_NO_MAGICLINKS };
	int fd = (int)syscall(SYS_openat2, start, dir, &how, sizeof(how));
	if (fd < 0)
		return -errno;
	if (helper_own(fd)) {
		close(fd);
		return -EACCES;
	}
	snprintf(name, NAME_MAX + 1, "%s", base);
	*ret_parent = fd;
	return 0;
}

static bool dot(const char *name)
{
	return streq(name, ".") || streq(name, "..");
}

/* /dev/tty: the caller's controlling terminal (tty_nr of /proc/PID/stat),
 * reopened through the first of the caller's fds 0 to 9 that is it (the
 * terminal may be the host's: its number says nothing inside). */
static int open_ctty(pid_t tgid, int flags)
{
	char path[64], buf[1024];
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)tgid);
	_cleanup_close_ int fd = tgid > 0 ? open(path, O_RDONLY | O_CLOEXEC) : -1;
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);
	if (n <= 0)
		return -ENXIO;
	buf[n] = '\0';
	char *p = strrchr(buf, ')');
	int tty = 0;
	if (!p || sscanf(p + 1, " %*c %*d %*d %*d %d", &tty) != 1 || tty == 0)
		return -ENXIO;
	dev_t want = makedev(((unsigned)tty >> 8) & 0xfff, ((unsigned)tty & 0xff) | (((unsigned)tty >> 12) & 0xfff00));
	for (int i = 0; i < 10; i++) {
		struct stat st;
		snprintf(path, sizeof(path), "/proc/%d/fd/%d", (int)tgid, i);
		if (stat(path, &st) < 0 || !S_ISCHR(st.st_mode) || st.st_rdev != want)
			continue;
		int t = open(path, (flags & ~(O_CREAT | O_EXCL | O_TRUNC)) | O_NOCTTY | O_CLOEXEC);
		return t < 0 ? -errno : t;
	}
	return -ENXIO;
}

/* A refused name where the kernel would refuse it anyway: on a read-only
 * mount EROFS, a mount point (a rename onto it) EBUSY: that answer, not
 * logged (the bind protects it, gitprotect.c); 0 otherwise. */
static int natural_refusal(int parent, const char *name)
{
	struct statvfs sv;
	if (fstatvfs(parent, &sv) == 0 && (sv.f_flag & ST_RDONLY))
		return -EROFS;
	struct statx stx;
	if (statx(parent, name, AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, &stx) == 0 &&
	    (stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) && (stx.stx_attributes & STATX_ATTR_MOUNT_ROOT))
		return -EBUSY;
	return 0;
}

/* open(2) with O_CREAT, made beneath parent (taken). */
static int do_open(const struct helper *h, const struct guard_req *q, int parent, char *name, bool slash,
		   struct guard_resp *resp)
{
	int flags = q->flags, r = -ELOOP;
	bool create = !(flags & O_PATH); /* O_PATH drops O_CREAT */
	if (slash || dot(name)) {
		close(parent);
		return -EISDIR;
	}
	for (int hop = 0; hop < MAX_HOPS; hop++) {
		struct stat st;
		if (fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			r = -errno;
			if (r != -ENOENT || !create)
				break;
			enum guard_rule rule = rule_of(h, parent, name, false, false, resp->path, sizeof(resp->path));
			if (rule) {
				r = natural_refusal(parent, name);
				if (!r) {
					resp->rule = rule;
					r = -EPERM;
				}
				break;
			}
			int fd = openat(parent, name, flags | O_EXCL | O_NOFOLLOW | O_CLOEXEC, q->mode);
			if (fd >= 0 || errno != EEXIST || (flags & O_EXCL)) {
				r = fd >= 0 ? fd : -errno;
				break;
			}
			continue; /* made meanwhile: open what is there */
		}
		if (S_ISLNK(st.st_mode)) {
			if (flags & (O_EXCL | O_NOFOLLOW)) {
				r = flags & O_EXCL ? -EEXIST : -ELOOP;
				break;
			}
			if (in_proc(parent)) {
				/* the caller's own fd, cwd...: what it names is there */
				int fd = openat(parent, name, (flags & ~(O_CREAT | O_EXCL)) | O_CLOEXEC);
				r = fd < 0 ? -errno : fd;
				break;
			}
			char target[PATH_MAX];
			ssize_t n = readlinkat(parent, name, target, sizeof(target) - 1);
			if (n < 0) {
				r = -errno;
				if (r == -EINVAL)
					continue; /* no longer a link */
				break;
			}
			target[n] = '\0';
			int next;
			bool s2;
			r = resolve(h, parent, target, q->tgid, q->tid, &next, name, &s2);
			if (r < 0)
				break;
			close(parent);
			parent = next;
			r = -ELOOP;
			if (s2 || dot(name)) {
				r = -EISDIR;
				break;
			}
			continue;
		}
		if (flags & O_EXCL) {
			r = -EEXIST;
			break;
		}
		if (S_ISDIR(st.st_mode) && create) {
			r = -EISDIR; /* as the kernel answers O_CREAT on a directory */
			break;
		}
		if (S_ISCHR(st.st_mode) && st.st_rdev == makedev(5, 0)) {
			r = open_ctty(q->tgid, flags);
			break;
		}
		bool fifo = S_ISFIFO(st.st_mode);
		int fd = openat(parent, name, (flags & ~O_CREAT) | O_NOFOLLOW | O_CLOEXEC | (fifo ? O_NONBLOCK : 0));
		if (fd < 0 && (errno == ENOENT || errno == ELOOP))
			continue; /* removed or swapped meanwhile: again */
		if (fd >= 0 && fifo && !(flags & O_NONBLOCK))
			fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
		r = fd < 0 ? -errno : fd;
		break;
	}
	close(parent);
	return r;
}

/* A name made by one call that never follows a link at it: mkdir, mknod,
 * symlink, link.  Refused: EEXIST when the name is there, else EPERM. */
static int do_make(const struct helper *h, const struct guard_req *q, int parent, const char *name,
		   const char *target, int oldp, const char *oldname, struct guard_resp *resp)
{
	int r;
	if (dot(name) || !name[0]) {
		r = -EEXIST;
		goto out;
	}
	/* GUARD-8: no link in a git dir: git outside would follow it to
	 * what the rules never saw (modules/NAME -> a tree with config) */
	enum guard_rule rule = rule_of(h, parent, name, q->op == OP_LINK, q->op == OP_SYMLINK, resp->path,
				       sizeof(resp->path));
	if (rule) {
		struct stat st;
		r = fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW) == 0 ? -EEXIST : natural_refusal(parent, name);
		if (!r) {
			resp->rule = rule;
			r = -EPERM;
		}
		goto out;
	}
	switch (q->op) {
	case OP_MKDIR: r = mkdirat(parent, name, q->mode); break;
	case OP_MKNOD: r = mknodat(parent, name, q->mode, (dev_t)q->dev); break;
	case OP_SYMLINK: r = symlinkat(target, parent, name); break;
	default: r = linkat(oldp, oldname, parent, name, q->flags); break;
	}
	r = r < 0 ? -errno : 0;
out:
	close(parent);
	return r;
}

static int do_rename(const struct helper *h, const struct guard_req *q, int oldp, const char *oldname,
		     int newp, const char *newname, struct guard_resp *resp)
{
	int r;
	enum guard_rule rule = RULE_NONE;
	if (dot(oldname) || dot(newname)) {
		r = -EBUSY;
		goto out;
	}
	/* GUARD-8: only a regular file is moved into a git dir: a directory
	 * would bring names the rules never saw there (modules/NAME/config,
	 * worktrees/NAME/commondir), a link what they never saw at all */
	rule = rule_of(h, newp, newname, true, unchecked_inside(oldp, oldname), resp->path, sizeof(resp->path));
	if (!rule && (q->flags & RENAME_EXCHANGE))
		rule = rule_of(h, oldp, oldname, true, unchecked_inside(newp, newname), resp->path,
			       sizeof(resp->path));
	if (rule) {
		r = natural_refusal(newp, newname);
		if (!r) {
			resp->rule = rule;
			r = -EPERM;
		}
		goto out;
	}
	r = syscall(SYS_renameat2, oldp, oldname, newp, newname, (unsigned)q->flags) < 0 ? -errno : 0;
out:
	close(oldp);
	close(newp);
	return r;
}

/* A protected path that is a link (PROTECT_LINK) is refused as the
 * caller names it, too: the rules see where a link leads, and what git
 * outside follows into is that name (path as written, against dirfd's
 * place, '..' lexically).  true: refused, resp filled. */
static bool lexical_refuses(const struct helper *h, int dirfd, const char *path, bool move,
			    struct guard_resp *resp)
{
	if (!h->lexical || !path[0])
		return false;
	char dir[PATH_MAX], joined[2 * PATH_MAX + 2];
	if (path[0] == '/')
		snprintf(joined, sizeof(joined), "%s", path);
	else if (dirfd < 0 || fd_path(dirfd, dir, sizeof(dir)) < 0)
		return false; /* the rules on the resolved place still hold */
	else
		snprintf(joined, sizeof(joined), "%s/%s", dir, path);
	_cleanup_free_ char *norm = protect_normalize(joined);
	if (!norm || !protect_refuses(h->g->protect, norm, move ? PROTECT_MOVE : PROTECT_CREATE, NULL))
		return false;
	snprintf(resp->path, sizeof(resp->path), "%s", norm);
	resp->rule = RULE_PROTECT;
	return true;
}

/* One request: the result, *ret_fd for an open. */
static int serve(const struct helper *h, struct guard_req *q, size_t len, int *fds, size_t n_fds,
		 struct guard_resp *resp)
{
	if (len < REQ_HEAD || q->len[0] > PATH_MAX - 1 || q->len[1] > PATH_MAX - 1 ||
	    len != REQ_HEAD + q->len[0] + q->len[1] || n_fds != (size_t)(q->has_dir[0] + q->has_dir[1]))
		return -EINVAL;
	char p0[PATH_MAX], p1[PATH_MAX];
	memcpy(p0, q->paths, q->len[0]);
	p0[q->len[0]] = '\0';
	memcpy(p1, q->paths + q->len[0], q->len[1]);
	p1[q->len[1]] = '\0';
	if (memchr(p0, 0, q->len[0]) || memchr(p1, 0, q->len[1]))
		return -EINVAL;
	int d0 = q->has_dir[0] ? fds[0] : -1, d1 = q->has_dir[1] ? fds[q->has_dir[0]] : -1;
	static __thread mode_t mask = 022; /* umask(022) at the thread's start */
	if ((q->umask & 0777) != mask)
		umask(mask = q->umask & 0777);
	char name0[NAME_MAX + 1], name1[NAME_MAX + 1];
	int par0 = -1, par1 = -1, r;
	bool slash;
	bool made_is_1 = q->op == OP_SYMLINK || q->op == OP_LINK || q->op == OP_RENAME;
	if (lexical_refuses(h, made_is_1 ? d1 : d0, made_is_1 ? p1 : p0, q->op >= OP_LINK, resp) ||
	    (q->op == OP_RENAME && (q->flags & RENAME_EXCHANGE) && lexical_refuses(h, d0, p0, true, resp)))
		return -EPERM;
	switch (q->op) {
	case OP_OPEN:
		r = resolve(h, d0, p0, q->tgid, q->tid, &par0, name0, &slash);
		return r < 0 ? r : do_open(h, q, par0, name0, slash, resp);
	case OP_MKDIR:
	case OP_MKNOD:
		r = resolve(h, d0, p0, q->tgid, q->tid, &par0, name0, &slash);
		if (r == 0 && slash && q->op == OP_MKNOD) {
			close(par0);
			r = -ENOENT;
		}
		return r < 0 ? r : do_make(h, q, par0, name0, NULL, -1, NULL, resp);
	case OP_SYMLINK:
		r = resolve(h, d1, p1, q->tgid, q->tid, &par1, name1, &slash);
		if (r == 0 && slash) {
			close(par1);
			r = -ENOENT;
		}
		return r < 0 ? r : do_make(h, q, par1, name1, p0, -1, NULL, resp);
	case OP_LINK:
		if ((q->flags & AT_EMPTY_PATH) && !p0[0]) {
			par0 = d0 >= 0 ? fcntl(d0, F_DUPFD_CLOEXEC, 3) : -EBADF;
			name0[0] = '\0';
			r = par0 < 0 ? -EBADF : 0;
		} else {
			r = resolve(h, d0, p0, q->tgid, q->tid, &par0, name0, &slash);
		}
		if (r < 0)
			return r;
		r = resolve(h, d1, p1, q->tgid, q->tid, &par1, name1, &slash);
		if (r < 0) {
			close(par0);
			return r;
		}
		r = do_make(h, q, par1, name1, NULL, par0, name0, resp);
		close(par0);
		return r;
	case OP_RENAME:
		r = resolve(h, d0, p0, q->tgid, q->tid, &par0, name0, &slash);
		if (r < 0)
			return r;
		r = resolve(h, d1, p1, q->tgid, q->tid, &par1, name1, &slash);
		if (r < 0) {
			close(par0);
			return r;
		}
		return do_rename(h, q, par0, name0, par1, name1, resp);
	default:
		return -EINVAL;
	}
}

/* GUARD-8: a rename is checked and made while no other helper thread
 * makes a name that could take the place of what it moves (a directory, a
 * link, a node, another rename); creating opens, which make only regular
 * files, run side by side. */
static pthread_mutex_t shape_lock = PTHREAD_MUTEX_INITIALIZER;

static int serve_one(const struct helper *h, struct guard_req *q, size_t len, int *fds, size_t n_fds,
		     struct guard_resp *resp)
{
	bool shape = q->op != OP_OPEN;
	if (shape)
		pthread_mutex_lock(&shape_lock);
	int r = serve(h, q, len, fds, n_fds, resp);
	if (shape)
		pthread_mutex_unlock(&shape_lock);
	return r;
}

static void tops_load(struct helper *h)
{
	const struct sandbox_guard *g = h->g;
	h->tops = calloc(g->n_gitdirs ? g->n_gitdirs : 1, sizeof(*h->tops));
	if (!h->tops)
		_exit(EXIT_FAILURE);
	for (size_t i = 0; i < g->n_gitdirs; i++) {
		struct stat st;
		if (stat(g->gitdirs[i], &st) < 0 || !S_ISDIR(st.st_mode))
			continue;
		struct gitdir_top *t = &h->tops[h->n_tops++];
		*t = (struct gitdir_top){ .path = g->gitdirs[i], .dev = st.st_dev, .ino = st.st_ino };
		_cleanup_free_ char *info = path_join(g->gitdirs[i], "info");
		if (info && lstat(info, &st) == 0 && S_ISDIR(st.st_mode)) {
			t->has_info = true;
			t->info_dev = st.st_dev;
			t->info_ino = st.st_ino;
		}
	}
}

/* What the helper passes on to the supervisor: a notification it does not
 * answer itself (with a pidfd of the caller, when it could open one). */
struct guard_fwd {
	struct seccomp_notif req;  /* req.pid in the sandbox's pid namespace */
	int32_t kind;              /* enum guard_fwd_kind */
	int32_t rule;              /* FWD_REFUSED: the rule */
	char path[PATH_MAX];       /* FWD_REFUSED: where */
};
#define FWD_HEAD offsetof(struct guard_fwd, path)

static int mem_string(pid_t pid, uint64_t addr, char *buf, size_t size);
static int build_req(pid_t pid, const struct seccomp_notif *req, struct guard_req *q, int fds[2], int *ret_n_fds,
		     size_t *ret_len);
static int respond(int listener, uint64_t id, int64_t val, int error);
static int caller_status(pid_t pid, uint32_t *umask, int32_t *tgid, int32_t *tid);

/* GUARD-10: the callers' umasks, kept by each receiving thread for the
 * last MASK_SLOTS callers it served (a checkout, an extraction: one
 * process making every file), so that a create does not read the
 * caller's /proc/PID/status (15 to 17 us here, of the 76 to 84 a create
 * cost in the sandbox's /tmp before).  A slot holds a
 * pidfd of its task, opened before the status was read: it serves only
 * while that task lives (its pid not yet another's), and only in the
 * generation it was read in.  Every umask() is notified: the generation
 * changes before it continues, and no slot is filled until each umask
 * continued is seen to have taken effect (its caller calls again, or its
 * status shows the value, or it is gone): another process may share its
 * fs (clone CLONE_FS), so the value changes for callers it is not.
 * Within a thread group that keeps one fs (pthreads, Go, every libc's
 * threads), a umask is the group's, whichever thread execs (which gives
 * it the leader's pid); a call that gives a task an fs of its own
 * (seccomp.h, SECCOMP_FS_APART_*) turns the slots off for the sandbox's
 * life: every create reads the status again, as before. */
#ifndef PIDFD_THREAD
#define PIDFD_THREAD O_EXCL /* 6.9 */
#endif
#define MASK_SLOTS 8
#define MASK_PENDING 32

struct mask_slot {
	pid_t pid;      /* the caller as notified (0: free) */
	int pidfd;
	uint64_t gen;
	uint32_t umask;
	int32_t tgid, tid;
};

static uint64_t mask_gen = 1;     /* __atomic */
static bool mask_off;             /* __atomic: no slot serves any more */
static unsigned mask_n_pending;   /* __atomic; written under mask_lock */
static struct {
	pid_t tid;
	uint32_t umask;
} mask_pending[MASK_PENDING];     /* under mask_lock */
static pthread_mutex_t mask_lock = PTHREAD_MUTEX_INITIALIZER;

static void mask_gen_next(void)
{
	__atomic_add_fetch(&mask_gen, 1, __ATOMIC_SEQ_CST);
}

static int continue_call(int listener, uint64_t id)
{
	struct seccomp_notif_resp resp = { .id = id, .flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE };
	return ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &resp) < 0 ? -errno : 0;
}

/* A call GUARD-10 notes (umask, or one that gives a task its own fs):
 * noted, continued, true; any other: false.  Continuing is safe here: the
 * kernel reads nothing again that the caller could change (the arguments
 * are registers), and what is noted only makes the guard read more. */
static bool mask_noted(const struct helper *h, int listener, const struct seccomp_notif *req)
{
	if (req->data.nr == SYS_umask) {
		pid_t tid = (pid_t)req->pid;
		uint32_t value = (uint32_t)req->data.args[0] & 0777;
		pthread_mutex_lock(&mask_lock);
		unsigned n = mask_n_pending, i;
		for (i = 0; i < n && mask_pending[i].tid != tid; i++)
			;
		if (i < MASK_PENDING) {
			mask_pending[i].tid = tid;
			mask_pending[i].umask = value; /* its last call is the one that counts */
			if (i == n)
				__atomic_store_n(&mask_n_pending, n + 1, __ATOMIC_SEQ_CST);
		} else {
			__atomic_store_n(&mask_off, true, __ATOMIC_SEQ_CST); /* too many at once */
		}
		mask_gen_next();
		pthread_mutex_unlock(&mask_lock);
	} else if (seccomp_fs_apart(req->data.nr, req->data.args[0], h->nested_userns)) {
		__atomic_store_n(&mask_off, true, __ATOMIC_SEQ_CST);
		mask_gen_next();
	} else {
		return false;
	}
	(void)continue_call(listener, req->id);
	return true;
}

/* The umask calls continued that may not have taken effect yet, for a
 * create by caller: those that have are dropped (the generation moves on
 * once none is left). */
static void mask_pending_drop(pid_t caller)
{
	pthread_mutex_lock(&mask_lock);
	unsigned n = mask_n_pending, kept = 0;
	for (unsigned i = 0; i < n; i++) {
		uint32_t now;
		int32_t tgid, tid;
		/* the caller calls again: its umask() returned */
		if (mask_pending[i].tid == caller)
			continue;
		int r = caller_status(mask_pending[i].tid, &now, &tgid, &tid);
		if (r == -ENOENT || r == -ESRCH || (r == 0 && now == mask_pending[i].umask))
			continue;
		mask_pending[kept++] = mask_pending[i];
	}
	__atomic_store_n(&mask_n_pending, kept, __ATOMIC_SEQ_CST);
	if (kept == 0 && n > 0)
		mask_gen_next();
	pthread_mutex_unlock(&mask_lock);
}

/* A pidfd of the caller tid: of its thread (6.9), else of its pid (a
 * thread group's leader); -1: none. */
static int pidfd_of(pid_t tid)
{
	int fd = (int)syscall(SYS_pidfd_open, tid, PIDFD_THREAD);
	return fd >= 0 ? fd : (int)syscall(SYS_pidfd_open, tid, 0);
}

static bool pidfd_alive(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	return poll(&p, 1, 0) == 0;
}

/* The caller's umask and ids (a receiving thread's): from its slot, or
 * read and kept. */
static void caller_known(pid_t pid, struct guard_req *q)
{
	static __thread struct mask_slot slots[MASK_SLOTS];
	static __thread unsigned next;
	if (__atomic_load_n(&mask_n_pending, __ATOMIC_SEQ_CST) > 0)
		mask_pending_drop(pid);
	uint64_t gen = __atomic_load_n(&mask_gen, __ATOMIC_SEQ_CST);
	bool keep = !__atomic_load_n(&mask_off, __ATOMIC_SEQ_CST) &&
		    __atomic_load_n(&mask_n_pending, __ATOMIC_SEQ_CST) == 0;
	struct mask_slot *s = NULL;
	for (size_t i = 0; i < MASK_SLOTS; i++)
		if (slots[i].pid == pid)
			s = &slots[i];
	if (s && keep && s->gen == gen && pidfd_alive(s->pidfd)) {
		q->umask = s->umask;
		q->tgid = s->tgid;
		q->tid = s->tid;
		return;
	}
	if (!s)
		s = &slots[next++ % MASK_SLOTS];
	if (s->pid)
		close(s->pidfd);
	s->pid = 0;
	/* the pidfd first: a pid reused before it was opened gives a pidfd
	 * of the task whose status is read next */
	int pidfd = keep ? pidfd_of(pid) : -1;
	if (caller_status(pid, &q->umask, &q->tgid, &q->tid) < 0 || pidfd < 0) {
		if (pidfd >= 0)
			close(pidfd);
		return;
	}
	*s = (struct mask_slot){ .pid = pid, .pidfd = pidfd, .gen = gen, .umask = q->umask,
				 .tgid = q->tgid, .tid = q->tid };
}

/* The caller's fd made by the helper into the caller (SECCOMP_IOCTL_NOTIF_ADDFD;
 * with SECCOMP_ADDFD_FLAG_SEND where the kernel has it, 5.14). */
static void hand_fd(int listener, uint64_t id, int fd, int flags, bool *send)
{
	struct seccomp_notif_addfd a = { .id = id, .srcfd = (uint32_t)fd,
					 .newfd_flags = (flags & O_CLOEXEC) ? O_CLOEXEC : 0,
					 .flags = *send ? SECCOMP_ADDFD_FLAG_SEND : 0 };
	int got = ioctl(listener, SECCOMP_IOCTL_NOTIF_ADDFD, &a);
	if (got < 0 && errno == EINVAL && *send) {
		*send = false;
		a.flags = 0;
		got = ioctl(listener, SECCOMP_IOCTL_NOTIF_ADDFD, &a);
	}
	if (got >= 0 && !*send)
		respond(listener, id, got, 0);
	/* < 0: the caller is gone (or out of fds: EMFILE) */
	if (got < 0 && errno != ENOENT)
		respond(listener, id, 0, -errno);
}

/* To the supervisor: a notification it answers (and logs). */
static void forward(int fwd, const struct seccomp_notif *req, enum guard_fwd_kind kind, int rule, const char *path)
{
	static __thread struct guard_fwd f;
	f.req = *req;
	f.kind = kind;
	f.rule = rule;
	size_t len = FWD_HEAD;
	if (path) {
		snprintf(f.path, sizeof(f.path), "%s", path);
		len += strlen(f.path) + 1;
	}
	/* the supervisor learns the caller's pid outside from it */
	int pidfd = pidfd_of((pid_t)req->pid);
	(void)wire_sendmsg(fwd, &f, len, pidfd >= 0 ? &pidfd : NULL, pidfd >= 0);
	if (pidfd >= 0)
		close(pidfd);
}

/* One notification, received by the helper: a creating call checked and
 * made here (its path read from the caller's memory, GUARD-2), or passed on
 * to the supervisor: a refusal (to be logged, GUARD-5), any other call of
 * the filter's, or a caller whose memory this thread may not read (an
 * undumpable process): the supervisor then asks as before (guard_answer). */
static void notified(struct helper *h, int listener, int fwd, const struct seccomp_notif *req, bool *send)
{
	static __thread struct guard_req q;
	static __thread struct guard_resp resp;
	int fds[2] = { -1, -1 }, n_fds = 0;
	size_t len = 0;
	if (mask_noted(h, listener, req))
		return;
	int r = build_req((pid_t)req->pid, req, &q, fds, &n_fds, &len);
	if (r == -EINVAL) {
		forward(fwd, req, FWD_DENY, 0, NULL); /* not a creating call */
		return;
	}
	if (r == 0)
		caller_known((pid_t)req->pid, &q);
	/* GUARD-2: what was read is the caller's only if it still waits */
	if (ioctl(listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &req->id) < 0)
		goto out;
	if (r == -EPERM || r == -EACCES) {
		forward(fwd, req, FWD_SLOW, 0, NULL);
		goto out;
	}
	if (r < 0) {
		respond(listener, req->id, 0, r);
		goto out;
	}
	resp.rule = RULE_NONE;
	resp.path[0] = '\0';
	resp.result = serve_one(h, &q, len, fds, (size_t)n_fds, &resp);
	if (resp.rule > RULE_NONE && resp.rule <= RULE_PROTECT && resp.result == -EPERM)
		forward(fwd, req, FWD_REFUSED, resp.rule, resp.path);
	else if (q.op == OP_OPEN && resp.result >= 0) {
		hand_fd(listener, req->id, resp.result, q.flags, send);
		close(resp.result);
	} else
		respond(listener, req->id, resp.result >= 0 ? resp.result : 0, resp.result < 0 ? resp.result : 0);
out:
	for (int i = 0; i < n_fds; i++)
		close(fds[i]);
}

/* A request of the supervisor's (guard_answer), answered on sock. */
static void requested(struct helper *h, int sock)
{
	static struct guard_req q;
	static struct guard_resp resp;
	int fds[2];
	size_t n_fds = 0;
	ssize_t n = wire_recvmsg(sock, &q, sizeof(q), fds, 2, &n_fds);
	if (n == 0 || n == -ECONNRESET || n == -EPIPE)
		_exit(EXIT_FAILURE); /* the supervisor is gone: so is the sandbox (MUST-6) */
	if (n < 0)
		return;
	resp.rule = RULE_NONE;
	resp.path[0] = '\0';
	resp.result = serve_one(h, &q, (size_t)n, fds, n_fds, &resp);
	for (size_t i = 0; i < n_fds; i++)
		close(fds[i]);
	bool fd = q.op == OP_OPEN && resp.result >= 0;
	size_t len = offsetof(struct guard_resp, path) + (resp.rule ? strlen(resp.path) + 1 : 0);
	(void)wire_sendmsg(sock, &resp, len, fd ? &resp.result : NULL, fd);
	if (fd)
		close(resp.result);
}

struct helper_start {
	const struct sandbox_spec *s;
	int sock, fwd;
};

struct receiver_start {
	struct helper *h;
	int listener, fwd;
	pthread_barrier_t *ready;
};

static void *receiver_main(void *arg)
{
	const struct receiver_start *rs = arg;
	/* signals blocked as the thread that made it; a umask of its own */
	if (unshare(CLONE_FS) < 0)
		_exit(EXIT_FAILURE);
	umask(022); /* what serve() starts from */
	helper_tid_add();
	/* none serves before every helper thread's /proc/TID is known */
	pthread_barrier_wait(rs->ready);
	bool send = true;
	static __thread struct seccomp_notif req;
	for (;;) {
		memset(&req, 0, sizeof(req)); /* the kernel wants it zeroed */
		if (ioctl(rs->listener, SECCOMP_IOCTL_NOTIF_RECV, &req) == 0)
			notified(rs->h, rs->listener, rs->fwd, &req, &send);
		else if (errno != EINTR && errno != ENOENT)
			_exit(EXIT_FAILURE); /* GUARD-6 */
	}
}

static void *helper_main(void *arg)
{
	const struct helper_start *st = arg;
	const struct sandbox_spec *s = st->s;
	int sock = st->sock, fwd = st->fwd;
	sigset_t all;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	(void)prctl(PR_SET_NAME, "nsbsh-guard", 0, 0, 0);
	helper_tid_add();
	/* its own umask (set to each caller's) and fd table: pid 1's fds
	 * and umask stay what they were (GUARD-7) */
	if (unshare(CLONE_FS | CLONE_FILES) < 0)
		_exit(EXIT_FAILURE);
	umask(022); /* what serve() starts from */
	int lo = sock < fwd ? sock : fwd, hi = sock < fwd ? fwd : sock;
	if ((lo > 3 && close_range(3, (unsigned)lo - 1, 0) < 0) || (hi > lo + 1 && close_range((unsigned)lo + 1, (unsigned)hi - 1, 0) < 0) ||
	    close_range((unsigned)hi + 1, ~0U, 0) < 0)
		_exit(EXIT_FAILURE);
	char c = 'r';
	if (write(sock, &c, 1) != 1) /* pid 1 may close its copies of these now */
		_exit(EXIT_FAILURE);
	/* the filter's listener, once pid 1 has loaded it */
	int listener = -1;
	size_t n = 0;
	if (wire_recvmsg(sock, &c, 1, &listener, 1, &n) != 1 || n != 1)
		_exit(EXIT_FAILURE);
	/* the caller wakes this thread on its own CPU (6.6; else EINVAL) */
	(void)ioctl(listener, SECCOMP_IOCTL_NOTIF_SET_FLAGS, SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP);

	struct helper h = { .g = &s->guard, .root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC),
			    .nested_userns = s->nested_userns };
	if (h.root < 0)
		_exit(EXIT_FAILURE);
	tops_load(&h);
	for (size_t i = 0; h.g->protect && i < h.g->protect->n; i++)
		if (h.g->protect->v[i].state == PROTECT_LINK)
			h.lexical = true;
	/* GUARD-9: the notifications received by GUARD_RECEIVERS threads at
	 * once (a caller waits for no other's answer, nor for this thread's
	 * ADDFD to finish: on two CPUs that wait was most of a create);
	 * each with a umask of its own, all of them sharing this fd table */
	static struct receiver_start rs;
	static pthread_barrier_t ready;
	if (pthread_barrier_init(&ready, NULL, GUARD_RECEIVERS) != 0)
		_exit(EXIT_FAILURE);
	rs = (struct receiver_start){ .h = &h, .listener = listener, .fwd = fwd, .ready = &ready };
	for (int i = 0; i < GUARD_RECEIVERS; i++) {
		pthread_t t;
		if (pthread_create(&t, NULL, receiver_main, &rs) != 0 || pthread_detach(t) != 0)
			_exit(EXIT_FAILURE); /* GUARD-6 */
	}
	/* this one: the supervisor's requests, and the listener's end */
	for (;;) {
		struct pollfd p[2] = { { .fd = listener, .events = 0 }, { .fd = sock, .events = POLLIN } };
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			_exit(EXIT_FAILURE);
		}
		if (p[1].revents)
			requested(&h, sock);
		if (p[0].revents)
			_exit(EXIT_FAILURE); /* GUARD-6: no helper, no sandbox */
	}
}

int guard_helper_start(const struct sandbox_spec *s, int *ret_sock, int *ret_fwd)
{
	int sv[2], fv[2];
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return -errno;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fv) < 0) {
		int r = -errno;
		close(sv[0]);
		close(sv[1]);
		return r;
	}
	static struct helper_start st;
	st = (struct helper_start){ .s = s, .sock = sv[1], .fwd = fv[1] };
	pthread_attr_t attr;
	pthread_t t;
	int r = pthread_attr_init(&attr);
	if (r == 0)
		r = pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	if (r == 0)
		r = pthread_create(&t, &attr, helper_main, &st);
	pthread_attr_destroy(&attr);
	char c = 0;
	/* its fd table is its own once it says so */
	if (r == 0 && read(sv[0], &c, 1) != 1)
		r = EIO;
	close(sv[1]);
	close(fv[1]);
	if (r != 0) {
		close(sv[0]);
		close(fv[0]);
		return -r;
	}
	*ret_sock = sv[0];
	*ret_fwd = fv[0];
	return 0;
}

int guard_helper_listener(int sock, int listener)
{
	char c = 'l';
	return wire_sendmsg(sock, &c, 1, &listener, 1) == 1 ? 0 : -EIO;
}

/* ---- the supervisor, outside ---- */

int guard_probe_addfd(int listener, bool *ret_send)
{
	/* id 0 is no notification: a kernel with the ioctl says ENOENT, one
	 * without it ENOTTY or EINVAL; the flag SEND is checked before the id. */
	struct seccomp_notif_addfd a = { .id = 0, .flags = SECCOMP_ADDFD_FLAG_SEND, .srcfd = (uint32_t)listener };
	if (ioctl(listener, SECCOMP_IOCTL_NOTIF_ADDFD, &a) < 0 && errno == ENOENT) {
		*ret_send = true;
		return 1;
	}
	a.flags = 0;
	if (ioctl(listener, SECCOMP_IOCTL_NOTIF_ADDFD, &a) < 0 && errno == ENOENT) {
		*ret_send = false;
		return 1;
	}
	return -ENOSYS;
}

/* A NUL-ended string of the caller's at addr, read once, page by page. */
static int mem_string(pid_t pid, uint64_t addr, char *buf, size_t size)
{
	size_t got = 0;
	if (!addr)
		return -EFAULT;
	while (got < size) {
		uint64_t a = addr + got;
		size_t chunk = 4096 - (size_t)(a & 4095);
		if (chunk > size - got)
			chunk = size - got;
		struct iovec local = { buf + got, chunk }, remote = { (void *)(uintptr_t)a, chunk };
		ssize_t n = process_vm_readv(pid, &local, 1, &remote, 1, 0);
		if (n < 0 && got == 0 && errno == EPERM)
			return -EPERM; /* not to be read by this process (the helper's fallback) */
		if (n <= 0)
			return -EFAULT;
		char *z = memchr(buf + got, '\0', (size_t)n);
		if (z)
			return (int)(z - buf);
		got += (size_t)n;
	}
	return -ENAMETOOLONG;
}

/* The caller's umask and its ids in the sandbox, from /proc/PID/status:
 * 0, or a negative errno (*umask 022, the ids 0: not known). */
static int caller_status(pid_t pid, uint32_t *umask, int32_t *tgid, int32_t *tid)
{
	char path[64], buf[4096];
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	*umask = 022;
	*tgid = *tid = 0;
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);
	if (n <= 0)
		return n < 0 ? -errno : -EIO;
	buf[n] = '\0';
	char *l;
	if (!(l = strstr(buf, "\nUmask:")))
		return -EIO; /* before 4.7; the guard needs 5.9 */
	*umask = (uint32_t)strtoul(l + 7, NULL, 8);
	static const char *const keys[] = { "\nNStgid:", "\nNSpid:" };
	int32_t *dst[] = { tgid, tid };
	for (size_t i = 0; i < 2; i++) {
		if (!(l = strstr(buf, keys[i])))
			continue;
		l += strlen(keys[i]);
		char *end = l + strcspn(l, "\n"), *last = l;
		for (char *p = l; p < end; p++)
			if (*p == '\t')
				last = p + 1;
		*dst[i] = (int32_t)strtol(last, NULL, 10);
	}
	return 0;
}

struct call {
	enum guard_op op;
	int dir[2];    /* argument index of path i's dirfd; -1: AT_FDCWD */
	int path[2];   /* argument index of path i; -1: none */
	int flags, mode, dev;  /* argument indexes; -1: none */
	int fixed_flags;
	bool target0;  /* path 0 is a link's text: no directory */
};

static bool call_of(int nr, struct call *c)
{
	*c = (struct call){ .dir = { -1, -1 }, .path = { -1, -1 }, .flags = -1, .mode = -1, .dev = -1 };
	switch (nr) {
#ifdef SYS_open
	case SYS_open: *c = (struct call){ OP_OPEN, { -1, -1 }, { 0, -1 }, 1, 2, -1, 0, false }; return true;
	case SYS_creat: *c = (struct call){ OP_OPEN, { -1, -1 }, { 0, -1 }, -1, 1, -1, O_CREAT | O_WRONLY | O_TRUNC, false }; return true;
	case SYS_mkdir: *c = (struct call){ OP_MKDIR, { -1, -1 }, { 0, -1 }, -1, 1, -1, 0, false }; return true;
	case SYS_mknod: *c = (struct call){ OP_MKNOD, { -1, -1 }, { 0, -1 }, -1, 1, 2, 0, false }; return true;
	case SYS_symlink: *c = (struct call){ OP_SYMLINK, { -1, -1 }, { 0, 1 }, -1, -1, -1, 0, true }; return true;
	case SYS_link: *c = (struct call){ OP_LINK, { -1, -1 }, { 0, 1 }, -1, -1, -1, 0, false }; return true;
	case SYS_rename: *c = (struct call){ OP_RENAME, { -1, -1 }, { 0, 1 }, -1, -1, -1, 0, false }; return true;
#endif
	case SYS_openat: *c = (struct call){ OP_OPEN, { 0, -1 }, { 1, -1 }, 2, 3, -1, 0, false }; return true;
	case SYS_mkdirat: *c = (struct call){ OP_MKDIR, { 0, -1 }, { 1, -1 }, -1, 2, -1, 0, false }; return true;
	case SYS_mknodat: *c = (struct call){ OP_MKNOD, { 0, -1 }, { 1, -1 }, -1, 2, 3, 0, false }; return true;
	case SYS_symlinkat: *c = (struct call){ OP_SYMLINK, { -1, 1 }, { 0, 2 }, -1, -1, -1, 0, true }; return true;
	case SYS_linkat: *c = (struct call){ OP_LINK, { 0, 2 }, { 1, 3 }, 4, -1, -1, 0, false }; return true;
	case SYS_renameat: *c = (struct call){ OP_RENAME, { 0, 2 }, { 1, 3 }, -1, -1, -1, 0, false }; return true;
	case SYS_renameat2: *c = (struct call){ OP_RENAME, { 0, 2 }, { 1, 3 }, 4, -1, -1, 0, false }; return true;
	default: return false;
	}
}

static int respond(int listener, uint64_t id, int64_t val, int error)
{
	struct seccomp_notif_resp resp = { .id = id, .val = val, .error = error };
	return ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &resp) < 0 ? -errno : 0;
}

/* The request for the notified creating call req of the process pid (in
 * the reader's pid namespace): its paths copied, its cwd or dirfds opened
 * (*ret_n_fds into fds), *ret_len its size.  0, -EINVAL (not a creating
 * call), -EPERM or -EACCES (this process may not read it), or the errno
 * the caller gets. */
static int build_req(pid_t pid, const struct seccomp_notif *req, struct guard_req *q, int fds[2], int *ret_n_fds,
		     size_t *ret_len)
{
	struct call c;
	int n_fds = 0, r = 0;
	if (!call_of(req->data.nr, &c))
		return -EINVAL;
	memset(q, 0, REQ_HEAD);
	q->op = c.op;
	q->flags = c.flags >= 0 ? (int32_t)req->data.args[c.flags] : c.fixed_flags;
	q->mode = c.mode >= 0 ? (uint32_t)req->data.args[c.mode] : 0;
	q->dev = c.dev >= 0 ? req->data.args[c.dev] : 0;
	size_t off = 0;
	for (int i = 0; i < 2 && r == 0; i++) {
		if (c.path[i] < 0)
			continue;
		int n = mem_string(pid, req->data.args[c.path[i]], q->paths + off, PATH_MAX);
		if (n < 0) {
			r = n;
			break;
		}
		q->len[i] = (uint16_t)n;
		bool relative = q->paths[off] != '/';
		off += (size_t)n;
		if ((i == 0 && c.target0) || !relative)
			continue;
		/* GUARD-2: the caller's cwd or dirfd, as it is now */
		char link[64];
		int dfd = c.dir[i] >= 0 ? (int)req->data.args[c.dir[i]] : AT_FDCWD;
		if (dfd == AT_FDCWD)
			snprintf(link, sizeof(link), "/proc/%d/cwd", (int)pid);
		else if (dfd >= 0)
			snprintf(link, sizeof(link), "/proc/%d/fd/%d", (int)pid, dfd);
		else {
			r = -EBADF;
			break;
		}
		int fd = open(link, O_PATH | O_CLOEXEC);
		if (fd < 0) {
			r = errno == ENOENT ? -EBADF : -errno;
			break;
		}
		fds[n_fds++] = fd;
		q->has_dir[i] = 1;
	}
	*ret_n_fds = n_fds;
	*ret_len = REQ_HEAD + off;
	return r;
}

int guard_answer(int listener, int helper, bool addfd_send, const struct seccomp_notif *req,
		 struct seccomp_denial *ret)
{
	static struct guard_req q;
	static struct guard_resp resp;
	pid_t pid = (pid_t)req->pid;
	int fds[2] = { -1, -1 }, n_fds = 0;
	size_t len = 0;
	if (pid <= 0)
		return -ESRCH; /* not known outside: GUARD-6 */
	int r = build_req(pid, req, &q, fds, &n_fds, &len);
	if (r == -EINVAL)
		return r;
	if (r == 0)
		(void)caller_status(pid, &q.umask, &q.tgid, &q.tid);
	/* GUARD-2: what was read is the caller's only if it still waits */
	if (ioctl(listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &req->id) < 0) {
		r = -ENOENT;
		goto out;
	}
	if (r < 0) {
		respond(listener, req->id, 0, r);
		r = 0;
		goto out;
	}
	ssize_t n = wire_sendmsg(helper, &q, len, fds, (size_t)n_fds);
	int got[1] = { -1 };
	size_t n_got = 0;
	if (n >= 0)
		n = wire_recvmsg(helper, &resp, sizeof(resp), got, 1, &n_got);
	if (n < (ssize_t)offsetof(struct guard_resp, path)) {
		r = n < 0 ? (int)n : -EIO; /* GUARD-6: the caller gets EPERM */
		goto out;
	}
	if (resp.rule > RULE_NONE && resp.rule <= RULE_PROTECT && resp.result == -EPERM) {
		resp.path[sizeof(resp.path) - 1] = '\0';
		ret->group = rule_key[resp.rule];
		snprintf(ret->detail, sizeof(ret->detail), "%s", resp.path);
		r = 1;
		goto out;
	}
	if (q.op == OP_OPEN && resp.result >= 0) {
		if (n_got != 1) {
			r = -EIO;
			goto out;
		}
		bool send = addfd_send;
		hand_fd(listener, req->id, got[0], q.flags, &send);
		close(got[0]);
		r = 0;
		goto out;
	}
	for (size_t i = 0; i < n_got; i++)
		close(got[i]);
	respond(listener, req->id, resp.result >= 0 ? resp.result : 0, resp.result < 0 ? resp.result : 0);
	r = 0;
out:
	for (int i = 0; i < n_fds; i++)
		close(fds[i]);
	return r;
}

/* The pid outside of the process a pidfd names (its fdinfo, as this
 * process's /proc shows it), or 0. */
static pid_t pidfd_pid(int pidfd)
{
	char path[64], buf[1024];
	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", pidfd);
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	char *l = strstr(buf, "\nPid:");
	long pid = l ? strtol(l + 5, NULL, 10) : 0;
	return pid > 0 ? (pid_t)pid : 0;
}

int guard_forwarded(int fwd, struct seccomp_notif *ret_req, int *ret_kind, struct seccomp_denial *ret)
{
	static struct guard_fwd f;
	int pidfd = -1;
	size_t n_fds = 0;
	ssize_t n = wire_recvmsg(fwd, &f, sizeof(f), &pidfd, 1, &n_fds);
	if (n == 0 || n == -ECONNRESET || n == -EPIPE)
		return -EPIPE;
	if (n < (ssize_t)FWD_HEAD || (f.kind != FWD_DENY && f.kind != FWD_REFUSED && f.kind != FWD_SLOW) ||
	    (f.kind == FWD_REFUSED && (f.rule <= RULE_NONE || f.rule > RULE_PROTECT))) {
		if (n_fds)
			close(pidfd);
		return n < 0 ? (int)n : -EBADMSG;
	}
	*ret_req = f.req;
	ret_req->pid = n_fds ? (uint32_t)pidfd_pid(pidfd) : 0;
	if (n_fds)
		close(pidfd);
	*ret_kind = f.kind == FWD_DENY ? GUARD_FWD_DENY : f.kind == FWD_SLOW ? GUARD_FWD_ASK : GUARD_FWD_REFUSED;
	if (f.kind == FWD_REFUSED) {
		((char *)&f)[n < (ssize_t)sizeof(f) ? n : (ssize_t)sizeof(f) - 1] = '\0';
		ret->group = rule_key[f.rule];
		snprintf(ret->detail, sizeof(ret->detail), "%s", f.path);
	}
	return 0;
}
