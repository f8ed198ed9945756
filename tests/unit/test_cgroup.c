/* Unit tests for cgroup.c: reading /proc/self/cgroup's text (the kernel's
 * format, v1, v2 and hybrid; the parts the delegation itself needs are
 * checked for real in t-limits.sh, CG-1 to CG-4). */
#include <stdlib.h>

#include "sandbox/cgroup.h"
#include "unit.h"

static void check(const char *text, enum cgroup_kind want_kind, const char *want_path)
{
	char *path = (char *)1;
	enum cgroup_kind kind = cgroup_parse(text, &path);
	CHECK(kind == want_kind);
	if (want_path)
		CHECK_STREQ(path, want_path);
	else
		CHECK(path == NULL);
	free(path);
}

static void test_v2(void)
{
	check("0::/user.slice/user-1000.slice/user@1000.service/app.slice/x.scope\n", CGROUP_V2,
	      "/user.slice/user-1000.slice/user@1000.service/app.slice/x.scope");
	check("0::/\n", CGROUP_V2, "/");
	check("0::/a:b c\n", CGROUP_V2, "/a:b c"); /* the path is the rest of the line */
	check("0::/a", CGROUP_V2, "/a");          /* no newline at the end */
}

static void test_v1_and_hybrid(void)
{
	/* pids bound to v1: its line wins over the unified one */
	check("12:pids:/user.slice/u\n1:name=systemd:/x\n0::/y\n", CGROUP_V1_PIDS, "/user.slice/u");
	check("0::/y\n8:pids:/nsbsh-test.u\n", CGROUP_V1_PIDS, "/nsbsh-test.u");
	/* pids co-mounted with another controller */
	check("3:cpu,pids:/z\n", CGROUP_V1_PIDS, "/z");
	/* no pids anywhere and no unified line */
	check("4:memory:/a\n2:cpuacct:/\n", CGROUP_NONE, NULL);
	/* a controller whose name merely contains "pids" */
	check("5:xpids:/a\n", CGROUP_NONE, NULL);
	/* the named hierarchy line has no empty controller list: not v2 */
	check("1:name=systemd:/a\n", CGROUP_NONE, NULL);
}

static void test_odd(void)
{
	check("", CGROUP_NONE, NULL);
	check("garbage\n", CGROUP_NONE, NULL);
	check("0::\n", CGROUP_NONE, NULL);                     /* empty path */
	check("0::relative\n", CGROUP_NONE, NULL);             /* not absolute */
	check("0::/a/../b\n", CGROUP_NONE, NULL);              /* climbs */
	check("0::/..\n", CGROUP_NONE, NULL);
	check("0::/a/..b\n", CGROUP_V2, "/a/..b");             /* a name, not '..' */
	check("0::/gone (deleted)\n", CGROUP_NONE, NULL);
	check("10:pids:/x/..\n0::/ok\n", CGROUP_NONE, NULL);   /* the pids line decides */
}

UNIT_MAIN("cgroup", test_v2, test_v1_and_hybrid, test_odd)
