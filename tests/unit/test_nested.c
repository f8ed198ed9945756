/* Unit tests for nested.c on real directories (mkdtemp): what the walk finds
 * and what it never follows or enters (NEST-2), its bounds, which protect
 * more, never less (NEST-3), and the memo checked against the tree at every
 * start (NEST-5).  The protection itself is checked in a real sandbox by
 * t-limits.sh and t-failclosed.sh (NEST-1 to NEST-5). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/util.h"
#include "git/nested.h"
#include "unit.h"

static char top[] = "/tmp/test_nested.XXXXXX";

static void mk(const char *rel)
{
	char path[4096], *p;
	snprintf(path, sizeof(path), "%s/%s", top, rel);
	for (p = path + strlen(top) + 1; (p = strchr(p, '/')); p++) {
		*p = '\0';
		mkdir(path, 0755);
		*p = '/';
	}
	mkdir(path, 0755);
}

static void mkfile(const char *rel, const char *text)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", top, rel);
	FILE *f = fopen(path, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

/* The list as "a b c " in the walk's order (each entry then a space). */
static char *joined(const char *buf, size_t len)
{
	char *s = calloc(1, len + 2);
	size_t o = 0;
	for (size_t i = 0; i < len; i += strlen(buf + i) + 1)
		o += (size_t)sprintf(s + o, "%s ", buf + i);
	return s;
}

static void test_finds(void)
{
	mk("w/.git/hooks");               /* the project's own: not listed */
	mk("w/vendor/x/.git/modules/m/.git"); /* a git dir is never entered */
	mk("w/b/c");
	mkfile("w/b/c/.git", "gitdir: ../../vendor/x/.git\n");
	mk("w/d/e/f");                    /* nothing */
	mk("w/vendor/x/inner/.git");      /* a repository in a nested one's work tree */
	char link[4096], target[4096];
	snprintf(link, sizeof(link), "%s/w/link", top);
	snprintf(target, sizeof(target), "%s/outside", top);
	mk("outside/r/.git");
	CHECK(symlink(target, link) == 0); /* never followed */

	char wt[4096];
	snprintf(wt, sizeof(wt), "%s/w", top);
	char *buf = NULL;
	size_t len = 0;
	CHECK(nested_walk(wt, NESTED_WALK_ENTRIES, &buf, &len) == 1);
	char *s = joined(buf, len);
	/* NEST-2 no-follow: the three, nothing behind the link, nothing in a git dir */
	CHECK(strstr(s, "vendor/x ") != NULL);
	CHECK(strstr(s, "vendor/x/inner ") != NULL);
	CHECK(strstr(s, "b/c ") != NULL);
	CHECK(strstr(s, "outside") == NULL && strstr(s, "link") == NULL);
	CHECK(strstr(s, "modules") == NULL);
	CHECK(nested_count(buf, len) == 3);
	free(s);
	free(buf);

	/* a work tree with none: a whole walk, an empty list */
	snprintf(wt, sizeof(wt), "%s/w/d", top);
	buf = NULL;
	CHECK(nested_walk(wt, NESTED_WALK_ENTRIES, &buf, &len) == 1 && len == 0);
	free(buf);
	CHECK(nested_walk("/nonexistent/nsbsh", NESTED_WALK_ENTRIES, &buf, &len) == -ENOENT);
}

/* NEST-3 bounded-closed: each bound protects more, never less. */
static void test_bounds(void)
{
	/* deeper than NESTED_WALK_DEPTH: that directory listed whole, and the
	 * walk goes on (a repository beside it is still found) */
	char rel[4096] = "deep";
	for (int i = 0; i < NESTED_WALK_DEPTH + 2; i++)
		strcat(rel, "/d");
	strcat(rel, "/r/.git");
	mk(rel);
	mk("deep/zz/after/.git");
	char wt[4096];
	snprintf(wt, sizeof(wt), "%s/deep", top);
	char *buf = NULL;
	size_t len = 0;
	CHECK(nested_walk(wt, NESTED_WALK_ENTRIES, &buf, &len) == 1);
	char *s = joined(buf, len), want[4096] = "d";
	for (int i = 1; i < NESTED_WALK_DEPTH - 1; i++)
		strcat(want, "/d");
	strcat(want, "/ ");
	CHECK(strstr(s, "zz/after ") != NULL);
	CHECK(strstr(s, want) != NULL);
	CHECK(nested_count(buf, len) == 2);
	free(s);
	free(buf);

	/* more than NESTED_MAX repositories: the whole work tree */
	for (int i = 0; i < NESTED_MAX + 10; i++) {
		char r[64];
		snprintf(r, sizeof(r), "many/r%d/.git", i);
		mk(r);
	}
	snprintf(wt, sizeof(wt), "%s/many", top);
	buf = NULL;
	CHECK(nested_walk(wt, NESTED_WALK_ENTRIES, &buf, &len) == 1);
	CHECK(len == sizeof(NESTED_WHOLE) && streq(buf, NESTED_WHOLE));
	free(buf);
	/* the entries' bound: the whole work tree, said stopped */
	buf = NULL;
	CHECK(nested_walk(wt, 5, &buf, &len) == 0);
	CHECK(len == sizeof(NESTED_WHOLE) && streq(buf, NESTED_WHOLE));
	free(buf);
}

