/* doctor.c - `nsb doctor`: is this machine and this account ready for
 * nsbsh?  A table of checks; each prints one line, "ok" or "PROBLEM" and
 * what it found, and for a problem the exact command or setting that fixes
 * it on indented "fix:" lines.  Exit status 0 when every check passed, 1
 * when one found a problem.  It changes nothing: it creates no cache
 * directory and writes no file; it forks a child that tries the sandbox's
 * namespaces, and runs `nix --version` and `nix show-config`. */
#include "nsb/nsb.h"

#include <dirent.h>
#include <ftw.h>
#include <grp.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/stat.h>

#include "base/dirs.h"
#include "base/file.h"
#include "base/log.h"
#include "base/strbuf.h"
#include "base/util.h"
#include "env/cache.h"
#include "env/nix.h"
#include "env/nixconf.h"
#include "policy/config.h"
#include "sandbox/landlock.h"
#include "sandbox/net.h"
#include "sandbox/userns.h"
#include "sandbox/view.h"

#define SHELLS_FILE "/etc/shells"
#define SHELLS_MAX (64u * 1024)
#define CACHE_SHOWN_MAX 10  /* broken entries named one by one */
#define STORE_DIR "/nix/store"

enum result { CHECK_OK, CHECK_PROBLEM, CHECK_FAILED /* out of memory and such */ };

struct doctor {
	bool colour;
	struct nix_info nix;
	char *exe;  /* the running binary, real path; NULL if unknown */
};

/* --- output ------------------------------------------------------------------ */

