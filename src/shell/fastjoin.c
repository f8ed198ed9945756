/* fastjoin.c - a join from the record of the last full start that joined
 * the same way (see fastjoin.h for FJ-1..4).
 *
 * The record, <cache>/fastjoin/<key> (key: a SHA-256 of the uid, gid,
 * current directory, which of fds 0-2 are terminals, argv[0] and bash's
 * options before the command or script), holds the inputs list (base/inputs.h) and then what the decision
 * made: the sandbox (its socket's directory and id), its control and denial
 * directories, the program, its directory and the options nsbsh puts before
 * the start's own, the environment the decision set, the policy's
 * passthrough patterns. */
#include "shell/fastjoin.h"

#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>

#include "base/dirs.h"
#include "base/file.h"
#include "base/inputs.h"
#include "base/log.h"
#include "base/sha256.h"
#include "base/strbuf.h"
#include "base/util.h"
#include "policy/config.h"
#include "sandbox/denylog.h"
#include "sandbox/layout.h"
#include "sandbox/live.h"
#include "sandbox/shell-view.h"
#include "shell/args.h"
#include "shell/join.h"

#define RECORD_VERSION 1u
#define RECORD_MAX (1u << 20)
#define MAX_LIST 4096

/* this start's key, and its record's path (NULL: no record here) */
static char *record_dir, record_name[65];

/* The key: who, where, and how bash was asked to start, up to its command
 * or script (FJ-1; what follows is the start's own, FJ-3). */
static int record_key(int argc, char **argv, const char *cwd)
{
	struct shellargs a;
	shellargs_parse(argc, argv, &a);
	struct sha256 s;
	sha256_init(&s);
	/* a terminal's start and a script's in one directory: two records */
	uint32_t v[7] = { RECORD_VERSION, (uint32_t)getuid(), (uint32_t)getgid(), a.operand < argc,
			  (uint32_t)isatty(0), (uint32_t)isatty(1), (uint32_t)isatty(2) };
	sha256_update(&s, v, sizeof(v));
	sha256_update(&s, cwd, strlen(cwd) + 1);
	for (int i = 0; i < a.operand && i < argc; i++)
		sha256_update(&s, argv[i], strlen(argv[i]) + 1);
	uint8_t d[32];
	sha256_final(&s, d);
	sha256_hex(d, record_name);
	_cleanup_free_ char *cache = NULL;
	int r = dirs_cache_path(&cache);
	if (r == 0 && asprintf(&record_dir, "%s/fastjoin", cache) < 0) {
		record_dir = NULL;
		r = -ENOMEM;
	}
	return r;
}

/* FJ-2: the record, when it is the user's own and no one else's to write. */
static int record_read(struct blob *b)
{
	_cleanup_close_ int dir = open(record_dir, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dir < 0)
		return -errno;
	return file_read(dir, record_name, RECORD_MAX, FILE_NOFOLLOW | FILE_PRIVATE, &b->data, &b->len);
}

/* What the decision made, read back. */
struct made {
	const char *live, *id, *ctl, *denials, *worktree, *home, *path, *cwd;
	bool interactive, ctl_shell;
	uint32_t n_inserted, n_pass, n_env;
	const char *inserted[8];
};

