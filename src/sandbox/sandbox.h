/* sandbox.h - run a program in a fresh user-namespace sandbox.
 * The caller describes the inside as an ordered list of operations (binds,
 * files, links); sandbox_run() builds it and runs argv there, waiting for it.
 * Invariants: see the top of sandbox.c. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

enum sandbox_op_kind {
	SB_BIND_RO,      /* host path src at dest, read-only, recursive */
	SB_BIND_RW,      /* host path src at dest, read-write */
	SB_BIND_DEV,     /* a device node from the host's /dev */
	SB_BIND_TRY_RO,  /* like SB_BIND_RO, skipped when src does not exist */
	SB_TMPFS,        /* an empty private tmpfs at dest */
	SB_DIR,          /* an empty directory */
	SB_SYMLINK,      /* dest -> src (src is the link text) */
	SB_FILE,         /* a read-only file with data/len as its content */
	SB_PROC,         /* proc of the sandbox's pid namespace */
	SB_DEVPTS,       /* a private devpts instance at dest, /dev/ptmx pointing into it */
	SB_STORE,        /* an empty store at dest (/nix/store), read-only, showing
			  * the store paths data/len lists (view.h struct view_store) */
};

struct agent_spec;

struct sandbox_op {
	enum sandbox_op_kind kind;
	const char *src;
	const char *dest;
	const char *data;
	size_t len;
};

/* For a bind of a directory that code in a sandbox can replace (a link
 * planted in the work tree): data/len of SB_BIND_RO/RW point to this, and
 * the bind fails unless what got mounted is that very directory. */
struct sandbox_bind_id {
	dev_t dev;
	ino_t ino;
};

/* The sandbox: what it shows and how it is walled in.  Its strings are
 * borrowed and must outlive sandbox_run() (layout.h owns them for its
 * callers). */
struct protect_list;
struct sandbox_spec {
	struct sandbox_op *ops;
	size_t n_ops, cap_ops;
	bool unshare_net;         /* a new network namespace (loopback, up; and pasta's) */
	/* With unshare_net, a live sandbox's pasta (net.c): its absolute path
	 * (NULL: none, lo only), the policy's forward_ports and publish_ports. */
	const char *pasta;
	const struct policy_list *forward_ports, *publish_ports;
	bool seccomp;             /* load the seccomp filter before exec */
	/* Landlock (landlock.c): writes only beneath these paths inside;
	 * NULL/0: no Landlock. */
	const char *const *writable;
	size_t n_writable;
	/* Policy (config.h) the caller fills; sandbox_spec_init sets the
	 * defaults, which hold when nobody does. */
	bool nested_userns;            /* false: no user namespace inside (MUST-S5) */
	unsigned long max_procs;       /* RLIMIT_NPROC inside; 0: none (MUST-9) */
	unsigned long long max_memory; /* RLIMIT_AS of each process, bytes; 0: none */
	unsigned long max_cpu_seconds; /* RLIMIT_CPU of each process; 0: none */
	/* A live sandbox (live.h): pid 1 runs no program of its own but the
	 * shells it is asked for, and ends linger seconds after the last
	 * process in it ended. */
	bool live;
	unsigned linger;
	/* The project's denial log directory (denylog.h), on the host; NULL:
	 * refusals are not reported.  Only sandbox_run keeps it: its
	 * supervisor answers the filter's notifications while it waits. */
	const char *denial_log;
	/* A live sandbox's ssh agent (agent.h, policy ssh_keys), which its
	 * supervisor starts before it builds the sandbox; NULL: none. */
	const struct agent_spec *agent;
	/* network = allow's injected tokens (tls-inject.h, policy inject),
	 * which the supervisor readies before it builds the sandbox; NULL:
	 * none. */
	const struct inject_spec *inject;
	/* network = allow (live sandboxes only): pid 1 listens on
	 * 127.0.0.1:proxy_port of the sandbox's network namespace (unshare_net)
	 * and passes the socket to the supervisor, whose proxy (proxy-run.h)
	 * lets through what allow_hosts (n_allow_hosts entries) lists; 0: no
	 * proxy. */
	unsigned short proxy_port;
	const char *const *allow_hosts;
	size_t n_allow_hosts;
	/* The creation guard (guard.c), for a live sandbox whose supervisor
	 * answers the filter: on false, none. */
	struct sandbox_guard {
		bool on;
		bool nested_git;              /* nested_git = allow */
		const char *const *roots;     /* where a new .git is refused */
		size_t n_roots;
		const char *const *gitdirs;   /* git dirs at whose top only git's names are made */
		size_t n_gitdirs;
		const struct protect_list *protect;  /* missing protected paths (git/protect.h) */
	} guard;
};

