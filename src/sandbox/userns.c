/* userns.c - which knob of the kernel refuses user namespaces (see userns.h).
 * Each is a sysctl whose file exists only on kernels that have it; a file
 * that is missing or unreadable says nothing. */
#include "sandbox/userns.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "base/util.h"

/* The first line of procsys/name, or "" (missing, unreadable). */
static void sysctl_read(const char *procsys, const char *name, char *buf, size_t size)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", procsys ? procsys : "/proc/sys", name);
	buf[0] = '\0';
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, size - 1);
	buf[n > 0 ? n : 0] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
}

/* Under AppArmor's restriction, a profile with `userns,` lets nsbsh make
 * them: nsbsh then runs confined by it (label "nsbsh (unconfined)").  The
 * label of a test's fake procsys is in procsys/../self-label. */
static int apparmor_unconfined(const char *procsys)
{
	char label[256];
	if (procsys)
		sysctl_read(procsys, "../self-label", label, sizeof(label));
	else
		sysctl_read("/proc/self/attr", "apparmor/current", label, sizeof(label));
	return label[0] == '\0' || streq(label, "unconfined");
}

enum userns_block userns_blocker(const char *procsys)
{
	char v[32];
	sysctl_read(procsys, "kernel/unprivileged_userns_clone", v, sizeof(v));
	if (streq(v, "0"))
		return USERNS_BLOCK_DEBIAN;
	sysctl_read(procsys, "user/max_user_namespaces", v, sizeof(v));
	if (streq(v, "0"))
		return USERNS_BLOCK_MAX;
	sysctl_read(procsys, "kernel/apparmor_restrict_unprivileged_userns", v, sizeof(v));
	if (streq(v, "1") && apparmor_unconfined(procsys))
		return USERNS_BLOCK_APPARMOR;
	return USERNS_BLOCK_UNKNOWN;
}

const char *userns_hint(enum userns_block b)
{
	switch (b) {
	case USERNS_BLOCK_DEBIAN:
		return "kernel.unprivileged_userns_clone is 0: enable them with: sysctl -w kernel.unprivileged_userns_clone=1 "
		       "(and in /etc/sysctl.d/ to keep it)";
	case USERNS_BLOCK_MAX:
		return "user.max_user_namespaces is 0: enable them with: sysctl -w user.max_user_namespaces=15000 "
		       "(and in /etc/sysctl.d/ to keep it)";
	case USERNS_BLOCK_APPARMOR:
		return "AppArmor restricts them (kernel.apparmor_restrict_unprivileged_userns = 1) and no profile "
		       "grants them to nsbsh: load the one the package ships with: apparmor_parser -r /etc/apparmor.d/nsbsh";
	case USERNS_BLOCK_UNKNOWN:
		break;
	}
	return "check the kernel's user namespace settings";
}

const struct userns_setting *userns_setting_of(enum userns_block b)
{
	static const struct userns_setting settings[] = {
		[USERNS_BLOCK_DEBIAN] = { "kernel.unprivileged_userns_clone", "0", "1" },
		[USERNS_BLOCK_MAX] = { "user.max_user_namespaces", "0", "15000" },
		[USERNS_BLOCK_APPARMOR] = { "kernel.apparmor_restrict_unprivileged_userns", "1", "0" },
	};
	return b == USERNS_BLOCK_UNKNOWN || (size_t)b >= ARRAY_SIZE(settings) ? NULL : &settings[b];
}

int userns_probe(const char **ret_step)
{
	/* The flags of sandbox_start(), so that the answer is a start's. */
	unsigned long flags = CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC |
			      CLONE_NEWUTS | SIGCHLD;
	pid_t pid = (pid_t)syscall(SYS_clone, flags, NULL, NULL, NULL, NULL);
	if (pid == 0) {
		/* The child: all capabilities in its new user namespace, unless
		 * an LSM took them away; the exit code carries the errno. */
		if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
			_exit(errno > 0 && errno < 256 ? errno : EPERM);
		_exit(0);
	}
	if (pid < 0) {
		*ret_step = "clone";
		return -errno;
	}
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	*ret_step = "mount";
	if (WIFSIGNALED(status))
		return -ECHILD;
	return -WEXITSTATUS(status);
}
