/* fuzz_gitconfig.c - libFuzzer target for git/gitconfig.c and the plan of
 * git/protect.c: the input is a repository's config (and, after a NUL, a
 * hook's first bytes).  Besides memory errors, it checks the promises of
 * protect.h: every planned path is absolute and normalized, and listed once. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "git/gitconfig.h"
#include "git/protect.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int count(const struct gitconfig_entry *e, void *ctx)
{
	(void)e;
	++*(size_t *)ctx;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 65536)
		return 0;
	const char *text = (const char *)data;
	const uint8_t *nul = memchr(data, 0, size);
	size_t len = nul ? (size_t)(nul - data) : size;
	size_t n = 0;
	gitconfig_parse(text, size, count, &n, NULL);
	struct protect_config c = { "/w/p/.git/config", text, len };
	struct protect_hook h = { "pre-commit", NULL, nul ? (const char *)nul + 1 : NULL, nul ? size - len - 1 : 0 };
	struct protect_input in = { .worktree = "/w/p", .home = "/home/u", .hooks_dir = "/w/p/.git/hooks",
				    .gitdir = "/w/p/.git", .configs = &c, .n_configs = 1, .hooks = &h, .n_hooks = 1 };
	struct protect_list l = { 0 };
	if (protect_plan(&in, &l) == 0) {
		for (size_t i = 0; i < l.n; i++) {
			char *norm = protect_normalize(l.v[i].path);
			if (!norm || strcmp(norm, l.v[i].path) != 0)
				abort();
			free(norm);
			for (size_t j = 0; j < i; j++)
				if (strcmp(l.v[i].path, l.v[j].path) == 0)
					abort();
		}
		protect_list_release(&l);
	}
	char **inc = NULL;
	size_t n_inc = 0;
	if (protect_includes(&c, "/home/u", &inc, &n_inc) == 0) {
		for (size_t i = 0; i < n_inc; i++)
			free(inc[i]);
		free(inc);
	}
	return 0;
}
