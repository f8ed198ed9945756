/* net.c - the network of a live sandbox: pasta attached to its namespace
 * (network = on), started and ended by the sandbox's supervisor.
 *
 * Invariants (each has a check in tests/integration/t-net.sh that names it):
 * NET-1 own-netns: with network = on, off or allow the sandbox has a network
 *       namespace of its own (sandbox.c clones it): the host's interfaces,
 *       its loopback and its abstract unix sockets (X11, D-Bus: they belong
 *       to the host's namespace) are not reachable from inside, on any
 *       kernel; network = host alone shares the host's.
 * NET-2 no-host-loopback: pasta is told not to map the gateway's address to
 *       the host (--no-map-gw) and to forward no port it finds bound (-t,
 *       -u, -T, -U none: pasta's default is to forward every bound port):
 *       what leaves the sandbox goes out through ordinary sockets of the
 *       host to addresses that are not its loopback; only the TCP ports
 *       forward_ports lists reach the host's loopback, and only those
 *       publish_ports lists are opened, on 127.0.0.1 alone.
 * NET-3 pasta-dies-with-sandbox: one pasta a live sandbox, started by the
 *       supervisor when it builds the sandbox, by the absolute path found on
 *       the host's PATH at the start (never the sandbox's), with an empty
 *       environment, 0-2 on /dev/null and no other fd but its pid file's
 *       pipe; it is the supervisor's child with a parent death signal
 *       (SIGKILL), and the supervisor kills it by its pid when the sandbox
 *       ends (pasta itself would outlive the namespace's processes).
 * NET-4 off-means-off: network = off: the shell's sandbox and the
 *       evaluation's have only lo, and nix is told to stay offline (no
 *       substituter, no download), so an edited flake.nix sends nothing at
 *       its next start (env/nix.c, sandbox/eval-view.c).
 * NET-5 daemon-socket-hidden: the Nix daemon's socket, through which the
 *       daemon fetches fixed-output sources from the host's network, is not
 *       shown with network = off, nor when the daemon trusts the user or
 *       does not sandbox its builds (nsb doctor), unless nix_daemon = on
 *       (sandbox/view.c).
 * NET-6 dns-through-pasta: with network = on, the DNS queries sent to
 *       NET_DNS_FORWARD (UDP port 53 only) reach the host's first resolver
 *       through pasta (--dns-forward), and a nameserver of the host's
 *       resolv.conf on its loopback (systemd-resolved's 127.0.0.53, a local
 *       dnsmasq), which inside would be the sandbox's own loopback, is
 *       named NET_DNS_FORWARD in the sandbox's resolv.conf instead
 *       (net_resolv_conf); no other port of the host's loopback opens.
 */
#include "sandbox/net.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/strbuf.h"
#include "base/util.h"
#include "policy/config.h"

#define PASTA_MAX_ARGS (24 + 4 * CONFIG_MAX_LIST)

int net_pasta_find(const char *path_env, char **ret)
{
	const char *p = path_env;
	*ret = NULL;
	/* pasta opens the tun device inside the namespace, as the user */
	if (access("/dev/net/tun", R_OK | W_OK) < 0)
		return 0;
	while (p && *p && !*ret) {
		size_t len = strcspn(p, ":");
		if (len > 0 && p[0] == '/') {
			_cleanup_free_ char *cand = NULL;
			if (asprintf(&cand, "%.*s/pasta", (int)len, p) < 0)
				return -ENOMEM;
			/* the link itself: passt runs as pasta by its name */
			if (access(cand, X_OK) == 0 && !(*ret = strdup(cand)))
				return -ENOMEM;
		}
		if (!p[len])
			break;
		p += len + 1;
	}
	return 0;
}

/* "HOST:SANDBOX" as pasta's spec: -t takes the port bound where it runs
 * (the host's, on 127.0.0.1) first, -T the namespace's. */
static char *port_spec(const char *pair, bool publish)
{
	const char *colon = strchr(pair, ':');
	char *s = NULL;
	if (!colon)
		return NULL;
	int n = publish ? asprintf(&s, "127.0.0.1/%.*s:%s", (int)(colon - pair), pair, colon + 1)
			: asprintf(&s, "%s:%.*s", colon + 1, (int)(colon - pair), pair);
	return n < 0 ? NULL : s;
}

/* Whether the nameserver line's address (at p, up to the end of the
 * line) is on a loopback: 127.0.0.0/8 or ::1. */
