/* Unit tests for sshforced.c: recognising sshd's forced command, the
 * command line it becomes (SSH-1), the file-transfer programs (SSH-4) and
 * a client's project (SSH-2). */
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/log.h"
#include "base/util.h"
#include "shell/args.h"
#include "shell/sshforced.h"
#include "unit.h"

#pragma GCC diagnostic ignored "-Wdiscarded-qualifiers"

#define ARGV(...) ((char *[]){ __VA_ARGS__, NULL })
#define NARGS(...) ((int)(sizeof((char *[]){ __VA_ARGS__ }) / sizeof(char *)))
#define DETECTC(conn, cmd, parent, self, ...) \
	ssh_forced_detect(NARGS(__VA_ARGS__), ARGV(__VA_ARGS__), conn, cmd, parent, self)
#define DETECT(conn, self, ...) DETECTC(conn, "id", "sshd", self, __VA_ARGS__)

static void test_detect(void)
{
	char self[4096];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	self[n > 0 ? n : 0] = '\0';

	CHECK(DETECT("1 2 3 4", self, "nsbsh"));
	CHECK(DETECT("1 2 3 4", self, "/usr/bin/nsbsh"));
	CHECK(!DETECT(NULL, self, "nsbsh"));           /* not sshd */
	CHECK(!DETECT("1 2 3 4", self, "-nsbsh"));     /* sshd's login, no ForceCommand */
	CHECK(!DETECT("1 2 3 4", self, "nsbsh", "-i"));
	CHECK(DETECT("1 2 3 4", self, "nsbsh", "-c", "nsbsh"));
	CHECK(DETECT("1 2 3 4", self, "nsbsh", "-c", "/proc/self/exe"));
	CHECK(!DETECT("1 2 3 4", self, "nsbsh", "-c", "/bin/true"));
	CHECK(!DETECT("1 2 3 4", self, "nsbsh", "-c", "nsbsh; id"));
	CHECK(!DETECT("1 2 3 4", self, "nsbsh", "-c", "ls"));
	CHECK(!DETECT("1 2 3 4", self, "nsbsh", "-l", "nsbsh"));
	/* without a command: only when sshd started it, not a shell in an ssh session */
	CHECK(DETECTC("1 2 3 4", NULL, "sshd", self, "nsbsh"));
	CHECK(DETECTC("1 2 3 4", NULL, "sshd-session", self, "nsbsh"));
	CHECK(!DETECTC("1 2 3 4", NULL, "bash", self, "nsbsh"));
	CHECK(!DETECTC("1 2 3 4", NULL, NULL, self, "nsbsh"));
	CHECK(DETECTC("1 2 3 4", "ls", "bash", self, "nsbsh"));
	CHECK(DETECTC("1 2 3 4", NULL, "bash", self, "nsbsh", "-c", "nsbsh"));
}

/* SSH-1: the command is bash's -c string after "--", read so by bash's
 * own command-line rules (shellargs). */
static void test_argv(void)
{
	char **v = NULL;
	int n = 0;
	struct shellargs a;

	CHECK(ssh_forced_argv("/usr/bin/nsbsh", "-c 'id'\nrm -rf ~", &v, &n) == 0);
	CHECK(n == 4);
	CHECK_STREQ(v[0], "nsbsh");
	CHECK_STREQ(v[1], "-c");
	CHECK_STREQ(v[2], "--");
	CHECK_STREQ(v[3], "-c 'id'\nrm -rf ~");
	CHECK(v[4] == NULL);
	shellargs_parse(n, v, &a);
	CHECK(a.mode == SHELL_MODE_COMMAND && a.operand == 3 && !a.login && !a.invalid);
	free(v);

	CHECK(ssh_forced_argv("-nsbsh", "--version", &v, &n) == 0);
	shellargs_parse(n, v, &a);
	CHECK(a.mode == SHELL_MODE_COMMAND && a.operand == 3 && !a.info_only && !a.version);
	CHECK_STREQ(v[0], "nsbsh");
	free(v);

	CHECK(ssh_forced_argv("nsbsh", NULL, &v, &n) == 0);
	CHECK(n == 1);
	CHECK_STREQ(v[0], "-nsbsh");
	CHECK(v[1] == NULL);
	shellargs_parse(n, v, &a);
	CHECK(a.mode == SHELL_MODE_STDIN && a.login);
	free(v);

	CHECK(ssh_forced_argv("", "", &v, &n) == 0);
	CHECK_STREQ(v[0], "nsbsh");
	CHECK_STREQ(v[3], "");
	free(v);
}

