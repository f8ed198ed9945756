/* nix.c - running nix, always inside the evaluation sandbox (DESIGN.md 4):
 * a hostile flake.nix could otherwise name path:/home/you/.ssh as an input
 * and nix would copy it into the world-readable store. */
#include "nix.h"

#include <fcntl.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>

#include "cache.h"
#include "devenv.h"
#include "util.h"

#define NIX_OUTPUT_MAX (64u << 20)
/* Where the evaluation sees the project as a flake: a path without spaces or
 * other characters that Nix 2.8's URL parser refuses or leaves encoded. */
#define FLAKE_VIEW "/run/nsbsh/flake"

void nix_info_release(struct nix_info *n)
{
	free(n->path);
	free(n->id);
	*n = (struct nix_info){ 0 };
}

int nix_locate(struct nix_info *ret)
{
	const char *path = getenv("PATH");
	_cleanup_free_ char *found = NULL;
	if (path) {
		const char *p = path;
		while (!found) {
			size_t len = strcspn(p, ":");
			if (len > 0 && p[0] == '/') {
				_cleanup_free_ char *cand = NULL;
				if (asprintf(&cand, "%.*s/nix", (int)len, p) < 0)
					return -ENOMEM;
				if (access(cand, X_OK) == 0)
					found = realpath(cand, NULL);
			}
			if (!p[len])
				break;
			p += len + 1;
		}
	}
	struct stat st;
	char *id = NULL;
	if (found && stat(found, &st) == 0) {
		if (asprintf(&id, "%s:%lld:%lld.%09ld", found, (long long)st.st_size,
			     (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec) < 0)
			return -ENOMEM;
	} else {
		free(found);
		found = NULL;
		id = strdup("none");
		if (!id)
			return -ENOMEM;
	}
	*ret = (struct nix_info){ .path = steal_pointer(&found), .id = id };
	return 0;
}

int nix_daemon_check(void)
{
	const char *sock = layout_daemon_socket();
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	if (strlen(sock) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, sock);
	_cleanup_close_ int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return -errno;
	return 0;
}

/* Percent-encode for a URL query value. */
static char *url_encode(const char *s)
{
	char *out = malloc(strlen(s) * 3 + 1), *o = out;
	if (!out)
		return NULL;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    strchr("-._~/", c))
			*o++ = (char)c;
		else
			o += sprintf(o, "%%%02X", c);
	}
	*o = '\0';
	return out;
}

/* Append "key=value" to the metadata, the value escaped to one line. */
static int meta_add(char **buf, const char *key, const char *value)
{
	_cleanup_free_ char *v = cache_line_escape(value);
	char *n = NULL;
	if (!v || asprintf(&n, "%s%s=%s\n", *buf ? *buf : "", key, v) < 0)
		return -ENOMEM;
	free(*buf);
	*buf = n;
	return 0;
}

