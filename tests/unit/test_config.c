/* test_config.c - the policy files: every key, every message (file, line,
 * key), ~ expansion, refused binds, the merge rules of each kind of file,
 * never a half-read policy, and the shipped policy/ files. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/util.h"
#include "policy/config.h"
#include "policy/internal.h"
#include "sandbox/sandbox.h"
#include "unit.h"

#define HOME "/home/u"

static int parse(const char *text, struct policy_layer *l, struct config_error *e)
{
	return config_parse_text(text, strlen(text), "t.conf", HOME, l, e);
}

/* The one message a bad text gives. */
static void bad(const char *text, const char *message)
{
	struct policy_layer l = { 0 };
	struct config_error e;

	int r = parse(text, &l, &e);
	CHECK(r == -EINVAL);
	if (r != -EINVAL)
		fprintf(stderr, "  for: %s\n", text);
	CHECK_STREQ(e.message, message);
	policy_layer_release(&l);
}

/* Parses text as a whole file of `kind` onto p. */
static void apply(struct policy *p, const char *name, const char *text, enum layer_kind kind)
{
	struct policy_layer l = { 0 };
	struct config_error e;

	int r = config_parse_text(text, strlen(text), name, HOME, &l, &e);
	CHECK(r == 0);
	if (r != 0)
		fprintf(stderr, "  %s\n", e.message);
	CHECK(config_merge(p, &l, kind) == 0);
	policy_layer_release(&l);
}

static const char *note(const struct policy *p, size_t i)
{
	return i < p->n_notes ? p->notes[i] : "(no such note)";
}

static void test_defaults(void)
{
	struct policy p;

	policy_init_defaults(&p);
	CHECK(p.network);
	CHECK(!p.picker && !p.host_system && !p.strict);
	CHECK(!p.nested_userns && p.max_memory == 0 && p.max_cpu_seconds == 0);
	CHECK(p.max_procs == 4096 && CONFIG_DEFAULT_MAX_PROCS == SANDBOX_MAX_PROCS_DEFAULT);
	CHECK(p.reload_interactive == POLICY_RELOAD_ASK);
	CHECK(p.reload_noninteractive == POLICY_RELOAD_REBUILD);
	CHECK(p.bash == NULL);
	CHECK(p.bind.n == 0 && p.unshadow.n == 0 && p.passthrough.n == 0 && p.watch.n == 0 &&
	      p.allowed_roots.n == 0 && p.n_projects == 0 && p.n_notes == 0);
	for (const char *const *n = (const char *const[]){ "TERM", "COLORTERM", "LANG", "LANGUAGE",
							    "LC_ALL", "LC_CTYPE", "TZ", "NO_COLOR",
							    "COLUMNS", "LINES", NULL };
	     *n; n++)
		CHECK(policy_passes_env(&p, *n));
	for (const char *const *n = (const char *const[]){ "SSH_AUTH_SOCK", "HOME", "PATH", "LC",
							    "TERMINFO", "", "TERM=x", NULL };
	     *n; n++)
		CHECK(!policy_passes_env(&p, *n));
	CHECK(policy_allows_project(&p, "/anywhere"));
	policy_release(&p);
	policy_release(&p);  /* twice: zeroed */
	policy_release(NULL);
}

static void test_every_key(void)
{
	struct policy_layer l = { 0 };
	struct config_error e;
	const char *text =
		"network = off\n"
		"bind = { \"~/src/shared:rw\", \"/srv/data:/data\",\n"
		"         '/opt/tools:ro', \"~/x:/y:rw\" }\n"
		"unshadow = { \"~/.gitconfig\", \"~/.config/git:rw\" }\n"
		"passthrough = { EDITOR, \"GIT_*\" }\n"
		"watch = { \"nix/shell.nix\", \"./a//b/\" }\n"
		"reload_interactive = keep\n"
		"reload_noninteractive = keep\n"
		"picker = on\n"
		"bash = \"/usr/local/bin/bash\"\n"
		"host_system = ro\n"
		"strict = on\n"
		"allowed_roots = { \"~/projects\", \"/srv/work/\" }\n"
		"session_copy = { \".env\" }\n"
		"nested_userns = on\n"
		"max_procs = 512\n"
		"max_memory = 8G\n"
		"max_cpu_seconds = 3600\n"
		"ssh_project = ~/projects/main\n"
		"ssh_project_env = AGENT_PROJECT\n"
		"file_transfer = sandbox\n"
		"protect = { \".envrc\", \"./tools//hooks/\" }\n"
		"eval_timeout = 600\n"
		"linger = 60\n"
		"setenv = { \"RUST_LOG=debug\", \"EDITOR=vi -e\" }\n"
		"tools = { \"nixpkgs#ripgrep\", \"~/tools#default\" }\n"
		"ssh_keys = { \"SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s\", \"~/.ssh/id_deploy\" }\n"
		"allow_hosts = { \"github.com\", \"*.npmjs.org:443\" }\n"
		"inject = { \"api.github.com Authorization=Bearer env:GITHUB_TOKEN\" }\n"
		"inject_ca_file = \"/etc/ssl/certs/ca-certificates.crt\"\n"
		"forward_ports = { 5432, \"8080:80\" }\n"
		"publish_ports = { 3000 }\n"
		"nix_daemon = on\n"
		"nested_git = allow\n"
		"create_guard = off\n"
		"store = closure\n";

	int r = parse(text, &l, &e);
	CHECK(r == 0);
	if (r)
		fprintf(stderr, "  %s\n", e.message);
	CHECK(l.set == (CONFIG_KEY_COUNT == 64 ? ~0ull : (1ull << CONFIG_KEY_COUNT) - 1));
	CHECK_STREQ(l.filename, "t.conf");
	CHECK(l.v.network == POLICY_NETWORK_OFF && l.v.picker && l.v.host_system && l.v.strict);
	CHECK(l.v.forward_ports.n == 2 && l.v.publish_ports.n == 1 && l.v.nix_daemon == POLICY_NIX_DAEMON_ON);
	if (l.v.forward_ports.n == 2 && l.v.publish_ports.n == 1) {
		CHECK_STREQ(l.v.forward_ports.v[0].value, "5432:5432");
		CHECK_STREQ(l.v.forward_ports.v[1].value, "8080:80");
		CHECK_STREQ(l.v.publish_ports.v[0].value, "3000:3000");
	}
	CHECK(l.v.nested_git && !l.v.create_guard && l.v.store == POLICY_STORE_CLOSURE);
	CHECK(l.v.nested_userns && l.v.max_procs == 512 && l.v.max_memory == 8ull << 30 &&
	      l.v.max_cpu_seconds == 3600);
	CHECK(l.line[CONFIG_KEY_MAX_CPU_SECONDS] == 18);
	CHECK(l.v.reload_interactive == POLICY_RELOAD_KEEP);
	CHECK(l.v.reload_noninteractive == POLICY_RELOAD_KEEP);
	CHECK_STREQ(l.v.bash, "/usr/local/bin/bash");
	CHECK_STREQ(l.v.ssh_project, HOME "/projects/main");
	CHECK_STREQ(l.v.ssh_project_env, "AGENT_PROJECT");
	CHECK(l.v.setenv.n == 2 && streq(l.v.setenv.v[1].value, "EDITOR=vi -e"));
	CHECK(l.v.tools.n == 2 && streq(l.v.tools.v[1].value, HOME "/tools#default"));
	CHECK(l.v.ssh_keys.n == 2 && streq(l.v.ssh_keys.v[1].value, HOME "/.ssh/id_deploy"));
	CHECK(l.v.file_transfer);
	CHECK(l.v.protect_set && l.v.protect.n == 2 && l.v.eval_timeout == 600);
	if (l.v.protect.n == 2)
		CHECK(streq(l.v.protect.v[0].value, ".envrc") && streq(l.v.protect.v[1].value, "tools/hooks"));
	CHECK(l.v.bind.n == 4);
	if (l.v.bind.n == 4) {
		CHECK_STREQ(l.v.bind.v[0].value, HOME "/src/shared");
		CHECK_STREQ(l.v.bind.v[0].dest, HOME "/src/shared");
		CHECK(l.v.bind.v[0].rw && l.v.bind.v[0].line == 2);
		CHECK_STREQ(l.v.bind.v[1].value, "/srv/data");
		CHECK_STREQ(l.v.bind.v[1].dest, "/data");
		CHECK(!l.v.bind.v[1].rw && l.v.bind.v[1].line == 2);
		CHECK_STREQ(l.v.bind.v[2].value, "/opt/tools");
		CHECK(!l.v.bind.v[2].rw && l.v.bind.v[2].line == 3);
		CHECK_STREQ(l.v.bind.v[3].dest, "/y");
		CHECK(l.v.bind.v[3].rw);
	}
	CHECK(l.v.unshadow.n == 2);
	if (l.v.unshadow.n == 2) {
		CHECK_STREQ(l.v.unshadow.v[0].value, HOME "/.gitconfig");
		CHECK(!l.v.unshadow.v[0].rw);
		CHECK(l.v.unshadow.v[0].dest == NULL);
		CHECK(l.v.unshadow.v[1].rw);
	}
	CHECK(l.v.passthrough.n == 2);
	if (l.v.passthrough.n == 2) {
		CHECK_STREQ(l.v.passthrough.v[0].value, "EDITOR");
		CHECK_STREQ(l.v.passthrough.v[1].value, "GIT_*");
	}
	CHECK(l.v.watch.n == 2);
	if (l.v.watch.n == 2) {
		CHECK_STREQ(l.v.watch.v[0].value, "nix/shell.nix");
		CHECK_STREQ(l.v.watch.v[1].value, "a/b");
	}
	CHECK(l.v.allowed_roots.n == 2);
	if (l.v.allowed_roots.n == 2) {
		CHECK_STREQ(l.v.allowed_roots.v[0].value, HOME "/projects");
		CHECK_STREQ(l.v.allowed_roots.v[1].value, "/srv/work");
	}
	CHECK(l.line[CONFIG_KEY_NETWORK] == 1 && l.line[CONFIG_KEY_STRICT] == 12);
	policy_layer_release(&l);

	/* A key left out is not set; "= {}" is (an empty list narrows). */
	CHECK(parse("network = on\npassthrough = {}\n", &l, &e) == 0);
	CHECK(l.set == ((1u << CONFIG_KEY_NETWORK) | (1u << CONFIG_KEY_PASSTHROUGH)));
	policy_layer_release(&l);
	/* The last assignment wins; += appends. */
	CHECK(parse("network = off\nnetwork = on\nwatch = a\nwatch += { b, c }\n", &l, &e) == 0);
	CHECK(l.v.network && l.line[CONFIG_KEY_NETWORK] == 2 && l.v.watch.n == 3);
	policy_layer_release(&l);
	/* bash = "" is automatic. */
	CHECK(parse("bash = \"\"\n", &l, &e) == 0);
	CHECK((l.set & (1u << CONFIG_KEY_BASH)) && l.v.bash == NULL);
	policy_layer_release(&l);
	/* An empty file sets nothing. */
	CHECK(config_parse_text("", 0, "t.conf", HOME, &l, &e) == 0);
	CHECK(l.set == 0);
	policy_layer_release(&l);
}

