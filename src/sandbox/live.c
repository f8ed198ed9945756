/* live.c - live sandboxes: where they are found, how a start joins one, and
 * the supervisor that each leaves running outside (see live.h).
 *
 * Invariants (each has a check in tests/integration/t-live.sh that names it):
 * LIVE-1 one-per-identity: a start joins the live sandbox of its identity
 *        (work tree, environment, policy, the nested repositories it
 *        protects, nsbsh's own binary, the user and the user namespace the
 *        start runs in) when one serves, else builds it; two
 *        first starts at once build one (live_lock), and a socket left by a
 *        dead sandbox is found out (its connect is refused) and replaced,
 *        never joined; a start that comes as a sandbox ends (its supervisor
 *        takes the connection and drops it) waits until it is gone, up to
 *        255 ms, and builds the next (main.c shell_join).
 * LIVE-2 join-checked: the join socket lies where no sandbox sees it (a
 *        directory of the user's, 0700, outside every view: the runtime
 *        directory; the shell's view hides it under a tmpfs where a bind
 *        would show it), and the supervisor takes a connection only from a
 *        process of the same uid in the supervisor's own user namespace: a
 *        process inside any sandbox is in another one, and is refused.
 * LIVE-3 lifetime: the sandbox lives while any process runs in it, and
 *        linger seconds more (spawner.c); its supervisor outside lives
 *        exactly as long: pid 1 dies with it (MUST-6), and it ends when pid
 *        1 has, taking its socket and record with it.
 * LIVE-4 current-only: a sandbox whose identity is no longer the current
 *        one of its work tree takes no new shells: nothing asks for its id
 *        any more; it ends when its processes have (the start that built
 *        the current one retires it: no linger, WIRE_RETIRE).
 * LIVE-5 detached: the supervisor holds nothing of the start that made it:
 *        not its terminal (a new session, /dev/null as 0-2), not its other
 *        fds, not its signals (the start's Ctrl-C is not the sandbox's).
 */
#include "sandbox/live.h"

#include <fcntl.h>
#include <dirent.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdnoreturn.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>

#include "base/dirs.h"
#include "base/file.h"
#include "base/inputs.h"
#include "base/path.h"
#include "base/sha256.h"
#include "base/strbuf.h"
#include "base/trim.h"
#include "base/util.h"
#include "git/gitlib.h"
#include "sandbox/agent.h"
#include "sandbox/denylog.h"
#include "sandbox/proxy-run.h"
#include "sandbox/tls-inject.h"

/* A connection's first message comes at once, or it is dropped. */
#define FIRST_MESSAGE_TIMEOUT_MS 5000
#define MAX_PENDING_STATS 16

static void hash_field(struct sha256 *h, const char *s, size_t n)
{
	uint64_t len = n;
	sha256_update(h, &len, sizeof(len));
	sha256_update(h, s, n);
}

