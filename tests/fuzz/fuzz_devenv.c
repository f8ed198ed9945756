/* fuzz_devenv.c - libFuzzer target for devenv_render().
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -Isrc \
 *       tests/fuzz/fuzz_devenv.c src/devenv.c -o fuzz_devenv
 *   ./fuzz_devenv tests/fuzz/corpus-devenv
 * Besides memory errors, it checks the promises of devenv.h on success. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "env/devenv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct devenv d = { 0 };

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
