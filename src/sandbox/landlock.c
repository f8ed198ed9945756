/* landlock.c - Landlock: a second wall behind the mount namespace.
 *
 * The mount namespace decides what the sandbox sees and which binds are
 * writable; Landlock restates, in the kernel's access checks, where the
 * sandbox may write at all, so that one mistake in the binds (a read-write
 * bind too many, a writable parent of a read-only file) is not enough.  It
 * also closes a door the namespaces leave open: the network namespace is
 * usually the host's, so the host's abstract unix sockets (X11, D-Bus, ...)
 * are reachable; and it keeps signals inside even where a process outside
 * is visible (one that joined the sandbox's pid namespace from outside).
 * A live sandbox is one domain: pid 1 and every shell it starts
 * (inside.c), so its terminals signal each other's jobs.
 *
 * Invariants (each has a test in tests/integration that names it):
 * MUST-L1 writes: from ABI 2, nothing outside the listed paths can be
 *         created, opened for writing, renamed, linked or removed, even where
 *         a read-write bind would allow it (EACCES; EXDEV for a hard link of
 *         a file outside into a listed directory); from ABI 3 not truncated
 *         either (EACCES).
 * MUST-L2 abstract-sockets: from ABI 6, connect() to an abstract unix
 *         socket bound outside the domain fails with EPERM.
 * MUST-L3 signals: from ABI 6, a signal to a process outside the domain
 *         fails with EPERM.
 * Landlock cannot restrict chmod, chown, utimes or setxattr, nor writes
 * through fds opened before it; the mount namespace and MUST-5 of sandbox.c
 * cover those.
 */
#include "sandbox/landlock.h"

#include <fcntl.h>
#include <linux/landlock.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "base/util.h"

/* The Debian 12 headers know ABI 1 and 2; what came later is defined here,
 * with the kernel's values. */
#ifndef SYS_landlock_create_ruleset
#define SYS_landlock_create_ruleset 444
#endif
#ifndef SYS_landlock_add_rule
#define SYS_landlock_add_rule 445
#endif
#ifndef SYS_landlock_restrict_self
#define SYS_landlock_restrict_self 446
#endif
#ifndef LANDLOCK_CREATE_RULESET_VERSION
#define LANDLOCK_CREATE_RULESET_VERSION (1U << 0)
#endif
#ifndef LANDLOCK_ACCESS_FS_REFER
#define LANDLOCK_ACCESS_FS_REFER (1ULL << 13)      /* ABI 2 */
#endif
#ifndef LANDLOCK_ACCESS_FS_TRUNCATE
#define LANDLOCK_ACCESS_FS_TRUNCATE (1ULL << 14)   /* ABI 3 */
#endif
#ifndef LANDLOCK_ACCESS_FS_IOCTL_DEV
#define LANDLOCK_ACCESS_FS_IOCTL_DEV (1ULL << 15)  /* ABI 5 */
#endif
#ifndef LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET
#define LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET (1ULL << 0) /* ABI 6 */
#endif
#ifndef LANDLOCK_SCOPE_SIGNAL
#define LANDLOCK_SCOPE_SIGNAL (1ULL << 1)               /* ABI 6 */
#endif

/* struct landlock_ruleset_attr as of ABI 6; the kernel takes the size
 * instead of a version, so an older kernel is given only the fields it
 * knows (ruleset_attr_size). */
struct ruleset_attr {
	uint64_t handled_access_fs;
	uint64_t handled_access_net;  /* ABI 4; left 0: the network is not restricted */
	uint64_t scoped;              /* ABI 6 */
};

/* Reparenting (rename or link into another directory) is always denied
 * under ABI 1, which has no REFER right: git, which moves every new object
 * from objects/tmp_obj_* into objects/xx/, would fail.  So ABI 1 counts as
 * no Landlock. */
#define ABI_MIN 2

/* The write side of the filesystem rights.  Not handled, so allowed: the
 * read side (READ_FILE, READ_DIR, EXECUTE), which the mount namespace
 * already limits to what the sandbox shows; and IOCTL_DEV (ABI 5), since
 * the job control of an interactive bash needs the terminal's ioctls
 * (TIOCSPGRP, TCSETSW, TIOCGWINSZ) and seccomp already denies the dangerous
 * ones (MUST-S1). */
#define FS_WRITE_ABI1                                                              \
	(LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_REMOVE_DIR |           \
	 LANDLOCK_ACCESS_FS_REMOVE_FILE | LANDLOCK_ACCESS_FS_MAKE_CHAR |           \
	 LANDLOCK_ACCESS_FS_MAKE_DIR | LANDLOCK_ACCESS_FS_MAKE_REG |               \
	 LANDLOCK_ACCESS_FS_MAKE_SOCK | LANDLOCK_ACCESS_FS_MAKE_FIFO |             \
	 LANDLOCK_ACCESS_FS_MAKE_BLOCK | LANDLOCK_ACCESS_FS_MAKE_SYM)