void live_id(const struct live_identity *i, char ret[LIVE_ID_LEN + 1])
{
	struct sha256 h;
	uint8_t digest[32];
	/* This process's binary, user and user namespace: read once (a start
	 * asks for two ids, and a process's own do not change). */
	static char self[PATH_MAX + 64], uid[96];
	if (!self[0]) {
		struct stat st;
		ssize_t n = readlink("/proc/self/exe", self, PATH_MAX);
		if (n > 0 && stat("/proc/self/exe", &st) == 0)
			snprintf(self + n, sizeof(self) - (size_t)n, ":%lld:%lld.%09ld", (long long)st.st_size,
				 (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
		else
			snprintf(self, sizeof(self), "?");
		/* the user, and the user namespace the start runs in: only a
		 * start in the supervisor's own may join (LIVE-2) */
		int n_uid = snprintf(uid, sizeof(uid), "%u:", getuid());
		ssize_t n_ns = readlink("/proc/self/ns/user", uid + n_uid, sizeof(uid) - (size_t)n_uid - 1);
		uid[n_uid + (n_ns > 0 ? n_ns : 0)] = '\0';
	}
	sha256_init(&h);
	hash_field(&h, "nsbsh-live-1", 12);
	hash_field(&h, self, strlen(self));
	hash_field(&h, uid, strlen(uid));
	hash_field(&h, i->worktree, strlen(i->worktree));
	hash_field(&h, i->env_key, strlen(i->env_key));
	hash_field(&h, i->stale ? "stale" : "fresh", 5);
	hash_field(&h, i->policy, strlen(i->policy));
	hash_field(&h, i->nested ? i->nested : "", i->nested ? i->nested_len : 0);
	hash_field(&h, i->view ? i->view : "", i->view ? strlen(i->view) : 0);
	sha256_final(&h, digest);
	char hex[65];
	sha256_hex(digest, hex);
	memcpy(ret, hex, LIVE_ID_LEN);
	ret[LIVE_ID_LEN] = '\0';
}

int live_dir_path(char **ret)
{
	const char *run = getenv("XDG_RUNTIME_DIR");
	if (run && run[0] == '/')
		return asprintf(ret, "%s/nsbsh", run) < 0 ? -ENOMEM : 0;
	/* not /tmp, where anyone could make the name first: the user's cache */
	_cleanup_free_ char *cache = NULL;
	int r = dirs_cache_path(&cache);
	if (r < 0)
		return r;
	return asprintf(ret, "%s/live", cache) < 0 ? -ENOMEM : 0;
}

int live_dir(char **ret)
{
	_cleanup_free_ char *dir = NULL;
	int r = live_dir_path(&dir);
	if (r < 0)
		return r;
	/* no input of a start's decision: its mtime moves with every sandbox
	 * of the user's that starts or ends (a fast join checks it again) */
	bool was = inputs_pause(true);
	if (mkdir(dir, 0700) < 0 && errno == ENOENT && mkdir_parents(dir, 0700) == 0)
		(void)mkdir(dir, 0700);
	struct stat st;
	r = lstat(dir, &st) < 0 ? -errno : 0;
	inputs_pause(was);
	if (r < 0)
		return r;
	/* LIVE-2: the user's own, reachable by nobody else */
	if (!S_ISDIR(st.st_mode) || st.st_uid != getuid() || (st.st_mode & 0777) != 0700)
		return -EPERM;
	*ret = steal_pointer(&dir);
	return 0;
}

void live_info_release(struct live_info *i)
{
	free(i->worktree);
	free(i->session);
	free(i->env_key);
	*i = (struct live_info){ 0 };
}

void live_list_release(struct live_info *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		live_info_release(&v[i]);
	free(v);
}

static char *info_text(const struct live_info *i)
{
	struct strbuf b = { 0 };
	strbuf_addf(&b, "nsbsh-live-1\nsupervisor %d\ncreated %lld\nworktree ", (int)i->supervisor, i->created);
	strbuf_add_escaped(&b, i->worktree ? i->worktree : "");
	strbuf_adds(&b, "\nsession ");
	strbuf_add_escaped(&b, i->session ? i->session : "");
	strbuf_adds(&b, "\nenv ");
	strbuf_add_escaped(&b, i->env_key ? i->env_key : "");
	strbuf_addf(&b, "\nbase %s\n", i->base);
	return strbuf_steal(&b);
}

static int info_parse(char *text, struct live_info *ret)
{
	*ret = (struct live_info){ 0 };
	if (strncmp(text, "nsbsh-live-1\n", 13) != 0)
		return -EINVAL;
	for (char *line = text + 13; *line;) {
		char *nl = strchr(line, '\n');
		if (!nl)
			break;
		*nl = '\0';
		char *sp = strchr(line, ' ');
		if (sp) {
			*sp = '\0';
			const char *v = sp + 1;
			if (streq(line, "supervisor"))
				ret->supervisor = (pid_t)strtol(v, NULL, 10);
			else if (streq(line, "created"))
				ret->created = strtoll(v, NULL, 10);
			else if (streq(line, "worktree"))
				ret->worktree = line_unescape(v, strlen(v));
			else if (streq(line, "session") && *v)
				ret->session = line_unescape(v, strlen(v));
			else if (streq(line, "env"))
				ret->env_key = line_unescape(v, strlen(v));
			else if (streq(line, "base") && strlen(v) == LIVE_ID_LEN)
				memcpy(ret->base, v, LIVE_ID_LEN + 1);
		}
		line = nl + 1;
	}
	if (!ret->worktree || !ret->env_key || ret->supervisor <= 0) {
		live_info_release(ret);
		return -EINVAL;
	}
	return 0;
}

int live_list(const char *dir, struct live_info **ret, size_t *ret_n)
{
	*ret = NULL;
	*ret_n = 0;
	DIR *d = opendir(dir);
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	struct dirent *e;
	int r = 0;
	while ((e = readdir(d))) {
		size_t n = strlen(e->d_name);
		if (n != LIVE_ID_LEN + 5 || strcmp(e->d_name + LIVE_ID_LEN, ".info") != 0)
			continue;
		_cleanup_free_ char *path = path_join(dir, e->d_name), *text = NULL;
		size_t len;
		struct live_info i;
		if (!path || file_read(AT_FDCWD, path, 16384, FILE_NOFOLLOW, &text, &len) < 0 ||
		    info_parse(text, &i) < 0)
			continue;
		memcpy(i.id, e->d_name, LIVE_ID_LEN);
		i.id[LIVE_ID_LEN] = '\0';
		struct live_info *v = realloc(*ret, (*ret_n + 1) * sizeof(*v));
		if (!v) {
			live_info_release(&i);
			r = -ENOMEM;
			break;
		}
		*ret = v;
		v[(*ret_n)++] = i;
	}
	closedir(d);
	return r;
}

/* dir/ID.SUFFIX as a socket address reached through an fd of dir (the path
 * of the runtime directory may be longer than sun_path allows). */
static int sock_addr(int dirfd, const char *id, const char *suffix, struct sockaddr_un *ret)
{
	*ret = (struct sockaddr_un){ .sun_family = AF_UNIX };
	int n = snprintf(ret->sun_path, sizeof(ret->sun_path), "/proc/self/fd/%d/%s%s", dirfd, id, suffix);
	return n < 0 || (size_t)n >= sizeof(ret->sun_path) ? -ENAMETOOLONG : 0;
}

int live_lock(const char *dir, const char *id)
{
	_cleanup_free_ char *path = NULL;
	if (asprintf(&path, "%s/%s.lock", dir, id) < 0)
		return -ENOMEM;
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY, 0600);
	if (fd < 0)
		return -errno;
	while (flock(fd, LOCK_EX) < 0)
		if (errno != EINTR) {
			int r = -errno;
			close(fd);
			return r;
		}
	return fd;
}

int live_connect(const char *dir, const char *id, enum wire_event event, int *ret_fd)
{
	_cleanup_close_ int dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	struct sockaddr_un sa;
	if (dfd < 0)
		return errno == ENOENT ? -ENOENT : -errno;
	int r = sock_addr(dfd, id, ".sock", &sa);
	if (r < 0)
		return r;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		r = -errno;
		close(fd);
		/* LIVE-1: a socket nobody serves is a dead sandbox's */
		if (r == -ECONNREFUSED) {
			char name[LIVE_ID_LEN + 8];
			snprintf(name, sizeof(name), "%s.sock", id);
			unlinkat(dfd, name, 0);
		}
		return r == -ECONNREFUSED || r == -ENOENT ? -ENOENT : r;
	}
	struct wire_msg m = { .event = event };
	r = wire_send(fd, &m, NULL, 0);
	if (r == -EPIPE || r == -ECONNRESET) {
		/* closed at once: refused (LIVE-2, said first), or ended */
		size_t n = 0;
		r = wire_recv(fd, &m, NULL, 0, &n) == 0 && m.event == WIRE_FAILED && m.value > 0 ? -(int)m.value
												   : -ENOENT;
	}
	if (r < 0) {
		close(fd);
		return r;
	}
	*ret_fd = fd;
	return 0;
}

