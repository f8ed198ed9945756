/* nix.c - running nix (or devenv).  Whatever reads a project runs inside the
 * evaluation sandbox: a hostile flake.nix could otherwise name
 * path:/home/you/.ssh as an input and nix would copy it into the
 * world-readable store.  So do the steps after it: the flake's inputs
 * archived and rooted, the policy's tools built.  Only `nix --version` and
 * `nix show-config`, which read no project, run on the host (for nsb
 * doctor). */
#include "env/nix.h"
#include "env/closure.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <spawn.h>
#include <signal.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>

#include "base/file.h"
#include "base/path.h"
#include "base/strbuf.h"
#include "base/util.h"
#include "env/cache.h"
#include "env/devenv.h"
#include "git/protect.h"
#include "policy/config.h"
#include "sandbox/eval-view.h"

#define NIX_OUTPUT_MAX (64u << 20)
/* nix --version and nix show-config: small outputs, and no network. */
#define NIX_HOST_OUTPUT_MAX (1u << 20)
#define NIX_HOST_TIMEOUT_MS 20000

void nix_info_release(struct nix_info *n)
{
	free(n->path);
	free(n->id);
	*n = (struct nix_info){ 0 };
}

/* The real path of NAME found in PATH (absolute entries only), or NULL. */
static int find_program(const char *name, char **ret)
{
	const char *p = getenv("PATH");
	*ret = NULL;
	while (p && !*ret) {
		size_t len = strcspn(p, ":");
		if (len > 0 && p[0] == '/') {
			_cleanup_free_ char *cand = NULL;
			if (asprintf(&cand, "%.*s/%s", (int)len, p, name) < 0)
				return -ENOMEM;
			if (access(cand, X_OK) == 0)
				*ret = realpath(cand, NULL);
		}
		if (!p[len])
			break;
		p += len + 1;
	}
	return 0;
}

/* NAME found in PATH, and its identity: its real path, size and mtime, so
 * that an upgrade (a new file, or one rewritten in place) changes the key. */
