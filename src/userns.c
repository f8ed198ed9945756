/* userns.c - can this user create a sandbox's namespaces, and if not, why.
 * Reads /proc/sys and forks one short-lived child; prints nothing. */
#include "userns.h"

#include <sched.h>
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "util.h"

/* In the order they are checked: a Debian or Ubuntu kernel's own switch,
 * the limit every kernel has, then Ubuntu's AppArmor restriction (from
 * 23.10), under which the namespace is made but nothing can be done in it. */
static const struct userns_setting settings[] = {
	{ "kernel.unprivileged_userns_clone", "0", "1", NULL },
	{ "user.max_user_namespaces", "0", "15000", NULL },
	{ "kernel.apparmor_restrict_unprivileged_userns", "1", "0",
	  "AppArmor restricts them: allow userns for nsbsh in an AppArmor profile (nsb doctor shows one)" },
};

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

static const char *proc_sys_path(const char *sysctl, char *buf, size_t size)
{
	snprintf(buf, size, "/proc/sys/%s", sysctl);
	for (char *p = buf + strlen("/proc/sys/"); *p; p++)
		if (*p == '.')
			*p = '/';
	return buf;
}

const struct userns_setting *userns_blocker(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(settings); i++) {
		char path[128], value[32] = "";
		FILE *f = fopen(proc_sys_path(settings[i].sysctl, path, sizeof(path)), "re");
		if (!f)
			continue;
		bool got = fgets(value, sizeof(value), f) != NULL;
		fclose(f);
		value[strcspn(value, "\n")] = '\0';
		if (got && streq(value, settings[i].bad))
			return &settings[i];
	}
	return NULL;
}

const char *userns_hint(void)
{
	static char hint[160];
	const struct userns_setting *s = userns_blocker();
	if (!s)
		return "check the kernel's user namespace settings";
	if (s->hint)
		return s->hint;
	snprintf(hint, sizeof(hint), "enable them with: sysctl -w %s=%s", s->sysctl, s->good);
	return hint;
}
