/* config.h - the policy (man/nsbsh.conf.5.scd): libconfuse
 * files parsed into layers, and layers merged into one struct policy by
 * rules that decide which file may widen what.
 *
 * config_parse_text and config_merge are pure: no I/O, no environment (a
 * file's "${VAR}" is refused, not expanded).  config_load and
 * config_load_project read only the files they are given.  Nothing here
 * prints: an error goes into a struct config_error ("FILE:LINE: ..."), a
 * key that a file may not set goes into the policy's notes.  Not
 * thread-safe: libconfuse's lexer is global.
 *
 * One file a concern: parse.c (with text.c) parses, merge.c merges and
 * owns a policy's memory, load.c reads the files, query.c answers what is
 * asked of a merged policy; internal.h is what they share. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The system's file: /etc/nsbsh/nsbsh.conf, fixed at build time
 * (src/policy/sysconf.c). */
const char *config_system_path(void);

/* Limits on what a file (a repository's, too) can make nsbsh hold. */
#define CONFIG_MAX_FILE (256u * 1024)  /* bytes of one file */
#define CONFIG_MAX_LIST 64             /* entries of one list key (binds too) */
#define CONFIG_MAX_PROJECTS 64         /* project sections of one file */
#define CONFIG_MAX_PATH 1024           /* bytes of one value, after ~ expansion */
#define CONFIG_MAX_NOTES 32            /* notes kept in one policy */

/* The limits' defaults and the smallest values a file may set (below
 * them a shell could not even start its prompt: a locked door). */
#define CONFIG_DEFAULT_MAX_PROCS 4096  /* = SANDBOX_MAX_PROCS_DEFAULT */
#define CONFIG_MIN_PROCS 16
#define CONFIG_MIN_MEMORY (64ull << 20)
#define CONFIG_MIN_CPU_SECONDS 1
#define CONFIG_DEFAULT_LINGER 600
/* The evaluation's time limit (eval_timeout), seconds: generous, a first
 * build of a large environment without a binary cache takes long. */
#define CONFIG_DEFAULT_EVAL_TIMEOUT 3600

/* The sandbox's network, narrowest first (merge.c ranks them so). */
enum policy_network {
	POLICY_NETWORK_OFF,    /* a network namespace with only lo; the
				* evaluation too (sandbox/net.c NET-4) */
	POLICY_NETWORK_ALLOW,  /* only lo, and a proxy outside that lets
				* through allow_hosts (issue 17, item 3) */
	POLICY_NETWORK_ON,     /* a namespace of its own, pasta outside */
	POLICY_NETWORK_HOST,   /* the host's namespace, shared */
};

/* nix_daemon: whether the sandbox sees the Nix daemon's socket. */
enum policy_nix_daemon {
	POLICY_NIX_DAEMON_OFF,
	POLICY_NIX_DAEMON_AUTO,  /* shown, but not with network = off or a
				  * daemon that trusts the user (doctor) */
	POLICY_NIX_DAEMON_ON,
};

/* store: what of /nix/store a sandbox sees, narrowest first (merge.c
 * ranks them so). */
enum policy_store {
	POLICY_STORE_CLOSURE,  /* the environment's closure only (env/closure.h) */
	POLICY_STORE_ALL,
};

enum policy_reload {
	POLICY_RELOAD_ASK,      /* interactive starts only: ask */
	POLICY_RELOAD_REBUILD,  /* build the new environment, then start */
	POLICY_RELOAD_KEEP,     /* start with the old one, say it is stale */
};

/* One entry of a list key. */
struct policy_entry {
	/* bind: the source; unshadow: the home file; allowed_roots: the root
	 * (these three absolute, normalized, ~ expanded); passthrough: a
	 * variable name or fnmatch(3) pattern; watch: a normalized path
	 * relative to the env file's directory; session_copy: a normalized
	 * path relative to the work tree's root. */
	char *value;
	char *dest;  /* bind: where it appears inside; NULL elsewhere */
	bool rw;     /* bind, unshadow: read-write */
	int line;    /* in a layer: where the file says it; 0 in a policy */
};

struct policy_list {
	struct policy_entry *v;
	size_t n;
};

struct policy_layer;

