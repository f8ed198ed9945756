/* inputs.c - what a start read while it decided (see inputs.h).
 *
 * Invariants (tests/integration/t-fastjoin.sh and tests/unit/test_inputs.c
 * name each):
 * IN-1 complete: while the list is on, every call of nsbsh's own code that
 *      reads the file system, the environment, the terminal's state or the
 *      password database is kept with what it gave; a call whose result the
 *      list cannot replay spoils it: a library loaded (but libconfuse,
 *      which reads only what nsbsh hands it), a process started, a
 *      file written or made (a mkdir that found one is a look at it), a kernel
 *      file (/proc, /sys) opened, an fd the list did not open used as a
 *      directory, the standard input read, a message said (log.c), a
 *      syscall() other than openat2, the same call giving two results; a
 *      message said spoils it too (log_said(), checked by the caller).
 * IN-2 replay-exact: a replay performs every kept call again, read-only
 *      (an open whose fd no later call uses, as a stat of the same lookup)
 *      (opens add O_CLOEXEC, and but for O_PATH ones O_NONBLOCK | O_NOCTTY: a
 *      FIFO planted where a file was never hangs a start; none writes),
 *      relative to the same directories, and compares all it gives: a
 *      file's device, inode, mode, owner, group, links, rdev, size, mtime and
 *      ctime (a change to a file's content, links, owner or mode moves its
 *      ctime, which no process can set back), a link's or a path's text, a
 *      variable's value, an errno.  A realpath() whose answer was its own
 *      (absolute) path, or ENOENT, is performed as one openat2 that follows
 *      no link: it finds the path, or misses a component, exactly when
 *      realpath() would give that answer again (no link on the way, the
 *      same components there); any other outcome asks realpath() itself.
 *      A password entry that is /etc/passwd's (nsswitch.conf's passwd:
 *      files first, no action after it, no nscd socket) is kept with the
 *      identities of nsswitch.conf and /etc/passwd and the socket's
 *      absence, looked at before it, and given back by a replay that found
 *      them the same; any other entry is asked of the database again.
 * IN-3 not-racy: a list is kept only when every mtime and ctime in it is
 *      more than two seconds old: a change in the same clock tick as the
 *      read could leave both as they were.
 *
 * Over 700 lines: one wrapper per libc call of nsbsh's objects (nm -u)
 * that reads or changes what a start decides from, each short and alike,
 * next to the list it feeds and the replay that must perform each again
 * the same way; apart, a call added to one would be missed by the other. */
#include "base/inputs.h"

#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <pwd.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/socket.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <time.h>

#include "base/strbuf.h"
#include "base/util.h"

enum op {
	OP_OPEN = 1,  /* dir, path, flags: the identity of what opened */
	OP_STAT,      /* dir, path, AT_ flags: the identity */
	OP_THERE,     /* dir, path: what is there, not its times (a mkdir that found it) */
	OP_ACCESS,    /* dir, path, mode, AT_ flags (arg2): the errno */
	OP_READLINK,  /* dir, path, the buffer's size: the text */
	OP_REALPATH,  /* path: the text */
	OP_GETCWD,    /* the text */
	OP_GETENV,    /* name: the value, or none */
	OP_ISATTY,    /* fd (flags): yes or no (err) */
	OP_FSTAT,     /* fd 0-2 (flags): the identity */
	OP_STATFS,    /* path: type, flags, fsid (text) */
	OP_OPENAT2,   /* dir, path, flags, resolve (arg2): the identity */
	OP_PASSWD,    /* uid (flags): name, home, shell, gid (text) */
	OP_GROUP,     /* gid (flags): name, members (text) */
	OP_GROUPS,    /* size (flags): the list (text) */
};

struct ident {
	uint64_t v[13]; /* dev ino mode uid gid nlink rdev size mtime(s ns) ctime(s ns), a flag: set */
};

struct entry {
	uint32_t op;
	int32_t dir;    /* -1: the current directory (or an absolute path), else the entry whose fd */
	int32_t flags;
	int64_t arg2;
	char *arg;
	int32_t err;    /* 0, or the errno; OP_ISATTY: the result */
	char *text;     /* the text results; NULL: none (an unset variable) */
	size_t text_len;
	struct ident id;
};

/* what the list's own checks call (the wrappers' are below) */
int __real_fstat(int fd, struct stat *st);
int __real_fstatat(int dirfd, const char *path, struct stat *st, int flags);
int __real_fstatfs(int fd, struct statfs *sf);

#define FD_MAX 4096
static struct {
	bool on, paused;
	const char *spoiled;
	char why[256]; /* a spoiled's reason with its fd */
	struct entry *v;
	size_t n, cap;
	int32_t fd_entry[FD_MAX]; /* entry + 1 of an fd the list opened, 0: none */
} in;

/* --- the list ---------------------------------------------------------------- */

static void entry_free(struct entry *e);

void inputs_begin(void)
{
	for (size_t i = 0; i < in.n; i++)
		entry_free(&in.v[i]);
	in.n = 0;
	memset(in.fd_entry, 0, sizeof(in.fd_entry));
	in.on = true;
	in.paused = false;
	in.spoiled = NULL;
}

bool inputs_pause(bool paused)
{
	bool was = in.paused;
	in.paused = paused;
	return was;
}

void inputs_end(void)
{
	in.on = false;
}

void inputs_spoil(const char *why)
{
	if (in.on && !in.paused && !in.spoiled)
		in.spoiled = why;
}

const char *inputs_spoiled(void)
{
	return in.on ? in.spoiled : "not kept";
}

size_t inputs_count(void)
{
	return in.n;
}

static bool keeping(void)
{
	return in.on && !in.paused && !in.spoiled;
}

