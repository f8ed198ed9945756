/* agent.c - the ssh agent of a live sandbox (see agent.h).
 *
 * Invariants (each has a check in tests/integration/t-cred.sh that names it):
 * AGENT-1 only-listed-identities: a REQUEST_IDENTITIES is answered with
 *         the keys of the user's agent whose SHA256 fingerprint ssh_keys
 *         lists, and the keys of the private agent (which holds only the
 *         listed key files: nothing else can reach it); no other key.
 * AGENT-2 sign-only-listed: a SIGN_REQUEST is forwarded, unchanged (its
 *         flags too: rsa-sha2-256/512), only for a key blob byte-equal to
 *         one of the private agent's, or whose fingerprint is listed (then
 *         to the user's agent); anything else gets SSH_AGENT_FAILURE.
 * AGENT-3 no-key-material-inside: nothing of a key reaches the sandbox but
 *         its public blob and signatures: the directory shown holds only
 *         this agent's socket; the key files are read by ssh-add outside,
 *         the private agent's socket lies in the runtime directory, which
 *         no view shows (live.h LIVE-2), and the user's SSH_AUTH_SOCK is
 *         not passed in (shell-view.c SV-1 sets ours); no fd is passed.
 * AGENT-4 refuse-mutations: ADD_IDENTITY, ADD_ID_CONSTRAINED, REMOVE_*,
 *         LOCK, UNLOCK, the smartcard requests and every extension get
 *         SSH_AGENT_FAILURE and are never forwarded.  session-bind@openssh.com
 *         is an extension too: refused (ssh goes on without it; a key with
 *         destination constraints in the user's agent then signs nothing
 *         here), because forwarding it would pass code inside a channel to
 *         the user's agent beyond the two requests above.
 * AGENT-5 bounded: a message is at most SSHAGENT_MAX_MSG bytes and parsed
 *         strictly (sshagent.c), a longer or malformed one ends the
 *         connection; at most AGENT_MAX_CONNECTIONS at once; an upstream
 *         agent's answer is checked the same way before it is passed on,
 *         and waited for at most UPSTREAM_TIMEOUT_S seconds.
 * AGENT-6 logged: each signature made is a line in the project's denial
 *         log (`nsb log`): the key's fingerprint, the requesting process
 *         (its pid inside and outside, by SO_PEERCRED) and its command and
 *         its parent's; each refused mutation is a line too.
 * Lifetime: one agent per live sandbox, started by its supervisor before
 * the sandbox is built and ended with it; its processes die with the
 * supervisor (PR_SET_PDEATHSIG) should it be killed.
 */
#include "sandbox/agent.h"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdnoreturn.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>

#include "base/file.h"
#include "base/path.h"
#include "base/util.h"
#include "policy/config.h"
#include "sandbox/denylog.h"
#include "sandbox/sshagent.h"

#define UPSTREAM_TIMEOUT_S 60
#define SOCKET_WAIT_MS 5000

/* --- the spec, made by the start ----------------------------------------- */

static int strv_push(char ***v, size_t *n, const char *s)
{
	char **nv = realloc(*v, (*n + 1) * sizeof(**v));
	if (!nv)
		return -ENOMEM;
	*v = nv;
	if (!(nv[*n] = strdup(s)))
		return -ENOMEM;
	(*n)++;
	return 0;
}

void agent_spec_release(struct agent_spec *s)
{
	free(s->dir);
	free(s->keys_sock);
	free(s->upstream);
	free(s->ssh_agent);
	for (size_t i = 0; i < s->n_fps; i++)
		free(s->fps[i]);
	free(s->fps);
	for (size_t i = 0; i < s->n_files; i++)
		free(s->files[i]);
	free(s->files);
	*s = (struct agent_spec){ 0 };
}