/* A request's answer: the supervisor's first message, which comes at once;
 * WIRE_FAILED carries the errno of a refusal, and a closed connection is
 * want_closed's (the sandbox gone, or a refused peer). */
static int live_answer(int fd, enum wire_event event, int want_closed, struct wire_msg *ret)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	size_t n = 0;
	int r = poll(&p, 1, FIRST_MESSAGE_TIMEOUT_MS) == 1 ? wire_recv(fd, ret, NULL, 0, &n) : -ETIMEDOUT;
	if (r == -EPIPE)
		return want_closed;
	if (r < 0)
		return r;
	if (ret->event == WIRE_FAILED && ret->value > 0)
		return -(int)ret->value;
	return ret->event == event ? 0 : -EBADMSG;
}

int live_stat(const char *dir, const char *id, struct live_stat *ret)
{
	_cleanup_close_ int fd = -1;
	struct wire_msg m;
	int r = live_connect(dir, id, WIRE_STAT, &fd);
	if (r == 0)
		r = live_answer(fd, WIRE_STAT, -ENOENT, &m);
	if (r < 0)
		return r;
	*ret = (struct live_stat){ .processes = (long)m.value, .shells = (long)m.value2, .idle = (long)m.value3 };
	return 0;
}

int live_stop(const char *dir, const char *id)
{
	_cleanup_close_ int fd = -1;
	struct wire_msg m;
	/* the supervisor says it took the request (a connection it refused
	 * ends without a word), then closes it once pid 1 is gone */
	int r = live_connect(dir, id, WIRE_STOP, &fd);
	if (r == 0)
		r = live_answer(fd, WIRE_STOP, -EPERM, &m);
	struct pollfd p = { .fd = fd, .events = POLLIN };
	char c;
	if (r == 0)
		r = poll(&p, 1, 10000) == 1 && read(fd, &c, 1) <= 0 ? 0 : -ETIMEDOUT;
	return r;
}

