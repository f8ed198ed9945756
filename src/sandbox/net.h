/* net.h - the live sandbox's network with network = on: pasta (Debian's
 * passt package) outside, attached to the sandbox's own namespace.
 * Invariants: see the top of net.c. */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

struct policy_list;

/* Where the sandbox sends DNS queries that pasta takes to the host's
 * resolver (NET-6): link-local, as Podman's pasta has it. */
#define NET_DNS_FORWARD "169.254.1.1"

/* The sandbox's /etc/resolv.conf with network = on, from the host's text
 * (len bytes): 1 and *ret (malloc'ed) when a nameserver in it is on the
 * host's loopback, those lines one "nameserver " NET_DNS_FORWARD, the
 * rest kept; 0 when none is (the host's file is shown as it is);
 * -ENOMEM.  Pure. */
int net_resolv_conf(const char *text, size_t len, char **ret);

/* What the supervisor holds of a sandbox's pasta. */
struct net_pasta {
	pid_t pid;   /* -1: none */
	int ready;   /* the pid file's pipe: pasta writes its pid once the
		      * namespace's interface, address and routes are set; -1
		      * once read */
};

/* The real path of pasta on path_env (the host's PATH at the start:
 * absolute entries only, never the sandbox's), 0 and *ret (NULL: none
 * found, or /dev/net/tun not usable, which pasta needs); -ENOMEM. */
int net_pasta_find(const char *path_env, char **ret);

/* Starts path for the network namespace ns[0] in the user namespace ns[1]
 * (fds of pid 1's /proc/PID/ns/net and user: a sandbox whose user
 * namespace this process owns), forwarding the host's loopback
 * ports forward ("HOST:SANDBOX" entries) inside and publishing publish's
 * on the host's 127.0.0.1.  0 and *ret, or a negative errno. */
int net_pasta_start(const char *path, const int ns[2], const struct policy_list *forward,
		    const struct policy_list *publish, struct net_pasta *ret);

/* Waits (at most timeout_ms) until pasta has set the namespace's network
 * up: 0; -EIO when pasta ended first, -ETIMEDOUT. */
int net_pasta_wait(struct net_pasta *p, int timeout_ms);

/* Kills pasta (if it runs) and reaps it. */
void net_pasta_end(struct net_pasta *p);
