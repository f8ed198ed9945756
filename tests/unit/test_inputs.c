/* test_inputs.c - what a start read, replayed (base/inputs.h): a list that
 * replays the same while nothing changed, and not at the first change of
 * any kind a start's decision reads (IN-2); a list that a write or an fd it
 * did not open spoils (IN-1); one with a time of the last two seconds that
 * is not kept (IN-3). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/inputs.h"
#include "base/strbuf.h"
#include "base/util.h"
#include "unit.h"

static char dir[] = "/tmp/test_inputs.XXXXXX";

static void put(const char *name, const char *text)
{
	char p[256];
	snprintf(p, sizeof(p), "%s/%s", dir, name);
	FILE *f = fopen(p, "w");
	fputs(text, f);
	fclose(f);
}

/* What a decision reads here: a file's content, a link, a missing file, a
 * directory relative to an fd, a variable. */
static void decide(void)
{
	char p[256], buf[64];
	snprintf(p, sizeof(p), "%s/conf", dir);
	int fd = open(p, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		(void)!read(fd, buf, sizeof(buf));
		close(fd);
	}
	snprintf(p, sizeof(p), "%s/link", dir);
	(void)!readlink(p, buf, sizeof(buf));
	int d = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	struct stat st;
	(void)fstatat(d, "absent", &st, AT_SYMLINK_NOFOLLOW);
	close(d);
	const char *v = getenv("TEST_INPUTS_VAR");
	(void)v;
}

/* The list of decide() now, kept as if two seconds had passed. */
static int keep(struct strbuf *b)
{
	inputs_begin();
	decide();
	inputs_pause(true);
	return inputs_save(b, time(NULL) + 3);
}

static int replay(const struct strbuf *b)
{
	struct blob r = { .data = b->s, .len = b->len };
	const char *why;
	return inputs_replay(&r, &why);
}

static void test_same_and_changed(void)
{
	CHECK(mkdtemp(dir) != NULL);
	put("conf", "one");
	char p[256];
	snprintf(p, sizeof(p), "%s/link", dir);
	CHECK(symlink("a", p) == 0);
	setenv("TEST_INPUTS_VAR", "x", 1);
	_cleanup_(strbuf_release) struct strbuf b = { 0 };
	CHECK(keep(&b) == 0);
	CHECK(inputs_count() >= 4);
	CHECK(replay(&b) == 0); /* IN-2: nothing changed, the same */

	/* IN-2: each kind of change is seen */
	setenv("TEST_INPUTS_VAR", "y", 1);
	CHECK(replay(&b) == -ESTALE);
	setenv("TEST_INPUTS_VAR", "x", 1);
	CHECK(replay(&b) == 0); /* control: back as it was */
	put("conf", "two");     /* the same size, a new ctime */
	CHECK(replay(&b) == -ESTALE);
	strbuf_release(&b);
	CHECK(keep(&b) == 0);
	CHECK(unlink(p) == 0 && symlink("b", p) == 0);
	CHECK(replay(&b) == -ESTALE);
	strbuf_release(&b);
	CHECK(keep(&b) == 0);
	put("absent", "now here");
	CHECK(replay(&b) == -ESTALE);
}

/* IN-2: a realpath() that found its own path, and one that found none,
 * replayed by one walk that follows no link: the same while nothing
 * changed; a link put on the way, or the missing component made, seen. */
static void resolve(void)
{
	char p[256];
	snprintf(p, sizeof(p), "%s/sub", dir);
	free(realpath(p, NULL));
	snprintf(p, sizeof(p), "%s/missing/x", dir);
	free(realpath(p, NULL));
}

static int keep_resolve(struct strbuf *b)
{
	inputs_begin();
	resolve();
	inputs_pause(true);
	return inputs_save(b, time(NULL) + 3);
}

static void test_realpath(void)
{
	char sub[256], other[256], missing[256];
	snprintf(sub, sizeof(sub), "%s/sub", dir);
	snprintf(other, sizeof(other), "%s/other", dir);
	snprintf(missing, sizeof(missing), "%s/missing", dir);
	CHECK(mkdir(sub, 0700) == 0 && mkdir(other, 0700) == 0);
	_cleanup_(strbuf_release) struct strbuf b = { 0 };
	CHECK(keep_resolve(&b) == 0);
	CHECK(inputs_count() == 2);
	CHECK(replay(&b) == 0);
	/* the same path, now through a link: realpath() would answer other */
	CHECK(rmdir(sub) == 0 && symlink("other", sub) == 0);
	CHECK(replay(&b) == -ESTALE);
	CHECK(unlink(sub) == 0 && mkdir(sub, 0700) == 0);
	CHECK(replay(&b) == 0); /* control: a directory there again */
	CHECK(mkdir(missing, 0700) == 0 && mkdir(strcat(missing, "/x"), 0700) == 0);
	CHECK(replay(&b) == -ESTALE);
}

static void test_spoiled_and_racy(void)
{
	_cleanup_(strbuf_release) struct strbuf b = { 0 };
	inputs_begin();
	decide();
	put("written", "x"); /* IN-1: a file written */
	CHECK(inputs_spoiled() != NULL);
	CHECK(inputs_save(&b, time(NULL) + 3) == -EINVAL);

	inputs_begin();
	struct stat st;
	(void)fstat(0 + 100, &st); /* IN-1: an fd the list did not open */
	CHECK(inputs_spoiled() != NULL);

	inputs_begin();
	decide();
	inputs_pause(true);
	CHECK(inputs_spoiled() == NULL);
	CHECK(inputs_save(&b, time(NULL)) == -ETXTBSY); /* IN-3: conf changed just now */
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	CHECK(system(cmd) == 0);
}

UNIT_MAIN("inputs", test_same_and_changed, test_realpath, test_spoiled_and_racy)
