/* userns.h - why this kernel refuses unprivileged user namespaces, and the
 * one thing to do about it: the decision is pure (userns_blocker_of), the
 * reading of this machine's sysctls and of nsbsh's own AppArmor label is
 * apart (userns_blocker); prints nothing. */
#pragma once

enum userns_block {
	USERNS_BLOCK_UNKNOWN,   /* none of the knobs below says no */
	USERNS_BLOCK_DEBIAN,    /* kernel.unprivileged_userns_clone = 0 (older Debian kernels) */
	USERNS_BLOCK_MAX,       /* user.max_user_namespaces = 0 */
	USERNS_BLOCK_APPARMOR,  /* kernel.apparmor_restrict_unprivileged_userns = 1 (Ubuntu 23.10+),
				 * and nsbsh runs unconfined (no profile grants it userns) */
};

/* What the knobs say: the first line of each file, NULL where the file is
 * missing or unreadable (the kernel has no such knob). */
struct userns_knobs {
	const char *unprivileged_userns_clone;  /* kernel.unprivileged_userns_clone */
	const char *max_user_namespaces;        /* user.max_user_namespaces */
	const char *apparmor_restrict;          /* kernel.apparmor_restrict_unprivileged_userns */
	const char *self_label;                 /* nsbsh's AppArmor label ("unconfined") */
};
/* The first knob that refuses, in the order of enum userns_block (pure). */
enum userns_block userns_blocker_of(const struct userns_knobs *k);
/* The same for this machine (/proc/sys, /proc/self/attr/apparmor/current). */
enum userns_block userns_blocker(void);
/* What to do, one line without a full stop: "KNOB is BAD: enable them
 * with: sysctl -w KNOB=GOOD ..." from userns_setting_of, or the AppArmor
 * profile to load. */
const char *userns_hint(enum userns_block b);

/* A kernel setting that can refuse unprivileged user namespaces, as
 * nsb doctor names it. */
struct userns_setting {
	const char *sysctl;  /* "user.max_user_namespaces" */
	const char *bad;     /* the value that refuses them: "0" */
	const char *good;    /* a value that allows them: "15000" */
	const char *hint;    /* userns_hint's line */
};
/* The setting behind b, or NULL for USERNS_BLOCK_UNKNOWN. */
const struct userns_setting *userns_setting_of(enum userns_block b);

/* Creates, in a child, the namespaces a sandbox creates (user, mount, pid,
 * ipc, uts) and makes the new mount tree private, as a start does.  0 when
 * both worked; else a negative errno, and *ret_step names what failed
 * ("clone" or "mount": the namespaces were made, but the kernel or an LSM
 * refuses to use them). */
int userns_probe(const char **ret_step);