static void test_messages(void)
{
	bad("network = on\nfoo = 1\n", "t.conf:2: unknown key 'foo'");
	bad("forward_ports = { 0 }", "t.conf:1: key 'forward_ports': '0' is not a port or \"HOST:SANDBOX\" (1 to 65535)");
	bad("forward_ports = { \"80:\" }",
	    "t.conf:1: key 'forward_ports': '80:' is not a port or \"HOST:SANDBOX\" (1 to 65535)");
	bad("publish_ports = { 65536 }",
	    "t.conf:1: key 'publish_ports': '65536' is not a port or \"HOST:SANDBOX\" (1 to 65535)");
	bad("publish_ports = { \"08\" }",
	    "t.conf:1: key 'publish_ports': '08' is not a port or \"HOST:SANDBOX\" (1 to 65535)");
	bad("forward_ports = { 80, \"80:80\" }", "t.conf:1: key 'forward_ports': '80:80' is listed twice");
	bad("nix_daemon = yes", "t.conf:1: key 'nix_daemon': 'yes' is not auto, on or off");
	bad("store = some", "t.conf:1: key 'store': 'some' is not all or closure");
	bad("\n\nnetwork = maybe\n", "t.conf:3: key 'network': 'maybe' is not on, host, off or allow");
	bad("picker = yes", "t.conf:1: key 'picker': 'yes' is not on or off");
	bad("strict = ON", "t.conf:1: key 'strict': 'ON' is not on or off");
	bad("host_system = rw", "t.conf:1: key 'host_system': 'rw' is not off or ro");
	bad("reload_interactive = later",
	    "t.conf:1: key 'reload_interactive': 'later' is not ask, rebuild or keep");
	bad("reload_noninteractive = ask",
	    "t.conf:1: key 'reload_noninteractive': 'ask' is not rebuild or keep");
	bad("network = = on", "t.conf:1: syntax error: unexpected '='");
	bad("network on", "t.conf:1: syntax error: '=' expected after 'network'");
	bad("network =", "t.conf:1: syntax error: unexpected end of file");
	bad("watch = { a,\n b\n", "t.conf:3: syntax error: unexpected end of file");
	bad("}", "t.conf:1: syntax error: unexpected '}'");
	bad("network += off", "t.conf:1: key 'network': '+=' works on lists only");
	bad("project { }", "t.conf:1: syntax error: 'project' needs a project path before '{'");
	bad("project \"/p\" network = off",
	    "t.conf:1: syntax error: '{' expected after 'project' and its path");
	bad("project \"/p\" {\n  foo = 1\n}", "t.conf:2: unknown key 'foo'");
	bad("project \"/p\" {\n  project \"/q\" {}\n}", "t.conf:2: unknown key 'project'");
	bad("project \"/p\" {}\nproject \"/p\" {}", "t.conf:2: project '/p' appears twice");
	bad("project \"~/p\" {}\nproject \"/home/u/p/\" {}",
	    "t.conf:2: project '/home/u/p' appears twice");
	bad("\nproject \"p\"\n{\n}\n", "t.conf:3: project 'p' is not an absolute path");
	bad("network = \"off", "t.conf:1: syntax error: unterminated string");
	bad("\nnetwork = 'off\n\n", "t.conf:2: syntax error: unterminated string");
	bad("network = \"off\\", "t.conf:1: syntax error: unterminated string");
	bad("network = off\n/* a\n\n", "t.conf:2: syntax error: unterminated comment");
	bad("bash = ${HOME}/bash", "t.conf:1: syntax error: '${' (environment variables are not "
				   "expanded: write the value)");
	bad("bash = \"${HOME}/bash\"", "t.conf:1: syntax error: '${' (environment variables are "
				       "not expanded: write the value)");
	bad("network = \"\\9\"", "t.conf:1: syntax error: bad escape sequence '\\9'");
	bad("\"\" = x", "t.conf:1: syntax error");
	bad("network = \"o\033[2Jff\"", "t.conf:1: key 'network': 'o?[2Jff' is not on, host, off or allow");
	/* A NUL byte: libconfuse would stop there; nsbsh refuses the file. */
	{
		struct policy_layer l = { 0 };
		struct config_error e;
		CHECK(config_parse_text("network = on\n\0x", 15, "t.conf", HOME, &l, &e) == -EINVAL);
		CHECK_STREQ(e.message, "t.conf:2: syntax error: a NUL byte");
		CHECK(e.line == 2);
	}
}

static void test_comments(void)
{
	struct policy_layer l = { 0 };
	struct config_error e;

	/* Block comments do not shift lines (libconfuse's lexer counts one
	 * more); comments may stand between values. */
	bad("/* one */ /* two\n */\nnetwork = maybe", "t.conf:3: key 'network': 'maybe' is not on, host, off or allow");
	CHECK(parse("network = /* c */ off\n"
		    "watch = { a, # first\n"
		    "          b, // second\n"
		    "          c /* third */ }\n",
		    &l, &e) == 0);
	CHECK(!l.v.network && l.v.watch.n == 3);
	policy_layer_release(&l);
	/* As in libconfuse's lexer, slashes inside a word are the word's, and
	 * "//" where a word would start is a comment. */
	CHECK(parse("watch = { a//b, //c\n d/ }\n", &l, &e) == 0);
	CHECK(l.v.watch.n == 2);
	if (l.v.watch.n == 2) {
		CHECK_STREQ(l.v.watch.v[0].value, "a/b");
		CHECK_STREQ(l.v.watch.v[1].value, "d");
	}
	policy_layer_release(&l);
	/* "${" in a comment or a single-quoted string is not an expansion. */
	CHECK(parse("# ${HOME}\nwatch = '${x}'\n", &l, &e) == 0);
	CHECK(l.v.watch.n == 1 && streq(l.v.watch.v[0].value, "${x}"));
	policy_layer_release(&l);
}

static void test_tilde(void)
{
	struct policy_layer l = { 0 };
	struct config_error e;

	CHECK(parse("allowed_roots = { \"~\", \"~/\", \"~/a/./b//\" }\nbash = ~/bin/bash\n", &l, &e) == 0);
	CHECK(l.v.allowed_roots.n == 3);
	if (l.v.allowed_roots.n == 3) {
		CHECK_STREQ(l.v.allowed_roots.v[0].value, HOME);
		CHECK_STREQ(l.v.allowed_roots.v[1].value, HOME);
		CHECK_STREQ(l.v.allowed_roots.v[2].value, HOME "/a/b");
	}
	CHECK_STREQ(l.v.bash, HOME "/bin/bash");
	policy_layer_release(&l);

	/* A trailing slash on the home given changes nothing. */
	CHECK(config_parse_text("bash = ~/b", 10, "t.conf", "/home/u//", &l, &e) == 0);
	CHECK_STREQ(l.v.bash, HOME "/b");
	policy_layer_release(&l);

	bad("bash = ~root/bash", "t.conf:1: key 'bash': '~root/bash' names another user's home: "
				 "only '~' and '~/' are expanded");
	bad("bash = bin/bash", "t.conf:1: key 'bash': 'bin/bash' is not an absolute path");
	bad("bash = /a/../bash", "t.conf:1: key 'bash': '/a/../bash' must not contain '..'");
	bad("watch = /etc/passwd",
	    "t.conf:1: key 'watch': '/etc/passwd' must be relative to the env file's directory");
	bad("watch = ~/x", "t.conf:1: key 'watch': '~/x' must be relative to the env file's directory");
	bad("watch = ../x", "t.conf:1: key 'watch': '../x' must not contain '..'");
	bad("watch = ./", "t.conf:1: key 'watch': './' names the env file's directory itself");
	bad("watch = \"\"", "t.conf:1: key 'watch': '' is empty");
	bad("watch = \"a\\nb\"", "t.conf:1: key 'watch': 'a?b' contains a control character");

	/* No home: ~ cannot be expanded, and says so. */
	CHECK(config_parse_text("bash = ~/b", 10, "t.conf", NULL, &l, &e) == -EINVAL);
	CHECK_STREQ(e.message, "t.conf:1: key 'bash': '~/b' cannot be expanded: there is no home directory");
	CHECK(config_parse_text("bash = ~/b", 10, "t.conf", "relative", &l, &e) == -EINVAL);
}