/* spoiled by a call on an fd the list did not open */
static void spoil_fd(const char *call, int fd)
{
	if (!keeping())
		return;
	snprintf(in.why, sizeof(in.why), "%s of fd %d, which the list did not open", call, fd);
	in.spoiled = in.why;
}

static void ident_of(const struct stat *st, struct ident *id)
{
	*id = (struct ident){ { st->st_dev, st->st_ino, st->st_mode, st->st_uid, st->st_gid, st->st_nlink,
				st->st_rdev, (uint64_t)st->st_size, (uint64_t)st->st_mtim.tv_sec,
				(uint64_t)st->st_mtim.tv_nsec, (uint64_t)st->st_ctim.tv_sec,
				(uint64_t)st->st_ctim.tv_nsec, 1 } };
}

static bool same_result(const struct entry *a, const struct entry *b)
{
	return a->err == b->err && memcmp(&a->id, &b->id, sizeof(a->id)) == 0 && a->text_len == b->text_len &&
	       (a->text == NULL) == (b->text == NULL) && (!a->text || memcmp(a->text, b->text, a->text_len) == 0);
}

static bool same_call(const struct entry *a, const struct entry *b)
{
	return a->op == b->op && a->dir == b->dir && a->flags == b->flags && a->arg2 == b->arg2 &&
	       (a->arg == NULL) == (b->arg == NULL) && (!a->arg || streq(a->arg, b->arg));
}

static void entry_free(struct entry *e)
{
	free(e->arg);
	free(e->text);
}

/* e kept (its strings taken), unless the same call was kept already with the
 * same result: its index, or -1 (spoiled). */
static int32_t keep(struct entry *e)
{
	for (size_t i = 0; i < in.n; i++) {
		if (!same_call(&in.v[i], e))
			continue;
		bool same = same_result(&in.v[i], e);
		entry_free(e);
		if (!same) {
			in.spoiled = "a call gave two results";
			return -1;
		}
		return (int32_t)i;
	}
	if (in.n == in.cap) {
		size_t cap = in.cap ? in.cap * 2 : 128;
		struct entry *v = realloc(in.v, cap * sizeof(*v));
		if (!v) {
			entry_free(e);
			in.spoiled = "out of memory";
			return -1;
		}
		in.v = v;
		in.cap = cap;
	}
	in.v[in.n] = *e;
	return (int32_t)in.n++;
}

/* The entry of dirfd for a call on path: -1 for the current directory or
 * an absolute path; -2 (spoiled) for an fd the list did not open. */
static int32_t dir_of(int dirfd, const char *path)
{
	if (dirfd == AT_FDCWD || (path && path[0] == '/'))
		return -1;
	if (dirfd >= 0 && dirfd < FD_MAX && in.fd_entry[dirfd])
		return in.fd_entry[dirfd] - 1;
	spoil_fd("a call relative to a directory", dirfd);
	return -2;
}

static bool fd_known(int fd)
{
	return fd >= 0 && fd < FD_MAX && in.fd_entry[fd];
}

/* Also while paused: a number closed then is another fd when it comes back. */
static void fd_forget(int fd)
{
	if (in.on && fd >= 0 && fd < FD_MAX)
		in.fd_entry[fd] = 0;
}

static char *text_dup(const void *p, size_t n)
{
	char *t = malloc(n + 1);
	if (t) {
		memcpy(t, p, n);
		t[n] = '\0';
	}
	return t;
}

/* O_TMPFILE holds O_DIRECTORY's bit: it is told by all of its bits */
#define WRITE_FLAGS (O_WRONLY | O_RDWR | O_CREAT | O_TRUNC | O_APPEND)
#define WRITES(flags) (((flags) & WRITE_FLAGS) || ((flags) & __O_TMPFILE) == __O_TMPFILE)

/* An open of path relative to dirfd that gave fd (or -1 and errno). */
static void note_open(uint32_t op, int dirfd, const char *path, int flags, int64_t arg2, int fd)
{
	if (!keeping())
		return;
	int saved = errno;
	int32_t dir = dir_of(dirfd, path);
	if (WRITES(flags)) {
		snprintf(in.why, sizeof(in.why), "a file opened to write: %s", path);
		in.spoiled = in.why;
	}
	struct statfs sf;
	if (fd >= 0 && __real_fstatfs(fd, &sf) == 0 && (sf.f_type == PROC_SUPER_MAGIC || sf.f_type == SYSFS_MAGIC))
		in.spoiled = "a kernel file opened";
	if (dir < -1 || in.spoiled) {
		errno = saved;
		return;
	}
	struct entry e = { .op = op, .dir = dir, .flags = flags, .arg2 = arg2, .arg = strdup(path) };
	struct stat st;
	if (fd < 0)
		e.err = saved;
	else if (__real_fstat(fd, &st) == 0)
		ident_of(&st, &e.id);
	else
		e.err = errno;
	int32_t i = e.arg ? keep(&e) : -1;
	if (!e.arg)
		in.spoiled = "out of memory";
	if (i >= 0 && fd >= 0 && fd < FD_MAX)
		in.fd_entry[fd] = i + 1;
	errno = saved;
}

/* What is at a path, but for what changes with its content (links, size,
 * times): a directory that a mkdir found there. */
static void ident_there(struct ident *id)
{
	id->v[5] = id->v[7] = id->v[8] = id->v[9] = id->v[10] = id->v[11] = 0;
}

/* A stat (OP_STAT) or a look at what is there (OP_THERE) that gave r, and
 * *st or errno. */
