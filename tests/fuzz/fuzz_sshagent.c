/* fuzz_sshagent.c - libFuzzer target for sandbox/sshagent.c, the protocol
 * the sandbox's agent reads from code inside and from agents outside.
 * Besides memory errors, it checks the promises of sshagent.h: what a
 * parse accepts lies within the message, an identities answer rebuilt from
 * a parse parses to the same keys, a sign request's blob is a key blob. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sandbox/sshagent.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int inside(const struct sshagent_str *s, const uint8_t *m, size_t n)
{
	return s->n == 0 || (s->p >= m && s->p + s->n <= m + n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size > SSHAGENT_MAX_MSG)
		return 0;
	uint32_t len;
	if (size >= 4)
		(void)sshagent_msg_len(data, &len);
	struct sshagent_sign s;
	if (sshagent_parse_sign(data, size, &s) == 0 &&
	    (!inside(&s.blob, data, size) || !inside(&s.data, data, size) || !sshagent_blob_ok(s.blob.p, s.blob.n)))
		abort();
	(void)sshagent_sign_answer_ok(data, size);
	struct sshagent_key v[SSHAGENT_MAX_KEYS], w[SSHAGENT_MAX_KEYS];
	size_t n = 0, m = 0;
	if (sshagent_parse_identities(data, size, v, SSHAGENT_MAX_KEYS, &n) == 0) {
		uint8_t *buf = malloc(size + 16);
		for (size_t i = 0; i < n; i++)
			if (!inside(&v[i].blob, data, size) || !inside(&v[i].comment, data, size))
				abort();
		size_t out = buf ? sshagent_identities_answer(v, n, buf, size + 16) : 0;
		if (buf && (out == 0 || sshagent_parse_identities(buf + 4, out - 4, w, SSHAGENT_MAX_KEYS, &m) != 0 ||
			    m != n))
			abort();
		for (size_t i = 0; buf && i < n; i++)
			if (w[i].blob.n != v[i].blob.n || memcmp(w[i].blob.p, v[i].blob.p, v[i].blob.n) != 0)
				abort();
		free(buf);
	}
	uint8_t blob[1024];
	char fp[SSHAGENT_FP_LEN + 1];
	size_t bn = sshagent_pubkey_blob((const char *)data, size, blob, sizeof(blob));
	if (bn > sizeof(blob))
		abort();
	sshagent_fingerprint(data, size, fp);
	if (strlen(fp) != SSHAGENT_FP_LEN)
		abort();
	return 0;
}
