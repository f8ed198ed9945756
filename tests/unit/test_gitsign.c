/* test_gitsign.c - the signing settings the sandbox's git gets
 * (sandbox/gitsign.c): only ssh signing, only with a key ssh_keys lists
 * (by fingerprint or as a key file), the key as git's key:: literal; read
 * from a scratch home's ~/.gitconfig and key files. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "base/file.h"
#include "base/util.h"
#include "policy/config.h"
#include "sandbox/gitsign.h"
#include "unit.h"

static const char ED[] = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBfoZEJaZdYAOIaIvvuL3hByklguaJVs3HBkORM4YXBH unit\n";
static const char ED_FP[] = "SHA256:A5RAJC2BL08WsXz3BbUo7VBVZm2GCBAaKILI/G6HFik";
static const char RSA_FP[] = "SHA256:RlhLqAKH3tdvTtGVSbcdmKObtxvBRQwrMb6cP33TYKo";
static char home[PATH_MAX];

static void gitconfig(const char *text)
{
	CHECK(file_write_atomic(home, ".gitconfig", text, strlen(text), 0644) == 0);
}

static char *with_keys(const char *k1, const char *k2)
{
	struct policy p;
	struct policy_layer l = { 0 };
	struct config_error e;
	char text[2 * PATH_MAX + 64];
	snprintf(text, sizeof(text), "ssh_keys = { \"%s\"%s%s%s }\n", k1, k2 ? ", \"" : "", k2 ? k2 : "",
		 k2 ? "\"" : "");
	policy_init_defaults(&p);
	CHECK(config_parse_text(text, strlen(text), "u.conf", home, &l, &e) == 0);
	CHECK(config_merge(&p, &l, LAYER_USER) == 0);
	char *ret = gitsign_config(&p, home);
	policy_layer_release(&l);
	policy_release(&p);
	return ret;
}

static void test_gitsign(void)
{
	char tmpl[] = "/var/tmp/test_gitsign.XXXXXX";
	CHECK(mkdtemp(tmpl) != NULL);
	snprintf(home, sizeof(home), "%s", tmpl);
	unsetenv("XDG_CONFIG_HOME");
	CHECK(file_write_atomic(home, "id_deploy.pub", ED, strlen(ED), 0644) == 0);
	CHECK(file_write_atomic(home, "id_deploy", "PRIVATE", 7, 0600) == 0);
	char keyfile[PATH_MAX + 16];
	snprintf(keyfile, sizeof(keyfile), "%s/id_deploy", home);

	gitconfig("[gpg]\n\tformat = ssh\n[user]\n\tsigningkey = ~/id_deploy.pub\n[commit]\n\tgpgsign = true\n");
	_cleanup_free_ char *t = with_keys(ED_FP, NULL);
	CHECK_STREQ(t, "# nsbsh: your commit signing settings (ssh_keys lists the key); read-only\n"
		       "[gpg]\n\tformat = ssh\n[user]\n\tsigningkey = \"key::ssh-ed25519 "
		       "AAAAC3NzaC1lZDI1NTE5AAAAIBfoZEJaZdYAOIaIvvuL3hByklguaJVs3HBkORM4YXBH\"\n"
		       "[commit]\n\tgpgsign = true\n");
	CHECK(t && !strstr(t, home)); /* no path of the home */
	/* listed as the key file (its .pub is the signing key) */
	_cleanup_free_ char *t2 = with_keys(RSA_FP, keyfile);
	CHECK(t2 && strstr(t2, "key::ssh-ed25519 AAAAC3"));
	/* not listed: nothing */
	CHECK(with_keys(RSA_FP, NULL) == NULL);
	/* the key:: form, and the private key's path (its .pub beside it) */
	gitconfig("[gpg]\n\tformat = ssh\n[user]\n\tsigningkey = key::ssh-ed25519 "
		  "AAAAC3NzaC1lZDI1NTE5AAAAIBfoZEJaZdYAOIaIvvuL3hByklguaJVs3HBkORM4YXBH\n");
	_cleanup_free_ char *t3 = with_keys(ED_FP, NULL);
	CHECK(t3 && strstr(t3, "key::ssh-ed25519 AAAAC3") && !strstr(t3, "[commit]"));
	gitconfig("[gpg]\n\tformat = ssh\n[user]\n\tsigningkey = ~/id_deploy\n");
	_cleanup_free_ char *t4 = with_keys(ED_FP, NULL);
	CHECK(t4 && strstr(t4, "key::ssh-ed25519 AAAAC3"));
	/* gpg signing, or none: nothing */
	gitconfig("[user]\n\tsigningkey = ~/id_deploy.pub\n");
	CHECK(with_keys(ED_FP, NULL) == NULL);
	gitconfig("[gpg]\n\tformat = openpgp\n[user]\n\tsigningkey = ~/id_deploy.pub\n");
	CHECK(with_keys(ED_FP, NULL) == NULL);
	gitconfig("[gpg]\n\tformat = ssh\n");
	CHECK(with_keys(ED_FP, NULL) == NULL);
	CHECK(remove_tree(home) == 0);
}

UNIT_MAIN("gitsign", test_gitsign)