static void retire_others(const char *dir, const char *worktree, const char *id)
{
	struct live_info *v = NULL;
	size_t n = 0;
	if (live_list(dir, &v, &n) < 0)
		return;
	for (size_t i = 0; i < n; i++) {
		int fd;
		if (!streq(v[i].id, id) && streq(v[i].worktree, worktree) &&
		    live_connect(dir, v[i].id, WIRE_RETIRE, &fd) == 0)
			close(fd);
	}
	live_list_release(v, n);
}

/* --- the supervisor ------------------------------------------------------- */

struct supervisor {
	int dirfd;
	char id[LIVE_ID_LEN + 1];
	const char *denial_log;
	struct sandbox_live box;
	int listen;
	int sigfd;
	int stats[MAX_PENDING_STATS];  /* connections waiting for pid 1's WIRE_STAT */
	size_t n_stats;
	int stoppers[MAX_PENDING_STATS]; /* connections waiting for the end */
	size_t n_stoppers;
	const struct agent_spec *agent;  /* the sandbox's ssh agent (agent.h), or NULL */
	struct agent_run agent_run;
	pid_t proxy;  /* network = allow: the proxy (proxy-run.h), or 0 */
	const struct inject_spec *inject;  /* its injected tokens' directory (tls-inject.h), or NULL */
};

/* LIVE-2: the same uid, in this process's own user namespace. */
static bool peer_ok(int fd)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0 || cred.uid != getuid())
		return false;
	char path[64], theirs[64] = "", ours[64] = "";
	snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)cred.pid);
	ssize_t a = readlink(path, theirs, sizeof(theirs) - 1);
	ssize_t b = readlink("/proc/self/ns/user", ours, sizeof(ours) - 1);
	return a > 0 && b > 0 && a == b && memcmp(theirs, ours, (size_t)a) == 0;
}

