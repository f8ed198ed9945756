/* test_seccomp - the filters compiled at build time (tools/gen-seccomp,
 * src/seccomp-bpf.inc) are, instruction for instruction, what
 * src/seccomp-filter.c's table builds now: a start that loads a
 * precompiled one runs exactly the filter the table describes (MUST-S1 to
 * S6 are then checked in the sandbox by tests/integration/t-invariants.sh). */
#include <linux/filter.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "sandbox/seccomp.h"
#include "unit.h"

static void test_variant(bool nested, int notify)
{
	int fd = memfd_create("bpf", MFD_CLOEXEC);
	CHECK(fd >= 0);
	CHECK(seccomp_filter_export(nested, notify, fd) == 0);
	off_t len = lseek(fd, 0, SEEK_END);
	const struct sock_fprog *pre = seccomp_precompiled_filter(nested, notify);
	CHECK(pre != NULL && pre->len > 0);
	CHECK(len == (off_t)(pre->len * sizeof(struct sock_filter)));
	if (len > 0 && pre && len == (off_t)(pre->len * sizeof(struct sock_filter))) {
		struct sock_filter *now = malloc((size_t)len);
		CHECK(now && pread(fd, now, (size_t)len, 0) == len);
		CHECK(now && memcmp(now, pre->filter, (size_t)len) == 0);
		free(now);
	}
	close(fd);
}

static void test_plain(void) { test_variant(false, false); }
static void test_notify(void) { test_variant(false, true); }
static void test_nested(void) { test_variant(true, false); }
static void test_nested_notify(void) { test_variant(true, true); }
static void test_guard(void) { test_variant(false, 2); }
static void test_nested_guard(void) { test_variant(true, 2); }

UNIT_MAIN("seccomp", test_plain, test_notify, test_nested, test_nested_notify, test_guard, test_nested_guard)