static void test_transfer(void)
{
	CHECK(ssh_transfer_kind(NULL) == SSH_TRANSFER_NONE);
	CHECK(ssh_transfer_kind("scp -t /tmp") == SSH_TRANSFER_SCP);
	CHECK(ssh_transfer_kind("scp -v -f -- file") == SSH_TRANSFER_SCP);
	CHECK(ssh_transfer_kind("  /usr/bin/scp -prt .") == SSH_TRANSFER_SCP);
	CHECK(ssh_transfer_kind("scp -r dir other:") == SSH_TRANSFER_NONE);  /* a client */
	CHECK(ssh_transfer_kind("scp -- -t") == SSH_TRANSFER_NONE);
	CHECK(ssh_transfer_kind("internal-sftp") == SSH_TRANSFER_SFTP);
	CHECK(ssh_transfer_kind("/usr/lib/openssh/sftp-server") == SSH_TRANSFER_SFTP);
	CHECK(ssh_transfer_kind("rsync --server -vlogDtpre.iLsfxC . dst") == SSH_TRANSFER_RSYNC);
	CHECK(ssh_transfer_kind("rsync -a src dst") == SSH_TRANSFER_NONE);
	CHECK(ssh_transfer_kind("echo scp -t") == SSH_TRANSFER_NONE);
	CHECK(ssh_transfer_kind("scpx -t") == SSH_TRANSFER_NONE);
	CHECK_STREQ(ssh_transfer_name(SSH_TRANSFER_SFTP), "sftp");
}

/* SSH-2: only a directory whose real path is under allowed_roots. */
static void test_project(void)
{
	char dir[] = "/tmp/test_sshforced.XXXXXX", path[256], out[256];
	struct policy p;
	struct policy_entry root = { 0 };
	char *real = NULL;
	const char *why = NULL;

	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/roots", dir);
	CHECK(mkdir(path, 0700) == 0);
	snprintf(path, sizeof(path), "%s/roots/p", dir);
	CHECK(mkdir(path, 0700) == 0);
	snprintf(path, sizeof(path), "%s/roots/f", dir);
	fclose(fopen(path, "w"));
	snprintf(path, sizeof(path), "%s/roots/out", dir);
	CHECK(symlink("/tmp", path) == 0);

	policy_init_defaults(&p);
	snprintf(path, sizeof(path), "%s/roots", dir);
	root.value = strdup(path);
	p.allowed_roots.v = &root;
	p.allowed_roots.n = 1;

	snprintf(path, sizeof(path), "%s/roots/p", dir);
	CHECK(ssh_project_check(&p, path, NULL, &real, &why) == 0);
	CHECK_STREQ(real, path);
	free(real);
	CHECK(ssh_project_check(&p, "~/p", path, &real, &why) == -ENOENT);
	snprintf(out, sizeof(out), "%s/roots", dir);
	CHECK(ssh_project_check(&p, "~/p", out, &real, &why) == 0);
	free(real);
	snprintf(path, sizeof(path), "%s/roots/out", dir);
	CHECK(ssh_project_check(&p, path, NULL, &real, &why) == -EPERM);
	CHECK_STREQ(why, "is not under this account's allowed_roots");
	snprintf(path, sizeof(path), "%s/roots/p/../../", dir);
	CHECK(ssh_project_check(&p, path, NULL, &real, &why) == -EPERM);
	snprintf(path, sizeof(path), "%s/roots/f", dir);
	CHECK(ssh_project_check(&p, path, NULL, &real, &why) == -ENOTDIR);
	CHECK(ssh_project_check(&p, "relative", NULL, &real, &why) == -EINVAL);
	CHECK_STREQ(why, "is not an absolute path");
	CHECK(ssh_project_check(&p, "/tmp/\x1b[2J", NULL, &real, &why) == -EINVAL);
	CHECK_STREQ(printable("a\x1b[2Jb", out, sizeof(out)), "a?[2Jb");
	CHECK_STREQ(printable("abcdefgh", out, 8), "abcd...");
	p.allowed_roots.n = 0;  /* none: nothing is allowed */
	snprintf(path, sizeof(path), "%s/roots/p", dir);
	CHECK(ssh_project_check(&p, path, NULL, &real, &why) == -EPERM);
	p.allowed_roots.v = NULL;
	free(root.value);
	policy_release(&p);

	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	CHECK(system(cmd) == 0);
}

/* SSH-3: what a client may send to steer nsbsh goes, the rest stays. */
static void test_scrub(void)
{
	setenv("XDG_CONFIG_HOME", "/x", 1);
	setenv("NSBSH_SESSION", "b", 1);
	setenv("GIT_DIR", "/x", 1);
	setenv("NIX_CONFIG", "x", 1);
	setenv("BASH_ENV", "/x", 1);
	setenv("SSH_ORIGINAL_COMMAND", "id", 1);
	setenv("LANG", "C.UTF-8", 1);
	setenv("AGENT_PROJECT", "/p", 1);
	ssh_forced_scrub_env();
	CHECK(!getenv("XDG_CONFIG_HOME") && !getenv("NSBSH_SESSION") && !getenv("GIT_DIR") &&
	      !getenv("NIX_CONFIG") && !getenv("BASH_ENV") && !getenv("SSH_ORIGINAL_COMMAND"));
	CHECK(getenv("LANG") && getenv("AGENT_PROJECT"));
}

UNIT_MAIN("sshforced", test_detect, test_argv, test_transfer, test_project, test_scrub)
