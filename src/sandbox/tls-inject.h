/* tls-inject.h - injected tokens (policy inject, with network = allow):
 * the proxy outside (proxy-run.c) opens TLS for a CONNECT to a listed
 * host, as that host with a certificate of a CA made for the sandbox, and
 * sets the listed header on each request it passes to the real server.
 * Invariants: see the top of tls-inject.c. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The trust store shown inside (read-only): the host's certificates and
 * the sandbox's CA's; what every variable below names. */
#define INJECT_INSIDE_BUNDLE "/run/nsbsh/inject/ca-certificates.crt"
#define INJECT_HOST_BUNDLE "/etc/ssl/certs/ca-certificates.crt"
#define INJECT_BUNDLE_NAME "ca-certificates.crt"

struct policy;
struct inject_rule;

/* What the supervisor needs; the start fills it (inject_spec_init), the
 * supervisor, a fork of the start, reads it. */
struct inject_spec {
	char *dir;                  /* 0700, in the live directory: only the bundle */
	char *bundle;               /* dir/INJECT_BUNDLE_NAME, shown at INJECT_INSIDE_BUNDLE */
	char *verify;               /* what the real servers are verified against */
	char *home;                 /* for file:~/ */
	struct inject_rule *rules;  /* INJECT_MAX_ENTRIES at most */
	size_t n;
	const char *log;            /* the denial log directory (denylog.h), or NULL */
};

/* The spec of live sandbox id: 0; -ENOENT when pol lists no entry or its
 * network is not allow (ret zeroed); -EINVAL (an entry that is not one);
 * or another negative errno. */
int inject_spec_init(struct inject_spec *ret, const struct policy *pol, const char *live_dir, const char *id,
		     const char *home, const char *log);
void inject_spec_release(struct inject_spec *s);
/* Whether an entry of pol's allow_hosts lets rule's host through, at the
 * entry's port or 443 (a start says when none does: the entry would do
 * nothing). */
bool inject_host_allowed(const struct inject_rule *rule, const struct policy *pol);
/* The supervisor's, when the sandbox ends: the bundle and its directory
 * removed. */
void inject_spec_clean(const struct inject_spec *s);

/* The variables inside that name INJECT_INSIDE_BUNDLE. */
extern const char *const inject_bundle_vars[];
extern const size_t inject_n_bundle_vars;

/* The supervisor's, before it builds the sandbox: OpenSSL loaded, each
 * entry's secret read (env: from this process's environment, file: with
 * no link followed, INJECT_MAX_SECRET bytes at most), the CA made and the
 * bundle written.  0 and *ret, or a negative errno with a one-line reason
 * in *ret_err (malloc'ed). */
struct inject_run;
int inject_start(const struct inject_spec *s, struct inject_run **ret, char **ret_err);

/* The rule for a CONNECT to host, or NULL: not intercepted (INJECT-1). */
const struct inject_rule *inject_match(const struct inject_run *r, const char *host);

/* The proxy's, in a connection's thread: client (answered 200 already)
 * and upstream (connected to the address the proxy checked) served until
 * either ends; early: what the client sent after its CONNECT head. */
void inject_serve(struct inject_run *r, const struct inject_rule *rule, uint16_t port, int client, int upstream,
		  const uint8_t *early, size_t early_len);