static void note_stat(uint32_t op, int dirfd, const char *path, int flags, int r, const struct stat *st)
{
	if (!keeping())
		return;
	int saved = errno;
	int32_t dir = dir_of(dirfd, path);
	if (dir >= -1) {
		struct entry e = { .op = op, .dir = dir, .flags = flags, .arg = strdup(path) };
		if (r < 0) {
			e.err = saved;
		} else {
			ident_of(st, &e.id);
			if (op == OP_THERE)
				ident_there(&e.id);
		}
		if (e.arg)
			keep(&e);
		else
			in.spoiled = "out of memory";
	}
	errno = saved;
}

/* A call that gave text (n bytes; NULL: none) or errno err. */
static void note_text(uint32_t op, int dirfd, const char *arg, int32_t flags, int64_t arg2, const void *text,
		      size_t n, int err)
{
	if (!keeping())
		return;
	int saved = errno;
	int32_t dir = dirfd == AT_FDCWD ? -1 : dir_of(dirfd, arg);
	if (dir >= -1) {
		struct entry e = { .op = op, .dir = dir, .flags = flags, .arg2 = arg2, .err = err,
				   .arg = arg ? strdup(arg) : NULL, .text = text ? text_dup(text, n) : NULL,
				   .text_len = text ? n : 0 };
		if ((arg && !e.arg) || (text && !e.text)) {
			entry_free(&e);
			in.spoiled = "out of memory";
		} else {
			keep(&e);
		}
	}
	errno = saved;
}

/* A call that made or removed something: r < 0 and it found the path as it
 * is (EEXIST, ENOENT) is a look at what is there (OP_THERE: what the
 * directory holds is read by calls of its own); anything else spoils the
 * list. */
static void note_change(int dirfd, const char *path, int r)
{
	if (!keeping())
		return;
	int saved = errno;
	if (r == 0 || (saved != EEXIST && saved != ENOENT)) {
		in.spoiled = "a change made";
	} else {
		struct stat st;
		int s = __real_fstatat(dirfd, path, &st, AT_SYMLINK_NOFOLLOW);
		note_stat(OP_THERE, dirfd, path, AT_SYMLINK_NOFOLLOW, s, &st);
	}
	errno = saved;
}

/* --- the wrappers (Makefile INPUTS_WRAP) --------------------------------------- */

#define REAL(ret, name, ...)             \
	ret __real_##name(__VA_ARGS__);  \
	ret __wrap_##name(__VA_ARGS__);  \
	ret __wrap_##name(__VA_ARGS__)

/* an open's third argument, when its flags have one */
#define MODE_ARG(flags, mode)                                  \
	do {                                                   \
		if ((flags) & (O_CREAT | __O_TMPFILE)) {       \
			va_list ap;                            \
			va_start(ap, flags);                   \
			mode = va_arg(ap, mode_t);             \
			va_end(ap);                            \
		}                                              \
	} while (0)

REAL(int, openat, int dirfd, const char *path, int flags, ...)
{
	mode_t mode = 0;
	MODE_ARG(flags, mode);
	int fd = __real_openat(dirfd, path, flags, mode);
	note_open(OP_OPEN, dirfd, path, flags, 0, fd);
	return fd;
}

REAL(int, __openat_2, int dirfd, const char *path, int flags)
{
	int fd = __real___openat_2(dirfd, path, flags);
	note_open(OP_OPEN, dirfd, path, flags, 0, fd);
	return fd;
}

/* open(path) is openat(AT_FDCWD, path) */
REAL(int, open, const char *path, int flags, ...)
{
	mode_t mode = 0;
	MODE_ARG(flags, mode);
	return __wrap_openat(AT_FDCWD, path, flags, mode);
}

REAL(int, __open_2, const char *path, int flags)
{
	return __wrap___openat_2(AT_FDCWD, path, flags);
}

REAL(FILE *, fopen, const char *path, const char *mode)
{
	if (strpbrk(mode, "wa+"))
		inputs_spoil("a file opened to write");
	FILE *f = __real_fopen(path, mode);
	note_open(OP_OPEN, AT_FDCWD, path, O_RDONLY, 0, f ? fileno(f) : -1);
	return f;
}

REAL(int, fclose, FILE *f)
{
	fd_forget(fileno(f));
	return __real_fclose(f);
}

REAL(DIR *, opendir, const char *path)
{
	DIR *d = __real_opendir(path);
	note_open(OP_OPEN, AT_FDCWD, path, O_RDONLY | O_DIRECTORY, 0, d ? dirfd(d) : -1);
	return d;
}

REAL(DIR *, fdopendir, int fd)
{
	if (!fd_known(fd))
		spoil_fd("fdopendir", fd);
	return __real_fdopendir(fd);
}

REAL(int, closedir, DIR *d)
{
	fd_forget(dirfd(d));
	return __real_closedir(d);
}

REAL(int, close, int fd)
{
	fd_forget(fd);
	return __real_close(fd);
}

REAL(int, dup2, int fd, int to)
{
	fd_forget(to);
	return __real_dup2(fd, to);
}

REAL(int, dup3, int fd, int to, int flags)
{
	fd_forget(to);
	return __real_dup3(fd, to, flags);
}

REAL(int, close_range, unsigned first, unsigned last, int flags)
{
	for (unsigned fd = first; fd < FD_MAX && fd <= last; fd++)
		fd_forget((int)fd);
	return __real_close_range(first, last, flags);
}

REAL(int, stat, const char *path, struct stat *st)
{
	int r = __real_stat(path, st);
	note_stat(OP_STAT, AT_FDCWD, path, 0, r, st);
	return r;
}

REAL(int, lstat, const char *path, struct stat *st)
{
	int r = __real_lstat(path, st);
	note_stat(OP_STAT, AT_FDCWD, path, AT_SYMLINK_NOFOLLOW, r, st);
	return r;
}