/* The rights a rule on a non-directory may carry; the others concern a
 * directory's entries and make the kernel refuse the rule (EINVAL). */
#define FS_FILE_RIGHTS (LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_TRUNCATE)

static uint64_t fs_handled(int abi)
{
	uint64_t fs = FS_WRITE_ABI1;
	if (abi >= 2)
		fs |= LANDLOCK_ACCESS_FS_REFER;
	if (abi >= 3)
		fs |= LANDLOCK_ACCESS_FS_TRUNCATE;
	return fs;
}

static uint64_t scoped_handled(int abi)
{
	return abi >= 6 ? LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET | LANDLOCK_SCOPE_SIGNAL : 0;
}

static size_t ruleset_attr_size(int abi)
{
	if (abi >= 6)
		return sizeof(struct ruleset_attr);
	if (abi >= 4)
		return offsetof(struct ruleset_attr, scoped);
	return offsetof(struct ruleset_attr, handled_access_net);
}

int landlock_abi(void)
{
	static int cached = -1;
	if (cached != -1)
		return cached;
	long v = syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
	if (v >= 0)
		cached = (int)v;
	else if (errno == ENOSYS || errno == EOPNOTSUPP)
		cached = 0; /* not built in, or not enabled at boot (lsm=) */
	else
		return -errno; /* not cached: an answer we do not understand */
	return cached;
}

/* Allow every handled right beneath path; -ENOENT when it does not exist. */
static int rule_add(int ruleset, const char *path, uint64_t handled)
{
	_cleanup_close_ int fd = open(path, O_PATH | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	struct stat st;
	if (fstat(fd, &st) < 0)
		return -errno;
	struct landlock_path_beneath_attr rule = {
		.allowed_access = S_ISDIR(st.st_mode) ? handled : handled & FS_FILE_RIGHTS,
		.parent_fd = fd,
	};
	if (syscall(SYS_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH, &rule, 0) < 0)
		return -errno;
	return 0;
}

/* A file that fd 0, 1 or 2 has open for writing may be opened for writing
 * again: `echo oops > /dev/stderr` in a script reopens the outer terminal
 * through /proc/self/fd/2, and that terminal lives on the host's devpts,
 * beneath none of the listed paths.  This widens nothing: the program can
 * already write (and ftruncate) through the fd itself.  Pipes and sockets
 * take no rule (EBADFD) and need none: Landlock does not check them. */
static int rules_add_stdio(int ruleset, uint64_t handled)
{
	for (int fd = 0; fd <= 2; fd++) {
		int fl = fcntl(fd, F_GETFL);
		struct stat st;
		if (fl < 0 || (fl & O_ACCMODE) == O_RDONLY || fstat(fd, &st) < 0 ||
		    S_ISDIR(st.st_mode))
			continue;
		struct landlock_path_beneath_attr rule = {
			.allowed_access = handled & FS_FILE_RIGHTS,
			.parent_fd = fd,
		};
		if (syscall(SYS_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH, &rule, 0) < 0 &&
		    errno != EBADFD)
			return -errno;
	}
	return 0;
}

int landlock_restrict(const char *const *writable, size_t n, const char **ret_missing)
{
	int abi = landlock_abi();
	if (abi < 0)
		return abi;
	if (abi < ABI_MIN) {
		/* Nothing to do: the mount namespace is the first wall. */
		if (ret_missing)
			*ret_missing = NULL;
		return 0;
	}

	struct ruleset_attr attr = {
		.handled_access_fs = fs_handled(abi),
		.scoped = scoped_handled(abi),
	};
	_cleanup_close_ int ruleset =
		(int)syscall(SYS_landlock_create_ruleset, &attr, ruleset_attr_size(abi), 0);
	if (ruleset < 0)
		return -errno;

	const char *missing = NULL;
	for (size_t i = 0; i < n; i++) {
		int r = rule_add(ruleset, writable[i], attr.handled_access_fs);
		if (r == -ENOENT) {
			if (!missing)
				missing = writable[i];
			continue;
		}
		if (r < 0)
			return r;
	}
	int r = rules_add_stdio(ruleset, attr.handled_access_fs);
	if (r < 0)
		return r;
	if (syscall(SYS_landlock_restrict_self, ruleset, 0) < 0)
		return -errno;
	if (ret_missing)
		*ret_missing = missing;
	return 0;
}
