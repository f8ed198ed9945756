/* trust.c - pinned hashes of in-repo .nsbsh.conf files (see trust.h).
 *
 * Invariants:
 * TRUST-1  An in-repo file is applied only when the SHA-256 of the exact
 *          bytes read is the one `nsb trust` pinned for that work tree: the
 *          text that is hashed is the text that is parsed (one read).
 * TRUST-2  Records live under $XDG_DATA_HOME/nsbsh/trust, which no sandbox
 *          can write (sandbox/shell-view.c SV-2 shows nsbsh's own directories read-only
 *          wherever a writable mount would contain them).
 * Both are tested in tests/integration/t-policy.sh. */
#include "policy/trust.h"

#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>

#include "base/dirs.h"
#include "base/file.h"
#include "base/sha256.h"
#include "base/util.h"
#include "policy/config.h"

void trust_file_release(struct trust_file *f)
{
	free(f->path);
	free(f->text);
	*f = (struct trust_file){ 0 };
}

/* $XDG_DATA_HOME/nsbsh/trust/HASH(worktree)SUFFIX; the directory made. */
static int record_path(const char *worktree, const char *suffix, char **ret)
{
	_cleanup_free_ char *data = NULL, *dir = NULL;
	char hex[65];
	int r = dirs_data(&data);
	if (r == 0)
		r = dirs_subdir(data, "trust", &dir);
	if (r < 0)
		return r;
	sha256_hex_of(worktree, strlen(worktree), hex);
	return asprintf(ret, "%s/%s%s", dir, hex, suffix) < 0 ? -ENOMEM : 0;
}

/* The hash a record holds, or "" when there is none. */
static void record_hash(const char *path, char hex[65])
{
	char buf[256] = "";
	hex[0] = '\0';
	FILE *f = fopen(path, "re");
	if (!f)
		return;
	if (fgets(buf, sizeof(buf), f) && strncmp(buf, "sha256 ", 7) == 0 && strlen(buf) >= 7 + 64) {
		memcpy(hex, buf + 7, 64);
		hex[64] = '\0';
	}
	fclose(f);
}

int trust_read(const char *worktree, struct trust_file *f)
{
	*f = (struct trust_file){ .state = TRUST_NO_FILE };
	if (asprintf(&f->path, "%s/" TRUST_FILE, worktree) < 0) {
		f->path = NULL;
		return -ENOMEM;
	}
	int r = file_read(AT_FDCWD, f->path, CONFIG_MAX_FILE, 0, &f->text, &f->len);
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return r;
	sha256_hex_of(f->text, f->len, f->hex);

	_cleanup_free_ char *rec = NULL;
	char pinned[65];
	r = record_path(worktree, "", &rec);
	if (r < 0)
		return r;
	record_hash(rec, pinned);
	f->state = !pinned[0] ? TRUST_UNTRUSTED
		 : streq(pinned, f->hex) ? TRUST_TRUSTED
					  : TRUST_CHANGED;
	return 0;
}

int trust_apply_project(struct policy *p, const char *worktree, const char *home,
			struct trust_file *f, struct config_error *err)
{
	int r = trust_read(worktree, f);
	f->error = r < 0 ? r : 0;
	return config_load_project(p, worktree, f->text, f->len, f->path,
				   f->state == TRUST_TRUSTED, home, err);
}

static int write_record(const char *path, const char *text)
{
	_cleanup_free_ char *dir = strdup(path);
	if (!dir)
		return -ENOMEM;
	char *slash = strrchr(dir, '/');
	*slash = '\0';
	return file_write_atomic(dir, slash + 1, text, strlen(text), 0600);
}

int trust_pin(const char *worktree, const struct trust_file *f)
{
	_cleanup_free_ char *rec = NULL, *text = NULL;
	int r = record_path(worktree, "", &rec);
	if (r < 0)
		return r;
	if (asprintf(&text, "sha256 %s\npath %s\n", f->hex, worktree) < 0)
		return -ENOMEM;
	return write_record(rec, text);
}

int trust_forget(const char *worktree)
{
	_cleanup_free_ char *rec = NULL;
	int r = record_path(worktree, "", &rec);
	if (r < 0)
		return r;
	return unlink(rec) < 0 && errno != ENOENT ? -errno : 0;
}

bool trust_first_notice(const char *worktree, const struct trust_file *f)
{
	_cleanup_free_ char *rec = NULL, *text = NULL;
	char said[65];
	if (record_path(worktree, ".noticed", &rec) < 0)
		return true;
	record_hash(rec, said);
	if (streq(said, f->hex))
		return false;
	if (asprintf(&text, "sha256 %s\n", f->hex) >= 0)
		write_record(rec, text);
	return true;
}