struct policy {
	enum policy_network network;
	bool picker;       /* the session picker on interactive starts */
	bool host_system;  /* host_system = ro: the host's /usr, /bin, /lib* */
	bool strict;       /* no plain bash; projects only under allowed_roots */
	bool nested_userns;  /* user namespaces inside the sandbox (off: refused) */
	bool nested_git;     /* nested_git = allow: a new .git in the work tree (guard.c) */
	bool create_guard;   /* create_guard = on: the creation guard (guard.c); off: for measuring */
	/* Limits of the sandbox (sandbox_spec's fields); 0: none. */
	unsigned long long max_procs;        /* processes and threads at once */
	unsigned long long max_memory;       /* bytes of address space per process */
	unsigned long long max_cpu_seconds;  /* CPU seconds per process */
	bool file_transfer;  /* file_transfer = sandbox: scp/sftp/rsync of a forced
			      * ssh command run in the sandbox; off: refused */
	enum policy_reload reload_interactive;     /* ask, rebuild or keep */
	enum policy_reload reload_noninteractive;  /* rebuild or keep */
	char *bash;        /* absolute; NULL: automatic */
	/* SSH ForceCommand sessions (shell/sshforced.c); only the system's file
	 * sets these.  ssh_project: absolute, or NULL (the home);
	 * ssh_project_env: a variable name, or NULL. */
	char *ssh_project;
	char *ssh_project_env;
	struct policy_list bind;
	struct policy_list unshadow;
	struct policy_list passthrough;    /* beyond the built-in allowlist */
	struct policy_list watch;          /* beyond flake.nix and flake.lock */
	struct policy_list allowed_roots;  /* strict mode; empty: no project */
	struct policy_list session_copy;   /* files copied into a new session's
					    * work tree, relative to its root */
	/* The user file's `project` sections, for config_load_project. */
	struct policy_layer *projects;
	size_t n_projects;
	/* Seconds a live sandbox stays after its last process (0: it ends at
	 * once). */
	unsigned long long linger;
	/* 64 hex digits: a hash of every file's text (and the project) that
	 * made this policy, "" for the built-in one: two policies with the same
	 * are the same (a live sandbox's identity, sandbox/live.h). */
	char source[65];
	/* "FILE:LINE: key 'K': 'V' ignored: WHY", one per value a file was
	 * not allowed to set; the caller decides whether to show them. */
	char **notes;
	size_t n_notes;
	/* Paths of the work tree the sandbox must not write, relative to its
	 * root (git/protect.h); until a file sets the key, the built-in
	 * default (policy_protect_path). */
	struct policy_list protect;
	bool protect_set;
	/* Seconds the evaluation (nix or devenv print-dev-env) may take; 0:
	 * no limit. */
	unsigned long long eval_timeout;
	/* setenv: "NAME=VALUE" entries, set inside after the environment's
	 * variables; tools: flake installables built with the environment,
	 * their bin/ on PATH after the environment's (config_tool_path says
	 * which name a host path). */
	struct policy_list setenv;
	struct policy_list tools;
	/* ssh_keys: the identities the sandbox's ssh agent offers
	 * (sandbox/agent.c): "SHA256:..." (43 base64 characters), a key of the
	 * user's own agent by fingerprint; or an absolute path (~ expanded),
	 * a private key file that the start adds to a private agent outside. */
	struct policy_list ssh_keys;
	/* network = allow: the hosts the proxy lets through, "NAME",
	 * "*.NAME", "ADDRESS", each with an optional ":PORT" (net/proxy.h). */
	struct policy_list allow_hosts;
	/* network = allow: "HOST HEADER=[PREFIX ]env:NAME|file:PATH", a
	 * header the proxy sets on each request to HOST (net/inject.h,
	 * sandbox/tls-inject.c); inject_ca_file: what the proxy verifies
	 * those hosts against, absolute, NULL: the system's bundle. */
	struct policy_list inject;
	char *inject_ca_file;
	/* network = on: "HOST:SANDBOX" port pairs (decimal, 1-65535);
	 * forward_ports: the host's loopback port HOST reachable inside on
	 * SANDBOX; publish_ports: the sandbox's port SANDBOX on the host's
	 * 127.0.0.1:HOST. */
	struct policy_list forward_ports;
	struct policy_list publish_ports;
	enum policy_nix_daemon nix_daemon;
	enum policy_store store;
};

enum config_key {
	CONFIG_KEY_NETWORK,
	CONFIG_KEY_BIND,
	CONFIG_KEY_UNSHADOW,
	CONFIG_KEY_PASSTHROUGH,
	CONFIG_KEY_WATCH,
	CONFIG_KEY_RELOAD_INTERACTIVE,
	CONFIG_KEY_RELOAD_NONINTERACTIVE,
	CONFIG_KEY_PICKER,
	CONFIG_KEY_BASH,
	CONFIG_KEY_HOST_SYSTEM,
	CONFIG_KEY_STRICT,
	CONFIG_KEY_ALLOWED_ROOTS,
	CONFIG_KEY_SESSION_COPY,
	CONFIG_KEY_NESTED_USERNS,
	CONFIG_KEY_MAX_PROCS,
	CONFIG_KEY_MAX_MEMORY,
	CONFIG_KEY_MAX_CPU_SECONDS,
	CONFIG_KEY_SSH_PROJECT,
	CONFIG_KEY_SSH_PROJECT_ENV,
	CONFIG_KEY_FILE_TRANSFER,
	CONFIG_KEY_LINGER,
	CONFIG_KEY_PROTECT,
	CONFIG_KEY_EVAL_TIMEOUT,
	CONFIG_KEY_SETENV,
	CONFIG_KEY_TOOLS,
	CONFIG_KEY_SSH_KEYS,
	CONFIG_KEY_ALLOW_HOSTS,
	CONFIG_KEY_INJECT,
	CONFIG_KEY_INJECT_CA_FILE,
	CONFIG_KEY_FORWARD_PORTS,
	CONFIG_KEY_PUBLISH_PORTS,
	CONFIG_KEY_NIX_DAEMON,
	CONFIG_KEY_NESTED_GIT,
	CONFIG_KEY_CREATE_GUARD,
	CONFIG_KEY_STORE,
	CONFIG_KEY_COUNT,
};
_Static_assert(CONFIG_KEY_COUNT <= 64, "struct policy_layer's set holds a bit a key");

