/* agent.h - the ssh agent of a live sandbox (policy ssh_keys): a process
 * of its supervisor's, outside, that serves a socket the sandbox sees at
 * AGENT_INSIDE_SOCK (its SSH_AUTH_SOCK) and offers only the listed keys,
 * from the user's own agent or from a private ssh-agent that holds the
 * listed key files.  Invariants: see the top of agent.c. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* The directory bound read-only inside, and the socket in it. */
#define AGENT_INSIDE_DIR "/run/nsbsh/agent"
#define AGENT_SOCK_NAME "socket"
#define AGENT_INSIDE_SOCK AGENT_INSIDE_DIR "/" AGENT_SOCK_NAME
/* Connections served at once; more are closed at once. */
#define AGENT_MAX_CONNECTIONS 64

struct policy;

/* What the supervisor needs to serve it; the start fills it
 * (agent_spec_init) and the supervisor, a fork of the start, reads it. */
struct agent_spec {
	char *dir;        /* the host directory shown at AGENT_INSIDE_DIR */
	char *keys_sock;  /* the private agent's socket (never shown), or NULL: no key file */
	char *upstream;   /* the user's agent (the start's SSH_AUTH_SOCK), or NULL */
	char **fps;       /* the fingerprints listed */
	size_t n_fps;
	char **files;     /* the key files listed */
	size_t n_files;
	char *ssh_agent;  /* the ssh-agent program found on PATH (key files only) */
	const char *log;  /* the denial log directory (denylog.h), or NULL */
};

/* The spec of live sandbox id (its directories in live_dir, live.h,
 * made 0700, emptied of a dead one's sockets): 0, -ENOENT when pol lists
 * no key (ret zeroed), -ENOEXEC when key files are listed and no ssh-agent
 * is on PATH, -ENAMETOOLONG when a socket's path would not fit, or
 * another negative errno. */
int agent_spec_init(struct agent_spec *ret, const struct policy *pol, const char *live_dir, const char *id,
		    const char *log);
void agent_spec_release(struct agent_spec *s);

/* The supervisor's: the private agent (when key files are listed) and the
 * server, children of this process that die with it (PR_SET_PDEATHSIG).
 * 0 once the server's socket listens, or a negative errno (nothing left
 * running). */
struct agent_run {
	pid_t server;
	pid_t private_agent;
};
int agent_start(const struct agent_spec *s, struct agent_run *ret);
/* Ends both, reaps them, removes the sockets. */
void agent_stop(const struct agent_spec *s, struct agent_run *r);

/* The start's, after its supervisor was made: waits (at most a few
 * seconds) for the private agent's socket, then runs ssh-add for each key
 * file with this process's terminal (a passphrase is asked there).  0,
 * or a negative errno with a one-line reason in *ret_err (malloc'ed). */
int agent_add_files(const struct agent_spec *s, char **ret_err);