REAL(int, fstatat, int dirfd, const char *path, struct stat *st, int flags)
{
	int r = __real_fstatat(dirfd, path, st, flags);
	if ((flags & AT_EMPTY_PATH) && !path[0]) {
		if (!fd_known(dirfd))
			spoil_fd("fstatat", dirfd);
	} else {
		note_stat(OP_STAT, dirfd, path, flags, r, st);
	}
	return r;
}

REAL(int, fstat, int fd, struct stat *st)
{
	int r = __real_fstat(fd, st);
	if (keeping() && !fd_known(fd)) {
		if (fd > 2) {
			spoil_fd("fstat", fd);
		} else {
			struct entry e = { .op = OP_FSTAT, .dir = -1, .flags = fd, .err = r < 0 ? errno : 0 };
			if (r == 0)
				ident_of(st, &e.id);
			keep(&e);
		}
	}
	return r;
}

REAL(int, statx, int dirfd, const char *path, int flags, unsigned mask, struct statx *stx)
{
	inputs_spoil("statx");
	return __real_statx(dirfd, path, flags, mask, stx);
}

/* What of a statfs a list keeps: the type, the flags, the fsid. */
static void statfs_text(const struct statfs *sf, uint64_t v[3])
{
	v[0] = (uint64_t)sf->f_type;
	v[1] = (uint64_t)sf->f_flags;
	memcpy(&v[2], &sf->f_fsid, sizeof(v[2]));
}

REAL(int, statfs, const char *path, struct statfs *sf)
{
	int r = __real_statfs(path, sf);
	uint64_t v[3] = { 0 };
	if (r == 0)
		statfs_text(sf, v);
	note_text(OP_STATFS, AT_FDCWD, path, 0, 0, r == 0 ? v : NULL, sizeof(v), r < 0 ? errno : 0);
	return r;
}

REAL(int, fstatfs, int fd, struct statfs *sf)
{
	if (!fd_known(fd))
		spoil_fd("fstatfs", fd);
	return __real_fstatfs(fd, sf);
}

REAL(int, statvfs, const char *path, struct statvfs *sv)
{
	inputs_spoil("statvfs");
	return __real_statvfs(path, sv);
}

REAL(int, fstatvfs, int fd, struct statvfs *sv)
{
	if (!fd_known(fd))
		spoil_fd("fstatvfs", fd);
	return __real_fstatvfs(fd, sv);
}

REAL(int, access, const char *path, int mode)
{
	int r = __real_access(path, mode);
	note_text(OP_ACCESS, AT_FDCWD, path, mode, 0, NULL, 0, r < 0 ? errno : 0);
	return r;
}

REAL(int, faccessat, int dirfd, const char *path, int mode, int flags)
{
	int r = __real_faccessat(dirfd, path, mode, flags);
	note_text(OP_ACCESS, dirfd, path, mode, flags, NULL, 0, r < 0 ? errno : 0);
	return r;
}

REAL(ssize_t, readlink, const char *path, char *buf, size_t size)
{
	ssize_t n = __real_readlink(path, buf, size);
	note_text(OP_READLINK, AT_FDCWD, path, (int32_t)size, 0, n >= 0 ? buf : NULL, n >= 0 ? (size_t)n : 0,
		  n < 0 ? errno : 0);
	return n;
}

REAL(ssize_t, readlinkat, int dirfd, const char *path, char *buf, size_t size)
{
	ssize_t n = __real_readlinkat(dirfd, path, buf, size);
	note_text(OP_READLINK, dirfd, path, (int32_t)size, 0, n >= 0 ? buf : NULL, n >= 0 ? (size_t)n : 0,
		  n < 0 ? errno : 0);
	return n;
}

REAL(char *, realpath, const char *path, char *resolved)
{
	char *r = __real_realpath(path, resolved);
	note_text(OP_REALPATH, AT_FDCWD, path, resolved != NULL, 0, r, r ? strlen(r) : 0, r ? 0 : errno);
	return r;
}

REAL(char *, getcwd, char *buf, size_t size)
{
	char *r = __real_getcwd(buf, size);
	note_text(OP_GETCWD, AT_FDCWD, NULL, 0, 0, r, r ? strlen(r) : 0, r ? 0 : errno);
	return r;
}

REAL(char *, getenv, const char *name)
{
	char *v = __real_getenv(name);
	note_text(OP_GETENV, AT_FDCWD, name, 0, 0, v, v ? strlen(v) : 0, 0);
	return v;
}

REAL(int, isatty, int fd)
{
	int saved = errno;
	int r = __real_isatty(fd);
	note_text(OP_ISATTY, AT_FDCWD, NULL, fd, 0, NULL, 0, r);
	errno = r ? saved : errno;
	return r;
}

/* strings one after the other, each with its NUL: malloc'ed in *ret */
static void strings_text(const char *const *v, size_t n, char **ret, size_t *len)
{
	size_t total = 0;
	for (size_t i = 0; i < n; i++)
		total += strlen(v[i]) + 1;
	char *t = malloc(total ? total : 1), *p = t;
	if (t)
		for (size_t i = 0; i < n; i++)
			p = stpcpy(p, v[i]) + 1;
	*ret = t;
	*len = t ? total : 0;
}

static void passwd_text(const void *entry, char **ret, size_t *len)
{
	const struct passwd *pw = entry;
	*ret = NULL;
	*len = 0;
	if (!pw)
		return;
	char gid[16];
	snprintf(gid, sizeof(gid), "%u", (unsigned)pw->pw_gid);
	const char *v[] = { pw->pw_name, pw->pw_dir, pw->pw_shell ? pw->pw_shell : "", gid };
	strings_text(v, ARRAY_SIZE(v), ret, len);
}