static void accept_one(struct supervisor *sv)
{
	int fd = accept4(sv->listen, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0)
		return;
	struct wire_msg m;
	size_t n = 0;
	struct pollfd p = { .fd = fd, .events = POLLIN };
	if (!peer_ok(fd)) {
		/* said, so that the refused one need not guess (live_connect) */
		struct wire_msg no = { .event = WIRE_FAILED, .value = EPERM };
		(void)wire_send(fd, &no, NULL, 0);
		close(fd);
		return;
	}
	if (poll(&p, 1, FIRST_MESSAGE_TIMEOUT_MS) != 1 || wire_recv(fd, &m, NULL, 0, &n) < 0) {
		close(fd);
		return;
	}
	if (m.event == WIRE_JOIN) {
		/* the connection is pid 1's from now on (spawner.c) */
		struct wire_msg j = { .event = WIRE_JOIN };
		(void)wire_send(sv->box.ctl, &j, &fd, 1);
		close(fd);
	} else if (m.event == WIRE_STAT && sv->n_stats < MAX_PENDING_STATS) {
		struct wire_msg s = { .event = WIRE_STAT };
		if (wire_send(sv->box.ctl, &s, NULL, 0) == 0)
			sv->stats[sv->n_stats++] = fd;
		else
			close(fd);
	} else if (m.event == WIRE_RETIRE) {
		struct wire_msg rt = { .event = WIRE_RETIRE };
		(void)wire_send(sv->box.ctl, &rt, NULL, 0);
		close(fd);
	} else if (m.event == WIRE_STOP && sv->n_stoppers < MAX_PENDING_STATS) {
		struct wire_msg ack = { .event = WIRE_STOP }; /* taken: the end follows */
		(void)wire_send(fd, &ack, NULL, 0);
		sv->stoppers[sv->n_stoppers++] = fd;
		kill(sv->box.pid, SIGKILL);
	} else {
		close(fd);
	}
}

static void from_pid1(struct supervisor *sv)
{
	struct wire_msg m;
	int fds[1];
	size_t n = 0;
	if (wire_recv(sv->box.ctl, &m, fds, 1, &n) < 0)
		return;
	for (size_t i = 0; i < n; i++)
		close(fds[i]);
	if (m.event == WIRE_STAT && sv->n_stats > 0) {
		/* in the order asked */
		int fd = sv->stats[0];
		memmove(sv->stats, sv->stats + 1, --sv->n_stats * sizeof(int));
		(void)wire_send(fd, &m, NULL, 0);
		close(fd);
	}
}

static noreturn void supervise(struct supervisor *sv)
{
	bool trimmed = false;
	for (;;) {
		struct pollfd p[5] = {
			{ .fd = sv->box.pidfd, .events = POLLIN },
			{ .fd = sv->listen, .events = POLLIN },
			{ .fd = sv->box.ctl, .events = POLLIN },
			/* with the guard, its helper receives the notifications
			 * and passes on what the supervisor answers (guard.h) */
			{ .fd = sv->box.guard_fwd >= 0 ? sv->box.guard_fwd : sv->box.listener, .events = POLLIN },
			{ .fd = sv->sigfd, .events = POLLIN },
		};
		int ready = poll(p, 5, trimmed ? -1 : MEMORY_TRIM_QUIET_MS);
		if (ready < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		/* a while with nothing to do: what it mapped goes (trim.h) */
		if (ready == 0 && !trimmed)
			memory_trim();
		trimmed = ready == 0;
		if (p[0].revents)
			break; /* LIVE-3: pid 1 is gone, and with it the sandbox */
		if (p[4].revents) {
			struct signalfd_siginfo si;
			if (read(sv->sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si))
				break; /* SIGTERM, SIGINT: end it */
		}
		if (p[3].revents & POLLIN)
			sandbox_live_answer(&sv->box, sv->denial_log, sv->id);
		else if (p[3].revents && sv->box.guard_fwd >= 0)
			sv->box.guard_fwd = (close(sv->box.guard_fwd), -1);
		else if (p[3].revents)
			sv->box.listener = (close(sv->box.listener), -1);
		if (p[2].revents & POLLIN)
			from_pid1(sv);
		if (p[1].revents)
			accept_one(sv);
	}
	/* The record and the socket first, so that no start joins what ends. */
	char name[LIVE_ID_LEN + 8];
	snprintf(name, sizeof(name), "%s.sock", sv->id);
	unlinkat(sv->dirfd, name, 0);
	snprintf(name, sizeof(name), "%s.info", sv->id);
	unlinkat(sv->dirfd, name, 0);
	sandbox_live_end(&sv->box);
	if (sv->agent)
		agent_stop(sv->agent, &sv->agent_run);
	if (sv->proxy > 0) {
		kill(sv->proxy, SIGKILL);
		while (waitpid(sv->proxy, NULL, 0) < 0 && errno == EINTR)
			;
	}
	if (sv->inject)
		inject_spec_clean(sv->inject);
	if (sv->denial_log)
		denylog_unflag_all(sv->denial_log, sv->id);
	for (size_t i = 0; i < sv->n_stoppers; i++)
		close(sv->stoppers[i]);
	_exit(0);
}

/* LIVE-5: the supervisor's fds: 0-2 on /dev/null, keep[] (ascending,
 * above 2, -1 for none) alone above. */
static void detach_fds(const int *keep, size_t n)
{
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null >= 0) {
		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
		if (null > 2)
			close(null);
	}
	unsigned from = 3;
	for (size_t i = 0; i < n; i++) {
		if (keep[i] < (int)from)
			continue;
		if ((unsigned)keep[i] > from)
			close_range(from, (unsigned)keep[i] - 1, 0);
		from = (unsigned)keep[i] + 1;
	}
	close_range(from, ~0U, 0);
}