static void test_bind_refusals(void)
{
	struct policy_layer l = { 0 };
	struct config_error e;

	bad("bind = /", "t.conf:1: key 'bind': '/' would expose the whole file system");
	bad("bind = \"//:ro\"", "t.conf:1: key 'bind': '//:ro' would expose the whole file system");
	bad("bind = \"/./:rw\"", "t.conf:1: key 'bind': '/./:rw' would expose the whole file system");
	bad("bind = ~", "t.conf:1: key 'bind': '~' would expose the whole home");
	bad("bind = ~/", "t.conf:1: key 'bind': '~/' would expose the whole home");
	bad("bind = \"~/.:/h\"", "t.conf:1: key 'bind': '~/.:/h' would expose the whole home");
	bad("bind = /home/u/", "t.conf:1: key 'bind': '/home/u/' would expose the whole home");
	bad("bind = /home", "t.conf:1: key 'bind': '/home' would expose the whole home, which is inside it");
	bad("bind = \"/home//:/h:ro\"",
	    "t.conf:1: key 'bind': '/home//:/h:ro' would expose the whole home, which is inside it");
	bad("bind = /home/u/../u", "t.conf:1: key 'bind': '/home/u/../u' must not contain '..'");
	bad("bind = \"/srv:/\"", "t.conf:1: key 'bind': '/srv:/' would cover the whole sandbox");
	bad("bind = \"/a:b:c\"", "t.conf:1: key 'bind': '/a:b:c' is not SOURCE[:DEST][:ro|:rw] "
				 "(a path with ':' cannot be bound)");
	bad("bind = \"/a:data\"", "t.conf:1: key 'bind': 'data' is not an absolute path");
	bad("bind = { /a, \"/b:/a:rw\" }", "t.conf:1: key 'bind': two binds at '/a'");
	bad("unshadow = ~", "t.conf:1: key 'unshadow': '~' would expose the whole home");
	bad("unshadow = /etc/passwd", "t.conf:1: key 'unshadow': '/etc/passwd' is not in the home");
	bad("unshadow = \"/home/uu/.x\"", "t.conf:1: key 'unshadow': '/home/uu/.x' is not in the home");
	bad("unshadow = { ~/.x, \"~/.x:rw\" }", "t.conf:1: key 'unshadow': '/home/u/.x' is listed twice");

	/* Not a parent of the home: fine. */
	CHECK(parse("bind = { /home/uu, \"/home/u/src:rw\", /etc/ssl, \"/srv:/home/u/srv\" }", &l, &e) == 0);
	CHECK(l.v.bind.n == 4);
	policy_layer_release(&l);

	/* The same questions for whoever resolved symlinks first. */
	CHECK(config_bind_refusal("/", HOME) != NULL);
	CHECK(config_bind_refusal("/home", HOME "/") != NULL);
	CHECK(config_bind_refusal(HOME, HOME) != NULL);
	CHECK(config_bind_refusal(HOME "/src", HOME) == NULL);
	CHECK(config_bind_refusal("/home/uu", HOME) == NULL);
	CHECK(config_bind_refusal("/srv", NULL) == NULL);
}

static void test_passthrough(void)
{
	struct policy p;

	bad("passthrough = \"*\"", "t.conf:1: key 'passthrough': '*' must start with a letter or '_'");
	bad("passthrough = \"?*\"", "t.conf:1: key 'passthrough': '?*' must start with a letter or '_'");
	bad("passthrough = \"A B\"", "t.conf:1: key 'passthrough': 'A B' is not a variable name or pattern");
	bad("passthrough = HOME", "t.conf:1: key 'passthrough': 'HOME' is set by nsbsh itself");
	bad("passthrough = NSBSH_PROJECT",
	    "t.conf:1: key 'passthrough': 'NSBSH_PROJECT' is set by nsbsh itself");

	policy_init_defaults(&p);
	apply(&p, "u.conf", "passthrough = { EDITOR, \"GIT_*\", \"B*\", \"NSBSH*\" }", LAYER_USER);
	CHECK(policy_passes_env(&p, "EDITOR"));
	CHECK(policy_passes_env(&p, "GIT_AUTHOR_NAME"));
	CHECK(!policy_passes_env(&p, "EDITORS"));
	/* A pattern never lets a name nsbsh sets itself through. */
	CHECK(!policy_passes_env(&p, "BASH_ENV"));
	CHECK(!policy_passes_env(&p, "NSBSH_PROJECT"));
	CHECK(policy_passes_env(&p, "BROWSER"));
	policy_release(&p);
}

static void test_limits(void)
{
	struct policy_layer l = { 0 };
	struct config_error e;
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	fputs("watch = {", f);
	for (int i = 0; i < CONFIG_MAX_LIST + 1; i++)
		fprintf(f, "%sf%d", i ? ", " : "", i);
	fputs("}\n", f);
	fclose(f);
	CHECK(parse(text, &l, &e) == -EINVAL);
	CHECK_STREQ(e.message, "t.conf:1: key 'watch': more than 64 values");
	free(text);

	f = open_memstream(&text, &len);
	for (int i = 0; i < CONFIG_MAX_PROJECTS + 1; i++)
		fprintf(f, "project \"/p%d\" {}\n", i);
	fclose(f);
	CHECK(parse(text, &l, &e) == -EINVAL);
	CHECK_STREQ(e.message, "t.conf:65: more than 64 project sections");
	free(text);

	text = malloc(CONFIG_MAX_FILE + 1);
	memset(text, '\n', CONFIG_MAX_FILE + 1);
	CHECK(config_parse_text(text, CONFIG_MAX_FILE + 1, "t.conf", HOME, &l, &e) == -EFBIG);
	CHECK_STREQ(e.message, "t.conf: larger than 256 KiB");
	CHECK(config_parse_text(text, CONFIG_MAX_FILE, "t.conf", HOME, &l, &e) == 0);
	policy_layer_release(&l);
	free(text);

	text = malloc(CONFIG_MAX_PATH + 16);
	strcpy(text, "bash = /");
	memset(text + 8, 'a', CONFIG_MAX_PATH);
	text[8 + CONFIG_MAX_PATH] = '\0';
	CHECK(parse(text, &l, &e) == -EINVAL);
	CHECK_STREQ(e.message, "t.conf:1: key 'bash': a value longer than 1024 bytes");
	free(text);
}

static void test_merge_user(void)
{
	struct policy p;

	/* Not strict: the user file widens the system's. */
	policy_init_defaults(&p);
	apply(&p, "s.conf", "network = off\nbind = /srv/a\npassthrough = EDITOR\n", LAYER_SYSTEM);
	CHECK(!p.network && p.bind.n == 1 && !p.bind.v[0].rw);
	apply(&p, "u.conf",
	      "network = on\nbind = { \"/srv/a:rw\", /srv/b }\nhost_system = ro\n"
	      "passthrough = { EDITOR, PAGER }\nbash = /opt/bash\n",
	      LAYER_USER);
	CHECK(p.network && p.host_system && p.bind.n == 2 && p.bind.v[0].rw);
	CHECK(p.passthrough.n == 2 && policy_passes_env(&p, "PAGER"));
	CHECK_STREQ(p.bash, "/opt/bash");
	CHECK(p.n_notes == 0);
	policy_release(&p);

	/* Strict: nothing widens; what narrows applies; each refusal is noted. */
	policy_init_defaults(&p);
	apply(&p, "s.conf",
	      "strict = on\nnetwork = off\nbind = { \"/srv/a:rw\", /srv/c }\n"
	      "passthrough = \"GIT_*\"\nallowed_roots = ~/projects\n",
	      LAYER_SYSTEM);
	apply(&p, "u.conf",
	      "network = on\n"
	      "bind = { \"/srv/a:ro\", /srv/b }\n"
	      "host_system = ro\n"
	      "passthrough = { GIT_DIR, \"GIT_A*\", TERM }\n"
	      "strict = off\n"
	      "allowed_roots = { ~/projects/a, ~/other }\n"
	      "bash = /opt/bash\n"
	      "picker = on\n",
	      LAYER_USER);
	CHECK(p.strict && !p.network && !p.host_system && p.bash == NULL && p.picker);
	CHECK(p.bind.n == 1 && streq(p.bind.v[0].value, "/srv/a") && !p.bind.v[0].rw);
	CHECK(p.passthrough.n == 2);
	CHECK(policy_passes_env(&p, "GIT_DIR") && !policy_passes_env(&p, "GIT_AUTHOR_NAME"));
	CHECK(p.allowed_roots.n == 1 && streq(p.allowed_roots.v[0].value, HOME "/projects/a"));
	CHECK(policy_allows_project(&p, HOME "/projects/a/x"));
	CHECK(!policy_allows_project(&p, HOME "/projects/b"));
	CHECK(p.n_notes == 7);
	CHECK_STREQ(note(&p, 0), "u.conf:1: key 'network': 'on' ignored: strict mode: only the system "
				 "file can widen the policy");
	CHECK_STREQ(note(&p, 1), "u.conf:3: key 'host_system': 'ro' ignored: strict mode: only the "
				 "system file can widen the policy");
	CHECK_STREQ(note(&p, 2), "u.conf:5: key 'strict': 'off' ignored: strict mode: only the system "
				 "file can widen the policy");
	CHECK_STREQ(note(&p, 3), "u.conf:7: key 'bash': '/opt/bash' ignored: strict mode: only the "
				 "system file can widen the policy");
	CHECK_STREQ(note(&p, 4), "u.conf:2: key 'bind': '/srv/b:ro' ignored: strict mode: only the "
				 "system file can widen the policy");
	CHECK_STREQ(note(&p, 5), "u.conf:4: key 'passthrough': 'GIT_A*' ignored: strict mode: only "
				 "the system file can widen the policy");
	CHECK_STREQ(note(&p, 6), "u.conf:6: key 'allowed_roots': '/home/u/other' ignored: strict "
				 "mode: only the system file can widen the policy");
	policy_release(&p);

	/* Strict with no allowed root: no project at all. */
	policy_init_defaults(&p);
	apply(&p, "s.conf", "strict = on\n", LAYER_SYSTEM);
	CHECK(!policy_allows_project(&p, HOME "/p"));
	policy_release(&p);
}