/* A program on PATH, as execvp would find it (malloc'ed), or NULL. */
static char *find_program(const char *name)
{
	const char *path = getenv("PATH");
	if (!path || !*path)
		path = "/usr/local/bin:/usr/bin:/bin";
	for (const char *p = path; *p;) {
		size_t n = strcspn(p, ":");
		char *full = NULL;
		if (n > 0 && p[0] == '/' && asprintf(&full, "%.*s/%s", (int)n, p, name) >= 0) {
			if (access(full, X_OK) == 0)
				return full;
			free(full);
		}
		p += n;
		if (*p == ':')
			p++;
	}
	return NULL;
}

/* dir made 0700 (a directory of the user's, not a link), emptied of a
 * dead sandbox's socket. */
static int own_dir(const char *dir)
{
	int r = mkdir_private(dir);
	if (r < 0)
		return r;
	_cleanup_close_ int fd = open(dir, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	(void)unlinkat(fd, AGENT_SOCK_NAME, 0);
	return 0;
}

int agent_spec_init(struct agent_spec *ret, const struct policy *pol, const char *live_dir, const char *id,
		    const char *log)
{
	*ret = (struct agent_spec){ .log = log };
	if (pol->ssh_keys.n == 0)
		return -ENOENT;
	struct agent_spec s = { .log = log };
	int r = 0;
	for (size_t i = 0; r == 0 && i < pol->ssh_keys.n; i++) {
		const char *k = pol->ssh_keys.v[i].value;
		r = strncmp(k, "SHA256:", 7) == 0 ? strv_push(&s.fps, &s.n_fps, k) : strv_push(&s.files, &s.n_files, k);
	}
	const char *up = getenv("SSH_AUTH_SOCK");
	if (r == 0 && s.n_fps && up && up[0] == '/' && strlen(up) < sizeof(((struct sockaddr_un *)0)->sun_path) &&
	    !(s.upstream = strdup(up)))
		r = -ENOMEM;
	/* named by this first start too: the sandbox of the same id that ends
	 * as this one starts (linger = 0) removes its own, not this one's */
	if (r == 0 && asprintf(&s.dir, "%s/%s.%d.agent", live_dir, id, (int)getpid()) < 0)
		r = -ENOMEM;
	if (r == 0)
		r = own_dir(s.dir);
	if (r == 0 && s.n_files) {
		_cleanup_free_ char *keys = NULL;
		if (!(s.ssh_agent = find_program("ssh-agent")))
			r = -ENOEXEC;
		else if (asprintf(&keys, "%s/%s.%d.keys", live_dir, id, (int)getpid()) < 0 ||
			 asprintf(&s.keys_sock, "%s/" AGENT_SOCK_NAME, keys) < 0)
			r = -ENOMEM;
		else if (strlen(s.keys_sock) >= sizeof(((struct sockaddr_un *)0)->sun_path))
			r = -ENAMETOOLONG;
		else
			r = own_dir(keys);
	}
	if (r < 0) {
		agent_spec_release(&s);
		return r;
	}
	*ret = s;
	return 0;
}

/* --- talking to an agent ------------------------------------------------- */

static int connect_path(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	struct timeval tv = { .tv_sec = UPSTREAM_TIMEOUT_S };
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int r = -errno;
		close(fd);
		return r;
	}
	return fd;
}

/* One framed message from fd into buf (SSHAGENT_MAX_MSG + 4): its length
 * without the header, 0 at a clean end, or a negative errno (AGENT-5). */
static ssize_t read_msg(int fd, uint8_t *buf)
{
	ssize_t n = read_full(fd, buf, 4);
	if (n == 0)
		return 0;
	if (n != 4)
		return n < 0 ? n : -EBADMSG;
	uint32_t len;
	int r = sshagent_msg_len(buf, &len);
	if (r < 0)
		return r;
	n = read_full(fd, buf + 4, len);
	return n == (ssize_t)len ? n : n < 0 ? n : -EBADMSG;
}

/* req (framed) sent to the agent at path, its answer read into ans: the
 * answer's length without the header, or a negative errno. */
