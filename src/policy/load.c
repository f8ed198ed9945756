/* load.c - the policy files read and merged (config.h): the system's file
 * and the user's into one policy (config_load, config_load_standard), a
 * project's overrides on top of it (config_load_project), and where the
 * user's file is (config_user_path).
 *
 * The policy's only I/O (trust.c's pins aside): it reads the files it is
 * given, bounded by CONFIG_MAX_FILE, through base/file.h's file_read, and
 * config_user_path reads XDG_CONFIG_HOME and HOME; it writes nothing and
 * never prints.  The text is parse.c's to understand, the layers
 * merge.c's to merge. */
#include "policy/internal.h"

#include <fcntl.h>
#include <stdio.h>

#include "base/file.h"
#include "base/sha256.h"
#include "base/util.h"

/* p->source chained with what, then text: the hash of every text that made
 * the policy, in the order it was applied. */
static void source_add(struct policy *p, const char *what, const char *text, size_t len)
{
	struct sha256 h;
	uint8_t digest[32];
	uint64_t n;
	sha256_init(&h);
	sha256_update(&h, p->source, strlen(p->source));
	n = strlen(what);
	sha256_update(&h, &n, sizeof(n));
	sha256_update(&h, what, strlen(what));
	n = len;
	sha256_update(&h, &n, sizeof(n));
	sha256_update(&h, text, len);
	sha256_final(&h, digest);
	sha256_hex(digest, p->source);
}

static int note_projects_ignored(struct policy *p, const struct policy_layer *l)
{
	for (size_t i = 0; i < l->v.n_projects; i++) {
		int r = policy_note(p, "%s:%d: project '%s' ignored: project sections are read "
				    "from the user's file only", l->filename, l->v.projects[i].project_line,
				    l->v.projects[i].project);
		if (r < 0)
			return r;
	}
	return 0;
}

int config_user_path(char **ret)
{
	const char *base = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
	int n;

	if (base && base[0] == '/')
		n = asprintf(ret, "%s/nsbsh/nsbsh.conf", base);
	else if (home && home[0] == '/')
		n = asprintf(ret, "%s/.config/nsbsh/nsbsh.conf", home);
	else
		return -ENOENT;
	return n < 0 ? -ENOMEM : 0;
}

int config_load(const char *system_path, const char *user_path, const char *home,
		struct policy *ret, struct config_error *err)
{
	_cleanup_(policy_release) struct policy s = { 0 };
	const char *paths[] = { system_path, user_path };
	bool strict = false;
	int r = 0;

	*err = (struct config_error){ 0 };
	policy_init_defaults(&s);
	for (size_t i = 0; i < ARRAY_SIZE(paths) && r == 0; i++) {
		_cleanup_(policy_layer_release) struct policy_layer l = { 0 };
		_cleanup_free_ char *text = NULL;
		size_t len = 0;
		bool seen = false;

		if (!paths[i])
			continue;
		r = file_read(AT_FDCWD, paths[i], CONFIG_MAX_FILE, 0, &text, &len);
		if (r == -ENOENT) {
			r = 0;  /* absent: nothing to say */
			continue;
		}
		if (r == -EFBIG) {
			config_err_set(err, 0, "%s: larger than %u KiB", paths[i],
				       CONFIG_MAX_FILE / 1024);
			break;
		}
		if (r < 0) {
			config_err_set(err, 0, "cannot read '%s': %s", paths[i],
				r == -EINVAL ? "not a regular file" : strerror(-r));
			break;
		}
		r = config_parse_layer(text, len, paths[i], home, &l, err, &seen);
		source_add(&s, paths[i], text, len);
		strict |= seen;
		if (r == 0)
			r = config_merge(&s, &l, i == 0 ? LAYER_SYSTEM : LAYER_USER);
		strict |= s.strict;
		if (r == 0 && i == 0) {
			r = note_projects_ignored(&s, &l);
		} else if (r == 0) {
			s.projects = steal_pointer(&l.v.projects);
			s.n_projects = l.v.n_projects;
			l.v.n_projects = 0;
		}
		if (r == -ENOMEM && !err->message[0])
			config_err_set(err, 0, "%s: out of memory", paths[i]);
	}
	if (r < 0) {
		/* Never half-read; but a strict account stays strict. */
		policy_init_defaults(ret);
		ret->strict = strict;
		return r;
	}
	*ret = s;
	s = (struct policy){ 0 };
	return 0;
}

int config_load_standard(const char *home, struct policy *ret, struct config_error *err)
{
	_cleanup_free_ char *user = NULL;
	if (config_user_path(&user) < 0)
		user = NULL;
	return config_load(config_system_path(), user, home, ret, err);
}

int config_load_project(struct policy *p, const char *root, const char *text, size_t len,
			const char *filename, bool trusted, const char *home,
			struct config_error *err)
{
	_cleanup_(policy_release) struct policy s = { 0 };
	_cleanup_free_ char *rootc = NULL, *home_clean = NULL;
	const char *why = NULL;
	char b[72];

	*err = (struct config_error){ 0 };
	if (home && home[0] == '/' &&
	    config_path_clean(home, NULL, false, &home_clean, &why) == -ENOMEM)
		return -ENOMEM;
	int r = config_path_clean(root ? root : "", home_clean, false, &rootc, &why);
	if (r == -EINVAL)
		config_err_set(err, 0, "project '%s' %s", config_shown(root ? root : "", b), why);
	if (r < 0)
		return r;
	r = policy_copy(&s, p);
	source_add(&s, "project", rootc, strlen(rootc));
	for (size_t i = 0; r == 0 && i < p->n_projects; i++)
		if (streq(p->projects[i].project, rootc)) {
			r = config_merge(&s, &p->projects[i], LAYER_USER);
			break;
		}
	if (r == 0 && text && trusted) {
		_cleanup_(policy_layer_release) struct policy_layer l = { 0 };
		r = config_parse_layer(text, len, filename ? filename : ".nsbsh.conf", home, &l, err,
				       NULL);
		if (r == 0)
			r = note_projects_ignored(&s, &l);
		source_add(&s, filename ? filename : ".nsbsh.conf", text, len);
		/* Trusted: the user read it and pinned it, so it counts as the
		 * user's own words (it widens unless strict mode is on); what
		 * the repository ships untrusted is never even parsed.  Its
		 * tools add to the user's (LAYER_REPO). */
		if (r == 0)
			r = config_merge(&s, &l, LAYER_REPO);
	}
	if (r == -ENOMEM && !err->message[0])
		config_err_set(err, 0, "%s: out of memory", filename ? filename : ".nsbsh.conf");
	if (r < 0)
		return r;
	s.projects = steal_pointer(&p->projects);
	s.n_projects = p->n_projects;
	p->n_projects = 0;
	policy_release(p);
	*p = s;
	s = (struct policy){ 0 };
	return 0;
}