/* The supervisor, in a new session: builds the sandbox, serves id's socket
 * in dir, says "ok" (or why not) on ready, then supervises until the end. */
static noreturn void supervisor_main(const char *dir, const char *id, const struct sandbox_spec *spec,
				      const struct live_info *info, int lock, int first, int ready)
{
	struct supervisor sv = { .listen = -1, .denial_log = spec->denial_log };
	memcpy(sv.id, id, sizeof(sv.id));
	_cleanup_free_ char *err = NULL;
	const char *what = "cannot build the sandbox";
	sigset_t term;
	sigemptyset(&term);
	sigaddset(&term, SIGTERM);
	sigaddset(&term, SIGINT);
	sigaddset(&term, SIGHUP);
	sigprocmask(SIG_BLOCK, &term, NULL);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGQUIT, SIG_IGN);
	signal(SIGTSTP, SIG_IGN);
	signal(SIGTTIN, SIG_IGN);
	signal(SIGTTOU, SIG_IGN);
	prctl(PR_SET_NAME, "nsbsh-supervise", 0, 0, 0);
	sv.sigfd = signalfd(-1, &term, SFD_CLOEXEC | SFD_NONBLOCK);
	sv.dirfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	int r = sv.sigfd < 0 || sv.dirfd < 0 ? -errno : 0;
	/* the agent first: its socket is in place when the first shell runs */
	if (r == 0 && spec->agent) {
		sv.agent = spec->agent;
		r = agent_start(spec->agent, &sv.agent_run);
		if (r < 0)
			what = "cannot start the sandbox's ssh agent";
	}
	/* the secrets read and the CA made before the sandbox sees the bundle */
	struct inject_run *inject = NULL;
	if (r == 0 && spec->inject) {
		sv.inject = spec->inject;
		r = inject_start(spec->inject, &inject, &err);
		if (r < 0)
			what = "cannot ready the injected tokens";
	}
	if (r == 0)
		r = sandbox_live_start(spec, &sv.box, &err);
	if (r == 0 && sv.box.proxy >= 0) {
		/* network = allow: one proxy for the sandbox, ended with it */
		what = "cannot start the proxy";
		r = proxy_start(sv.box.proxy, spec->allow_hosts, spec->n_allow_hosts, spec->denial_log, inject, &sv.proxy);
		close(sv.box.proxy);
		sv.box.proxy = -1;
	}
	struct sockaddr_un tmp;
	char tmpname[LIVE_ID_LEN + 32], name[LIVE_ID_LEN + 8];
	snprintf(tmpname, sizeof(tmpname), "%s.sock.%d", id, (int)getpid());
	snprintf(name, sizeof(name), "%s.sock", id);
	if (r == 0) {
		what = "cannot serve the sandbox's socket";
		sv.listen = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		r = sv.listen < 0 ? -errno : sock_addr(sv.dirfd, id, tmpname + LIVE_ID_LEN, &tmp);
		unlinkat(sv.dirfd, tmpname, 0);
		if (r == 0 && (bind(sv.listen, (struct sockaddr *)&tmp, sizeof(tmp)) < 0 || listen(sv.listen, 64) < 0))
			r = -errno;
		/* in place at once: a start that connects finds it whole */
		if (r == 0 && renameat(sv.dirfd, tmpname, sv.dirfd, name) < 0)
			r = -errno;
	}
	if (r == 0) {
		struct live_info i = *info;
		i.supervisor = getpid();
		_cleanup_free_ char *text = info_text(&i);
		char iname[LIVE_ID_LEN + 8];
		snprintf(iname, sizeof(iname), "%s.info", id);
		r = text ? file_write_cache(dir, iname, text, strlen(text), 0600) : -ENOMEM;
		what = "cannot write the sandbox's record";
	}
	if (r < 0) {
		/* "E<errno> <reason>": the start needs both (live_create) */
		dprintf(ready, "E%d %s: %s", -r, what, err ? err : strerror(-r));
		unlinkat(sv.dirfd, name, 0);
		if (sv.box.pid > 0)
			sandbox_live_end(&sv.box);
		if (sv.agent)
			agent_stop(sv.agent, &sv.agent_run);
		if (sv.proxy > 0)
			kill(sv.proxy, SIGKILL);
		if (sv.inject)
			inject_spec_clean(sv.inject);
		_exit(1);
	}
	/* the first start's shell: its request may be waiting already */
	struct wire_msg j = { .event = WIRE_JOIN };
	(void)wire_send(sv.box.ctl, &j, &first, 1);
	close(first);
	(void)write_full(ready, "ok", 2);
	close(ready);
	close(lock); /* LIVE-1: a start waiting for it finds it serving */
	retire_others(dir, info->worktree, id);
	supervise(&sv);
}