static bool made_read(struct blob *b, struct made *m, struct policy *pol, struct layout *l)
{
	m->live = blob_get_str(b);
	m->id = blob_get_str(b);
	m->ctl = blob_get_str(b);
	m->denials = blob_get_str(b);
	m->worktree = blob_get_str(b);
	m->home = blob_get_str(b);
	m->path = blob_get_str(b);
	m->cwd = blob_get_str(b);
	m->interactive = blob_get_u32(b);
	m->ctl_shell = blob_get_u32(b);
	m->n_inserted = blob_get_u32(b);
	if (b->bad || !m->live || !m->id || strlen(m->id) != LIVE_ID_LEN || !m->ctl || !m->home || !m->path ||
	    !m->cwd || m->n_inserted > ARRAY_SIZE(m->inserted))
		return false;
	for (uint32_t i = 0; i < m->n_inserted; i++)
		if (!(m->inserted[i] = blob_get_str(b)))
			return false;
	/* the outer environment as the policy lets it in (FJ-3), then what
	 * the decision set over it, as shell_env does */
	m->n_pass = blob_get_u32(b);
	if (b->bad || m->n_pass > MAX_LIST || !(pol->passthrough.v = calloc(m->n_pass + 1, sizeof(struct policy_entry))))
		return false;
	for (uint32_t i = 0; i < m->n_pass; i++)
		if (!(pol->passthrough.v[pol->passthrough.n++].value = (char *)blob_get_str(b)))
			return false;
	layout_pass_env(l, pol);
	m->n_env = blob_get_u32(b);
	if (b->bad || m->n_env > MAX_LIST)
		return false;
	for (uint32_t i = 0; i < m->n_env && !b->bad; i++) {
		const char *e = blob_get_str(b), *eq = e ? strchr(e, '=') : NULL;
		if (!eq || eq == e)
			return false;
		_cleanup_free_ char *name = strndup(e, (size_t)(eq - e));
		layout_setenv(l, name, eq + 1);
	}
	return !b->bad && b->pos == b->len && !layout_error(l);
}

/* The record holds and its sandbox serves: the shell run, 0 and its
 * status; or a negative errno and no shell run (FJ-4). */
static int join_from(struct blob *b, int argc, char **argv, int *ret_status, struct ctl_request *ret_q)
{
	const char *why = "another version";
	if (blob_get_u32(b) != RECORD_VERSION || inputs_replay(b, &why) < 0) {
		debug("no fast join: %s", why);
		return -ESTALE;
	}
	struct made m = { 0 };
	struct policy pol = { 0 };
	_cleanup_(layout_release) struct layout l;
	layout_init(&l);
	bool ok = made_read(b, &m, &pol, &l);
	_cleanup_free_ struct policy_entry *pass = pol.passthrough.v;
	if (!ok)
		return -ESTALE;
	/* this shell's own control file, never the recorded start's */
	_cleanup_free_ char *ctl_host = NULL, *ctl_inside = NULL;
	if (m.ctl_shell && ctl_shell_path(m.ctl, &ctl_host, &ctl_inside) < 0)
		return -ENOMEM;
	if (m.ctl_shell)
		layout_setenv(&l, "NSBSH_CTL", ctl_inside);
	int pargc = 0;
	_cleanup_free_ char **pargv = shell_argv((char *const *)m.inserted, m.n_inserted, argc, argv, &pargc);
	if (!pargv || layout_error(&l))
		return -ENOMEM;
	/* LIVE-2, checked again: the record's directory, still the user's own */
	_cleanup_free_ char *live = NULL;
	int r = live_dir(&live);
	if (r == 0 && !streq(live, m.live))
		r = -ESTALE;
	int conn = -1;
	if (r == 0)
		r = live_connect(m.live, m.id, WIRE_JOIN, &conn);
	if (r < 0) {
		if (ctl_host)
			ctl_remove(ctl_host);
		return r;
	}
	struct join_request q = { .cwd = m.cwd, .path = m.path, .argc = pargc, .argv = pargv, .envp = l.envp };
	debug("fast join of sandbox %s", m.id);
	pid_t shell = 0;
	_cleanup_free_ char *err = NULL;
	r = join_run(conn, &q, ret_status, &shell, &err);
	close(conn);
	debug("the shell ended");
	if (r < 0) {
		debug("fast join: %s", err ? err : strerror(-r));
		if (ctl_host)
			ctl_remove(ctl_host);
		return r;
	}
	if (shell > 0 && m.denials)
		denylog_unflag(m.denials, m.id, shell);
	*ret_q = (struct ctl_request){ CTL_NONE };
	if (ctl_host) {
		*ret_q = ctl_take(ctl_host, *ret_status, m.interactive, m.worktree, m.home);
		ctl_remove(ctl_host);
	}
	return 0;
}

