/* test_userns.c - which knob refuses user namespaces, for each of them, from
 * sysctl files laid out as under /proc/sys (the kernels that have each knob
 * are not the one the tests run on; tests/integration/t-limits.sh checks
 * the real user.max_user_namespaces). */
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/util.h"
#include "sandbox/userns.h"
#include "unit.h"

static char root[64], procsys[96];

static void put(const char *name, const char *value)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/%s", procsys, name);
	if (!value) {
		unlink(path);
		return;
	}
	FILE *f = fopen(path, "we");
	CHECK(f != NULL);
	if (f) {
		fputs(value, f);
		fclose(f);
	}
}

/* With knob set to value: the blocker found is want, and its hint. */
static void knob_says(const char *knob, const char *value, enum userns_block want, const char *hint)
{
	put(knob, value);
	CHECK(userns_blocker(procsys) == want);
	CHECK_STREQ(userns_hint(want), hint);
}

static void test_knobs(void)
{
	char d[160];
	strcpy(root, "/tmp/test_userns.XXXXXX");
	CHECK(mkdtemp(root) != NULL);
	snprintf(procsys, sizeof(procsys), "%s/sys", root);
	CHECK(mkdir(procsys, 0755) == 0);
	snprintf(d, sizeof(d), "%s/kernel", procsys);
	CHECK(mkdir(d, 0755) == 0);
	snprintf(d, sizeof(d), "%s/user", procsys);
	CHECK(mkdir(d, 0755) == 0);

	/* None of the files: nothing to say but the general hint. */
	CHECK(userns_blocker(procsys) == USERNS_BLOCK_UNKNOWN);
	CHECK_STREQ(userns_hint(USERNS_BLOCK_UNKNOWN), "check the kernel's user namespace settings");

	put("user/max_user_namespaces", "63439\n");
	put("kernel/unprivileged_userns_clone", "1\n");
	put("kernel/apparmor_restrict_unprivileged_userns", "0\n");
	CHECK(userns_blocker(procsys) == USERNS_BLOCK_UNKNOWN);

	knob_says("kernel/unprivileged_userns_clone", "0\n", USERNS_BLOCK_DEBIAN,
		  "kernel.unprivileged_userns_clone is 0: enable them with: sysctl -w "
		  "kernel.unprivileged_userns_clone=1 (and in /etc/sysctl.d/ to keep it)");
	put("kernel/unprivileged_userns_clone", "1\n");

	knob_says("user/max_user_namespaces", "0\n", USERNS_BLOCK_MAX,
		  "user.max_user_namespaces is 0: enable them with: sysctl -w "
		  "user.max_user_namespaces=15000 (and in /etc/sysctl.d/ to keep it)");
	put("user/max_user_namespaces", "10\n"); /* "10" is not "0" */
	CHECK(userns_blocker(procsys) == USERNS_BLOCK_UNKNOWN);

	/* AppArmor's restriction applies to an unconfined nsbsh only. */
	put("kernel/apparmor_restrict_unprivileged_userns", "1\n");
	CHECK(userns_blocker(procsys) == USERNS_BLOCK_APPARMOR);
	knob_says("../self-label", "unconfined\n", USERNS_BLOCK_APPARMOR,
		  "AppArmor restricts them (kernel.apparmor_restrict_unprivileged_userns = 1) and no "
		  "profile grants them to nsbsh: load the one the package ships with: apparmor_parser "
		  "-r /etc/apparmor.d/nsbsh");
	put("../self-label", "nsbsh (unconfined)\n");
	CHECK(userns_blocker(procsys) == USERNS_BLOCK_UNKNOWN);

	put("../self-label", NULL);
	put("kernel/apparmor_restrict_unprivileged_userns", NULL);
	put("kernel/unprivileged_userns_clone", NULL);
	put("user/max_user_namespaces", NULL);
	snprintf(d, sizeof(d), "%s/kernel", procsys);
	CHECK(rmdir(d) == 0);
	snprintf(d, sizeof(d), "%s/user", procsys);
	CHECK(rmdir(d) == 0);
	CHECK(rmdir(procsys) == 0 && rmdir(root) == 0);
}

UNIT_MAIN("userns", test_knobs)
