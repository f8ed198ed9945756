/* denylog.h - the denial log of a project: what the seccomp filter refused,
 * one line per refusal, appended by the supervisor (outside the sandbox) in
 * $XDG_CACHE_HOME/nsbsh/log/NAME-HASH/ (cache_denial_dir), read by `nsb log`.
 * The sandbox sees that directory read-only at DENYLOG_INSIDE, so that its
 * shell can notice the flag file of its own session without a fork. */
#pragma once

#include <stdio.h>
#include <sys/types.h>
#include <time.h>

#include "sandbox/seccomp.h"

#define DENYLOG_INSIDE "/run/nsbsh/log"
/* Above this size the log is renamed to denials.1 (the one before is
 * dropped): the log stays under twice this size, whatever the sandbox does. */
#define DENYLOG_MAX (64 * 1024)

/* Append one refusal (time, pid inside, host pid, syscall, group, command
 * name with control bytes made '?'), creating dir if need be; 0 or a
 * negative errno. */
int denylog_append(const char *dir, const struct seccomp_denial *d, time_t when);
/* Append one refusal of `network = allow`'s proxy (proxy-run.c): the
 * protocol ("http", "connect", "socks5"), the host and port asked for,
 * and why; 0 or a negative errno. */
int denylog_append_net(const char *dir, time_t when, const char *proto, const char *host, unsigned port,
		       const char *why);

/* A use of something the sandbox may use but not read (the ssh agent's
 * signatures, sandbox/agent.c): a line like a refusal's, `what` in the
 * syscall's field ("ssh-sign"), `detail` in the group's (a key's
 * fingerprint), both without spaces; command (control bytes made '?')
 * last.  Raises no flag. */
int denylog_append_use(const char *dir, pid_t pid_inside, pid_t pid, const char *what, const char *detail,
		       const char *command, time_t when);

/* The flag file of one shell of a live sandbox (its id, live.h, and the
 * shell's pid inside, which is its session's id): DIR/refused-ID-PID, made
 * at the first refusal of a process of that session, removed when the
 * shell ends (by its start) or the sandbox does (all of them). */
int denylog_flag_path(const char *dir, const char *sandbox, pid_t shell, char **ret);
int denylog_flag(const char *dir, const char *sandbox, pid_t shell);
void denylog_unflag(const char *dir, const char *sandbox, pid_t shell);
/* Every flag file of the sandbox. */
void denylog_unflag_all(const char *dir, const char *sandbox);

/* Print the last n refusals of dir to f, oldest first, as
 * "TIME  PID  COMMAND  SYSCALL  GROUP"; the number printed, or a negative
 * errno (-ENOENT: no log yet). */
int denylog_print(FILE *f, const char *dir, size_t n);