static ssize_t ask(const char *path, const uint8_t *req, size_t n, uint8_t *ans)
{
	int fd = connect_path(path);
	if (fd < 0)
		return fd;
	ssize_t r = write_full(fd, req, n);
	if (r == 0)
		r = read_msg(fd, ans);
	close(fd);
	return r == 0 ? -EPIPE : r;
}

/* --- one connection ------------------------------------------------------- */

struct conn {
	const struct agent_spec *s;
	int fd;
	pid_t peer;        /* as this process sees it (SO_PEERCRED) */
	uint8_t *msg, *ans; /* SSHAGENT_MAX_MSG + 4 each */
	/* the private agent's keys, asked once a connection */
	uint8_t *priv;
	struct sshagent_key priv_keys[SSHAGENT_MAX_KEYS];
	size_t n_priv;
	bool priv_asked;
};

static const uint8_t request_identities[] = { 0, 0, 0, 1, SSH_AGENTC_REQUEST_IDENTITIES };
static const uint8_t failure[] = { 0, 0, 0, 1, SSH_AGENT_FAILURE };

static void private_keys(struct conn *c)
{
	if (c->priv_asked || !c->s->keys_sock)
		return;
	c->priv_asked = true;
	ssize_t n = ask(c->s->keys_sock, request_identities, sizeof(request_identities), c->priv);
	if (n <= 0 || sshagent_parse_identities(c->priv + 4, (size_t)n, c->priv_keys, SSHAGENT_MAX_KEYS, &c->n_priv) < 0)
		c->n_priv = 0;
}

/* A bounded text of /proc/PID/NAME, its first line. */
static void proc_text(pid_t pid, const char *name, char *buf, size_t size)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, name);
	buf[0] = '\0';
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	ssize_t n = read(fd, buf, size - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
}

/* A process's parent, from /proc/PID/stat (after the command's ')'). */
static pid_t parent_of(pid_t pid)
{
	char stat[512];
	proc_text(pid, "stat", stat, sizeof(stat));
	char *paren = strrchr(stat, ')');
	long ppid = 0;
	if (!paren || sscanf(paren + 1, " %*c %ld", &ppid) != 1)
		ppid = 0;
	return (pid_t)ppid;
}

/* A process's pid in its own pid namespace (the last of NSpid), or pid. */
static pid_t pid_inside(pid_t pid)
{
	char status[2048];
	proc_text(pid, "status", status, sizeof(status));
	char *ns = strstr(status, "\nNSpid:");
	if (!ns)
		return pid;
	char *end = strchr(ns + 1, '\n'), *last = NULL;
	if (end)
		*end = '\0';
	char *save = NULL;
	for (char *t = strtok_r(ns + 7, " \t", &save); t; t = strtok_r(NULL, " \t", &save))
		last = t;
	return last ? (pid_t)strtol(last, NULL, 10) : pid;
}

/* The peer as the log names it: its pid inside, and its command and
 * those of its parents, three at most and not the sandbox's pid 1 (nsbsh's
 * own): "ssh < sh < git". */
static void peer_names(pid_t pid, pid_t *ret_inside, char *cmd, size_t size)
{
	*ret_inside = pid_inside(pid);
	size_t used = 0;
	cmd[0] = '\0';
	for (int depth = 0; depth < 3 && pid > 1 && used + 1 < size; depth++) {
		if (depth > 0 && pid_inside(pid) == 1)
			break;
		char comm[32];
		proc_text(pid, "comm", comm, sizeof(comm));
		comm[strcspn(comm, "\n")] = '\0';
		int n = snprintf(cmd + used, size - used, "%s%s", depth ? " < " : "", comm[0] ? comm : "?");
		if (n < 0)
			break;
		used += (size_t)n;
		pid = parent_of(pid);
	}
}

static void log_use(struct conn *c, const char *what, const char *detail)
{
	if (!c->s->log)
		return;
	pid_t inside;
	char cmd[80];
	peer_names(c->peer, &inside, cmd, sizeof(cmd));
	(void)denylog_append_use(c->s->log, inside, c->peer, what, detail, cmd, time(NULL));
}

