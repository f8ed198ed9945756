/* gc.h - the pure part of `nsb gc` (unit-tested). */
#pragma once

/* "30d", "12h", "45m", "90s", "2w", or several ("1d12h"), to seconds.
 * 0 and *ret, or -EINVAL (empty, no unit, unknown unit, overflow). */
int gc_parse_duration(const char *s, long long *ret);
