/* test_devenv.c - rendering `nix print-dev-env --json`: the real output of
 * a demo flake, every JSON corner, the skip lists, and a round trip
 * through a real bash. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/util.h"
#include "env/devenv.h"
#include "sandbox/shell-view.h"
#include "unit.h"

/* `nix print-dev-env --json` of a demo flake, Nix 2.8. */
static const char pde_json[] =
	"{\"bashFunctions\":{},"
	"\"variables\":{\"BASH\":{\"type\":\"var\",\"value\":\"/usr/sbin/nologin\"},"
	"\"COMP_WORDBREAKS\":{\"type\":\"var\",\"value\":\" \\t\\n\\\"'@><=;|&(:\"},"
	"\"DEMO_VAR\":{\"type\":\"exported\",\"value\":\"hello from flake\"},"
	"\"EPOCHREALTIME\":{\"type\":\"var\",\"value\":\"1795425448.468500\"},"
	"\"EPOCHSECONDS\":{\"type\":\"var\",\"value\":\"1795425448\"},"
	"\"HOME\":{\"type\":\"exported\",\"value\":\"/homeless-shelter\"},"
	"\"HOSTTYPE\":{\"type\":\"var\",\"value\":\"x86_64\"},"
	"\"IFS\":{\"type\":\"var\",\"value\":\" \\t\\n\"},"
	"\"IN_NIX_SHELL\":{\"type\":\"exported\",\"value\":\"impure\"},"
	"\"LINENO\":{\"type\":\"var\",\"value\":\"73\"},"
	"\"MACHTYPE\":{\"type\":\"var\",\"value\":\"x86_64-pc-linux-gnu\"},"
	"\"NIX_BUILD_CORES\":{\"type\":\"exported\",\"value\":\"2\"},"
	"\"NIX_BUILD_TOP\":{\"type\":\"exported\",\"value\":\"/tmp/nix-build-demo-shell-env.drv-0\"},"
	"\"NIX_LOG_FD\":{\"type\":\"exported\",\"value\":\"2\"},"
	"\"NIX_STORE\":{\"type\":\"exported\",\"value\":\"/nix/store\"},"
	"\"OLDPWD\":{\"type\":\"exported\",\"value\":\"\"},"
	"\"OPTERR\":{\"type\":\"var\",\"value\":\"1\"},"
	"\"OSTYPE\":{\"type\":\"var\",\"value\":\"linux-gnu\"},"
	"\"PATH\":{\"type\":\"exported\",\"value\":\"/nix/store/nxmghmagc9ji19dw9mcqv4zkhzcmd49d-tools/bin\"},"
	"\"PS4\":{\"type\":\"var\",\"value\":\"+ \"},"
	"\"SHELL\":{\"type\":\"var\",\"value\":\"/usr/sbin/nologin\"},"
	"\"TEMP\":{\"type\":\"exported\",\"value\":\"/tmp/nix-build-demo-shell-env.drv-0\"},"
	"\"TEMPDIR\":{\"type\":\"exported\",\"value\":\"/tmp/nix-build-demo-shell-env.drv-0\"},"
	"\"TERM\":{\"type\":\"exported\",\"value\":\"xterm-256color\"},"
	"\"TMP\":{\"type\":\"exported\",\"value\":\"/tmp/nix-build-demo-shell-env.drv-0\"},"
	"\"TMPDIR\":{\"type\":\"exported\",\"value\":\"/tmp/nix-build-demo-shell-env.drv-0\"},"
	"\"builder\":{\"type\":\"exported\",\"value\":\"/nix/store/pnpbkb2ysx95jzw05nzvaxqbzx1cksdv-source/bash\"},"
	"\"dontAddDisableDepTrack\":{\"type\":\"exported\",\"value\":\"1\"},"
	"\"name\":{\"type\":\"exported\",\"value\":\"demo-shell\"},"
	"\"out\":{\"type\":\"exported\",\"value\":\"/nix/store/3yvp6kw99wyhr47in85128fhwn8p6qc3-demo-shell-env\"},"
	"\"outputs\":{\"type\":\"exported\",\"value\":\"out\"},"
	"\"shellHook\":{\"type\":\"exported\",\"value\":\"echo hook ran; export HOOKED=1\"},"
	"\"system\":{\"type\":\"exported\",\"value\":\"x86_64-linux\"}}}";