/* What one file (or one project section of it) says. */
struct policy_layer {
	char *filename;
	char *project;  /* a project section: the project's root; else NULL */
	int project_line;
	uint64_t set;   /* (1ull << CONFIG_KEY_x) for each key the layer sets */
	int line[CONFIG_KEY_COUNT];  /* where it sets it (its last value) */
	struct policy v;  /* the values of the keys in set; v.projects: the
			   * file's project sections; v.notes: unused */
};

/* Who wrote a layer, which decides what it may widen. */
enum layer_kind {
	LAYER_SYSTEM,   /* /etc/nsbsh/nsbsh.conf (or an agent profile): anything */
	LAYER_USER,     /* ~/.config/nsbsh/nsbsh.conf and its project sections:
			 * may widen, unless strict mode is on by then */
	LAYER_PROJECT,  /* a trusted in-repo .nsbsh.conf: may only narrow */
	LAYER_REPO,     /* a trusted in-repo .nsbsh.conf as config_load_project
			 * applies it: the user's word (LAYER_USER), but its
			 * tools add to the policy's instead of replacing them */
};

struct config_error {
	/* "FILE:LINE: unknown key 'x'", "FILE:LINE: key 'network': 'maybe'
	 * is not on or off", "cannot read 'FILE': Permission denied", ...:
	 * printable ASCII only (what a file says is escaped). */
	char message[512];
	int line;  /* 0 when the error is not at a line */
};

/* The built-in policy: network on, no binds, no unshadowed files, the
 * built-in passthrough only, reload ask / rebuild, picker off, automatic
 * bash, host_system off, strict off, no session_copy, nested_userns off,
 * max_procs CONFIG_DEFAULT_MAX_PROCS, no memory or CPU-time limit,
 * protect's built-in list, eval_timeout CONFIG_DEFAULT_EVAL_TIMEOUT. */
void policy_init_defaults(struct policy *p);
/* Frees what p owns and leaves it zeroed; NULL and zeroed are fine. */
void policy_release(struct policy *p);
void policy_layer_release(struct policy_layer *l);

/* libconfuse's version (loaded with dlopen when a file is first parsed), or
 * NULL when it cannot be loaded. */
const char *config_lib_version(void);

/* Parses one file's text (len bytes, no NUL needed; a NUL inside is an
 * error).  filename only names it in messages; home (absolute, or NULL
 * when there is none) is what ~ expands to and what binds must not expose.
 * 0 and *ret filled; -EINVAL (bad file), -EFBIG (too large) or -ENOMEM
 * with err filled, *ret untouched.  ret is released with
 * policy_layer_release. */
int config_parse_text(const char *text, size_t len, const char *filename, const char *home,
		      struct policy_layer *ret, struct config_error *err);

/* Applies a layer to p by the rules of kind: a key the layer does not set
 * keeps p's value; what narrows is applied; what widens (network on after
 * off, host_system ro, strict off, nested_userns on, a higher limit or
 * none where p has one, a different bash, a bind or unshadowed
 * file or passthrough entry or allowed root that p does not have, rw
 * where p has ro) is applied only when the kind may widen, else left out
 * with a note.  ssh_project, ssh_project_env and file_transfer apply
 * from LAYER_SYSTEM only (elsewhere a note).  A setenv entry that p does
 * not have widens (a variable can change what programs do).  tools: a
 * LAYER_PROJECT or LAYER_REPO adds to p's (the person's tools stay); a
 * tool that names a host path outside the store and that p does not have
 * widens (its build shows that path).  Lists replace p's lists, but
 * protect where the kind may not widen: there the layer's entries are
 * added to what p protects (a shorter list would widen).  picker, reload_*, watch and
 * session_copy neither widen nor narrow and always apply.  The layer's project
 * sections are not applied here.  0, or -ENOMEM (then p may be half
 * merged: merge into a scratch copy). */
