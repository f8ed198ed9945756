/* gc.h - `nsb gc`: remove cache entries nobody will use again. */
#pragma once

/* Pure: "30d", "12h", "45m", "90s", "2w", or several ("1d12h"), to seconds.
 * 0 and *ret, or -EINVAL (empty, no unit, unknown unit, overflow). */
int gc_parse_duration(const char *s, long long *ret);

/* Runs `nsb gc [--dry-run] [--older-than DURATION] [--homes]`; returns its
 * exit status. */
int gc_main(int argc, char **argv);
