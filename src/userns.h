/* userns.h - whether this kernel lets an unprivileged process create the
 * namespaces a sandbox needs, and which setting refuses them. */
#pragma once

/* A kernel setting that can refuse unprivileged user namespaces. */
struct userns_setting {
	const char *sysctl;  /* "user.max_user_namespaces" */
	const char *bad;     /* the value that refuses them: "0" */
	const char *good;    /* a value that allows them: "15000" */
	const char *hint;    /* what a refused start says after the reason */
};

/* Creates, in a child, the namespaces a sandbox creates (user, mount, pid,
 * ipc, uts) and makes the new mount tree private, as a start does.  0 when
 * both worked; else a negative errno, and *ret_step names what failed
 * ("clone" or "mount": the namespaces were made, but the kernel or an LSM
 * refuses to use them). */
int userns_probe(const char **ret_step);

/* The first setting whose current value refuses user namespaces, or NULL
 * when none of them does (or they cannot be read). */
const struct userns_setting *userns_blocker(void);

/* For a start the kernel refused: how to enable them, one phrase. */
const char *userns_hint(void);
