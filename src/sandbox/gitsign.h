/* gitsign.h - commit signing in the sandbox (policy ssh_keys): the user's
 * ssh signing settings (gpg.format = ssh, user.signingkey, commit.gpgsign,
 * tag.gpgsign) as a git config file the shell's view shows read-only at
 * GITSIGN_INSIDE, which the sandbox's git reads as its system config
 * (GIT_CONFIG_SYSTEM): `git commit -S` signs through the sandbox's agent. */
#pragma once

#define GITSIGN_INSIDE "/run/nsbsh/gitconfig"

struct policy;

/* The file's text (malloc'ed), or NULL: no ssh signing configured, or its
 * key is not one ssh_keys lists (by fingerprint, or as a key file whose
 * public key it is), or out of memory.  Reads the user's global git config
 * in home and the public key files it names; runs nothing. */
char *gitsign_config(const struct policy *pol, const char *home);