static bool blob_eq(const struct sshagent_str *a, const struct sshagent_str *b)
{
	return a->n == b->n && memcmp(a->p, b->p, a->n) == 0;
}

/* AGENT-1: the private agent's keys, then the user's listed ones. */
static int identities(struct conn *c)
{
	struct sshagent_key keys[SSHAGENT_MAX_KEYS], up[SSHAGENT_MAX_KEYS];
	size_t n = 0, n_up = 0;
	private_keys(c);
	for (size_t i = 0; i < c->n_priv; i++)
		keys[n++] = c->priv_keys[i];
	ssize_t len = c->s->upstream && c->s->n_fps
			      ? ask(c->s->upstream, request_identities, sizeof(request_identities), c->msg)
			      : -ENOENT;
	if (len > 0 && sshagent_parse_identities(c->msg + 4, (size_t)len, up, SSHAGENT_MAX_KEYS, &n_up) == 0) {
		for (size_t i = 0; i < n_up && n < SSHAGENT_MAX_KEYS; i++) {
			bool dup = false;
			for (size_t k = 0; k < n && !dup; k++)
				dup = blob_eq(&keys[k].blob, &up[i].blob);
			if (!dup && sshagent_fp_listed(up[i].blob.p, up[i].blob.n, (const char *const *)c->s->fps,
						       c->s->n_fps))
				keys[n++] = up[i];
		}
	}
	size_t out = sshagent_identities_answer(keys, n, c->ans, SSHAGENT_MAX_MSG + 4);
	return out ? write_full(c->fd, c->ans, out) : write_full(c->fd, failure, sizeof(failure));
}

/* AGENT-2: forwarded as it came, to the agent that holds the key. */
static int sign(struct conn *c, size_t n)
{
	struct sshagent_sign s;
	if (sshagent_parse_sign(c->msg + 4, n, &s) < 0)
		return -EBADMSG;
	const char *to = NULL;
	private_keys(c);
	for (size_t i = 0; i < c->n_priv && !to; i++)
		if (blob_eq(&c->priv_keys[i].blob, &s.blob))
			to = c->s->keys_sock;
	if (!to && c->s->upstream &&
	    sshagent_fp_listed(s.blob.p, s.blob.n, (const char *const *)c->s->fps, c->s->n_fps))
		to = c->s->upstream;
	char fp[SSHAGENT_FP_LEN + 1];
	sshagent_fingerprint(s.blob.p, s.blob.n, fp);
	if (!to) {
		log_use(c, "ssh-refused", fp);
		return write_full(c->fd, failure, sizeof(failure));
	}
	ssize_t len = ask(to, c->msg, n + 4, c->ans);
	if (len <= 0 || !sshagent_sign_answer_ok(c->ans + 4, (size_t)len))
		return write_full(c->fd, failure, sizeof(failure));
	if (c->ans[4] == SSH_AGENT_SIGN_RESPONSE)
		log_use(c, "ssh-sign", fp); /* AGENT-6 */
	return write_full(c->fd, c->ans, (size_t)len + 4);
}

static atomic_uint n_conns;

/* One connection, in a thread of its own (a fork each cost about 0.9 ms,
 * more than the agent's own work: tests/bench). */
struct conn_arg {
	const struct agent_spec *s;
	int fd;
};

static void conn_end(struct conn *c)
{
	free(c->msg);
	free(c->ans);
	free(c->priv);
	close(c->fd);
	atomic_fetch_sub(&n_conns, 1);
}

