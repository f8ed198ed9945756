/* denylog.c - the denial log (see denylog.h).
 *
 * Format of DIR/denials (and DIR/denials.1, the one before it), one line
 * per refusal, fields separated by one space, the command name last (it may
 * hold spaces): "EPOCH PID HOSTPID SYSCALL GROUP COMM", and for the
 * creation guard's refusals a tab and the path refused (GROUP is then the
 * rule: nested_git, gitdir, protect); a refusal of the proxy (network =
 * allow) is "EPOCH net PROTO HOST PORT WHY".  Only the supervisor
 * writes it, with one O_APPEND write per line, so two shells of a project
 * append without mixing their lines.  The command name is what the process
 * inside chose (prctl PR_SET_NAME): it is made printable before it is
 * written, and again before it is shown. */
#include "sandbox/denylog.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "base/file.h"
#include "base/util.h"

static void printable(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
			*s = '?';
}

/* One line, appended with one write (O_APPEND), the log rotated first
 * when it has grown past DENYLOG_MAX. */
static int append_line(const char *dir, const char *line, size_t n)
{
	_cleanup_free_ char *path = NULL, *old = NULL;
	if (asprintf(&path, "%s/denials", dir) < 0 || asprintf(&old, "%s/denials.1", dir) < 0)
		return -ENOMEM;
	struct stat st;
	if (stat(path, &st) < 0) {
		/* The first refusal of a project made by a shell without a
		 * prompt: its start only named the directory. */
		int r = mkdir_p(dir, 0700);
		if (r < 0)
			return r;
	} else if (st.st_size >= DENYLOG_MAX && rename(path, old) < 0) {
		return -errno;
	}
	_cleanup_close_ int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return -errno;
	if (write(fd, line, n) != (ssize_t)n)
		return errno ? -errno : -EIO;
	return 0;
}

int denylog_append(const char *dir, const struct seccomp_denial *d, time_t when)
{
	char comm[sizeof(d->comm)], detail[sizeof(d->detail)], line[512 + sizeof(d->detail)];
	snprintf(comm, sizeof(comm), "%s", d->comm);
	printable(comm);
	snprintf(detail, sizeof(detail), "%s", d->detail);
	printable(detail);
	/* the guard's path after a tab, which printable() keeps out of both */
	int n = snprintf(line, sizeof(line), "%lld %d %d %s %s %s%s%s\n", (long long)when,
			 (int)d->pid_inside, (int)d->pid, d->syscall, d->group, comm[0] ? comm : "?",
			 detail[0] ? "\t" : "", detail);
	if (n < 0 || (size_t)n >= sizeof(line))
		return -EINVAL;
	return append_line(dir, line, (size_t)n);
}

int denylog_append_use(const char *dir, pid_t pid_inside, pid_t pid, const char *what, const char *detail,
		       const char *command, time_t when)
{
	char cmd[128], line[320];
	snprintf(cmd, sizeof(cmd), "%s", command && command[0] ? command : "?");
	printable(cmd);
	int n = snprintf(line, sizeof(line), "%lld %d %d %s %s %s\n", (long long)when, (int)pid_inside, (int)pid,
			 what, detail, cmd);
	if (n < 0 || (size_t)n >= sizeof(line) || strchr(what, ' ') || strchr(detail, ' ') || strchr(what, '\n') ||
	    strchr(detail, '\n'))
		return -EINVAL;
	return append_line(dir, line, (size_t)n);
}

int denylog_append_net(const char *dir, time_t when, const char *proto, const char *host, unsigned port,
		       const char *why)
{
	char h[256], w[160], line[512];
	snprintf(h, sizeof(h), "%s", host[0] ? host : "?");
	snprintf(w, sizeof(w), "%s", why);
	printable(h);
	printable(w);
	for (char *c = h; *c; c++)
		if (*c == ' ')
			*c = '?';
	int n = snprintf(line, sizeof(line), "%lld net %s %s %u %s\n", (long long)when, proto, h, port, w);
	if (n < 0 || (size_t)n >= sizeof(line))
		return -EINVAL;
	return append_line(dir, line, (size_t)n);
}

int denylog_flag_path(const char *dir, const char *sandbox, pid_t shell, char **ret)
{
	return asprintf(ret, "%s/refused-%s-%d", dir, sandbox, (int)shell) < 0 ? -ENOMEM : 0;
}