static void test_merge_project(void)
{
	struct policy p;

	policy_init_defaults(&p);
	apply(&p, "u.conf",
	      "bind = { \"~/cache:rw\", /srv/data }\nunshadow = \"~/.gitconfig:rw\"\n"
	      "passthrough = \"LC_*\"\nwatch = a.nix\n",
	      LAYER_USER);
	apply(&p, "/r/.nsbsh.conf",
	      "network = off\n"
	      "bind = { \"~/cache:ro\", \"/srv/data:rw\", /etc }\n"
	      "unshadow = { ~/.gitconfig, ~/.ssh }\n"
	      "passthrough = { LC_ALL, SSH_AUTH_SOCK }\n"
	      "watch = { b.nix }\n"
	      "reload_noninteractive = keep\n",
	      LAYER_PROJECT);
	/* Narrowing applied. */
	CHECK(p.network == POLICY_NETWORK_OFF);
	CHECK(p.bind.n == 1 && streq(p.bind.v[0].value, HOME "/cache") && !p.bind.v[0].rw);
	CHECK(p.unshadow.n == 1 && !p.unshadow.v[0].rw);
	CHECK(p.passthrough.n == 1 && streq(p.passthrough.v[0].value, "LC_ALL"));
	/* Neither wider nor narrower: applied. */
	CHECK(p.watch.n == 1 && streq(p.watch.v[0].value, "b.nix"));
	CHECK(p.reload_noninteractive == POLICY_RELOAD_KEEP);
	/* Widening ignored, each noted with its line. */
	CHECK(p.n_notes == 4);
	CHECK_STREQ(note(&p, 0), "/r/.nsbsh.conf:2: key 'bind': '/srv/data:rw' ignored: a project "
				 "file can only narrow the policy");
	CHECK_STREQ(note(&p, 1), "/r/.nsbsh.conf:2: key 'bind': '/etc:ro' ignored: a project file "
				 "can only narrow the policy");
	CHECK_STREQ(note(&p, 2), "/r/.nsbsh.conf:3: key 'unshadow': '/home/u/.ssh:ro' ignored: a "
				 "project file can only narrow the policy");
	CHECK_STREQ(note(&p, 3), "/r/.nsbsh.conf:4: key 'passthrough': 'SSH_AUTH_SOCK' ignored: a "
				 "project file can only narrow the policy");

	/* Once off, a project file cannot turn the network on again. */
	apply(&p, "/r/.nsbsh.conf", "network = on\nhost_system = ro\nstrict = on\n", LAYER_PROJECT);
	CHECK(p.network == POLICY_NETWORK_OFF && !p.host_system && p.strict);
	CHECK(p.n_notes == 6);
	CHECK_STREQ(note(&p, 5), "/r/.nsbsh.conf:2: key 'host_system': 'ro' ignored: a project file "
				 "can only narrow the policy");
	policy_release(&p);

	/* network's values are ranked off < allow < on < host; nix_daemon's
	 * off < auto < on; a port opened either way widens. */
	policy_init_defaults(&p);
	apply(&p, "/r/.nsbsh.conf", "network = host\nnix_daemon = on\nforward_ports = 5432\n", LAYER_PROJECT);
	CHECK(p.network == POLICY_NETWORK_ON && p.nix_daemon == POLICY_NIX_DAEMON_AUTO && p.forward_ports.n == 0);
	CHECK(p.n_notes == 3);
	CHECK_STREQ(note(&p, 0), "/r/.nsbsh.conf:1: key 'network': 'host' ignored: a project file "
				 "can only narrow the policy");
	CHECK_STREQ(note(&p, 1), "/r/.nsbsh.conf:2: key 'nix_daemon': 'on' ignored: a project file "
				 "can only narrow the policy");
	apply(&p, "/r/.nsbsh.conf", "network = allow\nnix_daemon = off\n", LAYER_PROJECT);
	CHECK(p.network == POLICY_NETWORK_ALLOW && p.nix_daemon == POLICY_NIX_DAEMON_OFF);
	apply(&p, "/r/.nsbsh.conf", "network = on\n", LAYER_PROJECT);
	CHECK(p.network == POLICY_NETWORK_ALLOW);
	apply(&p, "u.conf", "network = host\npublish_ports = { \"8080:80\" }\n", LAYER_USER);
	CHECK(p.network == POLICY_NETWORK_HOST && p.publish_ports.n == 1);
	policy_release(&p);

	/* store: closure < all; closure hides the daemon's socket (auto) */
	policy_init_defaults(&p);
	CHECK(p.store == POLICY_STORE_ALL && policy_daemon_shown(&p, false));
	apply(&p, "/r/.nsbsh.conf", "store = closure\n", LAYER_PROJECT);
	CHECK(p.store == POLICY_STORE_CLOSURE && !policy_daemon_shown(&p, false));
	apply(&p, "/r/.nsbsh.conf", "store = all\n", LAYER_PROJECT);
	CHECK(p.store == POLICY_STORE_CLOSURE && p.n_notes == 1);
	apply(&p, "u.conf", "nix_daemon = on\n", LAYER_USER);
	CHECK(p.store == POLICY_STORE_CLOSURE && policy_daemon_shown(&p, false));
	policy_release(&p);
}

/* ---- files ---- */

static char tmpdir[64];

static char *write_file(const char *name, const char *text)
{
	char *path = NULL;
	CHECK(asprintf(&path, "%s/%s", tmpdir, name) > 0);
	FILE *f = fopen(path, "we");
	CHECK(f != NULL);
	if (f) {
		fputs(text, f);
		fclose(f);
	}
	return path;
}

static void test_load(void)
{
	struct policy p;
	struct config_error e;
	_cleanup_free_ char *sys = write_file("sys.conf", "network = off\n");
	_cleanup_free_ char *user = write_file("user.conf",
					       "picker = on\n"
					       "project \"~/p\" {\n  bind = \"/srv/p:rw\"\n}\n");
	_cleanup_free_ char *broken = write_file("broken.conf", "picker = on\nnetwork = off\nfoo = 1\n");
	_cleanup_free_ char *strict = write_file("strict.conf", "strict = on\nnetwork = off\n");
	_cleanup_free_ char *half_strict = write_file("half.conf", "strict = on\nnetwork = off\nx\n");
	_cleanup_free_ char *absent = NULL, *dir = NULL, *fifo = NULL;

	CHECK(asprintf(&absent, "%s/absent.conf", tmpdir) > 0);
	CHECK(asprintf(&dir, "%s", tmpdir) > 0);
	CHECK(asprintf(&fifo, "%s/fifo", tmpdir) > 0);
	CHECK(mkfifo(fifo, 0600) == 0);

	/* Both, in order; the user's project sections kept for later. */
	CHECK(config_load(sys, user, HOME, &p, &e) == 0);
	CHECK(!p.network && p.picker && p.n_projects == 1);
	policy_release(&p);

	/* Absent files are fine; so is no file at all. */
	CHECK(config_load(absent, NULL, HOME, &p, &e) == 0);
	CHECK(p.network && e.message[0] == '\0');
	policy_release(&p);

	/* Any error: the defaults, never a half-read policy. */
	CHECK(config_load(sys, broken, HOME, &p, &e) == -EINVAL);
	CHECK(e.line == 3);
	{
		_cleanup_free_ char *want = NULL;
		CHECK(asprintf(&want, "%s:3: unknown key 'foo'", broken) > 0);
		CHECK_STREQ(e.message, want);
	}
	CHECK(p.network && !p.picker && !p.strict && p.n_projects == 0);
	policy_release(&p);

	/* Unreadable files: named, with the cause. */
	CHECK(config_load(dir, NULL, HOME, &p, &e) == -EISDIR);
	{
		_cleanup_free_ char *want = NULL;
		CHECK(asprintf(&want, "cannot read '%s': Is a directory", dir) > 0);
		CHECK_STREQ(e.message, want);
	}
	policy_release(&p);
	CHECK(config_load(NULL, fifo, HOME, &p, &e) == -EINVAL);
	{
		_cleanup_free_ char *want = NULL;
		CHECK(asprintf(&want, "cannot read '%s': not a regular file", fifo) > 0);
		CHECK_STREQ(e.message, want);
	}
	policy_release(&p);

	/* A strict system with a broken user file: defaults, but strict. */
	CHECK(config_load(strict, broken, HOME, &p, &e) == -EINVAL);
	CHECK(p.strict && p.network);
	policy_release(&p);
	/* Strict read before the error in the same file counts too. */
	CHECK(config_load(half_strict, NULL, HOME, &p, &e) == -EINVAL);
	CHECK(p.strict);
	policy_release(&p);

	/* The system's project sections are ignored, and said so. */
	CHECK(config_load(user, NULL, HOME, &p, &e) == 0);
	CHECK(p.n_projects == 0 && p.n_notes == 1);
	{
		_cleanup_free_ char *want = NULL;
		CHECK(asprintf(&want, "%s:2: project '/home/u/p' ignored: project sections are read "
				      "from the user's file only", user) > 0);
		CHECK_STREQ(note(&p, 0), want);
	}
	policy_release(&p);

	unlink(sys), unlink(user), unlink(broken), unlink(strict), unlink(half_strict), unlink(fifo);
}

