/* unit.h - the whole unit-test harness. A test file defines static void
 * functions that call CHECK*, then lists them:
 *     UNIT_MAIN("sha256", test_vectors, test_chunks)
 * The binary prints "test_NAME: N passed, N failed" and exits 1 on any
 * failure; each failure is reported on stderr with its line. */
#pragma once

#include <stdio.h>
#include <string.h>

static int unit_passed, unit_failed;

#define CHECK(cond)                                                           \
	do {                                                                  \
		if (cond) {                                                   \
			unit_passed++;                                        \
		} else {                                                      \
			unit_failed++;                                        \
			fprintf(stderr, "%s:%d: CHECK(%s) failed\n", __FILE__, \
				__LINE__, #cond);                             \
		}                                                             \
	} while (0)

#define CHECK_STREQ(a, b)                                                     \
	do {                                                                  \
		const char *a_ = (a), *b_ = (b);                              \
		if (a_ && b_ && strcmp(a_, b_) == 0) {                        \
			unit_passed++;                                        \
		} else {                                                      \
			unit_failed++;                                        \
			fprintf(stderr, "%s:%d: CHECK_STREQ(%s, %s) failed: "  \
				"'%s' != '%s'\n", __FILE__, __LINE__, #a, #b, \
				a_ ? a_ : "(null)", b_ ? b_ : "(null)");      \
		}                                                             \
	} while (0)

#define UNIT_MAIN(name, ...)                                                  \
	int main(void)                                                        \
	{                                                                     \
		void (*const tests[])(void) = { __VA_ARGS__ };                \
		for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) \
			tests[i]();                                           \
		printf("test_%s: %d passed, %d failed\n", name, unit_passed,  \
		       unit_failed);                                          \
		return unit_failed ? 1 : 0;                                   \
	}
