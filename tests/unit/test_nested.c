/* Unit tests for nested.c on real directories (mkdtemp): what the walk finds
 * and what it never follows or enters (NEST-2), its bounds and the memo that
 * keeps what a stopped walk did not reach (NEST-3).  The protection itself
 * is checked in a real sandbox by t-limits.sh (NEST-1 to NEST-4). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

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
	CHECK(nested_walk(wt, NESTED_WALK_ENTRIES, 0, &buf, &len) == 1);
	char *s = joined(buf, len);
	CHECK(strstr(s, "vendor/x ") != NULL);
	CHECK(strstr(s, "vendor/x/inner ") != NULL);
	CHECK(strstr(s, "b/c ") != NULL);
	CHECK(strstr(s, "outside") == NULL && strstr(s, "link") == NULL);
	CHECK(strstr(s, "modules") == NULL);
	int n = 0;
	for (size_t i = 0; i < len; i += strlen(buf + i) + 1)
		n++;
	CHECK(n == 3);
	free(s);
	free(buf);

	/* a work tree with none: a whole walk, an empty list */
	snprintf(wt, sizeof(wt), "%s/w/d", top);
	buf = NULL;
	CHECK(nested_walk(wt, NESTED_WALK_ENTRIES, 0, &buf, &len) == 1 && len == 0);
	free(buf);
	CHECK(nested_walk("/nonexistent/nsbsh", NESTED_WALK_ENTRIES, 0, &buf, &len) == -ENOENT);
}

/* NEST-3 bounded: the walk stops at each bound, and says it stopped. */
static void test_bounds(void)
{
	/* deeper than NESTED_WALK_DEPTH: the walk says it stopped */
	char rel[4096] = "deep";
	for (int i = 0; i < NESTED_WALK_DEPTH + 2; i++)
		strcat(rel, "/d");
	strcat(rel, "/r/.git");
	mk(rel);
	char wt[4096];
	snprintf(wt, sizeof(wt), "%s/deep", top);
	char *buf = NULL;
	size_t len = 0;
	CHECK(nested_walk(wt, NESTED_WALK_ENTRIES, 0, &buf, &len) == 0);
	CHECK(len == 0);
	free(buf);

	/* more than NESTED_MAX repositories: NESTED_MAX listed, stopped */
	for (int i = 0; i < NESTED_MAX + 10; i++) {
		char r[64];
		snprintf(r, sizeof(r), "many/r%d/.git", i);
		mk(r);
	}
	snprintf(wt, sizeof(wt), "%s/many", top);
	buf = NULL;
	CHECK(nested_walk(wt, NESTED_WALK_ENTRIES, 0, &buf, &len) == 0);
	int n = 0;
	for (size_t i = 0; i < len; i += strlen(buf + i) + 1)
		n++;
	CHECK(n == NESTED_MAX);
	free(buf);
	/* the entries' bound: a few entries seen, stopped */
	buf = NULL;
	CHECK(nested_walk(wt, 5, 0, &buf, &len) == 0);
	n = 0;
	for (size_t i = 0; i < len; i += strlen(buf + i) + 1)
		n++;
	CHECK(n <= 5);
	free(buf);
	/* the time bound: /usr (tens of thousands of entries here) in 1 ms */
	buf = NULL;
	CHECK(nested_walk("/usr", NESTED_WALK_ENTRIES, 1, &buf, &len) == 0);
	free(buf);
}

static void test_memo(void)
{
	char cache[4096], wt[4096];
	snprintf(cache, sizeof(cache), "%s/cache", top);
	setenv("XDG_CACHE_HOME", cache, 1);
	snprintf(wt, sizeof(wt), "%s/deep", top);
	mk("deep/shallow/.git");
	/* the first start: the walk now, written as the memo */
	char *buf = NULL;
	size_t len = 0;
	CHECK(nested_for_start(wt, &buf, &len) == 0);
	char *s = joined(buf, len);
	CHECK_STREQ(s, "shallow ");
	free(s);
	free(buf);
	/* a memo that knew more than a stopped walk sees: kept (NEST-3) */
	char *memo = NULL;
	CHECK(nested_memo_path(wt, &memo) == 0);
	int fd = open(memo, O_WRONLY | O_TRUNC);
	CHECK(fd >= 0 && write(fd, "hidden/one\0shallow\0", 19) == 19);
	close(fd);
	buf = NULL;
	CHECK(nested_memo_refresh(wt, NESTED_WALK_ENTRIES, 0, &buf, &len) == 0);
	s = joined(buf, len);
	CHECK_STREQ(s, "shallow hidden/one ");
	free(s);
	free(buf);
	/* nothing new so far (the first walk reports none); then one appears */
	buf = NULL;
	CHECK(nested_take_new(wt, &buf, &len) == -ENOENT);
	mk("deep/added/.git");
	CHECK(nested_memo_refresh(wt, NESTED_WALK_ENTRIES, 0, NULL, NULL) == 0);
	CHECK(nested_take_new(wt, &buf, &len) == 0);
	s = joined(buf, len);
	CHECK_STREQ(s, "added ");
	free(s);
	free(buf);
	buf = NULL;
	CHECK(nested_take_new(wt, &buf, &len) == -ENOENT); /* said once */
	free(memo);
	/* a whole walk replaces it */
	mk("w2/a/.git");
	snprintf(wt, sizeof(wt), "%s/w2", top);
	buf = NULL;
	CHECK(nested_for_start(wt, &buf, &len) == 0);
	free(buf);
	CHECK(nested_memo_path(wt, &memo) == 0);
	fd = open(memo, O_WRONLY | O_TRUNC);
	CHECK(fd >= 0 && write(fd, "stale\0a\0", 8) == 8);
	close(fd);
	buf = NULL;
	CHECK(nested_memo_refresh(wt, NESTED_WALK_ENTRIES, 0, &buf, &len) == 1);
	s = joined(buf, len);
	CHECK_STREQ(s, "a ");
	free(s);
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
