/* nixconf.c - trusted-users and sandbox of the daemon's nix.conf (see
 * nixconf.h).  nix.conf's syntax: `name = value` lines, `#` comments,
 * `include PATH` and `!include PATH` (missing: ignored), relative to the
 * including file's directory; `extra-NAME` appends to NAME; a later line
 * wins.  A trusted client may set sandbox = false and build-users-group =
 * "" for its builds, which then run as root: net.c NET-5. */
#include "env/nixconf.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/file.h"
#include "base/util.h"

#define NIXCONF_MAX (256u * 1024)
#define NIXCONF_DEPTH 8
#define NIXCONF_GROUPS 64

struct state {
	char trusted[1024];  /* trusted-users, words separated by spaces */
	char sandbox[32];
	nixconf_read_fn *read;
};

static void set_value(char *dst, size_t size, const char *v, size_t n, bool append)
{
	size_t have = append ? strlen(dst) : 0;
	if (append && have && have + 1 < size)
		dst[have++] = ' ';
	if (have + n >= size)
		n = size - have - 1;
	memcpy(dst + have, v, n);
	dst[have + n] = '\0';
}

static void parse(struct state *st, const char *text, const char *dir, int depth)
{
	for (const char *line = text; line && *line;) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);
		const char *hash = memchr(line, '#', len);
		if (hash)
			len = (size_t)(hash - line);
		while (len && (*line == ' ' || *line == '\t'))
			line++, len--;
		while (len && (line[len - 1] == ' ' || line[len - 1] == '\t' || line[len - 1] == '\r'))
			len--;
		const char *next = end ? end + 1 : NULL;
		bool bang = len > 9 && strncmp(line, "!include", 8) == 0 && (line[8] == ' ' || line[8] == '\t');
		if (bang || (len > 8 && strncmp(line, "include", 7) == 0 && (line[7] == ' ' || line[7] == '\t'))) {
			const char *p = line + (bang ? 8 : 7);
			size_t n = len - (size_t)(p - line);
			while (n && (*p == ' ' || *p == '\t'))
				p++, n--;
			_cleanup_free_ char *path = NULL, *sub = NULL;
			if (depth < NIXCONF_DEPTH && n &&
			    asprintf(&path, "%s%s%.*s", *p == '/' ? "" : dir, *p == '/' ? "" : "/", (int)n, p) >= 0 &&
			    st->read(path, &sub) == 0) {
				_cleanup_free_ char *subdir = strdup(path);
				char *slash = subdir ? strrchr(subdir, '/') : NULL;
				if (slash)
					*slash = '\0';
				parse(st, sub, subdir && slash ? subdir : dir, depth + 1);
			}
			line = next;
			continue;
		}
		const char *eq = memchr(line, '=', len);
		if (eq) {
			size_t klen = (size_t)(eq - line);
			while (klen && (line[klen - 1] == ' ' || line[klen - 1] == '\t'))
				klen--;
			const char *v = eq + 1;
			size_t vlen = len - (size_t)(v - line);
			while (vlen && (*v == ' ' || *v == '\t'))
				v++, vlen--;
			bool extra = klen > 6 && strncmp(line, "extra-", 6) == 0;
			const char *key = extra ? line + 6 : line;
			size_t kn = extra ? klen - 6 : klen;
			if (kn == 13 && strncmp(key, "trusted-users", 13) == 0)
				set_value(st->trusted, sizeof(st->trusted), v, vlen, extra);
			else if (kn == 7 && strncmp(key, "sandbox", 7) == 0 && !extra)
				set_value(st->sandbox, sizeof(st->sandbox), v, vlen, false);
		}
		line = next;
	}
}

static bool word_in(const char *list, const char *word, size_t n)
{
	for (const char *p = list; *p;) {
		while (*p == ' ' || *p == '\t')
			p++;
		size_t k = strcspn(p, " \t");
		if (k == n && strncmp(p, word, n) == 0)
			return true;
		p += k;
	}
	return false;
}

/* Whether trusted-users has a word that names a group (@...), and one
 * that names a user: what of the user's names a start must look up (NSS,
 * about 0.05 ms for the groups). */
