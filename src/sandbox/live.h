/* live.h - live sandboxes: one per work tree, environment and policy,
 * shared by every shell started there, living like a machine (while
 * anything runs in it, then linger seconds).  The first start builds it and
 * leaves a supervisor outside; every start joins it through a socket that no
 * sandbox can see.  Invariants: see the top of live.c. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "sandbox/sandbox.h"
#include "sandbox/wire.h"

#define LIVE_ID_LEN 32

/* What makes two starts share a sandbox: the same of all of these. */
struct live_identity {
	const char *worktree;     /* "/" for a sandbox with no project */
	const char *env_key;      /* the entry the shells run ("" without one) */
	bool stale;
	const char *policy;       /* policy_source_hash (config.h) */
	const char *nested;       /* the nested repositories it protects (git/nested.h) */
	size_t nested_len;
	/* layout_fingerprint of its view as a start would build it now (what
	 * exists of the protected paths, git dirs and startup files): a
	 * sandbox built before one appeared is not joined; NULL: none */
	const char *view;
};
/* LIVE_ID_LEN hex digits of a SHA-256 of it, of nsbsh's own binary (its
 * path, size and time), of the user and of the user namespace this process
 * runs in. */
void live_id(const struct live_identity *i, char ret[LIVE_ID_LEN + 1]);

/* The directory of the join sockets: $XDG_RUNTIME_DIR/nsbsh where that is
 * set (absolute), else nsbsh's cache's live/; made 0700, and refused
 * (-EPERM) unless it is a directory (not a link) of the user's with mode
 * 0700.  The _path variant only says where. */
int live_dir(char **ret);
int live_dir_path(char **ret);

/* What `nsb ps` shows of one (the supervisor writes it, LIVE-DIR/ID.info). */
struct live_info {
	char id[LIVE_ID_LEN + 1];
	char *worktree;
	char *session;            /* NULL: in place */
	char *env_key;
	pid_t supervisor;
	long long created;        /* seconds since the epoch */
	/* live_id of its identity without the view (what nsb ps and nsb
	 * status can tell without building one); "" in an older info */
	char base[LIVE_ID_LEN + 1];
};
void live_info_release(struct live_info *i);
/* All of dir's (a missing dir: none): malloc'ed array of *ret_n. */
int live_list(const char *dir, struct live_info **ret, size_t *ret_n);
void live_list_release(struct live_info *v, size_t n);

/* A connection to the live sandbox id, its first message `event` sent
 * (WIRE_JOIN, WIRE_STAT or WIRE_STOP... see wire.h): 0 and *ret_fd;
 * -ENOENT when none serves (a socket left by a dead one is removed),
 * -EPERM when its supervisor refused this process (LIVE-2). */
int live_connect(const char *dir, const char *id, enum wire_event event, int *ret_fd);

/* A lock of id's, held while a first start builds it (flock; a second
 * first start waits here, then joins): an fd to close, or -errno. */
int live_lock(const char *dir, const char *id);

/* The first start: its supervisor started, outside, detached from this
 * process and its terminal; it builds spec's sandbox (spec->live), serves
 * id's socket in dir, writes info for nsb ps, and retires the others of
 * its work tree (WIRE_RETIRE: an old one ends as soon as nothing runs in
 * it, rather than lingering for starts that would never join it).
 * lock: live_lock's, which the supervisor holds until it serves (the
 * caller closes its own copy at once).  0 and *ret_conn, the start's end
 * of a connection whose other end the supervisor hands to pid 1 as the
 * sandbox's first join once it is built (so the start sends its request
 * at once, while the sandbox is being built: join.h), and *ret_ready for
 * live_create_wait; or a negative errno. */
int live_create(const char *dir, const char *id, const struct sandbox_spec *spec,
		const struct live_info *info, int lock, int *ret_conn, int *ret_ready);
/* Waits until the supervisor of live_create serves (closes ready): 0, or
 * a negative errno with a one-line reason in *ret_err. */
int live_create_wait(int ready, char **ret_err);

/* What a live sandbox says of itself (WIRE_STAT): processes but pid 1,
 * shells, seconds since the last process ended (-1: busy). */
struct live_stat {
	long processes, shells, idle;
};
int live_stat(const char *dir, const char *id, struct live_stat *ret);
/* Ends id's sandbox and everything in it; 0 once it is gone, -ENOENT when
 * none serves. */
int live_stop(const char *dir, const char *id);