/* What runs in it. */
struct sandbox_program {
	const char *path;         /* the program (a path inside) */
	char *const *argv;
	char *const *envp;
	const char *cwd;          /* working directory inside */
	int stdout_fd;            /* -1: inherit; else dup'ed to fd 1 of the program */
};

/* Processes (threads count too) of the user inside one sandbox.  A build
 * with -j64 or a JVM stays far below; a fork bomb meets it within a second. */
#define SANDBOX_MAX_PROCS_DEFAULT 4096

void sandbox_spec_init(struct sandbox_spec *s);
void sandbox_spec_release(struct sandbox_spec *s);
/* Append an operation; strings are borrowed and must outlive sandbox_run().
 * 0, or -E2BIG past SANDBOX_MAX_OPS, or -ENOMEM. */
#define SANDBOX_MAX_OPS 4096
int sandbox_add(struct sandbox_spec *s, enum sandbox_op_kind kind, const char *src,
		const char *dest, const char *data, size_t len);

/* Build the sandbox and start the program in it: 0 and pid 1's pid and the
 * fd that says why setup failed, for sandbox_wait(), which waits for it
 * and gives its wait status in *ret_status (as waitpid gives it, from pid
 * 1 of the sandbox: an exit code, 128+N for a program killed by signal
 * N), or a negative errno with a malloc'ed one-line reason in *ret_err.
 * -EPERM/-ENOSPC/-EINVAL/-ENOSYS from the namespace creation itself mean
 * the kernel refuses user namespaces.  Refusals of the filter are answered
 * at once, not reported (the evaluation's sandbox). */
int sandbox_start(const struct sandbox_spec *s, const struct sandbox_program *p, pid_t *ret_pid,
		  int *ret_errfd, char **ret_err);
int sandbox_wait(pid_t pid, int errfd, int *ret_status, char **ret_err);

/* A live sandbox as its supervisor holds it (live.c): pid 1 built the view
 * and serves shells (spawner.c). */
#include "sandbox/cgroup.h"
#include "sandbox/net.h"
struct sandbox_live {
	pid_t pid;      /* pid 1 */
	int pidfd;      /* readable once pid 1 has exited */
	int ctl;        /* to pid 1 and back: WIRE_JOIN, WIRE_STAT (wire.h) */
	int listener;   /* the seccomp listener (MUST-10), or -1 */
	int proxy;      /* the proxy's listening socket inside (proxy_port), or -1 */
	int guard;      /* to the creation guard's helper inside (guard.c), or -1 */
	int guard_fwd;  /* what the helper passes on (it receives the listener's
			 * notifications while it runs), or -1 */
	bool addfd_send;  /* the kernel has SECCOMP_ADDFD_FLAG_SEND (5.14) */
	struct sandbox_cgroup cg;
	struct net_pasta pasta;  /* pid -1: none */
};
/* Builds it (s->live set): 0 once pid 1 serves, or a negative errno with a
 * one-line reason in *ret_err (nothing is left running then). */
int sandbox_live_start(const struct sandbox_spec *s, struct sandbox_live *ret, char **ret_err);
/* Ends it (pid 1 killed, if it still runs: with it every process inside),
 * reaps pid 1, kills and reaps its pasta (NET-3), removes its cgroup. */
void sandbox_live_end(struct sandbox_live *l);
/* One notified call of the filter, answered (MUST-S6) and written to the
 * denial log log (NULL: not written), raising the flag of the caller's
 * shell in sandbox flag_id (denylog.h). */
void sandbox_live_answer(struct sandbox_live *l, const char *log, const char *flag_id);