static void test_load_project(void)
{
	struct policy p;
	struct config_error e;
	_cleanup_free_ char *user = write_file(
		"user2.conf", "network = off\n"
			      "project \"~/p\" {\n  network = on\n  bind = \"/srv/p:rw\"\n}\n");
	const char *repo = "bind = { \"/srv/p:ro\", /srv/q }\nunshadow = ~/.gitconfig\n";

	CHECK(config_load(NULL, user, HOME, &p, &e) == 0);
	/* Another project: the user's policy as it is. */
	CHECK(config_load_project(&p, HOME "/other", NULL, 0, NULL, false, HOME, &e) == 0);
	CHECK(!p.network && p.bind.n == 0);
	/* The user's own section widens (the user wrote it). */
	CHECK(config_load_project(&p, HOME "/p/", NULL, 0, NULL, false, HOME, &e) == 0);
	CHECK(p.network && p.bind.n == 1 && p.bind.v[0].rw && p.n_projects == 1);
	policy_release(&p);

	/* An untrusted repository file is not read at all. */
	CHECK(config_load(NULL, user, HOME, &p, &e) == 0);
	CHECK(config_load_project(&p, HOME "/p", repo, strlen(repo), HOME "/p/.nsbsh.conf", false,
				  HOME, &e) == 0);
	CHECK(p.bind.n == 1 && p.bind.v[0].rw && p.n_notes == 0);
	policy_release(&p);

	/* A trusted one is the user's word: it narrows and it widens... */
	CHECK(config_load(NULL, user, HOME, &p, &e) == 0);
	CHECK(config_load_project(&p, HOME "/p", repo, strlen(repo), HOME "/p/.nsbsh.conf", true,
				  HOME, &e) == 0);
	CHECK(p.bind.n == 2 && !p.bind.v[0].rw && streq(p.bind.v[1].value, "/srv/q") &&
	      p.unshadow.n == 1 && p.n_notes == 0);
	policy_release(&p);
	/* ...but under strict mode it can only narrow, like the user's file. */
	{
		_cleanup_free_ char *strict_user = write_file("user3.conf", "strict = on\nbind = \"/srv/p:rw\"\n");
		CHECK(config_load(NULL, strict_user, HOME, &p, &e) == 0);
		CHECK(config_load_project(&p, HOME "/p", repo, strlen(repo), HOME "/p/.nsbsh.conf",
					  true, HOME, &e) == 0);
		CHECK(p.bind.n == 1 && !p.bind.v[0].rw && p.unshadow.n == 0 && p.n_notes == 2);
		CHECK(strstr(note(&p, 0), "/home/u/p/.nsbsh.conf:1: key 'bind': '/srv/q:ro' ignored") == note(&p, 0));
		policy_release(&p);
		unlink(strict_user);
	}
	CHECK(config_load(NULL, user, HOME, &p, &e) == 0);
	CHECK(config_load_project(&p, HOME "/p", repo, strlen(repo), HOME "/p/.nsbsh.conf", true,
				  HOME, &e) == 0);

	/* A broken one: an error, and the policy as it was. */
	CHECK(config_load_project(&p, HOME "/p", "network = maybe", 15, ".nsbsh.conf", true, HOME,
				  &e) == -EINVAL);
	CHECK_STREQ(e.message, ".nsbsh.conf:1: key 'network': 'maybe' is not on, host, off or allow");
	CHECK(p.network && p.bind.n == 2 && p.n_notes == 0 && p.n_projects == 1);
	CHECK(config_load_project(&p, "relative", NULL, 0, NULL, false, HOME, &e) == -EINVAL);
	CHECK_STREQ(e.message, "project 'relative' is not an absolute path");
	policy_release(&p);
	unlink(user);
}

static void test_notes_limit(void)
{
	struct policy p;
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	fputs("passthrough = {", f);
	for (int i = 0; i < CONFIG_MAX_LIST; i++)
		fprintf(f, "%sV%d", i ? ", " : "", i);
	fputs("}\n", f);
	fclose(f);
	policy_init_defaults(&p);
	apply(&p, "r.conf", text, LAYER_PROJECT);
	CHECK(p.n_notes == CONFIG_MAX_NOTES);
	CHECK_STREQ(note(&p, CONFIG_MAX_NOTES - 1),
		    "more values were ignored; the first ones are shown above");
	policy_release(&p);
	free(text);
}

static void test_policy_files(void)
{
	struct policy p, d;
	struct config_error e;

	/* default.conf sets every key, to exactly the built-in defaults. */
	CHECK(config_load("policy/default.conf", NULL, HOME, &p, &e) == 0);
	if (e.message[0])
		fprintf(stderr, "  %s\n", e.message);
	policy_init_defaults(&d);
	CHECK(p.forward_ports.n == 0 && p.publish_ports.n == 0 && p.nix_daemon == d.nix_daemon);
	CHECK(p.network == d.network && p.picker == d.picker && p.host_system == d.host_system &&
	      p.strict == d.strict && p.reload_interactive == d.reload_interactive &&
	      p.reload_noninteractive == d.reload_noninteractive && p.bash == NULL);
	CHECK(p.nested_userns == d.nested_userns && p.max_procs == d.max_procs &&
	      p.max_memory == d.max_memory && p.max_cpu_seconds == d.max_cpu_seconds);
	CHECK(p.bind.n == 0 && p.unshadow.n == 0 && p.passthrough.n == 0 && p.watch.n == 0 &&
	      p.allowed_roots.n == 0 && p.n_projects == 0 && p.n_notes == 0);
	CHECK(p.eval_timeout == d.eval_timeout && policy_protect_count(&p) == policy_protect_count(&d));
	CHECK(p.allow_hosts.n == 0);
	for (size_t i = 0; i < policy_protect_count(&p) && i < policy_protect_count(&d); i++)
		CHECK_STREQ(policy_protect_path(&p, i), policy_protect_path(&d, i));
	policy_release(&p);
	{
		struct policy_layer l = { 0 };
		_cleanup_free_ char *text = NULL;
		size_t len = 0;
		FILE *f = fopen("policy/default.conf", "re");
		CHECK(f != NULL);
		if (f) {
			text = malloc(CONFIG_MAX_FILE);
			len = fread(text, 1, CONFIG_MAX_FILE, f);
			fclose(f);
		}
		CHECK(config_parse_text(text, len, "default.conf", HOME, &l, &e) == 0);
		CHECK(l.set == (CONFIG_KEY_COUNT == 64 ? ~0ull : (1ull << CONFIG_KEY_COUNT) - 1));
		policy_layer_release(&l);
	}

	/* agent.conf: strict, network off, only the built-in passthrough. */
	CHECK(config_load("policy/agent.conf", NULL, HOME, &p, &e) == 0);
	if (e.message[0])
		fprintf(stderr, "  %s\n", e.message);
	CHECK(p.strict && p.network == POLICY_NETWORK_OFF && !p.host_system && p.passthrough.n == 0 && p.bind.n == 0);
	CHECK(p.nix_daemon == POLICY_NIX_DAEMON_AUTO && !policy_daemon_shown(&p, false));
	CHECK(!p.nested_userns && p.max_procs == 1024 && p.max_memory == 8ull << 30 &&
	      p.max_cpu_seconds == 0);
	CHECK(p.allowed_roots.n == 1 && streq(p.allowed_roots.v[0].value, HOME "/projects"));
	CHECK(policy_allows_project(&p, HOME "/projects/x") && !policy_allows_project(&p, HOME "/x"));
	policy_release(&p);
}

/* protect: the built-in list until a file sets it; the user's file may
 * replace it, a project file only adds to it; eval_timeout: a limit. */
