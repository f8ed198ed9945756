/* sshagent.c - the ssh-agent protocol, framed and parsed strictly (see
 * sshagent.h).  Every length is checked against what is left before it
 * is used; a message with a byte more or less than its fields is refused. */
#include "sandbox/sshagent.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "base/sha256.h"
#include "base/util.h"

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* A reader over one message's bytes. */
struct rd {
	const uint8_t *p;
	size_t n;
	bool bad;
};

static uint32_t rd_u32(struct rd *r)
{
	if (r->bad || r->n < 4) {
		r->bad = true;
		return 0;
	}
	uint32_t v = get32(r->p);
	r->p += 4;
	r->n -= 4;
	return v;
}

static struct sshagent_str rd_str(struct rd *r)
{
	struct sshagent_str s = { 0 };
	uint32_t len = rd_u32(r);
	if (r->bad || len > r->n) {
		r->bad = true;
		return s;
	}
	s.p = r->p;
	s.n = len;
	r->p += len;
	r->n -= len;
	return s;
}

int sshagent_msg_len(const uint8_t hdr[4], uint32_t *ret)
{
	uint32_t n = get32(hdr);
	if (n == 0)
		return -EBADMSG;
	if (n > SSHAGENT_MAX_MSG)
		return -EMSGSIZE;
	*ret = n;
	return 0;
}

bool sshagent_blob_ok(const uint8_t *blob, size_t n)
{
	struct rd r = { blob, n, false };
	struct sshagent_str t = rd_str(&r);
	if (r.bad || t.n == 0 || t.n > 64)
		return false;
	for (uint32_t i = 0; i < t.n; i++)
		if (t.p[i] <= ' ' || t.p[i] >= 0x7f)
			return false;
	return true;
}

int sshagent_parse_sign(const uint8_t *msg, size_t n, struct sshagent_sign *ret)
{
	if (n < 1 || msg[0] != SSH_AGENTC_SIGN_REQUEST)
		return -EBADMSG;
	struct rd r = { msg + 1, n - 1, false };
	struct sshagent_sign s;
	s.blob = rd_str(&r);
	s.data = rd_str(&r);
	s.flags = rd_u32(&r);
	if (r.bad || r.n != 0 || !sshagent_blob_ok(s.blob.p, s.blob.n))
		return -EBADMSG;
	*ret = s;
	return 0;
}

int sshagent_parse_identities(const uint8_t *msg, size_t n, struct sshagent_key *v, size_t max, size_t *ret_n)
{
	if (n < 1 || msg[0] != SSH_AGENT_IDENTITIES_ANSWER)
		return -EBADMSG;
	struct rd r = { msg + 1, n - 1, false };
	uint32_t count = rd_u32(&r);
	/* each key takes 8 bytes at least: a count beyond that is a lie */
	if (r.bad || count > r.n / 8)
		return -EBADMSG;
	size_t kept = 0;
	for (uint32_t i = 0; i < count; i++) {
		struct sshagent_key k;
		k.blob = rd_str(&r);
		k.comment = rd_str(&r);
		if (r.bad || !sshagent_blob_ok(k.blob.p, k.blob.n))
			return -EBADMSG;
		if (kept < max)
			v[kept++] = k;
	}
	if (r.n != 0)
		return -EBADMSG;
	*ret_n = kept;
	return 0;
}

bool sshagent_sign_answer_ok(const uint8_t *msg, size_t n)
{
	if (n == 1 && msg[0] == SSH_AGENT_FAILURE)
		return true;
	if (n < 1 || msg[0] != SSH_AGENT_SIGN_RESPONSE)
		return false;
	struct rd r = { msg + 1, n - 1, false };
	struct sshagent_str sig = rd_str(&r);
	return !r.bad && r.n == 0 && sig.n > 0;
}

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

void sshagent_fingerprint(const uint8_t *blob, size_t n, char ret[SSHAGENT_FP_LEN + 1])
{
	uint8_t d[33];
	struct sha256 h;
	sha256_init(&h);
	sha256_update(&h, blob, n);
	sha256_final(&h, d);
	d[32] = 0;
	memcpy(ret, "SHA256:", 7);
	char *o = ret + 7;
	/* 32 bytes: 10 groups of 3, then 2 bytes as 3 characters */
	for (size_t i = 0; i < 33; i += 3) {
		uint32_t v = (uint32_t)d[i] << 16 | (uint32_t)d[i + 1] << 8 | (i + 2 < 33 ? d[i + 2] : 0);
		*o++ = b64[v >> 18 & 63];
		*o++ = b64[v >> 12 & 63];
		*o++ = b64[v >> 6 & 63];
		if (i + 3 < 33)
			*o++ = b64[v & 63];
	}
	*o = '\0';
}

