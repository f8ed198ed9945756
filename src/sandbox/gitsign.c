/* gitsign.c - the user's commit signing settings for the sandbox's git
 * (see gitsign.h).
 *
 * Read from the user's global git config (~/.gitconfig, then
 * $XDG_CONFIG_HOME/git/config, the later winning as in git; includes are
 * not followed) with the pure reader of git/gitconfig.h.  Only ssh signing
 * (gpg.format = ssh) is carried, and only when the signing key is one the
 * sandbox's agent offers (agent.c AGENT-1): its public key is written as
 * git's "key::" literal, so that no path of the user's home is named
 * inside, and ssh-keygen -Y sign finds the key through SSH_AUTH_SOCK. */
#include "sandbox/gitsign.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

#include "base/file.h"
#include "base/path.h"
#include "base/strbuf.h"
#include "base/util.h"
#include "git/gitconfig.h"
#include "policy/config.h"
#include "sandbox/sshagent.h"

struct settings {
	char *format, *signingkey, *commit_gpgsign, *tag_gpgsign;
};

static void settings_release(struct settings *s)
{
	free(s->format);
	free(s->signingkey);
	free(s->commit_gpgsign);
	free(s->tag_gpgsign);
}

static int take(const struct gitconfig_entry *e, void *ctx)
{
	struct settings *s = ctx;
	char **dst = NULL;
	if (e->subsection)
		return 0;
	if (streq(e->section, "gpg") && streq(e->name, "format"))
		dst = &s->format;
	else if (streq(e->section, "user") && streq(e->name, "signingkey"))
		dst = &s->signingkey;
	else if (streq(e->section, "commit") && streq(e->name, "gpgsign"))
		dst = &s->commit_gpgsign;
	else if (streq(e->section, "tag") && streq(e->name, "gpgsign"))
		dst = &s->tag_gpgsign;
	if (!dst)
		return 0;
	char *v = strdup(e->value ? e->value : "true");
	if (!v)
		return -ENOMEM;
	free(*dst);
	*dst = v;
	return 0;
}

static void read_config(const char *path, struct settings *s)
{
	_cleanup_free_ char *text = NULL;
	size_t len = 0;
	int line;
	if (path && file_read(AT_FDCWD, path, GITCONFIG_MAX_FILE, 0, &text, &len) == 0)
		(void)gitconfig_parse(text, len, take, s, &line);
}

/* ~ expanded (malloc'ed). */
static char *expand(const char *p, const char *home)
{
	char *r = NULL;
	if (p[0] == '~' && p[1] == '/')
		return asprintf(&r, "%s%s", home, p + 1) < 0 ? NULL : r;
	return strdup(p);
}

/* The public key line of a key file: path itself when it is one, else
 * path.pub; *ret_blob its blob, *ret_n its length. */
static char *pub_line(const char *path, uint8_t *blob, size_t cap, size_t *ret_n)
{
	_cleanup_free_ char *pub = NULL;
	char *text = NULL;
	size_t len = 0;
	*ret_n = 0;
	if (file_read(AT_FDCWD, path, 16384, 0, &text, &len) == 0 && (*ret_n = sshagent_pubkey_blob(text, len, blob, cap)))
		return text;
	free(text);
	text = NULL;
	if (asprintf(&pub, "%s.pub", path) < 0)
		return NULL;
	if (file_read(AT_FDCWD, pub, 16384, 0, &text, &len) == 0 && (*ret_n = sshagent_pubkey_blob(text, len, blob, cap)))
		return text;
	free(text);
	return NULL;
}

char *gitsign_config(const struct policy *pol, const char *home)
{
	if (!pol->ssh_keys.n || !home)
		return NULL;
	struct settings s = { 0 };
	_cleanup_free_ char *global = path_join(home, ".gitconfig"), *xdg = NULL;
	const char *x = getenv("XDG_CONFIG_HOME");
	if (x && x[0] == '/')
		xdg = path_join(x, "git/config");
	else
		xdg = path_join(home, ".config/git/config");
	read_config(global, &s);
	read_config(xdg, &s);
	char *ret = NULL;
	uint8_t blob[16384];
	size_t n = 0;
	_cleanup_free_ char *line = NULL, *key_path = NULL;
	if (!s.format || strcasecmp(s.format, "ssh") != 0 || !s.signingkey)
		goto out;
	if (strncmp(s.signingkey, "key::", 5) == 0) {
		line = strdup(s.signingkey + 5);
		n = line ? sshagent_pubkey_blob(line, strlen(line), blob, sizeof(blob)) : 0;
	} else if ((key_path = expand(s.signingkey, home))) {
		line = pub_line(key_path, blob, sizeof(blob), &n);
	}
	if (n == 0)
		goto out;
	/* listed: by fingerprint, or as a key file whose public key it is */
	bool listed = false;
	char fp[SSHAGENT_FP_LEN + 1];
	sshagent_fingerprint(blob, n, fp);
	for (size_t i = 0; i < pol->ssh_keys.n && !listed; i++) {
		const char *k = pol->ssh_keys.v[i].value;
		if (strncmp(k, "SHA256:", 7) == 0) {
			listed = streq(k, fp);
			continue;
		}
		uint8_t other[16384];
		size_t on = 0;
		_cleanup_free_ char *l2 = pub_line(k, other, sizeof(other), &on);
		listed = on == n && memcmp(other, blob, n) == 0;
	}
	if (!listed)
		goto out;
	/* the line as one line: type and base64, no comment */
	line[strcspn(line, "\r\n")] = '\0';
	char *sp = strchr(line, ' ');
	if (sp && (sp = strchr(sp + 1, ' ')))
		*sp = '\0';
	struct strbuf b = { 0 };
	strbuf_adds(&b, "# nsbsh: your commit signing settings (ssh_keys lists the key); read-only\n"
			"[gpg]\n\tformat = ssh\n[user]\n\tsigningkey = \"key::");
	for (const char *c = line; *c; c++)
		strbuf_addf(&b, "%s%c", *c == '"' || *c == '\\' ? "\\" : "", *c);
	strbuf_adds(&b, "\"\n");
	if (s.commit_gpgsign && gitconfig_is_bool(s.commit_gpgsign))
		strbuf_addf(&b, "[commit]\n\tgpgsign = %s\n", s.commit_gpgsign);
	if (s.tag_gpgsign && gitconfig_is_bool(s.tag_gpgsign))
		strbuf_addf(&b, "[tag]\n\tgpgsign = %s\n", s.tag_gpgsign);
	ret = strbuf_steal(&b);
out:
	settings_release(&s);
	return ret;
}