static void test_protect_key(void)
{
	struct policy p;
	policy_init_defaults(&p);
	CHECK(policy_protect_count(&p) == 4 && streq(policy_protect_path(&p, 0), ".vscode") &&
	      streq(policy_protect_path(&p, 3), ".mcp.json"));
	CHECK(p.eval_timeout == CONFIG_DEFAULT_EVAL_TIMEOUT);
	/* a project file: its entries join the default, none is dropped */
	apply(&p, "r.conf", "protect = { \"secrets\", \".vscode\" }\neval_timeout = 30\n", LAYER_PROJECT);
	CHECK(policy_protect_count(&p) == 5 && streq(policy_protect_path(&p, 4), "secrets"));
	CHECK(p.eval_timeout == 30);
	/* ... an empty list changes nothing, a longer timeout is ignored */
	apply(&p, "r.conf", "protect = {}\neval_timeout = none\n", LAYER_PROJECT);
	CHECK(policy_protect_count(&p) == 5 && p.eval_timeout == 30);
	CHECK(p.n_notes == 1 && strstr(note(&p, 0), "key 'eval_timeout': 'none' ignored"));
	policy_release(&p);
	/* the user's file replaces the list (an empty one: nothing protected
	 * beyond what nsbsh always protects) */
	policy_init_defaults(&p);
	apply(&p, "u.conf", "protect = {}\neval_timeout = none\n", LAYER_USER);
	CHECK(policy_protect_count(&p) == 0 && p.eval_timeout == 0);
	apply(&p, "u.conf", "protect = { \".claude\" }\n", LAYER_USER);
	CHECK(policy_protect_count(&p) == 1 && streq(policy_protect_path(&p, 0), ".claude"));
	/* a project's overrides start from a copy, which keeps it */
	struct config_error e;
	CHECK(config_load_project(&p, "/x", NULL, 0, NULL, false, HOME, &e) == 0);
	CHECK(policy_protect_count(&p) == 1 && p.protect_set);
	policy_release(&p);
	/* strict: the user's file cannot shorten the list either */
	policy_init_defaults(&p);
	p.strict = true;
	apply(&p, "u.conf", "protect = { \"x\" }\n", LAYER_USER);
	CHECK(policy_protect_count(&p) == 5);
	policy_release(&p);
	/* paths relative to the work tree, never out of it */
	bad("protect = { \"../x\" }", "t.conf:1: key 'protect': '../x' must not contain '..'");
	bad("protect = { \"/etc\" }", "t.conf:1: key 'protect': '/etc' must be relative to the work tree's root");
}

/* The sandbox's limits and nested_userns: values, messages, and that a
 * higher limit (or none) and nested_userns on widen. */
static void test_sandbox_limits(void)
{
	struct policy_layer l = { 0 };
	struct config_error e;
	struct policy p;

	CHECK(parse("max_memory = 512M\nmax_procs = none\nmax_cpu_seconds = 1\n", &l, &e) == 0);
	CHECK(l.v.max_memory == 512ull << 20 && l.v.max_procs == 0 && l.v.max_cpu_seconds == 1);
	policy_layer_release(&l);
	CHECK(parse("max_memory = 1T\nmax_memory = 70000000\n", &l, &e) == 0);
	CHECK(l.v.max_memory == 70000000ull);
	policy_layer_release(&l);
	/* linger: 0 ends a sandbox at once, so none is for ever */
	CHECK(parse("linger = 0\n", &l, &e) == 0 && l.v.linger == 0);
	policy_layer_release(&l);
	CHECK(parse("linger = none\n", &l, &e) == 0 && l.v.linger == ULLONG_MAX);
	policy_layer_release(&l);

	bad("max_procs = 8", "t.conf:1: key 'max_procs': '8' is below 16 (a shell could not start): use none for no limit");
	bad("max_memory = 1M", "t.conf:1: key 'max_memory': '1M' is below 64M (a shell could not start): use none for no limit");
	bad("max_cpu_seconds = 0", "t.conf:1: key 'max_cpu_seconds': '0' is below 1 (a shell could not start): use none for no limit");
	bad("max_procs = lots", "t.conf:1: key 'max_procs': 'lots' is not a number, or none");
	bad("max_procs = 4G", "t.conf:1: key 'max_procs': '4G' is not a number, or none");
	bad("max_memory = -1", "t.conf:1: key 'max_memory': '-1' is not a size (like 8G), or none");
	bad("max_memory = 8X", "t.conf:1: key 'max_memory': '8X' is not a size (like 8G), or none");
	bad("max_memory = 99999999999T", "t.conf:1: key 'max_memory': '99999999999T' is too large");
	bad("max_procs = 99999999999999999999999", "t.conf:1: key 'max_procs': '99999999999999999999999' is too large");
	bad("nested_userns = yes", "t.conf:1: key 'nested_userns': 'yes' is not on or off");

	/* A project file narrows: lower limits apply, higher ones and none do not. */
	policy_init_defaults(&p);
	apply(&p, "/r/.nsbsh.conf", "max_procs = 100\nmax_memory = 1G\n", LAYER_PROJECT);
	CHECK(p.max_procs == 100 && p.max_memory == 1ull << 30 && p.n_notes == 0);
	apply(&p, "/r/.nsbsh.conf", "max_procs = 200\nmax_memory = none\nmax_cpu_seconds = 60\nnested_userns = on\n",
	      LAYER_PROJECT);
	CHECK(p.max_procs == 100 && p.max_memory == 1ull << 30 && p.max_cpu_seconds == 60);
	CHECK(!p.nested_userns && p.n_notes == 3);
	CHECK_STREQ(note(&p, 0), "/r/.nsbsh.conf:4: key 'nested_userns': 'on' ignored: a project file can only narrow the policy");
	CHECK_STREQ(note(&p, 1), "/r/.nsbsh.conf:1: key 'max_procs': '200' ignored: a project file can only narrow the policy");
	CHECK_STREQ(note(&p, 2), "/r/.nsbsh.conf:2: key 'max_memory': 'none' ignored: a project file can only narrow the policy");
	policy_release(&p);

	/* The user's file widens, unless strict mode is on by then. */
	policy_init_defaults(&p);
	apply(&p, "u.conf", "nested_userns = on\nmax_procs = 100000\n", LAYER_USER);
	CHECK(p.nested_userns && p.max_procs == 100000 && p.n_notes == 0);
	policy_release(&p);
	policy_init_defaults(&p);
	apply(&p, "s.conf", "strict = on\nmax_procs = 1024\n", LAYER_SYSTEM);
	apply(&p, "u.conf", "nested_userns = on\nmax_procs = none\nmax_procs = 512\n", LAYER_USER);
	CHECK(!p.nested_userns && p.max_procs == 512 && p.n_notes == 1);
	CHECK_STREQ(note(&p, 0), "u.conf:1: key 'nested_userns': 'on' ignored: strict mode: only the system file can widen the policy");
	policy_release(&p);
}

static void test_files_setup(void)
{
	strcpy(tmpdir, "/tmp/test_config.XXXXXX");
	CHECK(mkdtemp(tmpdir) != NULL);
}

static void test_files_teardown(void)
{
	CHECK(rmdir(tmpdir) == 0);
}

/* session_copy: files of the work tree, relative to its root; a project
 * file may name its own (it neither widens nor narrows the sandbox); read
 * through policy_session_copy(). */
static void test_session_copy(void)
{
	struct policy_layer l = { 0 };
	struct config_error e;
	struct policy p;

	CHECK(parse("session_copy = { .env, \"./config//local.toml/\" }\n", &l, &e) == 0);
	CHECK(l.v.session_copy.n == 2);
	if (l.v.session_copy.n == 2) {
		CHECK_STREQ(l.v.session_copy.v[0].value, ".env");
		CHECK_STREQ(l.v.session_copy.v[1].value, "config/local.toml");
	}
	policy_layer_release(&l);
	bad("session_copy = /etc/passwd",
	    "t.conf:1: key 'session_copy': '/etc/passwd' must be relative to the work tree's root");
	bad("session_copy = ~/.ssh/id_rsa",
	    "t.conf:1: key 'session_copy': '~/.ssh/id_rsa' must be relative to the work tree's root");
	bad("session_copy = ../other/.env", "t.conf:1: key 'session_copy': '../other/.env' must not contain '..'");
	bad("session_copy = .", "t.conf:1: key 'session_copy': '.' names the work tree itself");

	policy_init_defaults(&p);
	CHECK(policy_session_copy(&p)->n == 0);
	apply(&p, "u.conf", "session_copy = { .env, a }\n", LAYER_USER);
	CHECK(policy_session_copy(&p)->n == 2);
	/* A later file's list replaces the list before, also a project's. */
	apply(&p, "/r/.nsbsh.conf", "session_copy = { .envrc }\n", LAYER_PROJECT);
	CHECK(policy_session_copy(&p)->n == 1 && p.n_notes == 0);
	if (policy_session_copy(&p)->n == 1)
		CHECK_STREQ(policy_session_copy(&p)->v[0].value, ".envrc");
	/* A file that does not say it keeps the list before. */
	apply(&p, "/r/.nsbsh.conf", "network = off\n", LAYER_PROJECT);
	CHECK(policy_session_copy(&p)->n == 1);
	policy_release(&p);
	CHECK(policy_session_copy(NULL) == NULL);
}