static void *serve_conn(void *p)
{
	struct conn_arg a = *(struct conn_arg *)p;
	free(p);
	struct ucred cred;
	socklen_t cl = sizeof(cred);
	struct conn c = { .s = a.s, .fd = a.fd };
	c.msg = malloc(SSHAGENT_MAX_MSG + 4);
	c.ans = malloc(SSHAGENT_MAX_MSG + 4);
	c.priv = malloc(SSHAGENT_MAX_MSG + 4);
	if (getsockopt(c.fd, SOL_SOCKET, SO_PEERCRED, &cred, &cl) < 0 || cred.uid != getuid() || !c.msg || !c.ans ||
	    !c.priv) {
		conn_end(&c);
		return NULL;
	}
	c.peer = cred.pid;
	for (;;) {
		ssize_t n = read_msg(c.fd, c.msg);
		if (n <= 0)
			break; /* the end, or AGENT-5: a message out of bounds */
		uint8_t type = c.msg[4];
		int r;
		if (type == SSH_AGENTC_REQUEST_IDENTITIES && n == 1) {
			r = identities(&c);
		} else if (type == SSH_AGENTC_SIGN_REQUEST) {
			r = sign(&c, (size_t)n);
		} else {
			/* AGENT-4; an extension (session-bind on every ssh
			 * connection) is no mutation worth a line */
			char b[16];
			if (type != SSH_AGENTC_EXTENSION)
				log_use(&c, "ssh-refused", sshagent_type_name(type, b));
			r = write_full(c.fd, failure, sizeof(failure));
		}
		if (r < 0)
			break;
	}
	conn_end(&c);
	return NULL;
}

/* --- the server ------------------------------------------------------------ */

static noreturn void serve(const struct agent_spec *s, int listen_fd)
{
	pthread_attr_t attr;
	if (pthread_attr_init(&attr) != 0 || pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED) != 0 ||
	    pthread_attr_setstacksize(&attr, 256 * 1024) != 0)
		_exit(1);
	for (;;) {
		int fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno != EINTR && errno != ECONNABORTED)
				(void)poll(NULL, 0, 10); /* EMFILE and the like: not a busy loop */
			continue;
		}
		if (atomic_load(&n_conns) >= AGENT_MAX_CONNECTIONS) {
			close(fd); /* AGENT-5 */
			continue;
		}
		/* a client that does not read its answers blocks only itself */
		struct timeval tv = { .tv_sec = UPSTREAM_TIMEOUT_S };
		(void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
		struct conn_arg *a = malloc(sizeof(*a));
		pthread_t t;
		if (!a) {
			close(fd);
			continue;
		}
		*a = (struct conn_arg){ .s = s, .fd = fd };
		atomic_fetch_add(&n_conns, 1);
		if (pthread_create(&t, &attr, serve_conn, a) != 0) {
			free(a);
			atomic_fetch_sub(&n_conns, 1);
			close(fd);
		}
	}
}

/* A unix socket listening at dir/AGENT_SOCK_NAME (reached through an fd
 * of dir: its path may be longer than sun_path allows), mode 0600. */
static int listen_in(const char *dir)
{
	_cleanup_close_ int dfd = open(dir, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0)
		return -errno;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	snprintf(sa.sun_path, sizeof(sa.sun_path), "/proc/self/fd/%d/" AGENT_SOCK_NAME, dfd);
	(void)unlinkat(dfd, AGENT_SOCK_NAME, 0);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	mode_t old = umask(0177);
	int r = bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 64) < 0 ? -errno : 0;
	umask(old);
	if (r < 0) {
		close(fd);
		return r;
	}
	return fd;
}

static void kill_reap(pid_t *pid)
{
	if (*pid <= 0)
		return;
	kill(*pid, SIGKILL);
	while (waitpid(*pid, NULL, 0) < 0 && errno == EINTR)
		;
	*pid = 0;
}