static int render(const char *json, struct devenv *d)
{
	return devenv_render(json, strlen(json), d);
}

static const char *env_get(const struct devenv *d, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = d->environ; p < d->environ + d->environ_len; p += strlen(p) + 1)
		if (strncmp(p, name, n) == 0 && p[n] == '=')
			return p + n + 1;
	return NULL;
}

static size_t env_count(const struct devenv *d)
{
	size_t n = 0;

	for (const char *p = d->environ; p < d->environ + d->environ_len; p += strlen(p) + 1)
		n++;
	return n;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* Writes rc to rcpath, runs `bash -u -c '. rcpath; script'` and returns
 * its exit status, its stdout in out (stderr is discarded). */
static int bash_run(const struct devenv *d, const char *rcpath, const char *script, char *out,
		    size_t size)
{
	char cmd[4096];
	FILE *f = fopen(rcpath, "we");
	size_t n;
	int status;

	if (!f || fwrite(d->rc, 1, d->rc_len, f) != d->rc_len || fclose(f) != 0)
		return -1;
	snprintf(cmd, sizeof(cmd), "/bin/bash -u -c '. %s; %s' 2>/dev/null", rcpath, script);
	f = popen(cmd, "re");
	if (!f)
		return -1;
	n = fread(out, 1, size - 1, f);
	out[n] = '\0';
	status = pclose(f);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void test_real_output(void)
{
	struct devenv d = { 0 };
	char rcpath[] = "/tmp/nsbsh-test-rc.XXXXXX", out[256];
	int fd;

	CHECK(render(pde_json, &d) == 0);
	CHECK_STREQ(env_get(&d, "DEMO_VAR"), "hello from flake");
	CHECK_STREQ(env_get(&d, "PATH"), "/nix/store/nxmghmagc9ji19dw9mcqv4zkhzcmd49d-tools/bin");
	CHECK_STREQ(env_get(&d, "IN_NIX_SHELL"), "impure");
	CHECK(d.environ_len > 0 && d.environ[d.environ_len - 1] == '\0');
	/* DEMO_VAR IN_NIX_SHELL NIX_BUILD_CORES NIX_STORE PATH builder
	 * dontAddDisableDepTrack name out outputs system */
	CHECK(env_count(&d) == 11);
	CHECK(!env_get(&d, "HOME") && !env_get(&d, "TERM") && !env_get(&d, "BASH"));
	CHECK(!env_get(&d, "SHELL") && !env_get(&d, "TMPDIR") && !env_get(&d, "OLDPWD"));
	CHECK(!env_get(&d, "shellHook"));
	CHECK(strncmp(d.rc, "# generated by nsbsh from nix print-dev-env --json\n", 51) == 0);
	CHECK(strlen(d.rc) == d.rc_len);
	CHECK(strstr(d.rc, "\nshellHook='echo hook ran; export HOOKED=1'\n"));
	CHECK(!strstr(d.rc, "BASH") && !strstr(d.rc, "SHELL=") && !strstr(d.rc, "IFS"));
	CHECK(!strstr(d.rc, "HOME") && !strstr(d.rc, "TMPDIR") && !strstr(d.rc, "LINENO"));
	CHECK(ends_with(d.rc, "\n{ eval \"$shellHook\"; } >&2\n"));
	/* the policy's setenv: after the variables, before the hook */
	const char *se = strstr(d.rc, "\n[ ! -r " SHELL_RC_SETENV " ] || . " SHELL_RC_SETENV "\n");
	CHECK(se && se > strstr(d.rc, "\nshellHook=") && se < strstr(d.rc, "\n{ eval"));

	/* The hook runs under set -u, and its "hook ran" goes to stderr. */
	fd = mkstemp(rcpath);
	CHECK(fd >= 0);
	close(fd);
	CHECK(bash_run(&d, rcpath, "printf %s \"$HOOKED\"", out, sizeof(out)) == 0);
	CHECK_STREQ(out, "1");
	unlink(rcpath);
	devenv_release(&d);
}

static void test_escapes(void)
{
	static const char want[] = "\"\\/\b\f\n\r\t\xc3\xa9\xc3\x89\xe2\x82\xac\xf0\x9f\x98\x80x";
	struct devenv d = { 0 };

	/* \u00e9 \u00C9 \u20ac and the pair for U+1F600 */
	CHECK(render("{\"variables\":{\"E\":{\"type\":\"exported\",\"value\":"
		     "\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\u00C9\\u20ac\\ud83d\\ude00x\"}}}",
		     &d) == 0);
	CHECK(d.environ_len == 2 + sizeof(want));
	CHECK(memcmp(d.environ, "E=", 2) == 0 && memcmp(d.environ + 2, want, sizeof(want)) == 0);
	devenv_release(&d);

	/* raw UTF-8 passes through untouched */
	CHECK(render("{\"variables\":{\"E\":{\"type\":\"exported\",\"value\":\"\xc3\xa9\"}}}", &d) == 0);
	CHECK_STREQ(env_get(&d, "E"), "\xc3\xa9");
	devenv_release(&d);
}

static void test_quoting(void)
{
	struct devenv d = { 0 };

	CHECK(render("{\"variables\":{\"V\":{\"type\":\"var\",\"value\":\"it's\\nline2\"},"
		     "\"W\":{\"type\":\"var\",\"value\":\"\"}}}",
		     &d) == 0);
	CHECK(strstr(d.rc, "\nV='it'\\''s\nline2'\nW=''\n"));
	CHECK(d.environ_len == 0 && d.environ);
	/* no shellHook, no eval line */
	CHECK(!strstr(d.rc, "eval"));
	devenv_release(&d);
}

static void test_path(void)
{
	struct devenv d = { 0 };

	CHECK(render("{\"variables\":{\"PATH\":{\"type\":\"exported\",\"value\":"
		     "\":/a::/path-not-set:/b:/a:/b/:/a/b:/b:\"}}}",
		     &d) == 0);
	CHECK_STREQ(env_get(&d, "PATH"), "/a:/b:/b/:/a/b");
	CHECK(d.environ_len == sizeof("PATH=/a:/b:/b/:/a/b"));
	devenv_release(&d);

	CHECK(render("{\"variables\":{\"PATH\":{\"type\":\"exported\",\"value\":\"/path-not-set\"},"
		     "\"X\":{\"type\":\"exported\",\"value\":\"1\"}}}",
		     &d) == 0);
	CHECK(!env_get(&d, "PATH") && env_count(&d) == 1);
	devenv_release(&d);

	CHECK(render("{\"variables\":{\"PATH\":{\"type\":\"exported\",\"value\":\"::\"}}}", &d) == 0);
	CHECK(d.environ_len == 0 && !strstr(d.rc, "PATH"));
	devenv_release(&d);
}

static void test_arrays(void)
{
	struct devenv d = { 0 };
	const char *a, *m, *e, *f, *v;

	CHECK(render("{\"variables\":{"
		     "\"A\":{\"type\":\"array\",\"value\":[\"x\",\"it's\",\"\"]},"
		     "\"M\":{\"value\":{\"k\":\"v w\",\"\":\"dropped\",\"q'\":\"$x\"},"
		     "\"type\":\"associative\"},"
		     "\"E\":{\"type\":\"array\",\"value\":[]},"
		     "\"V\":{\"type\":\"var\",\"value\":\"after\"}},"
		     "\"bashFunctions\":{\"f\":\"true\"}}",
		     &d) == 0);
	v = strstr(d.rc, "\nV='after'\n");
	a = strstr(d.rc, "\ndeclare -a A=('x' 'it'\\''s' '')\n");
	m = strstr(d.rc, "\ndeclare -A M=(['k']='v w' ['q'\\''']='$x')\n");
	e = strstr(d.rc, "\ndeclare -a E=()\n");
	f = strstr(d.rc, "\nf ()\n{\ntrue\n}\n");
	CHECK(v && a && m && e && f);
	/* variables, then arrays, then functions */
	CHECK(v < a && a < m && m < e && e < f);
	devenv_release(&d);
}

static void test_functions(void)
{
	struct devenv d = { 0 };

	CHECK(render("{\"bashFunctions\":{\"f\":\"    echo hi;\\n    echo 'x'\","
		     "\"a.b:c+d-e\":\"true\",\"_g1\":\"true\",\"1bad\":\"x\",\"if\":\"x\","
		     "\"b c\":\"x\",\"-x\":\"x\",\"\":\"x\"}}",
		     &d) == 0);
	CHECK(strstr(d.rc, "\nf ()\n{\n    echo hi;\n    echo 'x'\n}\n"));
	CHECK(strstr(d.rc, "\na.b:c+d-e ()\n{\ntrue\n}\n"));
	CHECK(strstr(d.rc, "\n_g1 ()\n{\ntrue\n}\n"));
	CHECK(!strstr(d.rc, "1bad") && !strstr(d.rc, "if") && !strstr(d.rc, "b c"));
	CHECK(!strstr(d.rc, "-x") && !strstr(d.rc, "\n ()"));
	devenv_release(&d);
}

static void test_names(void)
{
	struct devenv d = { 0 };

	CHECK(render("{\"variables\":{"
		     "\"1X\":{\"type\":\"exported\",\"value\":\"x\"},"
		     "\"A-B\":{\"type\":\"exported\",\"value\":\"x\"},"
		     "\"\":{\"type\":\"exported\",\"value\":\"x\"},"
		     "\"A=B\":{\"type\":\"exported\",\"value\":\"x\"},"
		     "\"\xc3\x84\":{\"type\":\"exported\",\"value\":\"x\"},"
		     "\"BASH_ENV\":{\"type\":\"exported\",\"value\":\"x\"},"
		     "\"LC_ALL\":{\"type\":\"exported\",\"value\":\"x\"},"
		     "\"_\":{\"type\":\"var\",\"value\":\"x\"},"
		     "\"PS1\":{\"type\":\"var\",\"value\":\"x\"},"
		     "\"BASH_ALIASES\":{\"type\":\"associative\",\"value\":{\"a\":\"b\"}},"
		     "\"FUNCNAME\":{\"type\":\"array\",\"value\":[\"x\"]},"
		     "\"_ok1\":{\"type\":\"exported\",\"value\":\"y\"},"
		     "\"LC\":{\"type\":\"var\",\"value\":\"y\"}}}",
		     &d) == 0);
	CHECK(env_count(&d) == 1);
	CHECK_STREQ(env_get(&d, "_ok1"), "y");
	CHECK_STREQ(d.rc, "# generated by nsbsh from nix print-dev-env --json\nLC='y'\n"
			  "[ ! -r /run/nsbsh/setenv.bash ] || . /run/nsbsh/setenv.bash\n");
	devenv_release(&d);
}

/* Future Nix may add keys and types: those entries are skipped. A known
 * type with the wrong value shape is an error. */
static void test_shapes(void)
{
	static const char *const bad[] = {
		"{\"variables\":{\"X\":{\"type\":\"exported\",\"value\":[\"a\"]}}}",
		"{\"variables\":{\"X\":{\"type\":\"var\",\"value\":1}}}",
		"{\"variables\":{\"X\":{\"type\":\"array\",\"value\":\"a\"}}}",
		"{\"variables\":{\"X\":{\"type\":\"array\",\"value\":[\"a\",1]}}}",
		"{\"variables\":{\"X\":{\"type\":\"associative\",\"value\":[\"a\"]}}}",
		"{\"variables\":{\"X\":{\"type\":\"associative\",\"value\":{\"a\":null}}}}",
		"{\"variables\":{\"X\":{\"type\":\"exported\"}}}",
		"{\"variables\":{\"X\":{\"value\":\"a\"}}}",
		"{\"variables\":{\"X\":{\"type\":1,\"value\":\"a\"}}}",
		"{\"variables\":{\"X\":\"a\"}}",
		"{\"variables\":[]}",
		"{\"bashFunctions\":{\"f\":[]}}",
		"{\"bashFunctions\":[]}",
		/* the shape is checked for skipped names too */
		"{\"variables\":{\"HOME\":{\"type\":\"exported\",\"value\":[]}}}",
		"{\"variables\":{\"HOME\":{\"type\":\"array\",\"value\":{}}}}",
	};
	struct devenv d = { 0 };

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		CHECK(render(bad[i], &d) == -EINVAL);

	CHECK(render("{\"future\":{\"a\":[1,-2.5e+3,0,-0.0E-1,true,false,null,{\"b\":\"\\u0041\"}]},"
		     "\"variables\":{\"X\":{\"type\":\"namespace\",\"value\":{\"a\":[1]}},"
		     "\"Y\":{\"value\":\"1\",\"extra\":[],\"type\":\"exported\"}},\"more\":0}",
		     &d) == 0);
	CHECK(env_count(&d) == 1 && env_get(&d, "Y"));
	devenv_release(&d);

	CHECK(render(" {} \n", &d) == 0);
	CHECK(d.environ_len == 0 && d.environ && d.rc_len == strlen(d.rc));
	devenv_release(&d);
}

static void test_malformed(void)
{
	static const char *const bad[] = {
		"", " ", "[]", "\"x\"", "{", "{}x", "{}{}", "{},",
		"{\"a\":1,}", "{\"a\":[1,]}", "{\"a\":[,1]}", "{,}", "{\"a\" 1}", "{\"a\":1 \"b\":2}",
		"{\"a\":01}", "{\"a\":1.}", "{\"a\":-}", "{\"a\":1e}", "{\"a\":.5}", "{\"a\":+1}",
		"{\"a\":tru}", "{\"a\":nul}", "{\"a\":True}", "{'a':1}", "{a:1}",
		"{\"a\":\"\\u0000\"}", "{\"a\":\"\\x\"}", "{\"a\":\"\\u12\"}", "{\"a\":\"\\u12g4\"}",
		"{\"a\":\"\\ud800\"}", "{\"a\":\"\\ud800x\"}", "{\"a\":\"\\ud800\\u0041\"}",
		"{\"a\":\"\\udc00\"}", "{\"a\":\"tab\there\"}", "{\"a\":\"nl\nhere\"}", "{\"a\":\"open}",
		"{\"variables\":{\"X\":{\"type\":\"var\",\"value\":\"a\\u0000b\"}}}",
		"{\"bashFunctions\":{\"f\\u0000\":\"x\"}}",
	};
	struct devenv d = { 0 };
	char deep[2200];
	size_t n = strlen(pde_json), prefixes_bad = 0;

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		CHECK(render(bad[i], &d) == -EINVAL);
	/* a raw NUL inside the given length */
	CHECK(devenv_render("{\"a\":\"x\0\"}", 9, &d) == -EINVAL);
	CHECK(devenv_render("{}\0", 3, &d) == -EINVAL);
	/* every proper prefix of a real output is truncated JSON */
	for (size_t i = 0; i < n; i++)
		prefixes_bad += devenv_render(pde_json, i, &d) == -EINVAL;
	CHECK(prefixes_bad == n);

	/* depth 64 (the top object and 63 arrays) is fine, 65 is not */
	strcpy(deep, "{\"a\":");
	memset(deep + 5, '[', 63);
	memset(deep + 68, ']', 63);
	strcpy(deep + 131, "}");
	CHECK(render(deep, &d) == 0);
	devenv_release(&d);
	strcpy(deep, "{\"a\":");
	memset(deep + 5, '[', 64);
	memset(deep + 69, ']', 64);
	strcpy(deep + 133, "}");
	CHECK(render(deep, &d) == -EINVAL);
	memset(deep, '[', 1000);
	memset(deep + 1000, ']', 1000);
	deep[2000] = '\0';
	deep[0] = '{';
	CHECK(render(deep, &d) == -EINVAL);

	/* failures leave *ret alone */
	d = (struct devenv){ (char *)"sentinel", 1, NULL, 2 };
	CHECK(render("{\"variables\":{\"X\":{\"type\":\"var\",\"value\":\"x\"}}}x", &d) == -EINVAL);
	CHECK(d.environ && streq(d.environ, "sentinel") && d.environ_len == 1 && !d.rc && d.rc_len == 2);
}

/* {"KEY":{...n members...}}, variables or functions */
static char *many_members(size_t n, bool funcs)
{
	char *s = malloc(64 + n * 64), *p = s;

	if (!s)
		abort();
	p += sprintf(p, "{\"%s\":{", funcs ? "bashFunctions" : "variables");
	for (size_t i = 0; i < n; i++)
		p += sprintf(p, funcs ? "%s\"f%zu\":\"\"" : "%s\"V%zu\":{\"type\":\"var\",\"value\":\"\"}",
			     i ? "," : "", i);
	strcpy(p, "}}");
	return s;
}

static void test_limits(void)
{
	struct devenv d = { 0 };
	char *s, *big;

	for (int funcs = 0; funcs <= 1; funcs++) {
		s = many_members(10000, funcs);
		CHECK(render(s, &d) == 0);
		devenv_release(&d);
		free(s);
		s = many_members(10001, funcs);
		CHECK(render(s, &d) == -EINVAL);
		free(s);
	}

	/* 64 MiB of valid JSON is accepted, one byte more is not */
	big = malloc((64u << 20) + 1);
	CHECK(big != NULL);
	if (big) {
		memset(big, ' ', (64u << 20) + 1);
		memcpy(big, "{}", 2);
		CHECK(devenv_render(big, 64u << 20, &d) == 0);
		devenv_release(&d);
		CHECK(devenv_render(big, (64u << 20) + 1, &d) == -EINVAL);
		free(big);
	}
}

static void test_release(void)
{
	struct devenv d = { 0 };

	devenv_release(&d);
	CHECK(!d.environ && !d.rc && !d.environ_len && !d.rc_len);
	CHECK(render(pde_json, &d) == 0);
	devenv_release(&d);
	CHECK(!d.environ && !d.rc && !d.environ_len && !d.rc_len);
}

/* What bash sees after sourcing rc is byte for byte what Nix gave, and
 * nothing in a value is ever executed. */
static void test_bash_roundtrip(void)
{
	char rcpath[] = "/tmp/nsbsh-test-rc.XXXXXX", pwned[64], json[2048], want[512], out[512];
	struct devenv d = { 0 };
	int fd = mkstemp(rcpath);

	CHECK(fd >= 0);
	close(fd);
	snprintf(pwned, sizeof(pwned), "%s.pwned", rcpath);
	snprintf(json, sizeof(json),
		 "{\"bashFunctions\":{\"greet\":\"    printf 'fn:%%s' \\\"$1\\\"\"},"
		 "\"variables\":{"
		 "\"V\":{\"type\":\"var\",\"value\":"
		 "\"it's \\\"q\\\"\\n$(touch %s) `touch %s` ${HOME} \\\\ '\\\\''\\n\"},"
		 "\"A\":{\"type\":\"array\",\"value\":[\"a b\",\"$(touch %s)\",\"\"]},"
		 "\"M\":{\"type\":\"associative\",\"value\":{\"k'\":\"v\\n\",\"$(touch %s)\":\"x\"}},"
		 "\"shellHook\":{\"type\":\"var\",\"value\":\"echo hook-stdout; HOOKED=yes\"}}}",
		 pwned, pwned, pwned, pwned);
	CHECK(render(json, &d) == 0);

	CHECK(bash_run(&d, rcpath, "printf %s \"$V\"", out, sizeof(out)) == 0);
	snprintf(want, sizeof(want), "it's \"q\"\n$(touch %s) `touch %s` ${HOME} \\ '\\''\n", pwned,
		 pwned);
	CHECK_STREQ(out, want);

	/* bash_run quotes the script in '...': q is made to hold a quote */
	CHECK(bash_run(&d, rcpath,
		       "q=$(printf \"\\\\047\"); printf \"<%s>\" \"${A[@]}\" \"${#M[@]}\" \"${M[k$q]}\"; "
		       "greet x; printf %s \"$HOOKED\"",
		       out, sizeof(out)) == 0);
	snprintf(want, sizeof(want), "<a b><$(touch %s)><><2><v\n>fn:xyes", pwned);
	CHECK_STREQ(out, want);
	CHECK(access(pwned, F_OK) != 0);
	unlink(pwned);
	unlink(rcpath);
	devenv_release(&d);
}

#define SP1 "/nix/store/jmgvrr87dpyps10671cnarin35p6rg25-source"
#define SP2 "/nix/store/y99js7441f702i007iqqlbvsjgx6gypd-source"
#define SP3 "/nix/store/nxmghmagc9ji19dw9mcqv4zkhzcmd49d-tools"

static int archive(const char *json, struct store_paths *p)
{
	return devenv_archive_inputs(json, strlen(json), p);
}

static int outputs(const char *json, struct store_paths *p)
{
	return devenv_build_outputs(json, strlen(json), p);
}

/* What nix flake archive --json and nix build --json print (Nix 2.8). */
static void test_store_paths(void)
{
	struct store_paths p = { 0 };

	/* the flake's own path is not an input; inputs at every depth, once */
	CHECK(archive("{\"path\":\"" SP2 "\",\"inputs\":{\"dep\":{\"path\":\"" SP1 "\","
		      "\"inputs\":{\"sub\":{\"inputs\":{},\"path\":\"" SP3 "\"}}},"
		      "\"again\":{\"path\":\"" SP1 "\",\"inputs\":{}}}}", &p) == 0);
	CHECK(p.n == 2 && streq(p.v[0], SP1) && streq(p.v[1], SP3));
	store_paths_release(&p);
	CHECK(archive(" {\"path\":\"" SP2 "\",\"inputs\":{}} \n", &p) == 0 && p.n == 0);
	store_paths_release(&p);
	CHECK(archive("{\"path\":\"" SP2 "\",\"future\":[1,{\"a\":null}],\"inputs\":{}}", &p) == 0 &&
	      p.n == 0);
	store_paths_release(&p);
	/* not a store path, or not that shape: refused, nothing returned */
	CHECK(archive("{\"inputs\":{\"x\":{\"path\":\"/home/u/.ssh\"}}}", &p) == -EINVAL && !p.v);
	CHECK(archive("{\"inputs\":{\"x\":{\"path\":\"/nix/store/short-x\"}}}", &p) == -EINVAL);
	CHECK(archive("{\"inputs\":{\"x\":{\"path\":\"" SP1 "/sub\"}}}", &p) == -EINVAL);
	CHECK(archive("{\"inputs\":{\"x\":{\"path\":\"" SP1 "\\u0000\"}}}", &p) == -EINVAL);
	CHECK(archive("{\"inputs\":[]}", &p) == -EINVAL);
	CHECK(archive("{\"inputs\":{}} x", &p) == -EINVAL);
	CHECK(archive("", &p) == -EINVAL);

	CHECK(outputs("[{\"drvPath\":\"/nix/store/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-t.drv\","
		      "\"outputs\":{\"out\":\"" SP3 "\",\"man\":\"" SP1 "\"}},"
		      "{\"outputs\":{\"out\":\"" SP2 "\"}}]", &p) == 0);
	CHECK(p.n == 3 && streq(p.v[0], SP3) && streq(p.v[1], SP1) && streq(p.v[2], SP2));
	store_paths_release(&p);
	CHECK(outputs("[]", &p) == 0 && p.n == 0);
	store_paths_release(&p);
	CHECK(outputs("[{\"outputs\":{\"out\":\"/bin\"}}]", &p) == -EINVAL);
	CHECK(outputs("{\"outputs\":{}}", &p) == -EINVAL);
	CHECK(outputs("[{\"outputs\":{\"out\":1}}]", &p) == -EINVAL);
}

static void test_path_append(void)
{
	struct devenv d = { 0 };
	const char *dirs[] = { SP3 "/bin", SP1 "/bin" };

	CHECK(render("{\"variables\":{\"A\":{\"type\":\"exported\",\"value\":\"1\"},"
		     "\"PATH\":{\"type\":\"exported\",\"value\":\"/x/bin:" SP1 "/bin\"},"
		     "\"B\":{\"type\":\"exported\",\"value\":\"2\"}}}", &d) == 0);
	CHECK(devenv_path_append(&d, dirs, 2) == 0);
	/* after the environment's, in order, not twice; the rest unchanged */
	CHECK_STREQ(env_get(&d, "PATH"), "/x/bin:" SP1 "/bin:" SP3 "/bin");
	CHECK(env_count(&d) == 3 && streq(env_get(&d, "A"), "1") && streq(env_get(&d, "B"), "2"));
	CHECK(d.environ[d.environ_len - 1] == '\0');
	const char *bad[] = { "/a:b" };
	CHECK(devenv_path_append(&d, bad, 1) == -EINVAL);
	devenv_release(&d);

	/* an environment without PATH gets one of the tools alone */
	CHECK(render("{\"variables\":{\"A\":{\"type\":\"exported\",\"value\":\"1\"}}}", &d) == 0);
	CHECK(devenv_path_append(&d, dirs, 1) == 0);
	CHECK_STREQ(env_get(&d, "PATH"), SP3 "/bin");
	CHECK(env_count(&d) == 2);
	devenv_release(&d);
	CHECK(render("{}", &d) == 0);
	CHECK(devenv_path_append(&d, dirs, 0) == 0 && d.environ_len == 0);
	devenv_release(&d);
}

UNIT_MAIN("devenv", test_store_paths, test_path_append, test_real_output, test_escapes, test_quoting, test_path, test_arrays,
	  test_functions, test_names, test_shapes, test_malformed, test_limits, test_release,
	  test_bash_roundtrip)