static void line(const struct doctor *d, bool ok, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void line(const struct doctor *d, bool ok, const char *fmt, ...)
{
	const char *word = ok ? "ok" : "PROBLEM";
	if (d->colour)
		printf("%s%s\033[0m%*s  ", ok ? "\033[32m" : "\033[1;31m", word, (int)(7 - strlen(word)), "");
	else
		printf("%-7s  ", word);
	va_list ap;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

/* An indented line under a check's: "fix: ..." or "note: ...". */
static void more(const char *label, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void more(const char *label, const char *fmt, ...)
{
	printf("%9s%s: ", "", label);
	va_list ap;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static const char *user_name(void)
{
	struct passwd *pw = getpwuid(getuid());
	return pw ? pw->pw_name : "$USER";
}

/* --- the checks ----------------------------------------------------------------- */

static enum result check_userns(struct doctor *d)
{
	const char *step = NULL;
	int r = userns_probe(&step);
	if (r == 0) {
		line(d, true, "user namespaces: allowed (a child made the sandbox's namespaces)");
		return CHECK_OK;
	}
	const struct userns_setting *s = userns_setting_of(userns_blocker());
	if (!s) {
		line(d, false, "user namespaces: refused (%s: %s), by no sysctl nsbsh knows of", step,
		     strerror(-r));
		more("fix", "check the kernel (CONFIG_USER_NS=y) and whatever runs this shell (a container's seccomp filter or LSM may refuse them)");
		return CHECK_PROBLEM;
	}
	line(d, false, "user namespaces: refused (%s: %s): %s is %s", step, strerror(-r), s->sysctl, s->bad);
	if (strstr(s->sysctl, "apparmor") && d->exe) {
		_cleanup_free_ char *exe = shell_quote(d->exe);
		if (!exe)
			return CHECK_FAILED;
		/* Ubuntu's own way (23.10 release notes): a profile that allows
		 * userns for this program only. */
		more("fix", "printf 'abi <abi/4.0>,\\ninclude <tunables/global>\\nprofile nsbsh %%s flags=(unconfined) {\\n  userns,\\n}\\n' %s | sudo tee /etc/apparmor.d/nsbsh && sudo apparmor_parser -r /etc/apparmor.d/nsbsh",
		     exe);
		more("fix", "or, for every program: sudo sysctl -w %s=%s", s->sysctl, s->good);
	} else {
		more("fix", "sudo sysctl -w %s=%s", s->sysctl, s->good);
	}
	more("fix", "to keep it after a reboot: echo '%s = %s' | sudo tee /etc/sysctl.d/60-nsbsh.conf",
	     s->sysctl, s->good);
	return CHECK_PROBLEM;
}

static enum result check_nix(struct doctor *d)
{
	if (!d->nix.path) {
		line(d, false, "nix: not found on PATH (a project's environment cannot be built)");
		more("fix", "sudo apt-get install nix-bin (or install Nix from nixos.org), and put the directory of 'nix' on PATH");
		return CHECK_PROBLEM;
	}
	_cleanup_free_ char *version = NULL;
	int r = nix_version(&d->nix, &version);
	if (r == -ENOMEM)
		return CHECK_FAILED;
	if (r < 0) {
		line(d, false, "nix: %s does not run: nix --version: %s", d->nix.path,
		     r == -EIO ? "failed" : strerror(-r));
		more("fix", "reinstall Nix (sudo apt-get install --reinstall nix-bin)");
		return CHECK_PROBLEM;
	}
	line(d, true, "nix: %s, version %s", d->nix.path, version);
	return CHECK_OK;
}

static enum result check_daemon(struct doctor *d)
{
	const char *sock = view_daemon_socket();
	int r = nix_daemon_check();
	if (r == 0) {
		line(d, true, "nix daemon: %s accepts connections", sock);
		return CHECK_OK;
	}
	line(d, false, "nix daemon: cannot connect to %s: %s", sock, strerror(-r));
	if (r == -EACCES) {
		/* Debian's socket directory is root:nix-users 0770. */
		_cleanup_free_ char *dir = strndup(sock, (size_t)(strrchr(sock, '/') - sock));
		struct stat st;
		struct group *g = dir && stat(dir, &st) == 0 ? getgrgid(st.st_gid) : NULL;
		if (g && g->gr_gid != 0)
			more("fix", "sudo usermod -aG %s %s, then log in again", g->gr_name, user_name());
		else
			more("fix", "let %s reach %s (its directory's permissions)", user_name(), sock);
	} else if (access("/run/systemd/system", F_OK) == 0) {
		more("fix", "sudo systemctl start nix-daemon");
	} else {
		more("fix", "sudo sh -c 'setsid nix-daemon </dev/null >/var/log/nix-daemon.log 2>&1 &'");
	}
	return CHECK_PROBLEM;
}

static bool has_word(const char *list, const char *word)
{
	size_t n = strlen(word);
	for (const char *p = list; (p = strstr(p, word)); p += n)
		if ((p == list || p[-1] == ' ') && (p[n] == '\0' || p[n] == ' '))
			return true;
	return false;
}

static enum result check_flakes(struct doctor *d)
{
	static const char fix[] = "add the line 'experimental-features = nix-command flakes' to /etc/nix/nix.conf (the evaluation reads no user nix.conf)";
	if (!d->nix.path) {
		line(d, false, "flakes: cannot be checked without nix");
		more("fix", "install Nix first (the line 'nix' above)");
		return CHECK_PROBLEM;
	}
	_cleanup_free_ char *features = NULL, *err = NULL;
	int r = nix_experimental_features(&d->nix, &features, &err);
	if (r == -ENOMEM)
		return CHECK_FAILED;
	if (r < 0) {
		line(d, false, "flakes: nix show-config: %s", err ? err : strerror(-r));
		more("fix", "%s", fix);
		return CHECK_PROBLEM;
	}
	bool flakes = has_word(features, "flakes"), command = has_word(features, "nix-command");
	if (flakes && command) {
		line(d, true, "flakes: enabled (experimental-features = %s)", features);
		return CHECK_OK;
	}
	line(d, false, "flakes: %s not enabled (experimental-features = %s)",
	     !flakes && !command ? "flakes and nix-command are" : !flakes ? "flakes is" : "nix-command is",
	     *features ? features : "(none)");
	more("fix", "%s", fix);
	return CHECK_PROBLEM;
}

static enum result check_landlock(struct doctor *d)
{
	int abi = landlock_abi();
	if (abi >= 6) {
		line(d, true, "landlock: ABI %d: writes, abstract unix sockets and signals confined", abi);
		return CHECK_OK;
	}
	if (abi >= 2) {
		line(d, true, "landlock: ABI %d: writes confined (abstract unix sockets and signals need ABI 6, Linux 6.12)", abi);
		return CHECK_OK;
	}
	line(d, false, "landlock: not usable (ABI %d; nsbsh needs 2): the mount namespace is the only wall for writes",
	     abi < 0 ? 0 : abi);
	more("fix", "boot Linux 5.19 or later with CONFIG_SECURITY_LANDLOCK=y and landlock in its lsm= list (e.g. the kernel parameter lsm=landlock,lockdown,yama,integrity,apparmor)");
	return CHECK_PROBLEM;
}

static enum result check_shells(struct doctor *d)
{
	if (!d->exe) {
		line(d, false, "/etc/shells: the path of this program is unknown (/proc/self/exe)");
		more("fix", "mount /proc");
		return CHECK_PROBLEM;
	}
	_cleanup_free_ char *text = NULL;
	size_t len = 0;
	int r = file_read(AT_FDCWD, SHELLS_FILE, SHELLS_MAX, 0, &text, &len);
	if (r == -ENOMEM)
		return CHECK_FAILED;
	_cleanup_free_ char *exe = shell_quote(d->exe);
	if (!exe)
		return CHECK_FAILED;
	if (r < 0 && r != -ENOENT) {
		line(d, false, SHELLS_FILE ": cannot be read: %s", strerror(-r));
		more("fix", "sudo chmod a+r " SHELLS_FILE);
		return CHECK_PROBLEM;
	}
	for (char *l = r == 0 ? text : NULL; l && *l;) {
		char *end = l + strcspn(l, "\n");
		bool last = !*end;
		*end = '\0';
		if (l[0] == '/') {
			/* A listed link to this binary counts (/bin -> usr/bin). */
			_cleanup_free_ char *real = realpath(l, NULL);
			if (real && streq(real, d->exe)) {
				if (streq(l, d->exe))
					line(d, true, SHELLS_FILE ": lists %s", l);
				else
					line(d, true, SHELLS_FILE ": lists %s (%s)", l, d->exe);
				return CHECK_OK;
			}
		}
		l = last ? end : end + 1;
	}
	line(d, false, SHELLS_FILE ": does not list %s (chsh refuses to set a shell it does not list)",
	     d->exe);
	more("fix", "echo %s | sudo tee -a " SHELLS_FILE, exe);
	return CHECK_PROBLEM;
}

static enum result check_config(struct doctor *d)
{
	_cleanup_free_ char *user = NULL;
	int r = config_user_path(&user);
	if (r == -ENOMEM)
		return CHECK_FAILED;
	const char *home = getenv("HOME");
	if (home && home[0] != '/')
		home = NULL;

	/* The system file alone first, so that an error is pinned to its file. */
	const char *paths[] = { config_system_path(), user };
	struct config_error err;
	struct policy p;
	size_t failing = 0;
	r = config_load(paths[0], NULL, home, &p, &err);
	if (r == 0 && user) {
		policy_release(&p);
		failing = 1;
		r = config_load(paths[0], user, home, &p, &err);
	}
	if (r < 0)
		policy_release(&p);
	if (r == -ENOMEM)
		return CHECK_FAILED;
	if (r < 0) {
		_cleanup_free_ char *q = shell_quote(paths[failing]);
		if (!q)
			return CHECK_FAILED;
		const char *edit = failing == 0 ? "sudoedit" : "edit";
		line(d, false, "configuration: %s", err.message);
		if (err.line > 0)
			more("fix", "%s %s, line %d: nsbsh.conf(5) lists the keys and their values", edit, q, err.line);
		else
			more("fix", "%s %s, or remove it: nsbsh.conf(5) says what it may hold", edit, q);
		return CHECK_PROBLEM;
	}
	char state[2][16];
	for (size_t i = 0; i < ARRAY_SIZE(paths); i++)
		snprintf(state[i], sizeof(state[i]), "%s",
			 !paths[i] ? "" : access(paths[i], F_OK) == 0 ? "valid" : "absent");
	if (user)
		line(d, true, "configuration: %s %s, %s %s", paths[0], state[0], user, state[1]);
	else
		line(d, true, "configuration: %s %s (no user file: neither XDG_CONFIG_HOME nor HOME is absolute)",
		     paths[0], state[0]);
	for (size_t i = 0; i < p.n_notes; i++)
		more("note", "%s", p.notes[i]);
	policy_release(&p);
	return CHECK_OK;
}

/* The cache's disk use (nftw has no user data pointer). */
static unsigned long long walk_bytes;
static int walk_add(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	walk_bytes += (unsigned long long)st->st_blocks * 512;
	return 0;
}

static void format_size(unsigned long long n, char *buf, size_t size)
{
	static const char *const unit[] = { "KiB", "MiB", "GiB", "TiB" };
	if (n < 1024) {
		snprintf(buf, size, "%llu bytes", n);
		return;
	}
	double v = (double)n / 1024;
	size_t u = 0;
	for (; v >= 1024 && u + 1 < ARRAY_SIZE(unit); u++)
		v /= 1024;
	snprintf(buf, size, "%.1f %s", v, unit[u]);
}

static bool is_key(const char *name)
{
	return strlen(name) == 64 && strspn(name, "0123456789abcdef") == 64;
}

/* An entry's GC root: its profile link must resolve into the store. */
static bool root_alive(const char *entry)
{
	_cleanup_free_ char *profile = NULL, *real = NULL;
	if (asprintf(&profile, "%s/profile", entry) < 0)
		return false;
	real = realpath(profile, NULL);
	return real && strncmp(real, STORE_DIR "/", strlen(STORE_DIR "/")) == 0;
}

static enum result check_cache(struct doctor *d)
{
	_cleanup_free_ char *root = NULL, *envdir = NULL;
	int r = dirs_cache_path(&root);
	if (r == -ENOMEM)
		return CHECK_FAILED;
	if (r < 0) {
		line(d, false, "cache: no cache directory can be named: neither XDG_CACHE_HOME nor HOME is an absolute path");
		more("fix", "set HOME to your home directory");
		return CHECK_PROBLEM;
	}
	struct stat st;
	if (stat(root, &st) < 0 && errno == ENOENT) {
		line(d, true, "cache: %s: none yet (the first start in a project makes it)", root);
		return CHECK_OK;
	}
	_cleanup_free_ char *q = shell_quote(root);
	if (!q)
		return CHECK_FAILED;
	if (access(root, R_OK | W_OK | X_OK) < 0 || stat(root, &st) < 0 || !S_ISDIR(st.st_mode)) {
		line(d, false, "cache: %s is not a directory %s can write", root, user_name());
		more("fix", "sudo rm -rf %s (nsbsh makes it again)", q);
		return CHECK_PROBLEM;
	}
	if (asprintf(&envdir, "%s/env", root) < 0)
		return CHECK_FAILED;

	size_t entries = 0, unfinished = 0, dead = 0;
	char **dead_dirs = NULL;
	enum result res = CHECK_OK;
	DIR *dir = opendir(envdir);
	for (struct dirent *de; dir && (de = readdir(dir));) {
		if (!is_key(de->d_name))
			continue;
		_cleanup_free_ char *entry = NULL, *meta = NULL;
		if (asprintf(&entry, "%s/%s", envdir, de->d_name) < 0 ||
		    asprintf(&meta, "%s/meta", entry) < 0) {
			res = CHECK_FAILED;
			break;
		}
		if (access(meta, F_OK) < 0) {
			unfinished++;
			continue;
		}
		entries++;
		if (root_alive(entry))
			continue;
		if (dead < CACHE_SHOWN_MAX) {
			char **n = realloc(dead_dirs, (dead + 1) * sizeof(*n));
			if (!n) {
				res = CHECK_FAILED;
				break;
			}
			dead_dirs = n;
			dead_dirs[dead] = steal_pointer(&entry);
		}
		dead++;
	}
	if (dir)
		closedir(dir);

	walk_bytes = 0;
	nftw(root, walk_add, 16, FTW_PHYS | FTW_MOUNT);
	char size[32];
	format_size(walk_bytes, size, sizeof(size));
	char extra[96] = "";
	if (unfinished)
		snprintf(extra, sizeof(extra), "; %zu unfinished (a build under way, or one that was interrupted)",
			 unfinished);

	if (res == CHECK_FAILED) {
		/* nothing printed: the caller says what failed */
	} else if (dead == 0) {
		line(d, true, "cache: %s: %zu environment%s, %s, every GC root alive%s", root, entries,
		     entries == 1 ? "" : "s", size, extra);
	} else {
		line(d, false, "cache: %s: %zu environment%s, %s; %zu lost %s GC root (a profile link that does not lead into " STORE_DIR "): %s may be gone%s",
		     root, entries, entries == 1 ? "" : "s", size, dead, dead == 1 ? "its" : "their",
		     dead == 1 ? "its environment" : "their environments", extra);
		for (size_t i = 0; i < dead && i < CACHE_SHOWN_MAX; i++) {
			_cleanup_free_ char *e = shell_quote(dead_dirs[i]), *wt = NULL;
			if (!e) {
				res = CHECK_FAILED;
				break;
			}
			const char *key = strrchr(dead_dirs[i], '/') + 1;
			if (cache_meta_get(root, key, "worktree", &wt) == 0)
				more("fix", "rm -r %s (the next start in %s builds it again)", e, wt);
			else
				more("fix", "rm -r %s (the next start in its project builds it again)", e);
		}
		if (dead > CACHE_SHOWN_MAX)
			more("fix", "and the same for %zu more under %s/env", dead - CACHE_SHOWN_MAX, root);
		if (res == CHECK_OK)
			res = CHECK_PROBLEM;
	}
	for (size_t i = 0; i < dead && i < CACHE_SHOWN_MAX; i++)
		free(dead_dirs[i]);
	free(dead_dirs);
	return res;
}

/* network = on's pasta (sandbox/net.c): on the PATH, and the tun device
 * it opens as the user. */
static enum result check_pasta(struct doctor *d)
{
	_cleanup_free_ char *pasta = NULL;
	if (net_pasta_find(getenv("PATH"), &pasta) < 0)
		return CHECK_FAILED;
	if (pasta) {
		line(d, true, "network: %s and /dev/net/tun: network = on has a namespace of its own", pasta);
		return CHECK_OK;
	}
	if (access("/dev/net/tun", R_OK | W_OK) < 0) {
		line(d, false, "network: /dev/net/tun: %s: network = on shares the host's network", strerror(errno));
		more("fix", "sudo chmod 0666 /dev/net/tun (Debian's udev makes it so; a container may need --device /dev/net/tun)");
	} else {
		line(d, false, "network: no pasta on PATH: network = on shares the host's network");
		more("fix", "sudo apt-get install passt");
	}
	return CHECK_PROBLEM;
}

/* Item 5 of issue 17: a daemon that trusts the user, or builds without its
 * sandbox, lets a client build as root or reach the network from builds:
 * the shells do not see its socket then (NET-5). */
static enum result check_trust(struct doctor *d)
{
	struct nixconf_trust t;
	int r = nixconf_trust_read(NIXCONF_DAEMON, &t);
	if (r == -ENOMEM)
		return CHECK_FAILED;
	if (r < 0) {
		line(d, false, "nix daemon trust: cannot read %s: %s", NIXCONF_DAEMON, strerror(-r));
		return CHECK_PROBLEM;
	}
	if (!t.why[0]) {
		line(d, true, "nix daemon trust: %s: you are not in trusted-users, builds are sandboxed", NIXCONF_DAEMON);
		return CHECK_OK;
	}
	line(d, false, "nix daemon trust: %s: %s; sandboxes do not see its socket (nix_daemon = on shows it)",
	     NIXCONF_DAEMON, t.why);
	if (t.trusted)
		more("fix", "remove %s (or its group, or *) from trusted-users in %s, then restart nix-daemon",
		     user_name(), NIXCONF_DAEMON);
	if (t.no_sandbox)
		more("fix", "set 'sandbox = true' in %s, then restart nix-daemon", NIXCONF_DAEMON);
	return CHECK_PROBLEM;
}

/* In the order of a start: can a sandbox be made, can nix build, what the
 * sandbox adds, then this account's files. */
static enum result (*const checks[])(struct doctor *d) = {
	check_userns, check_nix, check_daemon, check_trust, check_flakes,
	check_landlock, check_pasta, check_shells, check_config, check_cache,
};

int nsb_cmd_doctor(int argc, char **argv)
{
	if (argc > 1) {
		warn("usage: nsb doctor (it takes no arguments)");
		return EXIT_USAGE;
	}
	struct doctor d = {
		.colour = log_colour(STDOUT_FILENO),
		.exe = realpath("/proc/self/exe", NULL),
	};
	if (nix_locate(&d.nix) < 0) {
		free(d.exe);
		return EXIT_SYSTEM;
	}
	int status = 0;
	for (size_t i = 0; i < ARRAY_SIZE(checks); i++) {
		fflush(stdout);  /* before a check forks */
		enum result r = checks[i](&d);
		if (r == CHECK_FAILED) {
			warn("cannot run its checks: out of memory");
			status = EXIT_SYSTEM;
			break;
		}
		if (r == CHECK_PROBLEM)
			status = 1;
	}
	fflush(stdout);
	nix_info_release(&d.nix);
	free(d.exe);
	return status;
}