int agent_start(const struct agent_spec *s, struct agent_run *ret)
{
	*ret = (struct agent_run){ 0 };
	if (s->keys_sock) {
		(void)unlink(s->keys_sock);
		char *argv[] = { s->ssh_agent, (char *)"-D", (char *)"-a", s->keys_sock, NULL };
		pid_t pid = fork();
		if (pid < 0)
			return -errno;
		if (pid == 0) {
			/* between fork and exec: system calls only */
			prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
			/* nothing of the supervisor's: its lock and ready pipe
			 * must close when it does (live.c) */
			close_range(3, ~0U, 0);
			/* not the supervisor's blocked signals (live.c) */
			sigset_t none;
			sigemptyset(&none);
			sigprocmask(SIG_SETMASK, &none, NULL);
			execv(s->ssh_agent, argv);
			_exit(127);
		}
		ret->private_agent = pid;
	}
	int fd = listen_in(s->dir);
	if (fd < 0) {
		kill_reap(&ret->private_agent);
		return fd;
	}
	pid_t pid = fork();
	if (pid < 0) {
		int r = -errno;
		close(fd);
		kill_reap(&ret->private_agent);
		return r;
	}
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
		prctl(PR_SET_NAME, "nsbsh-agent", 0, 0, 0);
		/* the listening socket alone (see the private agent's) */
		if (fd != 3 && (dup2(fd, 3) < 0 || close(fd) < 0))
			_exit(1);
		close_range(4, ~0U, 0);
		serve(s, 3);
	}
	close(fd);
	ret->server = pid;
	return 0;
}

void agent_stop(const struct agent_spec *s, struct agent_run *r)
{
	kill_reap(&r->server);
	kill_reap(&r->private_agent);
	_cleanup_free_ char *sock = s->dir ? path_join(s->dir, AGENT_SOCK_NAME) : NULL;
	if (sock)
		(void)unlink(sock);
	if (s->dir)
		(void)rmdir(s->dir);
	if (s->keys_sock) {
		(void)unlink(s->keys_sock);
		_cleanup_free_ char *keys = strdup(s->keys_sock);
		if (keys && path_up(keys))
			(void)rmdir(keys);
	}
}

/* --- the start's part: the key files added ----------------------------------- */

int agent_add_files(const struct agent_spec *s, char **ret_err)
{
	*ret_err = NULL;
	if (!s->keys_sock || s->n_files == 0)
		return 0;
	/* the supervisor starts the private agent before it builds the sandbox */
	int fd = -1;
	for (int waited = 0; waited < SOCKET_WAIT_MS && (fd = connect_path(s->keys_sock)) < 0; waited += 10)
		(void)poll(NULL, 0, 10);
	if (fd < 0) {
		if (asprintf(ret_err, "the sandbox's private ssh agent did not start: %s", strerror(-fd)) < 0)
			*ret_err = NULL;
		return fd;
	}
	close(fd);
	_cleanup_free_ char *add = find_program("ssh-add"), *env_sock = NULL;
	if (!add) {
		*ret_err = strdup("cannot find ssh-add on PATH: the key files of ssh_keys are not offered");
		return -ENOEXEC;
	}
	_cleanup_free_ char **argv = calloc(s->n_files + 3, sizeof(*argv));
	if (!argv || asprintf(&env_sock, "SSH_AUTH_SOCK=%s", s->keys_sock) < 0)
		return -ENOMEM;
	argv[0] = add;
	argv[1] = (char *)"-q";
	for (size_t i = 0; i < s->n_files; i++)
		argv[i + 2] = s->files[i];
	/* the start's environment (its terminal's, DISPLAY and SSH_ASKPASS
	 * for a passphrase), the private agent's socket over the user's */
	size_t n_env = 0;
	for (char **e = environ; *e; e++)
		n_env++;
	_cleanup_free_ char **envp = calloc(n_env + 2, sizeof(*envp));
	if (!envp)
		return -ENOMEM;
	size_t k = 0;
	for (char **e = environ; *e; e++)
		if (strncmp(*e, "SSH_AUTH_SOCK=", 14) != 0)
			envp[k++] = *e;
	envp[k++] = env_sock;
	pid_t pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		execve(add, argv, envp);
		_exit(127);
	}
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		if (asprintf(ret_err, "ssh-add could not add every key file of ssh_keys (status %d): "
			     "those are not offered in the sandbox", WIFEXITED(status) ? WEXITSTATUS(status) : 128) < 0)
			*ret_err = NULL;
		return -EIO;
	}
	return 0;
}