int live_create(const char *dir, const char *id, const struct sandbox_spec *spec,
		const struct live_info *info, int lock, int *ret_conn, int *ret_ready)
{
	int ready[2], pair[2];
	if (pipe2(ready, O_CLOEXEC) < 0)
		return -errno;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) < 0) {
		int r = -errno;
		close(ready[0]);
		close(ready[1]);
		return r;
	}
	int first = pair[1];
	pid_t pid = fork();
	if (pid < 0) {
		int r = -errno;
		close(ready[0]);
		close(ready[1]);
		close(pair[0]);
		close(pair[1]);
		return r;
	}
	if (pid == 0) {
		/* LIVE-5: a session of its own, a grandchild: no terminal, no
		 * parent waiting for it, nothing of the start's */
		close(ready[0]);
		close(pair[0]);
		if (setsid() < 0)
			_exit(1);
		pid_t s = fork();
		if (s != 0)
			_exit(s < 0 ? 1 : 0);
		int keep[3] = { lock, first, ready[1] };
		for (int i = 0; i < 3; i++) /* ascending, for detach_fds */
			for (int k = i + 1; k < 3; k++)
				if (keep[k] < keep[i]) {
					int t = keep[i];
					keep[i] = keep[k];
					keep[k] = t;
				}
		detach_fds(keep, 3);
		gitlib_unload(); /* nothing of it is the supervisor's (trim.h) */
		supervisor_main(dir, id, spec, info, lock, first, ready[1]);
	}
	close(ready[1]);
	close(first);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	*ret_conn = pair[0];
	*ret_ready = ready[0];
	return 0;
}

int live_create_wait(int ready, char **ret_err)
{
	char buf[1024];
	ssize_t n = read_full(ready, buf, sizeof(buf) - 1);
	close(ready);
	if (n == 2 && memcmp(buf, "ok", 2) == 0)
		return 0;
	buf[n > 0 ? n : 0] = '\0';
	char *text = NULL;
	long e = buf[0] == 'E' ? strtol(buf + 1, &text, 10) : 0;
	if (e <= 0 || e > 4095 || !text || *text != ' ') {
		*ret_err = strdup("the sandbox's supervisor ended before it served");
		return -EIO;
	}
	*ret_err = strdup(text + 1);
	return (int)-e;
}
