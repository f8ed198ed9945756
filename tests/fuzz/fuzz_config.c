/* fuzz_config.c - libFuzzer target for config_parse_text() and
 * config_merge() (`make fuzz`, `make fuzz-check`).
 *   ./tests/fuzz/fuzz_config -max_total_time=60 CORPUS_COPY
 * Besides memory errors, it checks the promises of config.h: nothing is
 * printed (stdout is a memfd that must stay empty), a parsed layer holds
 * only values the parser allows, and a layer merged as a project file,
 * or as the user file under a strict system, never widens the policy. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "policy/config.h"

#define HOME "/home/fuzz"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char base_text[] =
	"strict = on\n"
	"network = off\n"
	"bind = { \"/srv/a:rw\", \"/srv/b:/b\" }\n"
	"unshadow = \"~/.gitconfig\"\n"
	"passthrough = { \"GIT_*\", EDITOR }\n"
	"allowed_roots = ~/projects\n";

static struct policy_layer base;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct config_error e;
	int fd = memfd_create("stdout", MFD_CLOEXEC);

	if (fd < 0 || dup2(fd, STDOUT_FILENO) < 0)
		abort();
	close(fd);
	if (config_parse_text(base_text, strlen(base_text), "base.conf", HOME, &base, &e) != 0)
		abort();
	return 0;
}

/* Normalized: no empty, "." or ".." component, no trailing slash. */
static int path_ok(const char *p, bool relative)
{
	if (!p || strlen(p) > CONFIG_MAX_PATH || (relative ? p[0] == '/' : p[0] != '/'))
		return 0;
	if (!strcmp(p, "/"))
		return !relative;
	for (const char *c = p + !relative;;) {
		size_t n = strcspn(c, "/");
		if (n == 0 || (n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.'))
			return 0;
		for (size_t i = 0; i < n; i++)
			if ((unsigned char)c[i] < 0x20 || c[i] == 0x7f)
				return 0;
		if (!c[n])
			return 1;
		c += n + 1;
	}
}

static void check_layer(const struct policy_layer *l)
{
	const struct policy *v = &l->v;

	if (!l->filename || v->bind.n > CONFIG_MAX_LIST || v->unshadow.n > CONFIG_MAX_LIST ||
	    v->passthrough.n > CONFIG_MAX_LIST || v->watch.n > CONFIG_MAX_LIST ||
	    v->allowed_roots.n > CONFIG_MAX_LIST || v->n_projects > CONFIG_MAX_PROJECTS)
		abort();
	if (v->bash && !path_ok(v->bash, false))
		abort();
	for (size_t i = 0; i < v->bind.n; i++)
		if (!path_ok(v->bind.v[i].value, false) || !path_ok(v->bind.v[i].dest, false) ||
		    config_bind_refusal(v->bind.v[i].value, HOME) || !strcmp(v->bind.v[i].dest, "/"))
			abort();
	for (size_t i = 0; i < v->unshadow.n; i++)
		if (!path_ok(v->unshadow.v[i].value, false) ||
		    strncmp(v->unshadow.v[i].value, HOME "/", strlen(HOME "/")) != 0)
			abort();
	for (size_t i = 0; i < v->watch.n; i++)
		if (!path_ok(v->watch.v[i].value, true))
			abort();
	for (size_t i = 0; i < v->allowed_roots.n; i++)
		if (!path_ok(v->allowed_roots.v[i].value, false))
			abort();
	for (size_t i = 0; i < v->passthrough.n; i++) {
		const char *n = v->passthrough.v[i].value;
		if (!n || !(n[0] == '_' || (n[0] >= 'A' && n[0] <= 'Z') || (n[0] >= 'a' && n[0] <= 'z')))
			abort();
	}
	for (size_t i = 0; i < v->n_projects; i++) {
		if (!path_ok(v->projects[i].project, false) || v->projects[i].v.n_projects)
			abort();
		check_layer(&v->projects[i]);
	}
}

static bool list_has(const struct policy_list *l, const struct policy_entry *e)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->v[i].value, e->value) &&
		    (!e->dest || (l->v[i].dest && !strcmp(l->v[i].dest, e->dest))) &&
		    (l->v[i].rw || !e->rw))
			return true;
	return false;
}

/* What `before` did not allow, `after` must not allow either. */
static void check_not_wider(const struct policy *before, const struct policy *after)
{
	if ((after->network && !before->network) || (after->host_system && !before->host_system) ||
	    (!after->strict && before->strict) ||
	    (after->bash && (!before->bash || strcmp(after->bash, before->bash))))
		abort();
	for (size_t i = 0; i < after->bind.n; i++)
		if (!list_has(&before->bind, &after->bind.v[i]))
			abort();
	for (size_t i = 0; i < after->unshadow.n; i++)
		if (!list_has(&before->unshadow, &after->unshadow.v[i]))
			abort();
	for (size_t i = 0; i < after->passthrough.n; i++) {
		const char *n = after->passthrough.v[i].value;
		if (!list_has(&before->passthrough, &after->passthrough.v[i]) &&
		    (strpbrk(n, "*?[") || !policy_passes_env(before, n)))
			abort();
	}
	for (size_t i = 0; i < after->allowed_roots.n; i++)
		if (!policy_allows_project(before, after->allowed_roots.v[i].value))
			abort();
	if (after->n_notes > CONFIG_MAX_NOTES)
		abort();
}

static void merge_as(const struct policy_layer *l, enum layer_kind kind)
{
	struct policy before, after;

	policy_init_defaults(&before);
	policy_init_defaults(&after);
	if (config_merge(&before, &base, LAYER_SYSTEM) != 0 ||
	    config_merge(&after, &base, LAYER_SYSTEM) != 0 || config_merge(&after, l, kind) != 0)
		abort();
	check_not_wider(&before, &after);
	for (size_t i = 0; i < l->v.n_projects; i++)
		if (config_merge(&after, &l->v.projects[i], kind) != 0)
			abort();
	check_not_wider(&before, &after);
	policy_release(&before);
	policy_release(&after);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct policy_layer l = { 0 };
	struct config_error e;
	struct stat st;
	struct policy p;

	int r = config_parse_text((const char *)data, size, "fuzz.conf", HOME, &l, &e);
	if (fstat(STDOUT_FILENO, &st) != 0 || st.st_size != 0)
		abort();  /* libconfuse printed something */
	if (r != 0) {
		if (!e.message[0] || strlen(e.message) >= sizeof(e.message))
			abort();
		for (const char *c = e.message; *c; c++)
			if ((unsigned char)*c < 0x20 || *c == 0x7f)
				abort();
		return 0;
	}
	check_layer(&l);
	/* As a system file: anything goes, but nothing breaks. */
	policy_init_defaults(&p);
	if (config_merge(&p, &l, LAYER_SYSTEM) != 0)
		abort();
	policy_release(&p);
	/* As a project file, or a user file under strict mode: never wider. */
	merge_as(&l, LAYER_PROJECT);
	merge_as(&l, LAYER_USER);
	policy_layer_release(&l);
	return 0;
}