/* The keys of forced ssh sessions: the system's file alone sets them. */
static void test_ssh_keys(void)
{
	struct policy p;

	policy_init_defaults(&p);
	CHECK(!p.file_transfer && !p.ssh_project && !p.ssh_project_env);
	apply(&p, "/etc/nsbsh/nsbsh.conf",
	      "ssh_project = /srv/p\nssh_project_env = AGENT_PROJECT\nfile_transfer = sandbox\n",
	      LAYER_SYSTEM);
	CHECK_STREQ(p.ssh_project, "/srv/p");
	CHECK_STREQ(p.ssh_project_env, "AGENT_PROJECT");
	CHECK(p.file_transfer && p.n_notes == 0);
	/* not strict: the user's file still cannot set them */
	apply(&p, "u.conf", "ssh_project = ~/other\nssh_project_env = X\nfile_transfer = off\n",
	      LAYER_USER);
	CHECK_STREQ(p.ssh_project, "/srv/p");
	CHECK_STREQ(p.ssh_project_env, "AGENT_PROJECT");
	CHECK(p.file_transfer);
	CHECK(p.n_notes == 3);
	if (p.n_notes == 3)
		CHECK_STREQ(p.notes[0], "u.conf:1: key 'ssh_project': '" HOME "/other' ignored: only the system's file sets it");
	apply(&p, "/r/.nsbsh.conf", "file_transfer = off\n", LAYER_PROJECT);
	CHECK(p.file_transfer && p.n_notes == 4);
	apply(&p, "/etc/nsbsh/nsbsh.conf", "ssh_project = \"\"\nssh_project_env = \"\"\n", LAYER_SYSTEM);
	CHECK(!p.ssh_project && !p.ssh_project_env);
	policy_release(&p);

	/* ssh_keys: a fingerprint or a key file; a new one widens */
	const char *fp = "SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s";
	policy_init_defaults(&p);
	CHECK(p.ssh_keys.n == 0);
	apply(&p, "u.conf", "ssh_keys = { \"SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s\", \"~/.ssh/d\" }\n",
	      LAYER_USER);
	CHECK(p.ssh_keys.n == 2 && p.n_notes == 0);
	CHECK(p.ssh_keys.n == 2 && streq(p.ssh_keys.v[0].value, fp) && streq(p.ssh_keys.v[1].value, HOME "/.ssh/d"));
	apply(&p, "/r/.nsbsh.conf", "ssh_keys = { \"~/.ssh/d\", \"~/.ssh/other\" }\n", LAYER_PROJECT);
	CHECK(p.ssh_keys.n == 1 && streq(p.ssh_keys.v[0].value, HOME "/.ssh/d"));
	CHECK(p.n_notes == 1);
	if (p.n_notes == 1)
		CHECK_STREQ(p.notes[0], "/r/.nsbsh.conf:1: key 'ssh_keys': '" HOME
			    "/.ssh/other' ignored: a project file can only narrow the policy");
	policy_release(&p);
	bad("ssh_keys = { \"SHA256:short\" }",
	    "t.conf:1: key 'ssh_keys': 'SHA256:short' is not a SHA256 fingerprint as ssh-keygen -l prints it "
	    "(SHA256: and 43 characters)");
	bad("ssh_keys = { \"id_rsa\" }",
	    "t.conf:1: key 'ssh_keys': 'id_rsa' is neither SHA256:FINGERPRINT nor a key file's path (absolute or ~/)");
	bad("ssh_keys = { \"~/k\", \"~/k\" }", "t.conf:1: key 'ssh_keys': '" HOME "/k' is listed twice");
	bad("ssh_project_env = NSBSH_PROJECT",
	    "t.conf:1: key 'ssh_project_env': 'NSBSH_PROJECT' is set or dropped by sshd or nsbsh itself");
	bad("ssh_project_env = XDG_CONFIG_HOME",
	    "t.conf:1: key 'ssh_project_env': 'XDG_CONFIG_HOME' is set or dropped by sshd or nsbsh itself");
	bad("ssh_project_env = \"A-B\"", "t.conf:1: key 'ssh_project_env': 'A-B' is not a variable name");
	bad("ssh_project = relative", "t.conf:1: key 'ssh_project': 'relative' is not an absolute path");
	bad("file_transfer = on", "t.conf:1: key 'file_transfer': 'on' is not off or sandbox");
}

/* setenv: NAME=VALUE, never a name nsbsh or bash keeps; a new value
 * widens.  tools: installables; a project file adds to the person's,
 * never one that names a host path outside the store. */
static void test_setenv_tools(void)
{
	struct policy p;
	char *path = NULL;

	bad("setenv = { \"RUST_LOG\" }", "t.conf:1: key 'setenv': 'RUST_LOG' is not NAME=VALUE");
	bad("setenv = { \"1X=a\" }", "t.conf:1: key 'setenv': '1X' is not a variable name");
	bad("setenv = { \"A-B=a\" }", "t.conf:1: key 'setenv': 'A-B' is not a variable name");
	bad("setenv = { \"PATH=/x\" }",
	    "t.conf:1: key 'setenv': 'PATH' is set by nsbsh itself (the tools key adds to it)");
	bad("setenv = { \"NSBSH_PROJECT=/x\" }",
	    "t.conf:1: key 'setenv': 'NSBSH_PROJECT' is set by nsbsh or bash itself");
	bad("setenv = { \"HOME=/x\" }", "t.conf:1: key 'setenv': 'HOME' is set by nsbsh or bash itself");
	bad("setenv = { \"BASH_ENV=/x\" }", "t.conf:1: key 'setenv': 'BASH_ENV' is set by nsbsh or bash itself");
	bad("setenv = { \"SHELLOPTS=x\" }", "t.conf:1: key 'setenv': 'SHELLOPTS' is set by nsbsh or bash itself");
	bad("setenv = { \"A=1\", \"B=2\", \"A=3\" }", "t.conf:1: key 'setenv': 'A' is set twice");

	bad("tools = { \"\" }", "t.conf:1: key 'tools': '' is not an installable (like nixpkgs#ripgrep)");
	bad("tools = { \"--impure\" }",
	    "t.conf:1: key 'tools': '--impure' is not an installable (like nixpkgs#ripgrep)");
	bad("tools = { \"nixpkgs#a b\" }", "t.conf:1: key 'tools': 'nixpkgs#a b' has a space or control character");
	bad("tools = { \"path:./t#x\" }",
	    "t.conf:1: key 'tools': 'path:./t#x' names a path that is not absolute and plain (no host, no %-escapes, no '..'): write it as path:/DIR#NAME or ~/DIR#NAME");
	bad("tools = { \".#x\" }",
	    "t.conf:1: key 'tools': '.#x' names a path that is not absolute and plain (no host, no %-escapes, no '..'): write it as path:/DIR#NAME or ~/DIR#NAME");
	bad("tools = { \"file://host/t.tgz\" }",
	    "t.conf:1: key 'tools': 'file://host/t.tgz' names a path that is not absolute and plain (no host, no %-escapes, no '..'): write it as path:/DIR#NAME or ~/DIR#NAME");
	bad("tools = { \"path:/a/../home/u#x\" }",
	    "t.conf:1: key 'tools': 'path:/a/../home/u#x' names a path that is not absolute and plain (no host, no %-escapes, no '..'): write it as path:/DIR#NAME or ~/DIR#NAME");
	bad("tools = { \"path:~#x\" }",
	    "t.conf:1: key 'tools': 'path:~#x' names a path that is not absolute and plain (no host, no %-escapes, no '..'): write it as path:/DIR#NAME or ~/DIR#NAME");
	bad("tools = { \"~#x\" }", "t.conf:1: key 'tools': '/home/u#x' would expose the whole home");
	bad("tools = { \"git+file:///home?ref=x\" }",
	    "t.conf:1: key 'tools': 'git+file:///home?ref=x' would expose the whole home, which is inside it");
	bad("tools = { \"path:/\" }", "t.conf:1: key 'tools': 'path:/' would expose the whole file system");
	bad("tools = { \"nixpkgs#jq\", \"nixpkgs#jq\" }", "t.conf:1: key 'tools': 'nixpkgs#jq' is listed twice");

	/* which host path a tool names */
	static const struct { const char *tool, *path; int r; } paths[] = {
		{ "nixpkgs#ripgrep", NULL, 0 },
		{ "github:o/r/v1#x", NULL, 0 },
		{ "git+https://h/r?ref=x", NULL, 0 },
		{ "flake:nixpkgs#jq", NULL, 0 },
		{ "/home/u/tools#default", "/home/u/tools", 0 },
		{ "path:/home/u/tools/?dir=sub#x", "/home/u/tools", 0 },
		{ "git+file:///srv/r?ref=main", "/srv/r", 0 },
		{ "tarball+file:///srv/t.tgz", "/srv/t.tgz", 0 },
		{ "file:/srv/t.tgz", "/srv/t.tgz", 0 },
		{ "path:/nix/store/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-t#x", "/nix/store/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-t", 0 },
		{ "path:t", NULL, -EINVAL },
		{ "./t#x", NULL, -EINVAL },
		{ "path:/a%2Fb", NULL, -EINVAL },
		{ "path:/a/..", NULL, -EINVAL },
	};
	for (size_t i = 0; i < ARRAY_SIZE(paths); i++) {
		int r = config_tool_path(paths[i].tool, &path);
		CHECK(r == paths[i].r);
		CHECK(paths[i].path ? path && streq(path, paths[i].path) : !path);
		if (r != paths[i].r || (paths[i].path ? !path || !streq(path, paths[i].path) : !!path))
			fprintf(stderr, "  for: %s\n", paths[i].tool);
		free(path);
		path = NULL;
	}

	/* the user's file sets both; a project file adds a tool of no host
	 * path (kept with the user's), not one of a host path, and no
	 * setenv but one the user has */
	policy_init_defaults(&p);
	apply(&p, "u.conf",
	      "setenv = { \"RUST_LOG=debug\", \"EDITOR=vi\" }\n"
	      "tools = { \"~/tools#default\", \"nixpkgs#jq\" }\n", LAYER_USER);
	CHECK(p.setenv.n == 2 && p.tools.n == 2 && p.n_notes == 0);
	apply(&p, "/r/.nsbsh.conf",
	      "setenv = { \"RUST_LOG=debug\", \"LD_PRELOAD=/r/x.so\" }\n"
	      "tools = { \"nixpkgs#ripgrep\", \"/srv/evil#x\", \"nixpkgs#jq\",\n"
	      "          \"path:/nix/store/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-t#x\" }\n", LAYER_PROJECT);
	CHECK(p.setenv.n == 1 && streq(p.setenv.v[0].value, "RUST_LOG=debug"));
	CHECK(p.tools.n == 4);
	if (p.tools.n == 4) {
		CHECK_STREQ(p.tools.v[0].value, HOME "/tools#default");
		CHECK_STREQ(p.tools.v[1].value, "nixpkgs#jq");
		CHECK_STREQ(p.tools.v[2].value, "nixpkgs#ripgrep");
		CHECK_STREQ(p.tools.v[3].value, "path:/nix/store/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-t#x");
	}
	CHECK(p.n_notes == 2);
	CHECK_STREQ(note(&p, 0), "/r/.nsbsh.conf:1: key 'setenv': 'LD_PRELOAD=/r/x.so' ignored: a project "
				 "file can only narrow the policy");
	CHECK_STREQ(note(&p, 1), "/r/.nsbsh.conf:2: key 'tools': '/srv/evil#x' ignored: a project file "
				 "may add only tools that name no host path (like nixpkgs#ripgrep, or one in /nix/store)");
	/* a project file's empty setenv narrows: none */
	apply(&p, "/r/.nsbsh.conf", "setenv = {}\n", LAYER_PROJECT);
	CHECK(p.setenv.n == 0);
	policy_release(&p);

	/* through config_load_project (a scratch copy of the policy): the
	 * user's tools and setenv stay, the trusted file's tool is added */
	policy_init_defaults(&p);
	apply(&p, "u.conf", "setenv = { \"A=1\" }\ntools = { \"~/t#x\" }\n", LAYER_USER);
	{
		struct config_error e;
		const char *repo = "tools = { \"nixpkgs#jq\" }\n";
		CHECK(config_load_project(&p, HOME "/p", repo, strlen(repo), HOME "/p/.nsbsh.conf", true,
					  HOME, &e) == 0);
	}
	CHECK(p.setenv.n == 1 && p.tools.n == 2 && streq(p.tools.v[1].value, "nixpkgs#jq"));
	policy_release(&p);

	/* strict: the user's file sets no new variable and no local tool */
	policy_init_defaults(&p);
	apply(&p, "/etc/nsbsh/nsbsh.conf", "strict = on\nsetenv = { \"A=1\" }\ntools = { \"/srv/t#x\" }\n",
	      LAYER_SYSTEM);
	CHECK(p.setenv.n == 1 && p.tools.n == 1);
	apply(&p, "u.conf", "setenv = { \"A=1\", \"B=2\" }\ntools = { \"/srv/t#x\", \"/opt/u#y\", \"nixpkgs#jq\" }\n",
	      LAYER_USER);
	CHECK(p.setenv.n == 1 && streq(p.setenv.v[0].value, "A=1"));
	/* a local tool the system's file has stays */
	CHECK(p.tools.n == 2 && streq(p.tools.v[0].value, "/srv/t#x") && streq(p.tools.v[1].value, "nixpkgs#jq"));
	CHECK(p.n_notes == 2);
	CHECK_STREQ(note(&p, 1), "u.conf:2: key 'tools': '/opt/u#y' ignored: strict mode: only the system "
				 "file can widen the policy");
	policy_release(&p);
}