bool sshagent_fp_listed(const uint8_t *blob, size_t n, const char *const *fps, size_t n_fps)
{
	char fp[SSHAGENT_FP_LEN + 1];
	sshagent_fingerprint(blob, n, fp);
	for (size_t i = 0; i < n_fps; i++)
		if (fps[i] && streq(fps[i], fp))
			return true;
	return false;
}

size_t sshagent_identities_answer(const struct sshagent_key *v, size_t n, uint8_t *buf, size_t cap)
{
	size_t len = 4 + 1 + 4;
	for (size_t i = 0; i < n; i++)
		len += 8 + (size_t)v[i].blob.n + v[i].comment.n;
	if (len > cap || len - 4 > SSHAGENT_MAX_MSG)
		return 0;
	put32(buf, (uint32_t)(len - 4));
	buf[4] = SSH_AGENT_IDENTITIES_ANSWER;
	put32(buf + 5, (uint32_t)n);
	uint8_t *o = buf + 9;
	for (size_t i = 0; i < n; i++) {
		const struct sshagent_str *s[2] = { &v[i].blob, &v[i].comment };
		for (int k = 0; k < 2; k++) {
			put32(o, s[k]->n);
			if (s[k]->n)
				memcpy(o + 4, s[k]->p, s[k]->n);
			o += 4 + s[k]->n;
		}
	}
	return len;
}

const char *sshagent_type_name(uint8_t type, char buf[16])
{
	static const struct {
		uint8_t type;
		const char *name;
	} names[] = {
		{ SSH_AGENTC_REQUEST_IDENTITIES, "REQUEST_IDENTITIES" },
		{ SSH_AGENTC_SIGN_REQUEST, "SIGN_REQUEST" },
		{ SSH_AGENTC_ADD_IDENTITY, "ADD_IDENTITY" },
		{ SSH_AGENTC_REMOVE_IDENTITY, "REMOVE_IDENTITY" },
		{ SSH_AGENTC_REMOVE_ALL_IDENTITIES, "REMOVE_ALL" },
		{ SSH_AGENTC_ADD_SMARTCARD_KEY, "ADD_SMARTCARD" },
		{ SSH_AGENTC_REMOVE_SMARTCARD_KEY, "REMOVE_SMARTCARD" },
		{ SSH_AGENTC_LOCK, "LOCK" },
		{ SSH_AGENTC_UNLOCK, "UNLOCK" },
		{ SSH_AGENTC_ADD_ID_CONSTRAINED, "ADD_CONSTRAINED" },
		{ SSH_AGENTC_ADD_SMARTCARD_KEY_CONSTRAINED, "ADD_SMARTCARD_C" },
		{ SSH_AGENTC_EXTENSION, "EXTENSION" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (names[i].type == type)
			return names[i].name;
	snprintf(buf, 16, "type %u", type);
	return buf;
}

static int b64_value(char c)
{
	const char *p = c ? strchr(b64, c) : NULL;
	return p ? (int)(p - b64) : -1;
}

size_t sshagent_pubkey_blob(const char *line, size_t len, uint8_t *buf, size_t cap)
{
	const char *end = line + len;
	if (len >= 5 && strncmp(line, "key::", 5) == 0)
		line += 5;
	const char *type = line;
	while (line < end && *line != ' ' && *line != '\t')
		line++;
	size_t type_len = (size_t)(line - type);
	while (line < end && (*line == ' ' || *line == '\t'))
		line++;
	if (type_len == 0 || type_len > 64)
		return 0;
	size_t out = 0;
	uint32_t acc = 0;
	int bits = 0;
	bool padded = false;
	for (; line < end && *line != ' ' && *line != '\t' && *line != '\n' && *line != '\r'; line++) {
		if (*line == '=') {
			padded = true;
			continue;
		}
		int v = b64_value(*line);
		if (v < 0 || padded)
			return 0;
		acc = acc << 6 | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (out >= cap)
				return 0;
			buf[out++] = (uint8_t)(acc >> bits);
		}
	}
	/* the blob names the line's type first */
	if (out < 4 + type_len || !sshagent_blob_ok(buf, out) || get32(buf) != type_len ||
	    memcmp(buf + 4, type, type_len) != 0)
		return 0;
	return out;
}
