/* sshagent.h - the ssh-agent protocol (draft-miller-ssh-agent) as the
 * sandbox's filtering agent (agent.c) reads and writes it: messages framed
 * and parsed strictly, key fingerprints, public key lines.  Pure: it reads
 * the bytes it is given, nothing else; fuzzed (tests/fuzz/fuzz_sshagent.c).
 *
 * A message is a uint32 length (big-endian, counting what follows), a type
 * byte, then its fields; a string is a uint32 length and that many bytes. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The longest message either side may send (a sign request carries the
 * data to sign: ssh's are a few hundred bytes, ssh-keygen -Y sign sends a
 * hash of the file, not the file). */
#define SSHAGENT_MAX_MSG (256u * 1024)
/* Identities taken from one answer of an agent (more are dropped). */
#define SSHAGENT_MAX_KEYS 64
/* "SHA256:" and 43 characters of unpadded base64. */
#define SSHAGENT_FP_LEN 50

enum sshagent_type {
	SSH_AGENT_FAILURE = 5,
	SSH_AGENT_SUCCESS = 6,
	SSH_AGENTC_REQUEST_IDENTITIES = 11,
	SSH_AGENT_IDENTITIES_ANSWER = 12,
	SSH_AGENTC_SIGN_REQUEST = 13,
	SSH_AGENT_SIGN_RESPONSE = 14,
	SSH_AGENTC_ADD_IDENTITY = 17,
	SSH_AGENTC_REMOVE_IDENTITY = 18,
	SSH_AGENTC_REMOVE_ALL_IDENTITIES = 19,
	SSH_AGENTC_ADD_SMARTCARD_KEY = 20,
	SSH_AGENTC_REMOVE_SMARTCARD_KEY = 21,
	SSH_AGENTC_LOCK = 22,
	SSH_AGENTC_UNLOCK = 23,
	SSH_AGENTC_ADD_ID_CONSTRAINED = 25,
	SSH_AGENTC_ADD_SMARTCARD_KEY_CONSTRAINED = 26,
	SSH_AGENTC_EXTENSION = 27,
	SSH_AGENT_EXTENSION_FAILURE = 28,
};

/* Bytes inside a message (borrowed). */
struct sshagent_str {
	const uint8_t *p;
	uint32_t n;
};

/* The length a message's header says: 0 and *ret (1 to SSHAGENT_MAX_MSG);
 * -EBADMSG for an empty message, -EMSGSIZE above the bound. */
int sshagent_msg_len(const uint8_t hdr[4], uint32_t *ret);

/* A sign request's fields; msg is the message after its length (its type
 * byte first), n its length.  0, or -EBADMSG unless it is exactly a key
 * blob, the data and the flags, nothing after. */
struct sshagent_sign {
	struct sshagent_str blob, data;
	uint32_t flags;
};
int sshagent_parse_sign(const uint8_t *msg, size_t n, struct sshagent_sign *ret);

/* An identities answer's keys, at most max of them in v (the rest are
 * counted out, not kept): 0 and *ret_n, or -EBADMSG unless it is exactly
 * the count and that many (blob, comment) pairs, each blob a key blob
 * (sshagent_blob_ok). */
struct sshagent_key {
	struct sshagent_str blob, comment;
};
int sshagent_parse_identities(const uint8_t *msg, size_t n, struct sshagent_key *v, size_t max, size_t *ret_n);

/* Whether an upstream agent's answer to a sign request is one the sandbox
 * may get: a failure (the type alone), or a sign response of exactly one
 * string. */
bool sshagent_sign_answer_ok(const uint8_t *msg, size_t n);

/* Whether blob starts as a key blob does: a string of 1 to 64 printable
 * characters, the key's type name ("ssh-ed25519"). */
bool sshagent_blob_ok(const uint8_t *blob, size_t n);

/* "SHA256:" and the unpadded base64 of the blob's SHA-256, as ssh-keygen
 * -l prints it. */
void sshagent_fingerprint(const uint8_t *blob, size_t n, char ret[SSHAGENT_FP_LEN + 1]);
/* Whether blob's fingerprint is one of the n of fps. */
bool sshagent_fp_listed(const uint8_t *blob, size_t n, const char *const *fps, size_t n_fps);

/* An identities answer of the n keys (framed: its length first), into
 * buf of size cap: its length, or 0 when it does not fit. */
size_t sshagent_identities_answer(const struct sshagent_key *v, size_t n, uint8_t *buf, size_t cap);

/* The name of a request type for the log ("ADD_IDENTITY"), "type N" in
 * buf for one the draft does not name. */
const char *sshagent_type_name(uint8_t type, char buf[16]);

/* An OpenSSH public key line ("ssh-ed25519 AAAA... comment", or git's
 * "key::ssh-ed25519 AAAA..."): the blob its base64 holds, into buf of size
 * cap; its length, or 0 when it is not such a line (or its blob does not
 * name the type the line does). */
size_t sshagent_pubkey_blob(const char *line, size_t len, uint8_t *buf, size_t cap);