static int read_all(int fd, size_t max, char **ret, size_t *ret_len)
{
	size_t cap = 65536, len = 0;
	char *buf = malloc(cap);
	if (!buf)
		return -ENOMEM;
	for (;;) {
		if (len == cap) {
			if (cap >= max) {
				free(buf);
				return -EFBIG;
			}
			cap *= 2;
			char *n = realloc(buf, cap);
			if (!n) {
				free(buf);
				return -ENOMEM;
			}
			buf = n;
		}
		ssize_t n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int r = -errno;
			free(buf);
			return r;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	*ret = buf;
	*ret_len = len;
	return 0;
}

static int eval_layout(struct layout *l, const struct project *p, const struct nix_info *nix,
		       const struct layout_user *u, const char *entry_dir, char **argv)
{
	int r = layout_common(l, u);
	if (r == 0)
		r = layout_host_system(l);
	/* A throwaway home: nix's caches of this evaluation do not outlive it. */
	if (r == 0)
		r = sandbox_add(&l->spec, SB_TMPFS, NULL, u->home, NULL, 0);
	if (r == 0)
		r = sandbox_add(&l->spec, SB_BIND_RO, p->worktree, p->worktree, NULL, 0);
	if (r == 0)
		r = sandbox_add(&l->spec, SB_BIND_RO, p->worktree, FLAKE_VIEW, NULL, 0);
	/* A linked work tree (a session): git, run by nix, reads the
	 * repository's common dir. */
	struct layout_linked lk = { 0 };
	_cleanup_free_ char *lerr = NULL;
	if (r == 0 && layout_linked_find(p->worktree, &lk, &lerr) == 0)
		r = layout_show_common(l, &lk);
	layout_linked_release(&lk);
	/* The entry being written: nix puts the GC root (--profile) there. */
	if (r == 0)
		r = sandbox_add(&l->spec, SB_BIND_RW, entry_dir, entry_dir, NULL, 0);
	if (r == 0)
		r = layout_writable(l, u->home);
	if (r == 0)
		r = layout_writable(l, entry_dir);
	if (r < 0)
		return r;

	l->spec.cwd = p->worktree;
	l->spec.path = nix->path;
	l->spec.argv = argv;
	l->spec.seccomp = true;
	r = layout_pass_env(l);
	if (r == 0)
		r = layout_setenv(l, "PATH", "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin");
	if (r == 0)
		r = layout_setenv(l, "HOME", u->home);
	if (r == 0)
		r = layout_setenv(l, "USER", u->name);
	if (r == 0)
		r = layout_setenv(l, "LOGNAME", u->name);
	/* Inside, only the daemon can reach the store's database. */
	if (r == 0)
		r = layout_setenv(l, "NIX_REMOTE", "daemon");
	if (r == 0 && getenv("NIX_DAEMON_SOCKET_PATH"))
		r = layout_setenv(l, "NIX_DAEMON_SOCKET_PATH", layout_daemon_socket());
	l->spec.envp = l->envp;
	return r;
}

int nix_build_env(const struct project *p, const struct nix_info *nix, const struct layout_user *u,
		  const char *entry_dir, const char *key, char **ret_err)
{
	_cleanup_free_ char *profile = NULL, *ref = NULL, *rel = NULL;
	if (asprintf(&profile, "%s/profile", entry_dir) < 0)
		return -ENOMEM;
	if (*p->env_rel) {
		rel = url_encode(p->env_rel);
		if (!rel || asprintf(&ref, "git+file://" FLAKE_VIEW "?dir=%s", rel) < 0)
			return -ENOMEM;
	} else if (!(ref = strdup("git+file://" FLAKE_VIEW))) {
		return -ENOMEM;
	}
	static char a_cmd[] = "print-dev-env", a_json[] = "--json", a_nolock[] = "--no-write-lock-file",
		    a_profile[] = "--profile";
	char *argv[] = { nix->path, a_cmd, a_json, a_nolock, a_profile, profile, ref, NULL };
	_cleanup_free_ char *json = NULL, *meta = NULL;
	size_t json_len = 0;

	struct layout l;
	layout_init(&l);
	int out[2] = { -1, -1 };
	int r = eval_layout(&l, p, nix, u, entry_dir, argv);
	if (r < 0)
		goto out;
	if (pipe2(out, O_CLOEXEC) < 0) {
		r = -errno;
		goto out;
	}
	l.spec.stdout_fd = out[1];

	pid_t pid;
	int errfd, status = 0;
	r = sandbox_start(&l.spec, &pid, &errfd, ret_err);
	close(out[1]);
	out[1] = -1;
	if (r < 0)
		goto out;
	int rr = read_all(out[0], NIX_OUTPUT_MAX, &json, &json_len);
	if (rr < 0) /* too much: stop reading; nix gets SIGPIPE */
		close(out[0]), out[0] = -1;
	r = sandbox_wait(pid, errfd, &status, ret_err);
	if (r < 0)
		goto out;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		if (asprintf(ret_err, "nix print-dev-env failed (exit status %d)",
			     WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status)) < 0)
			*ret_err = NULL;
		r = -EIO;
		goto out;
	}
	if (rr < 0) {
		r = rr;
		if (asprintf(ret_err, "cannot read the output of nix: %s", strerror(-rr)) < 0)
			*ret_err = NULL;
		goto out;
	}

	struct devenv env = { 0 };
	r = devenv_render(json, json_len, &env);
	if (r < 0) {
		if (asprintf(ret_err, "nix print-dev-env printed something that is not its JSON") < 0)
			*ret_err = NULL;
		goto out;
	}
	r = cache_write_file(entry_dir, "environ", env.environ ? env.environ : "", env.environ_len);
	if (r == 0)
		r = cache_write_file(entry_dir, "rc.bash", env.rc, env.rc_len);
	devenv_release(&env);

	char when[32];
	snprintf(when, sizeof(when), "%lld", (long long)time(NULL));
	if (r == 0)
		r = meta_add(&meta, "key", key);
	if (r == 0)
		r = meta_add(&meta, "kind", "flake");
	if (r == 0)
		r = meta_add(&meta, "worktree", p->worktree);
	if (r == 0)
		r = meta_add(&meta, "envfile", p->envfile);
	if (r == 0)
		r = meta_add(&meta, "nix", nix->id);
	if (r == 0)
		r = meta_add(&meta, "created", when);
	/* Last: "meta" is what makes the entry complete. */
	if (r == 0)
		r = cache_write_file(entry_dir, "meta", meta, strlen(meta));
	if (r < 0 && !*ret_err && asprintf(ret_err, "cannot write the cache entry '%s': %s",
					    entry_dir, strerror(-r)) < 0)
		*ret_err = NULL;
out:
	if (out[0] >= 0)
		close(out[0]);
	if (out[1] >= 0)
		close(out[1]);
	layout_release(&l);
	return r;
}