int config_merge(struct policy *p, const struct policy_layer *layer, enum layer_kind kind);

/* Reads and merges system_path (LAYER_SYSTEM) then user_path
 * (LAYER_USER); either may be NULL or absent.  home as for
 * config_parse_text.  *ret is always a policy to release: on success the
 * merged one, on any error the defaults (never a half-read policy), with
 * strict on if a file read before the error, or the part of the failing
 * file read before it, asked for strict mode: a strict account must not
 * fall back to a looser shell.  Errors as config_parse_text, and
 * "cannot read 'FILE': ..." (its negative errno) for an unreadable file. */
int config_load(const char *system_path, const char *user_path, const char *home,
		struct policy *ret, struct config_error *err);

/* config_load of the system's file (config_system_path) and the user's
 * (config_user_path; none when it cannot be named): what every start and
 * nsb command reads. */
int config_load_standard(const char *home, struct policy *ret, struct config_error *err);

/* Applies the overrides of the project whose work tree is root: the
 * user file's `project "ROOT"` section (LAYER_USER), then, when trusted,
 * the in-repo file's text (LAYER_PROJECT; text may be NULL: none).
 * Whether the in-repo file is trusted is the caller's question; an
 * untrusted one is not even parsed.  On error p is unchanged and err
 * says why. */
int config_load_project(struct policy *p, const char *root, const char *text, size_t len,
			const char *filename, bool trusted, const char *home,
			struct config_error *err);

/* NET-5: whether sandboxes see the Nix daemon's socket: nix_daemon = on;
 * auto, unless network = off, store = closure (the daemon hands any store
 * path's contents to any client) or daemon_risky (the daemon trusts the
 * user or does not sandbox builds: env/nixconf.h). */
bool policy_daemon_shown(const struct policy *p, bool daemon_risky);
/* Whether the evaluation (nix itself, which sees all of the store) uses
 * the daemon: nix_daemon = on; auto, unless network = off. */
bool policy_daemon_evaluates(const struct policy *p);

/* The network key's word for n: "on", "host", "off" or "allow". */
const char *policy_network_word(enum policy_network n);

/* Whether the outer variable NAME reaches the sandbox: the built-in
 * allowlist (TERM COLORTERM LANG LANGUAGE LC_* TZ NO_COLOR COLUMNS
 * LINES) and p's passthrough (none when p is NULL), never a name nsbsh
 * sets itself (HOME, PATH, SHELL, BASH_ENV, NSBSH_*, ...). */
bool policy_passes_env(const struct policy *p, const char *name);
/* Whether name matches the built-in allowlist (TERM, LC_*, ...): the
 * outer variables that always reach the sandbox. */
bool policy_env_builtin(const char *name);

/* The files policy copies into a new session's work tree (session_copy):
 * relative to the work tree's root, normalized, without '..'. */
const struct policy_list *policy_session_copy(const struct policy *p);

/* Whether a project at root (absolute) may be entered: always outside
 * strict mode, else only at or beneath one of allowed_roots. */
bool policy_allows_project(const struct policy *p, const char *root);
/* Whether path (absolute, normalized) is at or beneath one of
 * allowed_roots, strict mode or not (none: false). */
bool policy_under_allowed_roots(const struct policy *p, const char *path);

/* Why a bind of path (absolute, normalized) would be refused: it is "/",
 * home, or a parent of home.  NULL when it is fine.  The lexical checks of
 * the parser see no symlinks: whoever mounts should check the resolved
 * source again with this. */
const char *config_bind_refusal(const char *path, const char *home);

/* The paths `protect` names, relative to the work tree's root: the
 * policy's list once a file set the key, else the built-in default
 * (.vscode, .idea, .claude, .mcp.json: files that editors and agents
 * outside run commands from). */
size_t policy_protect_count(const struct policy *p);
const char *policy_protect_path(const struct policy *p, size_t i);

/* The host path a tool (an installable of the tools key) names: "/a/b#x",
 * "path:/a/b?dir=c#x", "git+file:///a/b", "tarball+file:///a/b.tgz" and
 * the like name /a/b (or the file); "nixpkgs#ripgrep" or "github:o/r"
 * name none (*ret NULL).  0 and *ret (malloc'ed, or NULL); -EINVAL when
 * the path is relative, has a host, is percent-encoded or has '..';
 * -ENOMEM.  Pure: what it names is not looked at. */
int config_tool_path(const char *tool, char **ret);

/* The user's file: $XDG_CONFIG_HOME/nsbsh/nsbsh.conf, else
 * $HOME/.config/nsbsh/nsbsh.conf.  0, -ENOENT (neither is absolute) or
 * -ENOMEM. */
int config_user_path(char **ret);