static int locate(const char *name, struct nix_info *ret)
{
	_cleanup_free_ char *found = NULL;
	if (find_program(name, &found) < 0)
		return -ENOMEM;
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

int nix_locate(struct nix_info *ret)
{
	return locate("nix", ret);
}

int nix_locate_devenv(struct nix_info *ret)
{
	return locate("devenv", ret);
}

int nix_daemon_check(void)
{
	const char *sock = view_daemon_socket();
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
	_cleanup_free_ char *v = line_escape(value);
	char *n = NULL;
	if (!v || asprintf(&n, "%s%s=%s\n", *buf ? *buf : "", key, v) < 0)
		return -ENOMEM;
	free(*buf);
	*buf = n;
	return 0;
}

static long long now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Reads fd to its end (NUL-terminated); -ETIMEDOUT when it has not ended
 * timeout_ms after the call (-1: wait for ever). */
static int read_all(int fd, size_t max, long long timeout_ms, char **ret, size_t *ret_len)
{
	long long deadline = timeout_ms < 0 ? -1 : now_ms() + timeout_ms;
	size_t cap = 65536, len = 0;
	char *buf = malloc(cap);
	if (!buf)
		return -ENOMEM;
	for (;;) {
		if (len + 1 == cap) {
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
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		long long left = deadline < 0 ? -1 : deadline - now_ms();
		int p = left < 0 && deadline >= 0 ? 0 : poll(&pfd, 1, left > INT_MAX ? INT_MAX : (int)left);
		if (p < 0 && errno == EINTR)
			continue;
		if (p == 0) {
			free(buf);
			return -ETIMEDOUT;
		}
		ssize_t n = read(fd, buf + len, cap - len - 1);
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
	buf[len] = '\0';
	*ret = buf;
	*ret_len = len;
	return 0;
}

/* nix ARGS on the host, with stdin /dev/null and the environment env;
 * its stdout and stderr together in *ret_out.  0 and its exit status in
 * *ret_status, or a negative errno (-ETIMEDOUT: it hung, and was killed). */
static int nix_host_run(const struct nix_info *nix, char *const *argv, char *const *env,
			char **ret_out, int *ret_status)
{
	int out[2];
	if (pipe2(out, O_CLOEXEC) < 0)
		return -errno;
	posix_spawn_file_actions_t fa;
	int r = posix_spawn_file_actions_init(&fa);
	if (r == 0)
		r = posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	if (r == 0)
		r = posix_spawn_file_actions_adddup2(&fa, out[1], 1);
	if (r == 0)
		r = posix_spawn_file_actions_adddup2(&fa, out[1], 2);
	pid_t pid = -1;
	if (r == 0)
		r = posix_spawn(&pid, nix->path, &fa, NULL, argv, env);
	posix_spawn_file_actions_destroy(&fa);
	close(out[1]);
	if (r != 0) {
		close(out[0]);
		return -r;
	}
	size_t len;
	r = read_all(out[0], NIX_HOST_OUTPUT_MAX, NIX_HOST_TIMEOUT_MS, ret_out, &len);
	close(out[0]);
	if (r < 0)
		kill(pid, SIGKILL);
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return r < 0 ? r : -errno;
	if (r < 0)
		return r;
	*ret_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	return 0;
}

/* The first line of text that starts with prefix, without it, malloc'ed. */
static char *line_after(const char *text, const char *prefix)
{
	size_t plen = strlen(prefix);
	for (const char *l = text; *l; l += strcspn(l, "\n"), l += *l == '\n') {
		if (strncmp(l, prefix, plen) == 0)
			return strndup(l + plen, strcspn(l + plen, "\n"));
	}
	return NULL;
}

int nix_version(const struct nix_info *nix, char **ret)
{
	static char a_version[] = "--version";
	char *argv[] = { nix->path, a_version, NULL };
	_cleanup_free_ char *out = NULL;
	int status;
	int r = nix_host_run(nix, argv, environ, &out, &status);
	if (r < 0)
		return r;
	if (status != 0)
		return -EIO;
	/* "nix (Nix) 2.8.0" */
	char *v = line_after(out, "nix (Nix) ");
	if (!v)
		v = strndup(out, strcspn(out, "\n"));
	if (!v)
		return -ENOMEM;
	*ret = v;
	return 0;
}

int nix_experimental_features(const struct nix_info *nix, char **ret, char **ret_err)
{
	static char a_show[] = "show-config";
	char *argv[] = { nix->path, a_show, NULL };
	/* What the evaluation sandbox's nix sees: /etc/nix/nix.conf, no user
	 * nix.conf (its home is empty), no NIX_CONFIG (not passed in). */
	static char e_path[] = "PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin",
		    e_home[] = "HOME=/nonexistent", e_user[] = "NIX_USER_CONF_FILES=";
	char *env[] = { e_path, e_home, e_user, NULL };
	_cleanup_free_ char *out = NULL;
	int status;
	int r = nix_host_run(nix, argv, env, &out, &status);
	if (r < 0)
		return r;
	if (status != 0) {
		char *why = line_after(out, "error: ");
		if (!why && asprintf(&why, "nix show-config failed (exit status %d)", status) < 0)
			return -ENOMEM;
		*ret_err = why;
		return -EIO;
	}
	char *v = line_after(out, "experimental-features = ");
	if (!v && !(v = strdup("")))
		return -ENOMEM;
	*ret = v;
	return 0;
}

static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	return strndup(path, slash && slash != path ? (size_t)(slash - path) : 1);
}

static bool shown_by_eval(const char *path)
{
	return strncmp(path, "/nix/store/", 11) == 0 || strncmp(path, "/usr/", 5) == 0;
}

/* ENVDIR/.devenv, created when missing, checked without following a link. */
static int devenv_dotfile(const struct project *p, struct stat *ret_st, char **ret_err)
{
	struct stat st;
	int r = 0;
	_cleanup_close_ int dir = open(p->envdir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dir < 0)
		return -errno;
	if (mkdirat(dir, ".devenv", 0755) < 0 && errno != EEXIST)
		r = -errno;
	_cleanup_close_ int fd = r < 0 ? -1 : openat(dir, ".devenv", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (r == 0 && (fd < 0 || fstat(fd, &st) < 0))
		r = -errno;
	if (r < 0) {
		if (asprintf(ret_err, "cannot use '%s/.devenv', where devenv keeps its state: %s%s", p->envdir,
			     strerror(-r), r == -ENOTDIR || r == -ELOOP ? " (it must be a directory, not a link)" : "") < 0)
			*ret_err = NULL;
		return r;
	}
	*ret_st = st;
	return 0;
}

/* Runs view's program in the evaluation sandbox, stopped with all it
 * started after timeout_s seconds (0: no limit): 0 when it exited 0, its
 * stdout in *ret_out (NUL-terminated; NULL: thrown away); else a negative
 * errno (-EIO: it failed, -ETIMEDOUT) and a reason in *ret_err. */
static int eval_run(struct eval_view *view, const char *what, unsigned long long timeout_s, char **ret_out,
		    size_t *ret_len, char **ret_err)
{
	_cleanup_free_ char *text = NULL;
	size_t len = 0;
	int fds[2] = { -1, -1 }, status = 0, r;
	struct layout l;

	layout_init(&l);
	if (pipe2(fds, O_CLOEXEC) < 0) {
		r = -errno;
		goto out;
	}
	view->stdout_fd = fds[1];
	eval_view_build(&l, view);
	r = layout_error(&l);
	if (r < 0) {
		if (layout_error_text(&l))
			*ret_err = strdup(layout_error_text(&l));
		goto out;
	}
	pid_t pid;
	int errfd;
	/* EV-5: stdin /dev/null, so that nothing in the evaluation asks the
	 * person at the terminal (the sandbox's processes get the start's fd 0;
	 * this process runs no thread meanwhile) */
	int saved_in = fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 3);
	int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (null >= 0) {
		dup2(null, STDIN_FILENO);
		close(null);
	}
	r = sandbox_start(&l.spec, &l.prog, &pid, &errfd, ret_err);
	if (saved_in >= 0) {
		dup2(saved_in, STDIN_FILENO);
		close(saved_in);
	} else {
		close(STDIN_FILENO);
	}
	close(fds[1]);
	fds[1] = -1;
	if (r < 0)
		goto out;
	long long limit = timeout_s ? (long long)(timeout_s > LLONG_MAX / 1000 ? LLONG_MAX / 1000 : timeout_s) * 1000
				    : -1;
	int rr = read_all(fds[0], NIX_OUTPUT_MAX, limit, &text, &len);
	if (rr == -ETIMEDOUT) /* pid 1 of the sandbox: the kernel ends all of it */
		kill(pid, SIGKILL);
	if (rr < 0) /* too much: stop reading; nix gets SIGPIPE */
		close(fds[0]), fds[0] = -1;
	r = sandbox_wait(pid, errfd, &status, ret_err);
	if (r < 0)
		goto out;
	if (rr == -ETIMEDOUT) {
		if (asprintf(ret_err, "%s did not finish within %llu s (policy eval_timeout): stopped", what,
			     timeout_s) < 0)
			*ret_err = NULL;
		r = rr;
		goto out;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		if (asprintf(ret_err, "%s failed (exit status %d)", what,
			     WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status)) < 0)
			*ret_err = NULL;
		r = -EIO;
		goto out;
	}
	if (rr < 0) {
		r = rr;
		if (asprintf(ret_err, "cannot read the output of %s: %s", what, strerror(-rr)) < 0)
			*ret_err = NULL;
		goto out;
	}
	if (ret_out) {
		*ret_out = steal_pointer(&text);
		*ret_len = len;
	}
out:
	if (fds[0] >= 0)
		close(fds[0]);
	if (fds[1] >= 0)
		close(fds[1]);
	layout_release(&l);
	return r;
}

/* Whether a flake.nix may have inputs.  No only for the plainest one:
 * the word "inputs" nowhere, and `outputs = { self }:` (or `{ self, ...
 * }:`) where "outputs" first appears; its lock is empty, so there is
 * nothing for nix flake archive to root, and that nix start is spared on
 * every cold entry.  A flake that hides its inputs from this test only
 * leaves them unrooted. */
static bool eat(const char **c, const char *tok)
{
	while (**c == ' ' || **c == '\t' || **c == '\n' || **c == '\r')
		(*c)++;
	size_t n = strlen(tok);
	if (strncmp(*c, tok, n) != 0)
		return false;
	*c += n;
	return true;
}

static bool flake_may_have_inputs(const char *text)
{
	const char *o = strstr(text, "outputs"), *c = o ? o + 7 : NULL;
	if (strstr(text, "inputs") || !o)
		return true;
	if (!eat(&c, "=") || !eat(&c, "{") || !eat(&c, "self"))
		return true;
	if (eat(&c, ",") && !eat(&c, "..."))
		return true;
	return !eat(&c, "}") || !eat(&c, ":");
}

/* ENTRY/NAME and ENTRY/NAME-*: the GC roots a build before this one left
 * (nsb reload builds the same entry again). */
static void remove_roots(const char *entry_dir, const char *name)
{
	_cleanup_close_ int dfd = open(entry_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = dfd < 0 ? NULL : fdopendir(dup(dfd));
	size_t n = strlen(name);
	for (struct dirent *e; d && (e = readdir(d));)
		if (e->d_type == DT_LNK && strncmp(e->d_name, name, n) == 0 &&
		    (!e->d_name[n] || e->d_name[n] == '-'))
			unlinkat(dfd, e->d_name, 0);
	if (d)
		closedir(d);
}

/* A view that runs nix (not the env's program) in the evaluation sandbox. */
static struct eval_view nix_view(const struct nix_build *b, int argc, char **argv)
{
	return (struct eval_view){ .user = b->user, .worktree = b->project->worktree,
				   .entry_dir = b->entry_dir, .program = b->nix->path, .argc = argc,
				   .argv = argv, .cwd = b->project->worktree, .path_env = EVAL_PATH,
				   .extra_env = b->git_env, .n_extra_env = b->n_git_env,
				   .offline = b->offline, .no_daemon = b->no_daemon };
}

/* GC roots for the flake's inputs, beside the entry's profile: what
 * `nix flake archive` lists, rooted by `nix build --out-link`, so that
 * nix-collect-garbage keeps them and a later evaluation needs no network
 * (NixOS/nix#3995).  Quiet: print-dev-env said what there was to say. */
static int root_inputs(const struct nix_build *b, char *ref, char **ret_err)
{
	static char a_flake[] = "flake", a_archive[] = "archive", a_build[] = "build",
		    a_json[] = "--json", a_nolock[] = "--no-write-lock-file", a_quiet[] = "--quiet",
		    a_link[] = "--out-link";
	char *archive[] = { b->nix->path, a_quiet, a_quiet, a_quiet, a_flake, a_archive, a_json,
			    a_nolock, ref, NULL };
	_cleanup_free_ char *json = NULL, *link = NULL, **argv = NULL;
	size_t len = 0;
	struct store_paths inputs = { 0 };

	remove_roots(b->entry_dir, "input");
	struct eval_view v = nix_view(b, 9, archive);
	int r = eval_run(&v, "nix flake archive", b->timeout_s, &json, &len, ret_err);
	if (r < 0)
		return r;
	r = devenv_archive_inputs(json, len, &inputs);
	if (r < 0) {
		if (r == -EINVAL && !(*ret_err = strdup("nix flake archive printed something that is not its JSON")))
			r = -ENOMEM;
		return r;
	}
	if (inputs.n == 0)
		return 0;
	int argc = 6 + (int)inputs.n;
	if (asprintf(&link, "%s/input", b->entry_dir) < 0 || !(argv = calloc((size_t)argc + 1, sizeof(*argv)))) {
		store_paths_release(&inputs);
		return -ENOMEM;
	}
	char *head[] = { b->nix->path, a_quiet, a_quiet, a_quiet, a_build, a_link, link };
	memcpy(argv, head, sizeof(head));
	memcpy(argv + 7, inputs.v, inputs.n * sizeof(*argv));
	v = nix_view(b, argc + 1, argv);
	r = eval_run(&v, "nix build of the inputs' GC roots", b->timeout_s, NULL, NULL, ret_err);
	store_paths_release(&inputs);
	return r;
}

/* The policy's tools, built and rooted (ENTRY/tool, tool-1, ...); their
 * bin/ directories onto the environment's PATH, in order.  A tool that
 * names a host path outside the store (the system's or the user's file
 * only: policy/merge.c) is shown to this build alone, read-only (EV-4). */
static int build_tools(const struct nix_build *b, struct devenv *env, char **ret_err)
{
	static char a_build[] = "build", a_json[] = "--json", a_nolock[] = "--no-write-lock-file",
		    a_link[] = "--out-link";
	size_t n = b->n_tools, n_binds = 0, n_held = 0, n_bins = 0, len = 0;
	_cleanup_free_ char *json = NULL, *link = NULL;
	_cleanup_free_ char **argv = calloc(n + 7, sizeof(*argv));
	_cleanup_free_ char **held = calloc(2 * n + 1, sizeof(*held)); /* what binds point to */
	_cleanup_free_ struct eval_bind *binds = calloc(n + 1, sizeof(*binds));
	_cleanup_free_ const char **bins = NULL;
	struct store_paths outs = { 0 };
	struct eval_view v;
	int r = -ENOMEM;

	if (!argv || !held || !binds || asprintf(&link, "%s/tool", b->entry_dir) < 0)
		goto out;
	for (size_t i = 0; i < n; i++) {
		_cleanup_free_ char *path = NULL;
		char *real = NULL, *arg = NULL;
		argv[6 + i] = (char *)b->tools[i];
		r = config_tool_path(b->tools[i], &path);
		if (r == -ENOMEM)
			goto out;
		if (r < 0 || !path || path_at_or_below(path, "/nix/store"))
			continue;
		struct stat st;
		real = realpath(path, NULL);
		const char *why = !real || stat(real, &st) < 0 ? strerror(errno)
							       : config_bind_refusal(real, b->user->home);
		if (real)
			held[n_held++] = real;
		if (why) {
			if (asprintf(ret_err, "cannot build the tool '%s': '%s' %s", b->tools[i], path, why) < 0)
				*ret_err = NULL;
			r = -EPERM;
			goto out;
		}
		/* Shown at its real path, checked (EV-4); nix is given that path. */
		const char *at = strstr(b->tools[i], path);
		if (!at || asprintf(&arg, "%.*s%s%s", (int)(at - b->tools[i]), b->tools[i], real,
				    at + strlen(path)) < 0) {
			r = -ENOMEM;
			goto out;
		}
		held[n_held++] = argv[6 + i] = arg;
		binds[n_binds++] = (struct eval_bind){ .path = real, .st = st };
	}
	char *head[] = { b->nix->path, a_build, a_json, a_nolock, a_link, link };
	memcpy(argv, head, sizeof(head));
	remove_roots(b->entry_dir, "tool");
	v = nix_view(b, (int)(6 + n), argv);
	v.binds = binds;
	v.n_binds = n_binds;
	r = eval_run(&v, "nix build of the policy's tools", b->timeout_s, &json, &len, ret_err);
	if (r < 0)
		goto out;
	r = devenv_build_outputs(json, len, &outs);
	if (r == -EINVAL && !(*ret_err = strdup("nix build printed something that is not its JSON")))
		r = -ENOMEM;
	if (r < 0)
		goto out;
	if (!(bins = calloc(outs.n + 1, sizeof(*bins)))) {
		r = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < outs.n; i++) {
		char *bin = NULL;
		struct stat st;
		if (asprintf(&bin, "%s/bin", outs.v[i]) < 0) {
			r = -ENOMEM;
			goto out;
		}
		if (stat(bin, &st) == 0 && S_ISDIR(st.st_mode)) {
			free(outs.v[i]);
			bins[n_bins++] = outs.v[i] = bin;
		} else {
			free(bin);
		}
	}
	r = devenv_path_append(env, bins, n_bins);
	if (r == -EINVAL && !(*ret_err = strdup("the tools' bin directories make PATH too long")))
		r = -ENOMEM;
out:
	store_paths_release(&outs);
	for (size_t i = 0; i < n_held; i++)
		free(held[i]);
	return r;
}

/* store = closure (only then: a cold entry pays one more nix run, 0.04 to
 * 0.08 s): ENTRY/closure, the closure of the store paths the
 * environment names (its variables, its script, its tools; a flake's
 * profile), as nix recorded their references: `nix path-info --recursive`
 * once, here, so that a start runs no nix.  A path that is a link is kept
 * with its text (shown as that link).  0, or a negative errno and a
 * malloc'ed reason in *ret_why (the entry is still good for store = all). */
static int closure_write(const struct nix_build *b, const struct devenv *env, char **ret_why)
{
	static char a_path_info[] = "path-info", a_recursive[] = "--recursive";
	struct store_paths roots = { 0 };
	_cleanup_free_ char *out = NULL, *profile = NULL, **argv = NULL;
	struct strbuf list = { 0 };
	size_t len = 0;
	int r = closure_scan(env->environ ? env->environ : "", env->environ_len, &roots);
	if (r == 0)
		r = closure_scan(env->rc ? env->rc : "", env->rc_len, &roots);
	if (r == 0 && asprintf(&profile, "%s/profile", b->entry_dir) < 0)
		r = -ENOMEM;
	_cleanup_free_ char *target = r == 0 ? realpath(profile, NULL) : NULL;
	if (r == 0 && target && closure_path_ok(target, strlen(target)))
		r = closure_scan(target, strlen(target), &roots);
	if (r < 0)
		goto out;
	/* the outputs it names that were never built ($out of a dev shell) */
	size_t n = 0;
	for (size_t i = 0; i < roots.n; i++) {
		struct stat st;
		if (lstat(roots.v[i], &st) == 0)
			roots.v[n++] = roots.v[i];
		else
			free(roots.v[i]);
	}
	roots.n = n;
	if (n > 0) {
		if (!(argv = calloc(n + 4, sizeof(*argv)))) {
			r = -ENOMEM;
			goto out;
		}
		argv[0] = b->nix->path;
		argv[1] = a_path_info;
		argv[2] = a_recursive;
		memcpy(argv + 3, roots.v, n * sizeof(*argv));
		struct eval_view v = nix_view(b, (int)n + 3, argv);
		r = eval_run(&v, "nix path-info --recursive", b->timeout_s, &out, &len, ret_why);
		if (r < 0)
			goto out;
	}
	size_t count = 0;
	for (char *line = out, *nl; line && (nl = memchr(line, '\n', len - (size_t)(line - out))); line = nl + 1) {
		*nl = '\0';
		char text[PATH_MAX];
		struct stat st;
		if (!closure_path_ok(line, strlen(line)) || ++count > CLOSURE_MAX || lstat(line, &st) < 0) {
			r = count > CLOSURE_MAX ? -E2BIG : -EINVAL;
			if (asprintf(ret_why, "nix path-info printed %s", count > CLOSURE_MAX ? "too many paths"
						: "a line that is not a store path there") < 0)
				*ret_why = NULL;
			goto out;
		}
		ssize_t tl = S_ISLNK(st.st_mode) ? readlink(line, text, sizeof(text) - 1) : 0;
		if (tl < 0 || memchr(text, '\n', (size_t)tl) || memchr(text, ' ', (size_t)tl) ||
		    (S_ISLNK(st.st_mode) && tl == 0)) {
			r = tl < 0 ? -errno : -EINVAL;
			goto out;
		}
		text[tl] = '\0';
		strbuf_addf(&list, tl ? "%s %s\n" : "%s\n", line, text);
	}
	r = list.oom ? -ENOMEM : file_write_atomic(b->entry_dir, "closure", list.s ? list.s : "", list.len, 0600);
out:
	strbuf_release(&list);
	store_paths_release(&roots);
	return r;
}

static int build_env(const struct nix_build *b, char **ret_err, char **ret_note)
{
	const struct project *p = b->project;
	const struct nix_info *nix = b->nix;
	_cleanup_free_ char *profile = NULL, *ref = NULL, *rel = NULL, *flake = NULL;
	_cleanup_free_ char *path_env = NULL, *dotfile = NULL, *devenv_dir = NULL, *nix_dir = NULL;
	static char a_cmd[] = "print-dev-env", a_json[] = "--json", a_nolock[] = "--no-write-lock-file",
		    a_profile[] = "--profile", a_option[] = "--option", a_accept[] = "accept-flake-config",
		    a_false[] = "false";
	/* EV-5: a flake's nixConfig is never taken (nor asked about) */
	char *nix_argv[] = { nix->path, a_cmd, a_json, a_nolock, a_option, a_accept, a_false, a_profile,
			     NULL, NULL, NULL };
	char *devenv_argv[] = { NULL, a_cmd, a_json, NULL };
	const char *what = "nix print-dev-env";
	struct eval_view view = nix_view(b, 10, nix_argv);
	struct stat dotfile_st;
	size_t flake_len = 0;
	int r;

	if (p->kind == ENV_DEVENV) {
		const char *devenv = b->devenv ? b->devenv->path : NULL;
		if (!devenv) {
			*ret_err = strdup("cannot find 'devenv' in PATH: install it (nix profile install nixpkgs#devenv; see https://devenv.sh)");
			return -ENOENT;
		}
		r = devenv_dotfile(p, &dotfile_st, ret_err);
		if (r < 0)
			return r;
		/* devenv runs nix by name: its own directory first (a nix
		 * profile has both), then the nix nsbsh found. */
		if (!(devenv_dir = dir_of(devenv)) || !(nix_dir = dir_of(nix->path)) ||
		    asprintf(&path_env, "%s:%s:" EVAL_PATH, devenv_dir, nix_dir) < 0 ||
		    asprintf(&dotfile, "%s/.devenv", p->envdir) < 0)
			return -ENOMEM;
		devenv_argv[0] = (char *)devenv;
		what = "devenv print-dev-env";
		view.program = devenv;
		view.argc = 3;
		view.argv = devenv_argv;
		view.cwd = p->envdir;
		view.path_env = path_env;
		view.bind_program = !shown_by_eval(devenv);
		view.dotfile = dotfile;
		view.dotfile_st = &dotfile_st;
	} else {
		if (asprintf(&profile, "%s/profile", b->entry_dir) < 0)
			return -ENOMEM;
		if (*p->env_rel) {
			rel = url_encode(p->env_rel);
			if (!rel || asprintf(&ref, "git+file://" EVAL_FLAKE_VIEW "?dir=%s", rel) < 0)
				return -ENOMEM;
		} else if (!(ref = strdup("git+file://" EVAL_FLAKE_VIEW))) {
			return -ENOMEM;
		}
		nix_argv[8] = profile;
		nix_argv[9] = ref;
	}
	_cleanup_free_ char *json = NULL, *meta = NULL;
	size_t json_len = 0;
	r = eval_run(&view, what, b->timeout_s, &json, &json_len, ret_err);
	if (r < 0)
		return r;

	_cleanup_(devenv_release) struct devenv env = { 0 };
	r = devenv_render(json, json_len, &env);
	if (r < 0) {
		if (asprintf(ret_err, "%s printed something that is not its JSON", what) < 0)
			*ret_err = NULL;
		return r;
	}
	/* The inputs: a failure leaves a good environment, unrooted inputs
	 * and a note (nix said why on stderr). */
	if (p->kind == ENV_FLAKE &&
	    (file_read(AT_FDCWD, p->envfile, CACHE_FILE_MAX, FILE_NOFOLLOW, &flake, &flake_len) < 0 ||
	     flake_may_have_inputs(flake))) {
		_cleanup_free_ char *why = NULL;
		r = root_inputs(b, ref, &why);
		if (r == -ENOMEM)
			return r;
		if (r < 0 && asprintf(ret_note, "the inputs of '%s' have no GC root, nix-collect-garbage may remove them: %s",
				      p->envfile, why ? why : strerror(-r)) < 0)
			*ret_note = NULL;
	}
	if (b->n_tools) {
		r = build_tools(b, &env, ret_err);
		if (r < 0)
			return r;
	}
	r = file_write_atomic(b->entry_dir, "environ", env.environ ? env.environ : "", env.environ_len, 0600);
	if (r == 0)
		r = file_write_atomic(b->entry_dir, "rc.bash", env.rc, env.rc_len, 0600);
	if (r == 0 && b->closure) {
		_cleanup_free_ char *why = NULL;
		r = closure_write(b, &env, &why);
		if (r == -ENOMEM)
			return r;
		if (r < 0 && !*ret_note &&
		    asprintf(ret_note, "store = closure cannot show this environment: its closure is not known: %s",
			     why ? why : strerror(-r)) < 0)
			*ret_note = NULL;
		r = 0;
	}

	char when[32];
	snprintf(when, sizeof(when), "%lld", (long long)time(NULL));
	if (r == 0)
		r = meta_add(&meta, "key", b->key);
	if (r == 0)
		r = meta_add(&meta, "kind", project_kind_name(p->kind));
	if (r == 0)
		r = meta_add(&meta, "worktree", p->worktree);
	if (r == 0)
		r = meta_add(&meta, "envfile", p->envfile);
	if (r == 0)
		r = meta_add(&meta, "nix", nix->id);
	if (r == 0 && p->kind == ENV_DEVENV)
		r = meta_add(&meta, "devenv", b->devenv->path);
	if (r == 0 && p->kind == ENV_DEVENV)
		r = meta_add(&meta, "devenv_id", b->devenv->id);
	if (r == 0)
		r = meta_add(&meta, "created", when);
	/* Last: "meta" is what makes the entry complete. */
	if (r == 0)
		r = file_write_atomic(b->entry_dir, "meta", meta, strlen(meta), 0600);
	if (r < 0 && !*ret_err && asprintf(ret_err, "cannot write the cache entry '%s': %s",
					    b->entry_dir, strerror(-r)) < 0)
		*ret_err = NULL;
	return r;
}

int nix_build_env(const struct nix_build *b, char **ret_err, char **ret_note)
{
	/* EV-5: the git that nix runs reads the repository's config: none of
	 * it may run code there */
	struct nix_build with_git = *b;
	char **git_env = NULL;
	size_t n_git_env = 0;
	int r = protect_git_env(b->project->worktree, b->user->home, &git_env, &n_git_env);
	if (r < 0)
		return r;
	with_git.git_env = git_env;
	with_git.n_git_env = n_git_env;
	r = build_env(&with_git, ret_err, ret_note);
	for (size_t i = 0; i < n_git_env; i++)
		free(git_env[i]);
	free(git_env);
	return r;
}