static void names_needed(const char *list, bool *ret_user, bool *ret_groups)
{
	*ret_user = *ret_groups = false;
	for (const char *p = list; *p;) {
		while (*p == ' ' || *p == '\t')
			p++;
		size_t k = strcspn(p, " \t");
		if (k && p[0] == '@')
			*ret_groups = true;
		else if (k && !(k == 1 && p[0] == '*'))
			*ret_user = true;
		p += k;
	}
}

static void trust_of(const struct state *st, const char *user, const char *const *groups, size_t n_groups,
		     struct nixconf_trust *ret)
{
	*ret = (struct nixconf_trust){ 0 };
	const char *by = NULL;
	char b[80];
	if (word_in(st->trusted, "*", 1)) {
		by = "*";
	} else if (user && word_in(st->trusted, user, strlen(user))) {
		by = user;
	} else {
		for (size_t i = 0; i < n_groups && !by; i++) {
			snprintf(b, sizeof(b), "@%s", groups[i]);
			if (word_in(st->trusted, b, strlen(b)))
				by = b;
		}
	}
	ret->trusted = by != NULL;
	ret->no_sandbox = strcmp(st->sandbox, "true") != 0;
	if (ret->trusted && ret->no_sandbox)
		snprintf(ret->why, sizeof(ret->why), "the daemon trusts you (trusted-users has %.40s) and does not sandbox builds (sandbox = %.12s)",
			 by, st->sandbox);
	else if (ret->trusted)
		snprintf(ret->why, sizeof(ret->why), "the daemon trusts you (trusted-users has %.40s): a trusted client may build as root",
			 by);
	else if (ret->no_sandbox)
		snprintf(ret->why, sizeof(ret->why), "the daemon does not sandbox builds (sandbox = %.12s)", st->sandbox);
}

void nixconf_parse(const char *text, const char *dir, nixconf_read_fn *include, const char *user,
		   const char *const *groups, size_t n_groups, struct nixconf_trust *ret)
{
	struct state st = { .trusted = "root", .sandbox = "true", .read = include };
	parse(&st, text, dir, 0);
	trust_of(&st, user, groups, n_groups, ret);
}

static int read_conf(const char *path, char **ret)
{
	size_t len;
	return file_read(AT_FDCWD, path, NIXCONF_MAX, 0, ret, &len);
}

int nixconf_trust_read(const char *conf, struct nixconf_trust *ret)
{
	_cleanup_free_ char *text = NULL, *dir = strdup(conf);
	char *slash = dir ? strrchr(dir, '/') : NULL;
	if (!dir)
		return -ENOMEM;
	if (slash)
		*slash = '\0';
	int r = read_conf(conf, &text);
	if (r == -ENOENT) {
		*ret = (struct nixconf_trust){ 0 };
		return 0;
	}
	if (r < 0)
		return r;
	struct state st = { .trusted = "root", .sandbox = "true", .read = read_conf };
	parse(&st, text, dir, 0);
	/* the user's name and its groups' (nix matches @group by name), each
	 * looked up only when trusted-users has a word it could match */
	bool need_user, need_groups;
	names_needed(st.trusted, &need_user, &need_groups);
	struct passwd *pw = need_user ? getpwuid(getuid()) : NULL;
	gid_t gids[NIXCONF_GROUPS];
	int n = need_groups ? getgroups(NIXCONF_GROUPS - 1, gids) : 0;
	if (n < 0)
		n = 0;
	if (need_groups)
		gids[n++] = getgid();
	const char *names[NIXCONF_GROUPS] = { 0 };
	char *owned[NIXCONF_GROUPS];
	size_t k = 0;
	for (int i = 0; i < n; i++) {
		struct group *g = getgrgid(gids[i]);
		if (g && (owned[k] = strdup(g->gr_name)))
			names[k] = owned[k], k++;
	}
	_cleanup_free_ char *user = pw ? strdup(pw->pw_name) : NULL;
	trust_of(&st, user, names, k, ret);
	for (size_t i = 0; i < k; i++)
		free(owned[i]);
	return 0;
}
