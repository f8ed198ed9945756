/* userns.c - which knob of the kernel refuses user namespaces (see userns.h).
 * Each is a sysctl whose file exists only on kernels that have it; a file
 * that is missing or unreadable says nothing. */
#include "sandbox/userns.h"

#include <fcntl.h>
#include <stdbool.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "base/util.h"

#define SYSCTL_HINT(knob, bad, good) \
	knob " is " bad ": enable them with: sysctl -w " knob "=" good " (and in /etc/sysctl.d/ to keep it)"

static const struct userns_setting settings[] = {
	[USERNS_BLOCK_DEBIAN] = { "kernel.unprivileged_userns_clone", "0", "1",
				  SYSCTL_HINT("kernel.unprivileged_userns_clone", "0", "1") },
	[USERNS_BLOCK_MAX] = { "user.max_user_namespaces", "0", "15000",
			       SYSCTL_HINT("user.max_user_namespaces", "0", "15000") },
	[USERNS_BLOCK_APPARMOR] = { "kernel.apparmor_restrict_unprivileged_userns", "1", "0",
				    "AppArmor restricts them (kernel.apparmor_restrict_unprivileged_userns = 1) and no profile "
				    "grants them to nsbsh: load the one the package ships with: apparmor_parser -r /etc/apparmor.d/nsbsh" },
};

static bool says(const char *value, const char *want)
{
	return value && streq(value, want);
}

enum userns_block userns_blocker_of(const struct userns_knobs *k)
{
	if (says(k->unprivileged_userns_clone, "0"))
		return USERNS_BLOCK_DEBIAN;
	if (says(k->max_user_namespaces, "0"))
		return USERNS_BLOCK_MAX;
	/* Under AppArmor's restriction, a profile with `userns,` lets nsbsh make
	 * them: nsbsh then runs confined by it (label "nsbsh (unconfined)"). */
	if (says(k->apparmor_restrict, "1") &&
	    (!k->self_label || !k->self_label[0] || streq(k->self_label, "unconfined")))
		return USERNS_BLOCK_APPARMOR;
	return USERNS_BLOCK_UNKNOWN;
}

/* The first line of path into buf; NULL when missing or unreadable. */
static const char *first_line(const char *path, char *buf, size_t size)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, size - 1);
	if (n < 0)
		return NULL;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return buf;
}

enum userns_block userns_blocker(void)
{
	char clone[32], max[32], restrict_[32], label[256];
	struct userns_knobs k = {
		.unprivileged_userns_clone = first_line("/proc/sys/kernel/unprivileged_userns_clone", clone, sizeof(clone)),
		.max_user_namespaces = first_line("/proc/sys/user/max_user_namespaces", max, sizeof(max)),
		.apparmor_restrict = first_line("/proc/sys/kernel/apparmor_restrict_unprivileged_userns", restrict_,
						sizeof(restrict_)),
		.self_label = first_line("/proc/self/attr/apparmor/current", label, sizeof(label)),
	};
	return userns_blocker_of(&k);
}

const struct userns_setting *userns_setting_of(enum userns_block b)
{
	return b == USERNS_BLOCK_UNKNOWN || (size_t)b >= ARRAY_SIZE(settings) ? NULL : &settings[b];
}

const char *userns_hint(enum userns_block b)
{
	const struct userns_setting *s = userns_setting_of(b);
	return s ? s->hint : "check the kernel's user namespace settings";
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
