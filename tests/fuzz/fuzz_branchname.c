/* fuzz_branchname.c - libFuzzer target for branchname.c.
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -Isrc \
 *       tests/fuzz/fuzz_branchname.c src/branchname.c src/sha256.c -o fuzz_branchname
 * Besides memory errors, it checks the promises of branchname.h: an
 * encoding is a safe folder name, and two different names (the input cut
 * in two) never get the same folder. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "git/branchname.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int safe(const char *s, size_t n)
{
	if (n == 0 || n > BRANCHNAME_ENCODED_MAX || strlen(s) != n || s[0] == '.' || strchr(s, '/'))
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-%~", s[i]))
			return 0;
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size > 4096)
		return 0;
	char *buf = malloc(size + 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	/* The first byte splits the rest into two names. */
	size_t cut = 1 + data[0] % size;
	char *a = strndup(buf + 1, cut - 1), *b = strdup(buf + cut);
	char ea[BRANCHNAME_ENCODED_MAX + 1], eb[BRANCHNAME_ENCODED_MAX + 1];
	if (a && b && *a && *b) {
		branchname_refusal(a);
		size_t na = branchname_encode(a, ea), nb = branchname_encode(b, eb);
		if (!safe(ea, na) || !safe(eb, nb) || (strcmp(a, b) != 0 && strcmp(ea, eb) == 0))
			abort();
	}
	free(a);
	free(b);
	free(buf);
	return 0;
}