static void group_text(const void *entry, char **ret, size_t *len)
{
	const struct group *g = entry;
	*ret = NULL;
	*len = 0;
	if (!g)
		return;
	size_t n = 1;
	for (char **m = g->gr_mem; m && *m; m++)
		n++;
	_cleanup_free_ const char **v = calloc(n, sizeof(*v));
	if (!v)
		return;
	v[0] = g->gr_name;
	for (size_t i = 1; i < n; i++)
		v[i] = g->gr_mem[i - 1];
	strings_text(v, n, ret, len);
}

/* A call's text result, made by the caller (NULL: none, or out of memory
 * when the call gave something), kept and freed. */
static void note_made(uint32_t op, int32_t flags, int64_t arg2, bool gave, char *text, size_t n, int err)
{
	int saved = errno;
	if (gave && !text)
		in.spoiled = "out of memory";
	note_text(op, AT_FDCWD, NULL, flags, arg2, text, n, err);
	free(text);
	errno = saved;
}

/* A password or group database entry e (NULL: none) as its text gives it. */
static void note_db(uint32_t op, int32_t id, const void *e, void (*text)(const void *, char **, size_t *))
{
	if (!keeping())
		return;
	char *t;
	size_t n;
	text(e, &t, &n);
	note_made(op, id, 0, e != NULL, t, n, 0);
}

/* IN-2's password entry from the file alone.  While nsswitch.conf names
 * files first for passwd with no action after it, no nscd listens and the
 * entry is /etc/passwd's first for its uid, the entry is that file's: the
 * three looked at, kept before it, show it unchanged, and a replay gives
 * it back without asking the database again (nscd's socket tried twice,
 * nsswitch.conf and the file read: 17 system calls). */
#define NSSWITCH "/etc/nsswitch.conf"
#define PASSWD_FILE "/etc/passwd"
#define NSCD_SOCKET "/var/run/nscd/socket"
#define FROM_FILES 1

/* nsswitch.conf's one passwd line: "files" first, no action after it */
static bool passwd_files_first(void)
{
	FILE *f = __real_fopen(NSSWITCH, "re");
	if (!f)
		return false;
	_cleanup_free_ char *line = NULL;
	size_t cap = 0;
	int lines = 0;
	bool first = false;
	while (getline(&line, &cap, f) > 0) {
		char *p = line + strspn(line, " \t"), *save = NULL;
		if (strncasecmp(p, "passwd", 6) != 0 || p[6 + strspn(p + 6, " \t")] != ':')
			continue;
		lines++;
		const char *tok = strtok_r(strchr(p, ':') + 1, " \t\n", &save);
		const char *next = tok ? strtok_r(NULL, " \t\n", &save) : NULL;
		first = tok && streq(tok, "files") && (!next || next[0] != '[');
	}
	__real_fclose(f);
	return first && lines == 1;
}

/* /etc/passwd's first entry of uid, as text, is text */
static bool passwd_file_gives(uid_t uid, const char *text, size_t len)
{
	FILE *f = __real_fopen(PASSWD_FILE, "re");
	if (!f)
		return false;
	bool same = false;
	for (struct passwd *pw; (pw = fgetpwent(f));) {
		if (pw->pw_uid != uid)
			continue;
		_cleanup_free_ char *t = NULL;
		size_t n;
		passwd_text(pw, &t, &n);
		same = t && n == len && memcmp(t, text, n) == 0;
		break;
	}
	__real_fclose(f);
	return same;
}

/* The three looked at, kept (before the entry), when the entry is the
 * file's: FROM_FILES, else 0. */
static int64_t passwd_from_files(uid_t uid, const char *text, size_t len)
{
	struct stat sw, sp, sn;
	int rw = __real_fstatat(AT_FDCWD, NSSWITCH, &sw, 0), rp = __real_fstatat(AT_FDCWD, PASSWD_FILE, &sp, 0);
	int rn = __real_fstatat(AT_FDCWD, NSCD_SOCKET, &sn, 0);
	if (!text || rw < 0 || rp < 0 || rn == 0 || errno != ENOENT || !passwd_files_first() ||
	    !passwd_file_gives(uid, text, len))
		return 0;
	note_stat(OP_STAT, AT_FDCWD, NSSWITCH, 0, rw, &sw);
	note_stat(OP_STAT, AT_FDCWD, PASSWD_FILE, 0, rp, &sp);
	errno = ENOENT;
	note_stat(OP_STAT, AT_FDCWD, NSCD_SOCKET, 0, rn, &sn);
	return FROM_FILES;
}

REAL(struct passwd *, getpwuid, uid_t uid)
{
	struct passwd *pw = __real_getpwuid(uid);
	if (!keeping())
		return pw;
	int saved = errno;
	char *t;
	size_t n;
	passwd_text(pw, &t, &n);
	int64_t from = pw ? passwd_from_files(uid, t, n) : 0;
	errno = saved;
	note_made(OP_PASSWD, (int32_t)uid, from, pw != NULL, t, n, 0);
	return pw;
}

REAL(struct group *, getgrgid, gid_t gid)
{
	struct group *g = __real_getgrgid(gid);
	note_db(OP_GROUP, (int32_t)gid, g, group_text);
	return g;
}

/* the count it gave, then the groups */
static void groups_text(int r, int size, const gid_t *list, char **ret, size_t *len)
{
	size_t n = sizeof(r) + (r > 0 && size > 0 ? (size_t)r * sizeof(*list) : 0);
	char *t = malloc(n);
	if (t) {
		memcpy(t, &r, sizeof(r));
		memcpy(t + sizeof(r), list, n - sizeof(r));
	}
	*ret = t;
	*len = t ? n : 0;
}

