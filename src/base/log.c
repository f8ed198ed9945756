/* log.c - messages on stderr, one line each, "nsbsh: what failed: why".
 * NSBSH_DEBUG=1 enables debug lines (timings of the start path). */
#include "base/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char *log_name = "nsbsh";
static int log_debug = -1;
static bool log_said_any;

void log_init(const char *progname)
{
	log_name = progname;
	const char *d = getenv("NSBSH_DEBUG");
	log_debug = d && *d && *d != '0';
}

static void log_vprint(const char *prefix, const char *fmt, va_list ap)
{
	char buf[4096];
	int n = snprintf(buf, sizeof(buf), "%s: %s", log_name, prefix);
	if (n < 0 || (size_t)n >= sizeof(buf))
		n = 0;
	vsnprintf(buf + n, sizeof(buf) - (size_t)n, fmt, ap);
	/* One write, so that concurrent shells do not interleave lines. */
	fprintf(stderr, "%s\n", buf);
	fflush(stderr);
}

void warn(const char *fmt, ...)
{
	log_said_any = true;
	va_list ap;
	va_start(ap, fmt);
	log_vprint("", fmt, ap);
	va_end(ap);
}

void debug(const char *fmt, ...)
{
	if (log_debug <= 0)
		return;
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	char prefix[48];
	snprintf(prefix, sizeof(prefix), "debug %ld.%06ld: ", (long)ts.tv_sec, ts.tv_nsec / 1000);
	va_list ap;
	va_start(ap, fmt);
	log_vprint(prefix, fmt, ap);
	va_end(ap);
}

noreturn void die(int status, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	log_vprint("", fmt, ap);
	va_end(ap);
	exit(status);
}

bool log_said(void)
{
	return log_said_any;
}

const char *printable(const char *s, char *buf, size_t size)
{
	size_t i = 0;
	for (; s[i] && i + 4 < size; i++)
		buf[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
	strcpy(buf + i, s[i] ? "..." : "");
	return buf;
}

bool log_colour(int fd)
{
	const char *term = getenv("TERM"), *no_colour = getenv("NO_COLOR");
	return isatty(fd) && !(no_colour && *no_colour) && term && *term && strcmp(term, "dumb") != 0;
}
