/* fuzz_devenv.c - libFuzzer target for devenv_render() and the store-path
 * readers of devenv.h (nix flake archive --json, nix build --json).
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -Isrc \
 *       tests/fuzz/fuzz_devenv.c src/devenv.c -o fuzz_devenv
 *   ./fuzz_devenv tests/fuzz/corpus-devenv
 * Besides memory errors, it checks the promises of devenv.h on success. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "env/devenv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The store-path readers: every path they return is one, once. */
static void check_paths(int r, struct store_paths *p)
{
	if (r != 0) {
		if (p->v || p->n)
			abort();
		return;
	}
	for (size_t i = 0; i < p->n; i++) {
		if (strncmp(p->v[i], "/nix/store/", 11) != 0 || strchr(p->v[i] + 11, '/'))
			abort();
		for (size_t j = 0; j < i; j++)
			if (strcmp(p->v[i], p->v[j]) == 0)
				abort();
	}
	store_paths_release(p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct devenv d = { 0 };
	struct store_paths p = { 0 };

	check_paths(devenv_archive_inputs((const char *)data, size, &p), &p);
	check_paths(devenv_build_outputs((const char *)data, size, &p), &p);
	if (devenv_render((const char *)data, size, &d) != 0)
		return 0;
	if (!d.environ || (d.environ_len > 0 && d.environ[d.environ_len - 1] != '\0') ||
	    !d.rc || strlen(d.rc) != d.rc_len)
		abort();
	for (const char *p = d.environ; p < d.environ + d.environ_len; p += strlen(p) + 1) {
		size_t n = strlen(p);

		if (!strchr(p, '='))
			abort();
		/* an empty PATH entry would mean the current directory */
		if (strncmp(p, "PATH=", 5) == 0 &&
		    (n == 5 || p[5] == ':' || p[n - 1] == ':' || strstr(p, "::")))
			abort();
	}
	devenv_release(&d);
	return 0;
}