static bool loopback_ns(const char *p, size_t n)
{
	char addr[INET6_ADDRSTRLEN + 1];
	while (n && (*p == ' ' || *p == '\t'))
		p++, n--;
	size_t len = 0;
	while (len < n && p[len] != ' ' && p[len] != '\t' && p[len] != '\r' && p[len] != '%')
		len++;
	if (len == 0 || len >= sizeof(addr))
		return false;
	memcpy(addr, p, len);
	addr[len] = '\0';
	struct in_addr a4;
	struct in6_addr a6;
	if (inet_pton(AF_INET, addr, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	return inet_pton(AF_INET6, addr, &a6) == 1 && IN6_IS_ADDR_LOOPBACK(&a6);
}

int net_resolv_conf(const char *text, size_t len, char **ret)
{
	struct strbuf b = { 0 };
	bool changed = false, forward = false;
	*ret = NULL;
	for (const char *line = text, *end = text + len; line < end;) {
		const char *nl = memchr(line, '\n', (size_t)(end - line));
		size_t n = nl ? (size_t)(nl - line) : (size_t)(end - line);
		static const char key[] = "nameserver";
		bool ns = n > sizeof(key) && memcmp(line, key, sizeof(key) - 1) == 0 &&
			  (line[sizeof(key) - 1] == ' ' || line[sizeof(key) - 1] == '\t');
		if (ns && loopback_ns(line + sizeof(key), n - sizeof(key))) {
			changed = true;
			if (!forward) /* once, where the first of them was */
				strbuf_adds(&b, "nameserver " NET_DNS_FORWARD "\n");
			forward = true;
		} else {
			strbuf_add(&b, line, n);
			strbuf_adds(&b, "\n");
		}
		line += n + (nl ? 1 : 0);
	}
	if (!changed) {
		strbuf_release(&b);
		return 0;
	}
	if (b.oom) {
		strbuf_release(&b);
		return -ENOMEM;
	}
	*ret = strbuf_steal(&b);
	return 1;
}

int net_pasta_start(const char *path, const int ns[2], const struct policy_list *forward,
		    const struct policy_list *publish, struct net_pasta *ret)
{
	char *argv[PASTA_MAX_ARGS], *owned[2 * CONFIG_MAX_LIST + 1];
	size_t n = 0, n_owned = 0;
	int r = 0, pipefd[2];

	*ret = (struct net_pasta){ .pid = -1, .ready = -1 };
	/* NET-2: nothing forwarded but what the policy lists.  The namespaces
	 * by the fds the supervisor opened while pid 1 was still dumpable
	 * (MUST-8 then hides its /proc/PID/ns). */
	static const char *const fixed[] = { "pasta", "--quiet", "--foreground", "--config-net", "--no-map-gw",
					     "--dns-forward", NET_DNS_FORWARD, "--pid", "/proc/self/fd/3",
					     "--netns", "/proc/self/fd/4", "--userns", "/proc/self/fd/5",
					     "-u", "none", "-U", "none" };
	for (size_t i = 0; i < ARRAY_SIZE(fixed); i++)
		argv[n++] = (char *)fixed[i];
	const struct policy_list *lists[2] = { publish, forward };
	for (int k = 0; k < 2; k++) {
		size_t listed = lists[k] ? lists[k]->n : 0;
		for (size_t i = 0; i < listed && i < CONFIG_MAX_LIST; i++) {
			char *spec = port_spec(lists[k]->v[i].value, k == 0);
			if (!spec) {
				r = -ENOMEM;
				goto out;
			}
			owned[n_owned++] = spec;
			argv[n++] = (char *)(k == 0 ? "-t" : "-T");
			argv[n++] = spec;
		}
		if (!listed) {
			argv[n++] = (char *)(k == 0 ? "-t" : "-T");
			argv[n++] = (char *)"none";
		}
	}
	argv[n] = NULL;

	if (pipe2(pipefd, O_CLOEXEC) < 0) {
		r = -errno;
		goto out;
	}
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null < 0) {
		r = -errno;
		close(pipefd[0]);
		close(pipefd[1]);
		goto out;
	}
	pid_t parent = getpid();
	pid_t child = fork();
	if (child == 0) {
		/* async-signal-safe calls only from here to execve */
		static char *const envp[] = { NULL };
		sigset_t none;
		struct sigaction dfl = { .sa_handler = SIG_DFL };
		if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0 || getppid() != parent)
			_exit(127);
		for (int sig = 1; sig < 32; sig++)
			if (sig != SIGKILL && sig != SIGSTOP)
				sigaction(sig, &dfl, NULL);
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		/* 3, 4, 5 from fds above 5 (null and the pipe's are; ns[] may
		 * not be) */
		int from[3] = { pipefd[1], ns[0], ns[1] };
		for (int i = 0; i < 3; i++)
			if (from[i] < 6 && (from[i] = fcntl(from[i], F_DUPFD_CLOEXEC, 6)) < 0)
				_exit(127);
		if (dup2(null, 0) < 0 || dup2(null, 1) < 0 || dup2(null, 2) < 0)
			_exit(127);
		for (int i = 0; i < 3; i++)
			if (dup2(from[i], 3 + i) < 0)
				_exit(127);
		close_range(6, ~0U, 0);
		execve(path, argv, envp);
		_exit(127);
	}
	if (child < 0)
		r = -errno;
	close(null);
	close(pipefd[1]);
	if (r < 0) {
		close(pipefd[0]);
		goto out;
	}
	*ret = (struct net_pasta){ .pid = child, .ready = pipefd[0] };
out:
	for (size_t i = 0; i < n_owned; i++)
		free(owned[i]);
	return r;
}

int net_pasta_wait(struct net_pasta *p, int timeout_ms)
{
	char buf[32];
	ssize_t got = -1;
	if (p->ready < 0)
		return p->pid > 0 ? 0 : -EIO;
	/* its pid, written in one piece (no newline) once it is set up; EOF:
	 * it ended */
	for (;;) {
		struct pollfd f = { .fd = p->ready, .events = POLLIN };
		int k = poll(&f, 1, timeout_ms);
		if (k < 0 && errno == EINTR)
			continue;
		if (k == 0)
			return -ETIMEDOUT;
		got = k < 0 ? -1 : read(p->ready, buf, sizeof(buf));
		if (got < 0 && errno == EINTR)
			continue;
		break;
	}
	close(p->ready);
	p->ready = -1;
	return got > 0 && buf[0] >= '1' && buf[0] <= '9' ? 0 : -EIO;
}

void net_pasta_end(struct net_pasta *p)
{
	if (p->ready >= 0)
		close(p->ready);
	if (p->pid > 0) {
		kill(p->pid, SIGKILL);
		while (waitpid(p->pid, NULL, 0) < 0 && errno == EINTR)
			;
	}
	*p = (struct net_pasta){ .pid = -1, .ready = -1 };
}
