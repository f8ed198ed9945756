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
};
void live_info_release(struct live_info *i);
/* All of dir's (a missing dir: none): malloc'ed array of *ret_n. */
int live_list(const char *dir, struct live_info **ret, size_t *ret_n);
void live_list_release(struct live_info *v, size_t n);

/* A connection to the live sandbox id, its first message `event` sent
 * (WIRE_JOIN, WIRE_STAT or WIRE_STOP... see wire.h): 0 and *ret_fd;
 * -ENOENT when none serves (a socket left by a dead one is removed). */
int live_connect(const char *dir, const char *id, enum wire_event event, int *ret_fd);

/* A lock of id's, held while a first start builds it (flock; a second
 * first start waits here, then joins): an fd to close, or -errno. */
int live_lock(const char *dir, const char *id);

/* The first start: spec's sandbox built (spec->live), its supervisor left
 * running outside, detached from this process and its terminal, serving
 * id's socket in dir; info what it writes for nsb ps.  0 once it serves,
 * or a negative errno with a one-line reason in *ret_err. */
int live_create(const char *dir, const char *id, const struct sandbox_spec *spec,
		const struct live_info *info, char **ret_err);

/* What a live sandbox says of itself (WIRE_STAT): processes but pid 1,
 * shells, seconds since the last process ended (-1: busy). */
struct live_stat {
	long processes, shells, idle;
};
int live_stat(const char *dir, const char *id, struct live_stat *ret);
/* Ends id's sandbox and everything in it; 0 once it is gone, -ENOENT when
 * none serves. */
int live_stop(const char *dir, const char *id);
