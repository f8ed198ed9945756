/* Unit tests for gc_parse_duration: what `nsb gc --older-than` accepts. */
#include <errno.h>
#include <limits.h>

#include "nsb/gc.h"
#include "unit.h"

static long long dur(const char *s)
{
	long long v = -1;
	return gc_parse_duration(s, &v) == 0 ? v : -1;
}

static void test_units(void)
{
	CHECK(dur("90s") == 90);
	CHECK(dur("45m") == 45 * 60);
	CHECK(dur("12h") == 12 * 3600);
	CHECK(dur("30d") == 30 * 86400);
	CHECK(dur("2w") == 14 * 86400);
	CHECK(dur("0s") == 0);
}

static void test_combined(void)
{
	CHECK(dur("1d12h") == 86400 + 12 * 3600);
	CHECK(dur("1h30m15s") == 3600 + 1800 + 15);
}

static void test_refused(void)
{
	long long v = 7;
	CHECK(gc_parse_duration("", &v) == -EINVAL);
	CHECK(gc_parse_duration("30", &v) == -EINVAL);     /* no unit */
	CHECK(gc_parse_duration("d", &v) == -EINVAL);      /* no number */
	CHECK(gc_parse_duration("3x", &v) == -EINVAL);     /* unknown unit */
	CHECK(gc_parse_duration("-3d", &v) == -EINVAL);
	CHECK(gc_parse_duration("3 d", &v) == -EINVAL);
	CHECK(gc_parse_duration("30dd", &v) == -EINVAL);
	CHECK(gc_parse_duration("99999999999999999999s", &v) == -EINVAL); /* overflow */
	CHECK(gc_parse_duration("9223372036854775807w", &v) == -EINVAL);
	CHECK(gc_parse_duration(NULL, &v) == -EINVAL);
	CHECK(v == 7); /* untouched on failure */
}

UNIT_MAIN("gc", test_units, test_combined, test_refused)