static char *start_list(const char *wt)
{
	char *buf = NULL;
	size_t len = 0;
	CHECK(nested_for_start(wt, &buf, &len) == 0);
	char *s = joined(buf, len);
	free(buf);
	return s;
}

/* NEST-5 fresh: what a start protects is the tree as it is then. */
static void test_memo(void)
{
	char cache[4096], wt[4096];
	snprintf(cache, sizeof(cache), "%s/cache", top);
	setenv("XDG_CACHE_HOME", cache, 1);
	mk("m/src/lib");
	mk("m/shallow/.git");
	snprintf(wt, sizeof(wt), "%s/m", top);
	/* the first start: a walk now, written as the memo; nothing new said */
	char *s = start_list(wt);
	CHECK_STREQ(s, "shallow ");
	free(s);
	char *buf = NULL;
	size_t len = 0;
	CHECK(nested_take_new(wt, &buf, &len) == -ENOENT);
	char *memo = NULL;
	CHECK(nested_memo_path(wt, &memo) == 0);
	struct stat st0, st1;
	CHECK(stat(memo, &st0) == 0);

	/* a repository cloned deep in the tree just before a start (the memo
	 * is seconds old): protected at that very start, and said */
	mk("m/src/lib/cloned/.git");
	s = start_list(wt);
	CHECK(strstr(s, "src/lib/cloned ") && strstr(s, "shallow "));
	free(s);
	CHECK(nested_take_new(wt, &buf, &len) == 0);
	s = joined(buf, len);
	CHECK_STREQ(s, "src/lib/cloned ");
	free(s);
	free(buf);
	CHECK(nested_take_new(wt, &buf, &len) == -ENOENT); /* said once */

	/* a directory moved in from elsewhere with a repository in it */
	mk("elsewhere/t/.git");
	char a[4096], b[4096];
	snprintf(a, sizeof(a), "%s/elsewhere", top);
	snprintf(b, sizeof(b), "%s/m/src/moved", top);
	CHECK(rename(a, b) == 0);
	s = start_list(wt);
	CHECK(strstr(s, "src/moved/t ") != NULL);
	free(s);

	/* a known directory swapped for another of the same name */
	snprintf(a, sizeof(a), "%s/m/src/lib", top);
	snprintf(b, sizeof(b), "%s/m/old-lib", top);
	CHECK(rename(a, b) == 0);
	mk("m/src/lib/other/.git");
	s = start_list(wt);
	CHECK(strstr(s, "src/lib/other ") && strstr(s, "old-lib/cloned ") && !strstr(s, "src/lib/cloned "));
	free(s);

	/* a repository removed is no longer listed; one that still exists is
	 * never dropped, however many came and went */
	snprintf(a, sizeof(a), "rm -rf '%s/m/old-lib'", top);
	CHECK(system(a) == 0);
	s = start_list(wt);
	CHECK(!strstr(s, "cloned") && strstr(s, "shallow ") && strstr(s, "src/lib/other "));
	free(s);

	/* an unchanged tree rewrites nothing (the memo proves itself) */
	sleep(1); /* past the second during which a ctime is not trusted */
	free(start_list(wt));
	CHECK(stat(memo, &st0) == 0);
	free(start_list(wt));
	CHECK(stat(memo, &st1) == 0);
	CHECK(st0.st_mtim.tv_sec == st1.st_mtim.tv_sec && st0.st_mtim.tv_nsec == st1.st_mtim.tv_nsec);

	/* a memo of an older nsbsh, or a torn one: a walk */
	int fd = open(memo, O_WRONLY | O_TRUNC);
	CHECK(fd >= 0 && write(fd, "stale\0a\0", 8) == 8);
	close(fd);
	s = start_list(wt);
	CHECK(strstr(s, "shallow ") && !strstr(s, "stale"));
	free(s);
	/* nsb status reads it as it is */
	time_t mtime;
	CHECK(nested_memo_read(wt, &buf, &len, &mtime) == 0 && nested_count(buf, len) == 3);
	free(buf);
	free(memo);
}

static void cleanup(void)
{
	char cmd[4200];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", top);
	CHECK(system(cmd) == 0);
}

static void setup(void) { CHECK(mkdtemp(top) != NULL); }

UNIT_MAIN("nested", setup, test_finds, test_bounds, test_memo, cleanup)
