/* fuzz_inject.c - libFuzzer target for net/inject.c: a request stream
 * from inside the sandbox to a listed host (heads, chunked bodies), and
 * inject entries.  Besides memory errors, it checks inject.h's promises: a
 * head parsed whole is within the input and INJECT_MAX_HEAD; the head sent
 * on has the header exactly once, with the value, and ends in one blank
 * line; a chunked body never consumes more than it was fed. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "net/inject.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char VALUE[] = "Bearer FUZZ-SECRET";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size > 2 * INJECT_MAX_HEAD)
		return 0;
	const char *buf = (const char *)data + 1;
	size_t len = size - 1;
	struct inject_head h;
	const char *why = NULL;
	if (inject_head_parse(buf, len, "Authorization", VALUE, sizeof(VALUE) - 1, &h, &why) == 0) {
		if (h.head_len > len || h.head_len > INJECT_MAX_HEAD || !h.out || h.out_len < 4 ||
		    memcmp(h.out + h.out_len - 4, "\r\n\r\n", 4) != 0 || strstr(h.out, "\r\n\r\n") != h.out + h.out_len - 4)
			abort();
		/* the header once, last, with the value */
		const char *p = h.out;
		unsigned seen = 0;
		while ((p = strstr(p, "\r\n")) && p < h.out + h.out_len - 4) {
			p += 2;
			if (strncasecmp(p, "Authorization:", 14) == 0)
				seen++;
		}
		if (seen != 1 || !strstr(h.out, "\r\nAuthorization: Bearer FUZZ-SECRET\r\n\r\n"))
			abort();
		if (h.body == INJECT_BODY_CHUNKED) {
			struct inject_chunked c = { 0 };
			size_t used = 0, at = h.head_len;
			/* fed in pieces the first byte sizes */
			size_t step = (size_t)(data[0] % 16) + 1;
			while (at < len) {
				size_t n = len - at < step ? len - at : step;
				int r = inject_chunked_feed(&c, buf + at, n, &used);
				if (used > n)
					abort();
				at += used;
				if (r != 0 || used < n)
					break;
			}
		}
		free(h.out);
	}
	char entry[600];
	size_t n = len < sizeof(entry) - 1 ? len : sizeof(entry) - 1;
	memcpy(entry, buf, n);
	entry[n] = '\0';
	struct inject_rule r;
	if (inject_rule_parse(entry, &r, &why) == 0 && (!r.host[0] || !r.header[0] || !r.source[0]))
		abort();
	return 0;
}
