/* trim.c - idle processes give back the file pages they mapped (see trim.h). */
#include "base/trim.h"

#include <fcntl.h>
#include <malloc.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#define MAX_TRIMMED 128

void memory_trim(void)
{
	/* the heap it inherited from the start that forked it (a whole
	 * evaluation's, on a cache miss), what of it is free */
	malloc_trim(0);
	FILE *f = fopen("/proc/self/smaps", "re");
	if (!f)
		return;
	unsigned long start[MAX_TRIMMED], end[MAX_TRIMMED];
	size_t n = 0;
	unsigned long s = 0, e = 0, ino = 0;
	char perm[8] = "", line[512];
	while (n < MAX_TRIMMED && fgets(line, sizeof(line), f)) {
		unsigned long ss, ee, off, in, kb;
		char pp[8], dev[16];
		if (sscanf(line, "%lx-%lx %7s %lx %15s %lu", &ss, &ee, pp, &off, dev, &in) == 6) {
			s = ss, e = ee, ino = in;
			snprintf(perm, sizeof(perm), "%s", pp);
		} else if (sscanf(line, "Anonymous: %lu", &kb) == 1 && ino && kb == 0 && perm[1] == '-' &&
			   perm[3] == 'p' && e > s) {
			start[n] = s;
			end[n++] = e;
		}
	}
	fclose(f);
	for (size_t i = 0; i < n; i++)
		(void)madvise((void *)start[i], end[i] - start[i], MADV_DONTNEED);
}