REAL(int, getgroups, int size, gid_t *list)
{
	int r = __real_getgroups(size, list);
	if (keeping()) {
		int err = r < 0 ? errno : 0;
		char *t;
		size_t n;
		groups_text(r, size, list, &t, &n);
		note_made(OP_GROUPS, size, 0, true, t, n, err);
	}
	return r;
}

REAL(long, syscall, long nr, long a1, long a2, long a3, long a4, long a5, long a6)
{
	long r = __real_syscall(nr, a1, a2, a3, a4, a5, a6);
	if ((nr == SYS_clone || nr == SYS_clone3) && r == 0) {
		in.on = false; /* a child: see fork */
		return r;
	}
	if (nr == SYS_openat2 && keeping()) {
		const struct { uint64_t flags, mode, resolve; } *how = (const void *)a3;
		if (how->mode)
			inputs_spoil("a file opened to write");
		note_open(OP_OPENAT2, (int)a1, (const char *)a2, (int)how->flags, (int64_t)how->resolve,
			  (int)r);
	} else if (nr != SYS_openat2) {
		inputs_spoil("a system call");
	}
	return r;
}

REAL(ssize_t, read, int fd, void *buf, size_t n)
{
	if (fd == STDIN_FILENO)
		inputs_spoil("the standard input read");
	return __real_read(fd, buf, n);
}

/* A call that makes or removes dir/path: note_change. */
#define CHANGES(name, dir, params, args)          \
	int __real_##name params;                 \
	int __wrap_##name params;                 \
	int __wrap_##name params                  \
	{                                         \
		int r = __real_##name args;       \
		note_change(dir, path, r);        \
		return r;                         \
	}

CHANGES(mkdir, AT_FDCWD, (const char *path, mode_t mode), (path, mode))
CHANGES(mkdirat, dirfd, (int dirfd, const char *path, mode_t mode), (dirfd, path, mode))
CHANGES(unlink, AT_FDCWD, (const char *path), (path))
CHANGES(unlinkat, dirfd, (int dirfd, const char *path, int flags), (dirfd, path, flags))
CHANGES(symlink, AT_FDCWD, (const char *target, const char *path), (target, path))
CHANGES(symlinkat, dirfd, (const char *target, int dirfd, const char *path), (target, dirfd, path))

/* What no list can replay: spoils it, whatever it gave. */
#define SPOILS(ret, name, why, params, args) \
	ret __real_##name params;            \
	ret __wrap_##name params;            \
	ret __wrap_##name params             \
	{                                    \
		inputs_spoil(why);           \
		return __real_##name args;   \
	}

SPOILS(int, rename, "a change made", (const char *a, const char *b), (a, b))
SPOILS(int, renameat, "a change made", (int da, const char *a, int db, const char *b), (da, a, db, b))
SPOILS(int, rmdir, "a change made", (const char *p), (p))
SPOILS(int, linkat, "a change made", (int da, const char *a, int db, const char *b, int f), (da, a, db, b, f))
SPOILS(int, chmod, "a change made", (const char *p, mode_t m), (p, m))
SPOILS(int, fchmod, "a change made", (int fd, mode_t m), (fd, m))
SPOILS(int, fchmodat, "a change made", (int d, const char *p, mode_t m, int f), (d, p, m, f))
SPOILS(int, ftruncate, "a change made", (int fd, off_t n), (fd, n))
SPOILS(int, utimensat, "a change made", (int d, const char *p, const struct timespec t[2], int f), (d, p, t, f))
SPOILS(int, mknodat, "a change made", (int d, const char *p, mode_t m, dev_t dev), (d, p, m, dev))
/* A child keeps nothing: the list is its parent's (and pid 1's threads,
 * forked from a start, must not share its fd map). */
REAL(pid_t, fork, void)
{
	inputs_spoil("a process started");
	pid_t pid = __real_fork();
	if (pid == 0)
		in.on = false;
	return pid;
}
SPOILS(int, chdir, "the directory changed", (const char *p), (p))
SPOILS(int, connect, "a connection made", (int fd, const struct sockaddr *a, socklen_t n), (fd, a, n))
SPOILS(int, posix_spawn, "a process started",
       (pid_t *pid, const char *path, const posix_spawn_file_actions_t *fa, const posix_spawnattr_t *at,
	char *const argv[], char *const envp[]),
       (pid, path, fa, at, argv, envp))
/* What a library loaded reads is not kept: it spoils the list.  libconfuse
 * reads nothing of its own (policy/parse.c hands it the text nsbsh read,
 * scrubbed of the "${" it would expand): loading it is no more an input
 * than its being linked was. */
REAL(void *, dlopen, const char *f, int flags)
{
	if (!f || !streq(f, LIBCONFUSE_SONAME))
		inputs_spoil("a library loaded");
	return __real_dlopen(f, flags);
}

/* --- the blob ------------------------------------------------------------------ */

void blob_put(struct strbuf *b, const void *data, size_t len)
{
	strbuf_add(b, data, len);
}

void blob_put_u32(struct strbuf *b, uint32_t v)
{
	blob_put(b, &v, sizeof(v));
}

/* a string: its length + 1 (0: NULL), its bytes, a NUL */
static void blob_put_bytes(struct strbuf *b, const char *s, size_t n)
{
	blob_put_u32(b, s ? (uint32_t)n + 1 : 0);
	if (s) {
		blob_put(b, s, n);
		blob_put(b, "", 1);
	}
}

void blob_put_str(struct strbuf *b, const char *s)
{
	blob_put_bytes(b, s, s ? strlen(s) : 0);
}