/* network = allow lies between off and on; a new allow_hosts entry widens. */
static void test_network_allow(void)
{
	struct policy p;

	bad("allow_hosts = { \"a b\" }",
	    "t.conf:1: key 'allow_hosts': 'a b' is not a host name, \"*.NAME\" or an IP address (with an optional \":PORT\")");
	bad("allow_hosts = { \"github.com:0\" }",
	    "t.conf:1: key 'allow_hosts': 'github.com:0' has a port that is not a number from 1 to 65535");
	bad("allow_hosts = { \"*.com\" }", "t.conf:1: key 'allow_hosts': '*.com' is a wildcard over a whole top-level domain");
	bad("allow_hosts = { \"a.org\", \"a.org\" }", "t.conf:1: key 'allow_hosts': 'a.org' is listed twice");

	policy_init_defaults(&p);
	apply(&p, "user.conf", "network = allow\nallow_hosts = { \"github.com\", \"127.0.0.1:18080\" }\n", LAYER_USER);
	CHECK(p.network == POLICY_NETWORK_ALLOW && p.allow_hosts.n == 2);
	/* a project file may narrow to off, or keep a subset of the hosts */
	apply(&p, ".nsbsh.conf", "allow_hosts = { \"github.com\", \"evil.example\" }\n", LAYER_PROJECT);
	CHECK(p.allow_hosts.n == 1 && streq(p.allow_hosts.v[0].value, "github.com"));
	CHECK_STREQ(note(&p, 0), ".nsbsh.conf:1: key 'allow_hosts': 'evil.example' ignored: a project file can only narrow the policy");
	apply(&p, ".nsbsh.conf", "network = on\n", LAYER_PROJECT);
	CHECK(p.network == POLICY_NETWORK_ALLOW);
	CHECK_STREQ(note(&p, 1), ".nsbsh.conf:1: key 'network': 'on' ignored: a project file can only narrow the policy");
	apply(&p, ".nsbsh.conf", "network = off\n", LAYER_PROJECT);
	CHECK(p.network == POLICY_NETWORK_OFF);
	apply(&p, ".nsbsh.conf", "network = allow\n", LAYER_PROJECT);
	CHECK(p.network == POLICY_NETWORK_OFF);
	CHECK_STREQ(note(&p, 2), ".nsbsh.conf:1: key 'network': 'allow' ignored: a project file can only narrow the policy");
	policy_release(&p);
	/* from on, allow narrows */
	policy_init_defaults(&p);
	apply(&p, ".nsbsh.conf", "network = allow\n", LAYER_PROJECT);
	CHECK(p.network == POLICY_NETWORK_ALLOW && p.n_notes == 0);
	policy_release(&p);
}

/* inject: an entry as net/inject.h reads it; a new one, or another
 * inject_ca_file, widens (a repository cannot send a token elsewhere). */
static void test_inject(void)
{
	struct policy p;
	policy_init_defaults(&p);
	CHECK(p.inject.n == 0 && !p.inject_ca_file);
	apply(&p, "u.conf",
	      "inject = { \"api.github.com Authorization=Bearer env:GITHUB_TOKEN\", \"h.example X-Key=file:~/k\" }\n"
	      "inject_ca_file = /etc/test-ca.pem\n",
	      LAYER_USER);
	CHECK(p.inject.n == 2 && p.n_notes == 0);
	CHECK_STREQ(p.inject_ca_file, "/etc/test-ca.pem");
	apply(&p, "/r/.nsbsh.conf",
	      "inject = { \"h.example X-Key=file:~/k\", \"evil.example Authorization=Bearer env:GITHUB_TOKEN\" }\n"
	      "inject_ca_file = /r/ca.pem\n",
	      LAYER_PROJECT);
	CHECK(p.inject.n == 1 && streq(p.inject.v[0].value, "h.example X-Key=file:~/k"));
	CHECK_STREQ(p.inject_ca_file, "/etc/test-ca.pem");
	CHECK(p.n_notes == 2);
	if (p.n_notes == 2)
		CHECK_STREQ(p.notes[0], "/r/.nsbsh.conf:1: key 'inject': 'evil.example Authorization=Bearer "
			    "env:GITHUB_TOKEN' ignored: a project file can only narrow the policy");
	struct policy c;
	CHECK(policy_copy(&c, &p) == 0);
	CHECK(c.inject.n == 1 && c.inject_ca_file && streq(c.inject_ca_file, p.inject_ca_file));
	policy_release(&c);
	policy_release(&p);
	bad("inject = { \"api.github.com Authorization=Bearer GITHUB\" }",
	    "t.conf:1: key 'inject': 'api.github.com Authorization=Bearer GITHUB' does not end with the secret's "
	    "source, env:NAME or file:PATH");
	bad("inject = { \"h X=env:A\", \"h X=env:A\" }", "t.conf:1: key 'inject': 'h X=env:A' is listed twice");
}

UNIT_MAIN("config", test_network_allow, test_inject, test_setenv_tools, test_defaults, test_every_key, test_messages, test_comments, test_tilde,
	  test_bind_refusals, test_passthrough, test_limits, test_sandbox_limits, test_merge_user, test_merge_project,
	  test_files_setup, test_load, test_load_project, test_files_teardown, test_notes_limit,
	  test_policy_files, test_session_copy, test_ssh_keys, test_protect_key)
