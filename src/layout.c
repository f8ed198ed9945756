/* layout.c - the contents of the sandboxes (see layout.h and DESIGN.md 5). */
#include "layout.h"

#include <limits.h>
#include <stdio.h>
#include <sys/stat.h>

#include "util.h"

#define DEFAULT_DAEMON_SOCKET "/nix/var/nix/daemon-socket/socket"

/* Outer variables that reach the sandbox; everything else stays out. */
static const char *const env_allow[] = { "TERM", "COLORTERM", "LANG", "LANGUAGE", "TZ",
					 "NO_COLOR", "COLUMNS", "LINES" };

void layout_init(struct layout *l)
{
	*l = (struct layout){ 0 };
	sandbox_spec_init(&l->spec);
}

void layout_release(struct layout *l)
{
	for (size_t i = 0; i < l->n_owned; i++)
		free(l->owned[i]);
	free(l->owned);
	for (size_t i = 0; i < l->n_env; i++)
		free(l->envp[i]);
	sandbox_spec_release(&l->spec);
	*l = (struct layout){ 0 };
}

const char *layout_keep(struct layout *l, char *s)
{
	if (!s)
		return NULL;
	char **o = realloc(l->owned, (l->n_owned + 1) * sizeof(*o));
	if (!o) {
		free(s);
		return NULL;
	}
	l->owned = o;
	l->owned[l->n_owned++] = s;
	return s;
}

static int layout_putenv(struct layout *l, char *entry)
{
	size_t nlen = strcspn(entry, "=");
	for (size_t i = 0; i < l->n_env; i++) {
		if (strncmp(l->envp[i], entry, nlen + 1) == 0) {
			free(l->envp[i]);
			l->envp[i] = entry;
			return 0;
		}
	}
	if (l->n_env + 1 >= ARRAY_SIZE(l->envp)) {
		free(entry);
		return -E2BIG;
	}
	l->envp[l->n_env++] = entry;
	l->envp[l->n_env] = NULL;
	return 0;
}

int layout_setenv(struct layout *l, const char *name, const char *value)
{
	char *e = NULL;
	if (asprintf(&e, "%s=%s", name, value) < 0)
		return -ENOMEM;
	return layout_putenv(l, e);
}

int layout_pass_env(struct layout *l)
{
	extern char **environ;
	for (char **e = environ; *e; e++) {
		size_t nlen = strcspn(*e, "=");
		bool pass = strncmp(*e, "LC_", 3) == 0;
		for (size_t i = 0; !pass && i < ARRAY_SIZE(env_allow); i++)
			pass = strlen(env_allow[i]) == nlen && strncmp(*e, env_allow[i], nlen) == 0;
		if (!pass || (*e)[nlen] != '=')
			continue;
		char *copy = strdup(*e);
		if (!copy)
			return -ENOMEM;
		int r = layout_putenv(l, copy);
		if (r < 0)
			return r;
	}
	return 0;
}

const char *layout_daemon_socket(void)
{
	const char *s = getenv("NIX_DAEMON_SOCKET_PATH");
	return s && s[0] == '/' ? s : DEFAULT_DAEMON_SOCKET;
}

static int add(struct layout *l, enum sandbox_op_kind k, const char *src, const char *dest)
{
	return sandbox_add(&l->spec, k, src, dest, NULL, 0);
}

static int add_file(struct layout *l, const char *dest, char *content)
{
	const char *c = layout_keep(l, content);
	if (!c)
		return -ENOMEM;
	return sandbox_add(&l->spec, SB_FILE, NULL, dest, c, strlen(c));
}

int layout_common(struct layout *l, const struct layout_user *u)
{
	int r = sandbox_add_base(&l->spec);
	if (r < 0)
		return r;
	r = add(l, SB_BIND_RO, "/nix/store", "/nix/store");
	if (r < 0)
		return r;

	/* The daemon socket's directory, so that a restarted daemon's new socket
	 * is seen; absent when no daemon was ever started (then nix says so). */
	const char *sock = layout_daemon_socket();
	char *sockdir = strdup(sock);
	if (!sockdir)
		return -ENOMEM;
	char *slash = strrchr(sockdir, '/');
	if (slash && slash != sockdir)
		*slash = '\0';
	struct stat st;
	if (stat(sockdir, &st) == 0 && S_ISDIR(st.st_mode)) {
		const char *d = layout_keep(l, sockdir);
		if (!d)
			return -ENOMEM;
		r = add(l, SB_BIND_RW, d, d);
		if (r < 0)
			return r;
	} else {
		free(sockdir);
	}

	char *passwd = NULL, *group = NULL;
	if (asprintf(&passwd, "%s:x:%u:%u::%s:/bin/bash\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n",
		     u->name, u->uid, u->gid, u->home) < 0)
		return -ENOMEM;
	r = add_file(l, "/etc/passwd", passwd);
	if (r < 0)
		return r;
	if (asprintf(&group, "%s:x:%u:\nnogroup:x:65534:\n", u->name, u->gid) < 0)
		return -ENOMEM;
	r = add_file(l, "/etc/group", group);
	if (r < 0)
		return r;
	char *nss = strdup("passwd: files\ngroup: files\nhosts: files dns\n");
	if (!nss)
		return -ENOMEM;
	r = add_file(l, "/etc/nsswitch.conf", nss);
	if (r == 0)
		r = add(l, SB_BIND_TRY_RO, "/etc/hosts", "/etc/hosts");
	if (r == 0)
		r = add(l, SB_BIND_TRY_RO, "/etc/resolv.conf", "/etc/resolv.conf");
	if (r == 0)
		r = add(l, SB_BIND_TRY_RO, "/etc/ssl/certs", "/etc/ssl/certs");
	return r;
}

int layout_host_system(struct layout *l)
{
	static const char *const dirs[] = { "/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64",
					    "/libx32", "/etc/nix", "/etc/alternatives",
					    "/etc/ca-certificates" };
	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++) {
		struct stat st;
		if (lstat(dirs[i], &st) < 0)
			continue;
		int r;
		if (S_ISLNK(st.st_mode)) {
			/* merged /usr: /bin -> usr/bin stays a link */
			char target[PATH_MAX];
			ssize_t n = readlink(dirs[i], target, sizeof(target) - 1);
			if (n < 0)
				continue;
			target[n] = '\0';
			const char *t = layout_keep(l, strdup(target));
			if (!t)
				return -ENOMEM;
			r = add(l, SB_SYMLINK, t, dirs[i]);
		} else {
			r = add(l, SB_BIND_RO, dirs[i], dirs[i]);
		}
		if (r < 0)
			return r;
	}
	return 0;
}