bool fastjoin_try(int argc, char **argv, int *ret_status, struct ctl_request *ret_q)
{
	/* an ssh session's start reads its parent (shell/ssh.c): never kept */
	const char *off = getenv("NSBSH_FASTJOIN");
	if (getenv("SSH_CONNECTION") || (off && streq(off, "0")))
		return false;
	_cleanup_free_ char *cwd = getcwd(NULL, 0);
	if (!cwd || record_key(argc, argv, cwd) < 0)
		return false;
	struct blob b = { 0 };
	int r = record_read(&b);
	if (r == 0)
		r = join_from(&b, argc, argv, ret_status, ret_q);
	free(b.data);
	if (r == 0)
		return true;
	if (r != -ENOENT && r != -ESTALE)
		debug("no fast join: %s", strerror(-r));
	/* the full start, its inputs kept: the directory it starts in and
	 * the binary deciding are inputs too */
	inputs_begin();
	struct stat st;
	(void)stat(".", &st);
	(void)stat("/proc/self/exe", &st);
	return false;
}

/* Whether variable i of l is the decision's, not the outer environment's
 * (layout_pass_env's origins, which a fast join passes anew: FJ-3). */
static bool decided(const struct layout *l, size_t i)
{
	return !streq(l->env_from[i], "allowlist") && !streq(l->env_from[i], "passthrough");
}

void fastjoin_record(const struct fastjoin_decision *d)
{
	const char *spoiled = log_said() ? "a message said" : inputs_spoiled();
	inputs_pause(true);
	if (!record_dir || spoiled) {
		debug("no record for a fast join: %s", spoiled ? spoiled : "no key");
		return;
	}
	_cleanup_(strbuf_release) struct strbuf b = { 0 };
	blob_put_u32(&b, RECORD_VERSION);
	int r = inputs_save(&b, time(NULL));
	const struct sandbox_program *p = &d->program->prog;
	int n_prog = 0;
	while (p->argv && p->argv[n_prog])
		n_prog++;
	uint32_t n_inserted = n_prog >= d->argc ? (uint32_t)(n_prog - d->argc) : 99;
	if (r == 0 && (n_inserted > 8 || !p->path || !p->cwd))
		r = -EINVAL;
	if (r < 0) {
		debug("no record for a fast join: %s", r == -ETXTBSY ? inputs_spoiled() : strerror(-r));
		return;
	}
	const char *strs[] = { d->live, d->id, d->ctl, d->denials, d->worktree, d->home, p->path, p->cwd };
	for (size_t i = 0; i < ARRAY_SIZE(strs); i++)
		blob_put_str(&b, strs[i]);
	blob_put_u32(&b, d->interactive);
	blob_put_u32(&b, d->ctl_shell);
	blob_put_u32(&b, n_inserted);
	for (uint32_t i = 0; i < n_inserted; i++)
		blob_put_str(&b, p->argv[1 + i]);
	blob_put_u32(&b, (uint32_t)d->policy->passthrough.n);
	for (size_t i = 0; i < d->policy->passthrough.n; i++)
		blob_put_str(&b, d->policy->passthrough.v[i].value);
	const struct layout *l = d->program;
	uint32_t n_env = 0;
	for (size_t i = 0; i < l->n_env; i++)
		n_env += decided(l, i);
	blob_put_u32(&b, n_env);
	for (size_t i = 0; i < l->n_env; i++)
		if (decided(l, i))
			blob_put_str(&b, l->envp[i]);
	r = b.oom ? -ENOMEM : mkdir_private(record_dir);
	if (r == 0)
		r = file_write_cache(record_dir, record_name, b.s, b.len, 0600);
	debug("record for a fast join: %s", r < 0 ? strerror(-r) : "written");
}
