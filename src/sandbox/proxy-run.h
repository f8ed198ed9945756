/* proxy-run.h - the proxy of `network = allow`, run by a live sandbox's
 * supervisor outside (live.c) on a listening socket that pid 1 made in the
 * sandbox's network namespace (inside.c).  Invariants: proxy-run.c. */
#pragma once

#include <stddef.h>
#include <sys/types.h>

/* Most connections served at once; one more is closed at once. */
#define PROXY_MAX_CONNECTIONS 256

/* Forks the proxy: it accepts on listen_fd (which the caller may close
 * then) and lets through what the allow_hosts entries hosts[] (n of them)
 * allow, writing each refusal to the denial log directory log (NULL:
 * none).  It dies with the caller (PR_SET_PDEATHSIG).  0 and *ret_pid, or
 * a negative errno (-EINVAL: an entry is not one). */
int proxy_start(int listen_fd, const char *const *hosts, size_t n, const char *log, pid_t *ret_pid);
