/* live.c - whether a sandbox of a work tree runs now (see live.h), from
 * /proc: the user's processes only, each read without following what it
 * could change (its environment is its own text; its cwd and exe are the
 * kernel's links).  The sandbox's pid 1 is not dumpable, but its user
 * namespace is this user's, which lets the same user read its links. */
#include "sandbox/live.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <sys/stat.h>

#include "base/file.h"
#include "base/path.h"
#include "base/util.h"

#define ENVIRON_MAX (256u * 1024)

static bool environ_names(int piddir, const char *worktree)
{
	_cleanup_free_ char *env = NULL, *want = NULL;
	size_t len = 0;
	if (asprintf(&want, "NSBSH_PROJECT=%s", worktree) < 0)
		return false;
	if (file_read(piddir, "environ", ENVIRON_MAX, FILE_NOFOLLOW, &env, &len) < 0)
		return false;
	for (size_t i = 0; i < len; i += strlen(env + i) + 1)
		if (streq(env + i, want))
			return true;
	return false;
}

static bool link_is(int piddir, const char *name, char *buf, size_t size)
{
	ssize_t n = readlinkat(piddir, name, buf, size - 1);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	return true;
}

int live_worktree_pid(const char *worktree, pid_t *ret_pid)
{
	char self[PATH_MAX];
	bool have_self = link_is(AT_FDCWD, "/proc/self/exe", self, sizeof(self));
	DIR *d = opendir("/proc");
	if (!d)
		return -errno;
	uid_t uid = getuid();
	pid_t me = getpid();
	struct dirent *e;
	int found = 0;
	while (!found && (e = readdir(d))) {
		char *end;
		long pid = strtol(e->d_name, &end, 10);
		if (*end || pid <= 0 || pid == me)
			continue;
		_cleanup_close_ int pd = openat(dirfd(d), e->d_name, O_PATH | O_DIRECTORY | O_CLOEXEC);
		struct stat st;
		if (pd < 0 || fstat(pd, &st) < 0 || st.st_uid != uid)
			continue;
		char exe[PATH_MAX], cwd[PATH_MAX];
		bool ours = have_self && link_is(pd, "exe", exe, sizeof(exe)) && streq(exe, self) &&
			    link_is(pd, "cwd", cwd, sizeof(cwd)) && path_at_or_below(cwd, worktree);
		if (ours || environ_names(pd, worktree)) {
			*ret_pid = (pid_t)pid;
			found = 1;
		}
	}
	closedir(d);
	return found;
}