uint32_t blob_get_u32(struct blob *b)
{
	uint32_t v = 0;
	if (b->bad || b->len - b->pos < sizeof(v)) {
		b->bad = true;
		return 0;
	}
	memcpy(&v, b->data + b->pos, sizeof(v));
	b->pos += sizeof(v);
	return v;
}

static const char *blob_get_bytes(struct blob *b, size_t *ret_len)
{
	uint32_t n = blob_get_u32(b);
	*ret_len = 0;
	if (b->bad || n == 0)
		return NULL;
	if (b->len - b->pos < n || b->data[b->pos + n - 1] != '\0') {
		b->bad = true;
		return NULL;
	}
	const char *s = b->data + b->pos;
	b->pos += n;
	*ret_len = n - 1;
	return s;
}

const char *blob_get_str(struct blob *b)
{
	size_t n;
	const char *s = blob_get_bytes(b, &n);
	if (s && strlen(s) != n) {
		b->bad = true;
		return NULL;
	}
	return s;
}

/* --- saving and replaying --------------------------------------------------- */

#define MAGIC 0x314e4953u /* "SIN1" */

int inputs_save(struct strbuf *b, time_t now)
{
	if (!in.on || in.spoiled)
		return -EINVAL;
	uint64_t recent = (uint64_t)now - 2;
	for (size_t i = 0; i < in.n; i++) {
		const struct ident *id = &in.v[i].id;
		if (id->v[12] && (id->v[8] >= recent || id->v[10] >= recent)) {
			snprintf(in.why, sizeof(in.why), "%s changed in the last two seconds",
				 in.v[i].arg ? in.v[i].arg : "a file");
			in.spoiled = in.why;
			return -ETXTBSY;
		}
	}
	blob_put_u32(b, MAGIC);
	blob_put_u32(b, (uint32_t)in.n);
	for (size_t i = 0; i < in.n; i++) {
		const struct entry *e = &in.v[i];
		blob_put_u32(b, e->op);
		blob_put_u32(b, (uint32_t)e->dir);
		blob_put_u32(b, (uint32_t)e->flags);
		blob_put(b, &e->arg2, sizeof(e->arg2));
		blob_put_str(b, e->arg);
		blob_put_u32(b, (uint32_t)e->err);
		blob_put_bytes(b, e->text, e->text_len);
		blob_put(b, &e->id, sizeof(e->id));
	}
	return b->oom ? -ENOMEM : 0;
}

/* IN-2's realpath() as one walk, when e's answer allows it: true and
 * *got set, or false (realpath() itself decides). */
static bool realpath_by_walk(const struct entry *e, struct entry *got)
{
	if (e->arg[0] != '/')
		return false;
	bool itself = e->err == 0 && e->text && e->text_len == strlen(e->arg) &&
		      memcmp(e->text, e->arg, e->text_len) == 0;
	if (!itself && e->err != ENOENT)
		return false;
	struct open_how how = { .flags = O_PATH | O_CLOEXEC, .resolve = RESOLVE_NO_SYMLINKS };
	int fd = (int)__real_syscall(SYS_openat2, AT_FDCWD, (long)e->arg, (long)&how, sizeof(how), 0, 0);
	bool same = itself ? fd >= 0 : fd < 0 && errno == ENOENT;
	if (fd >= 0)
		__real_close(fd);
	if (!same)
		return false;
	got->err = e->err;
	if (itself)
		got->text = text_dup(e->arg, got->text_len = e->text_len);
	return true;
}

/* The call e performed again, without keeping anything: its result in *got
 * (text malloc'ed), and the fd it opened in *ret_fd (-1: none). */
static void perform(const struct entry *e, int dirfd, struct entry *got, int *ret_fd)
{
	*got = (struct entry){ 0 };
	*ret_fd = -1;
	struct stat st;
	int r = 0;
	char buf[PATH_MAX + 1];
	switch (e->op) {
	case OP_OPEN:
	case OP_OPENAT2: {
		if (WRITES(e->flags)) {
			got->err = -1;
			break;
		}
		/* an O_PATH open opens nothing (and openat2 takes no other flag with it) */
		int flags = e->flags | O_CLOEXEC | (e->flags & O_PATH ? 0 : O_NONBLOCK | O_NOCTTY);
		int fd;
		if (e->op == OP_OPEN) {
			fd = __real_openat(dirfd, e->arg, flags, 0);
		} else {
			struct { uint64_t flags, mode, resolve; } how = { (uint64_t)flags, 0, (uint64_t)e->arg2 };
			fd = (int)__real_syscall(SYS_openat2, dirfd, (long)e->arg, (long)&how, sizeof(how), 0, 0);
		}
		if (fd < 0)
			got->err = errno;
		else if (__real_fstat(fd, &st) == 0)
			ident_of(&st, &got->id);
		else
			got->err = errno;
		*ret_fd = fd;
		break;
	}
	case OP_STAT:
	case OP_THERE:
		if (__real_fstatat(dirfd, e->arg, &st, e->flags) < 0) {
			got->err = errno;
		} else {
			ident_of(&st, &got->id);
			if (e->op == OP_THERE)
				ident_there(&got->id);
		}
		break;
	case OP_FSTAT:
		if (__real_fstat(e->flags, &st) < 0)
			got->err = errno;
		else
			ident_of(&st, &got->id);
		break;
	case OP_ACCESS:
		got->err = __real_faccessat(dirfd, e->arg, e->flags, (int)e->arg2) < 0 ? errno : 0;
		break;
	case OP_READLINK: {
		size_t size = e->flags > 0 && (size_t)e->flags < sizeof(buf) ? (size_t)e->flags : sizeof(buf) - 1;
		ssize_t n = __real_readlinkat(dirfd, e->arg, buf, size);
		if (n < 0)
			got->err = errno;
		else
			got->text = text_dup(buf, got->text_len = (size_t)n);
		break;
	}
	case OP_REALPATH:
	case OP_GETCWD: {
		if (e->op == OP_REALPATH && realpath_by_walk(e, got))
			break;
		char *p = e->op == OP_REALPATH ? __real_realpath(e->arg, NULL) : __real_getcwd(NULL, 0);
		if (!p)
			got->err = errno;
		got->text = p;
		got->text_len = p ? strlen(p) : 0;
		break;
	}
	case OP_GETENV: {
		const char *v = __real_getenv(e->arg);
		got->text = v ? strdup(v) : NULL;
		got->text_len = v ? strlen(v) : 0;
		break;
	}
	case OP_ISATTY:
		got->err = __real_isatty(e->flags);
		break;
	case OP_STATFS: {
		struct statfs sf;
		uint64_t v[3] = { 0 };
		if (__real_statfs(e->arg, &sf) < 0) {
			got->err = errno;
		} else {
			statfs_text(&sf, v);
			got->text = text_dup(v, got->text_len = sizeof(v));
		}
		break;
	}
	case OP_PASSWD:
		/* the file's entry: the three looked at before it are the same */
		if (e->arg2 == FROM_FILES && e->text)
			got->text = text_dup(e->text, got->text_len = e->text_len);
		else
			passwd_text(__real_getpwuid((uid_t)e->flags), &got->text, &got->text_len);
		break;
	case OP_GROUP:
		group_text(__real_getgrgid((gid_t)e->flags), &got->text, &got->text_len);
		break;
	case OP_GROUPS: {
		gid_t list[256];
		int size = e->flags >= 0 && e->flags <= 256 ? e->flags : 0;
		r = __real_getgroups(size, list);
		got->err = r < 0 ? errno : 0;
		groups_text(r, size, list, &got->text, &got->text_len);
		break;
	}
	default:
		got->err = -1;
	}
}