int denylog_flag(const char *dir, const char *sandbox, pid_t shell)
{
	_cleanup_free_ char *path = NULL;
	if (denylog_flag_path(dir, sandbox, shell, &path) < 0)
		return -ENOMEM;
	_cleanup_close_ int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	return fd < 0 ? -errno : 0;
}

void denylog_unflag(const char *dir, const char *sandbox, pid_t shell)
{
	_cleanup_free_ char *path = NULL;
	if (denylog_flag_path(dir, sandbox, shell, &path) == 0)
		unlink(path);
}

void denylog_unflag_all(const char *dir, const char *sandbox)
{
	char prefix[128];
	snprintf(prefix, sizeof(prefix), "refused-%s-", sandbox);
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd < 0 ? NULL : fdopendir(fd);
	if (!d) {
		if (fd >= 0)
			close(fd);
		return;
	}
	struct dirent *e;
	while ((e = readdir(d)))
		if (strncmp(e->d_name, prefix, strlen(prefix)) == 0)
			unlinkat(dirfd(d), e->d_name, 0);
	closedir(d);
}

/* The lines of one file, appended to lines[] (a ring of n): a file is at
 * most DENYLOG_MAX plus one line, so it is read whole. */
static int read_lines(const char *path, char **ring, size_t n, size_t *count)
{
	_cleanup_free_ char *data = NULL;
	size_t len = 0;
	int r = file_read(AT_FDCWD, path, 2 * DENYLOG_MAX, 0, &data, &len);
	if (r < 0)
		return r;
	for (char *line = data; line < data + len;) {
		char *nl = memchr(line, '\n', (size_t)(data + len - line));
		if (!nl)
			break; /* a line being written */
		*nl = '\0';
		char *copy = strdup(line);
		if (!copy)
			return -ENOMEM;
		free(ring[*count % n]);
		ring[*count % n] = copy;
		(*count)++;
		line = nl + 1;
	}
	return 0;
}

static void print_line(FILE *f, char *line)
{
	char *field[6] = { 0 };
	char *p = line;
	for (int i = 0; i < 5 && p; i++) {
		field[i] = p;
		p = strchr(p, ' ');
		if (p)
			*p++ = '\0';
	}
	field[5] = p;
	if (!field[5])
		return; /* not a line of ours */
	char *detail = strchr(p, '\t');
	if (detail) {
		*detail++ = '\0';
		printable(detail);
	}
	printable(field[5]);
	time_t t = (time_t)strtoll(field[0], NULL, 10);
	struct tm tm;
	char when[32] = "?";
	if (localtime_r(&t, &tm))
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
	if (streq(field[1], "net")) {
		/* the proxy's: "net PROTO HOST PORT WHY" */
		printable(field[2]);
		printable(field[3]);
		fprintf(f, "%s  net %-8s %s:%s refused: %s\n", when, field[2], field[3], field[4], field[5]);
		return;
	}
	if (detail)
		fprintf(f, "%s  pid %-6s %-16s %-18s %s '%s'\n", when, field[1], field[5], field[3],
			field[4], detail);
	else
		fprintf(f, "%s  pid %-6s %-16s %-18s %s\n", when, field[1], field[5], field[3], field[4]);
}

int denylog_print(FILE *f, const char *dir, size_t n)
{
	_cleanup_free_ char *path = NULL, *old = NULL;
	if (n == 0 || asprintf(&path, "%s/denials", dir) < 0 || asprintf(&old, "%s/denials.1", dir) < 0)
		return n == 0 ? 0 : -ENOMEM;
	char **ring = calloc(n, sizeof(*ring));
	if (!ring)
		return -ENOMEM;
	size_t count = 0;
	int r = read_lines(old, ring, n, &count);
	if (r == -ENOENT)
		r = 0;
	int r2 = r == 0 ? read_lines(path, ring, n, &count) : r;
	if (r2 == -ENOENT && count > 0)
		r2 = 0;
	size_t first = count > n ? count - n : 0;
	for (size_t i = first; r2 == 0 && i < count; i++)
		print_line(f, ring[i % n]);
	for (size_t i = 0; i < n; i++)
		free(ring[i]);
	free(ring);
	return r2 < 0 ? r2 : (int)(count - first);
}