/* The next entry of b, its strings in b's data: false when malformed. */
static bool entry_get(struct blob *b, uint32_t index, struct entry *e)
{
	size_t len;
	*e = (struct entry){ 0 };
	e->op = blob_get_u32(b);
	e->dir = (int32_t)blob_get_u32(b);
	e->flags = (int32_t)blob_get_u32(b);
	if (!b->bad && b->len - b->pos >= sizeof(e->arg2)) {
		memcpy(&e->arg2, b->data + b->pos, sizeof(e->arg2));
		b->pos += sizeof(e->arg2);
	} else {
		b->bad = true;
	}
	e->arg = (char *)blob_get_str(b);
	e->err = (int32_t)blob_get_u32(b);
	e->text = (char *)blob_get_bytes(b, &len);
	e->text_len = len;
	if (!b->bad && b->len - b->pos >= sizeof(e->id)) {
		memcpy(&e->id, b->data + b->pos, sizeof(e->id));
		b->pos += sizeof(e->id);
	} else {
		b->bad = true;
	}
	bool needs_arg = e->op != OP_GETCWD && e->op != OP_ISATTY && e->op != OP_FSTAT && e->op != OP_PASSWD &&
			 e->op != OP_GROUP && e->op != OP_GROUPS;
	return !b->bad && e->dir >= -1 && e->dir < (int32_t)index && (!needs_arg || e->arg);
}

int inputs_replay(struct blob *b, const char **ret_why)
{
	*ret_why = "a malformed list";
	if (blob_get_u32(b) != MAGIC)
		return -ESTALE;
	uint32_t n = blob_get_u32(b);
	if (b->bad || n > 100000)
		return -ESTALE;
	_cleanup_free_ struct entry *v = calloc(n ? n : 1, sizeof(*v));
	_cleanup_free_ int *fds = malloc((n ? n : 1) * sizeof(int));
	_cleanup_free_ bool *is_dir = calloc(n ? n : 1, sizeof(bool));
	if (!v || !fds || !is_dir)
		return -ENOMEM;
	for (uint32_t i = 0; i < n; i++) {
		if (!entry_get(b, i, &v[i]))
			return -ESTALE;
		if (v[i].dir >= 0)
			is_dir[v[i].dir] = true;
	}
	int r = 0;
	uint32_t done = 0;
	for (; done < n && r == 0; done++) {
		struct entry *e = &v[done], got;
		fds[done] = -1;
		if (e->dir >= 0 && fds[e->dir] < 0) {
			r = -ESTALE;
			break;
		}
		int dirfd = e->dir < 0 ? AT_FDCWD : fds[e->dir];
		if (e->op == OP_OPEN && !is_dir[done] && !WRITES(e->flags)) {
			/* an fd no later call needs: the same lookup by stat, which
			 * resolves the path as the open did, and gives the identity
			 * it compares; a file it could not open now would show in
			 * it (its mode, owner, ctime) */
			struct entry as_stat = *e;
			as_stat.op = OP_STAT;
			as_stat.flags = e->flags & O_NOFOLLOW ? AT_SYMLINK_NOFOLLOW : 0;
			perform(&as_stat, dirfd, &got, &fds[done]);
		} else {
			perform(e, dirfd, &got, &fds[done]);
		}
		if (!same_result(e, &got)) {
			snprintf(in.why, sizeof(in.why), "call %u (%u) of %s gives another result", done, e->op,
				 e->arg ? e->arg : "no name");
			*ret_why = in.why;
			r = -ESTALE;
		}
		free(got.text);
	}
	for (uint32_t i = 0; i < done; i++)
		if (fds[i] >= 0)
			__real_close(fds[i]);
	return r;
}
