/* test_sshagent.c - the ssh-agent protocol of the sandbox's agent
 * (sandbox/sshagent.c): framing bounds, strict parses, fingerprints as
 * ssh-keygen -l prints them. */
#include "unit.h"

#include <errno.h>
#include <stdlib.h>

#include "base/util.h"
#include "sandbox/sshagent.h"

/* ssh-keygen -t ed25519 / -t rsa -b 1024, and what ssh-keygen -lf says */
static const char ED[] = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBfoZEJaZdYAOIaIvvuL3hByklguaJVs3HBkORM4YXBH unit";
static const char ED_FP[] = "SHA256:A5RAJC2BL08WsXz3BbUo7VBVZm2GCBAaKILI/G6HFik";
static const char RSA[] =
	"ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQDWWZhfkk0cfk6FXgxsc/hjeX25SAixGVXDIB9VziLxHQi44OkTX7N43snZ0oPawHWk"
	"X7ObzvTdrzXg8nCI7FX+PeftYz1RNPe/mWdIl7B5CZRDFGcyfU/klNpQYWJg/gouT/vk2Sk5gYYFkM9+B6eEQvRdKYrSk1Fa0eYCkGnSHw== unitrsa";
static const char RSA_FP[] = "SHA256:RlhLqAKH3tdvTtGVSbcdmKObtxvBRQwrMb6cP33TYKo";

static size_t put_str(uint8_t *o, const void *p, uint32_t n)
{
	o[0] = (uint8_t)(n >> 24);
	o[1] = (uint8_t)(n >> 16);
	o[2] = (uint8_t)(n >> 8);
	o[3] = (uint8_t)n;
	memcpy(o + 4, p, n);
	return 4 + n;
}

static void test_fingerprint(void)
{
	uint8_t blob[512];
	char fp[SSHAGENT_FP_LEN + 1];
	size_t n = sshagent_pubkey_blob(ED, strlen(ED), blob, sizeof(blob));
	CHECK(n == 51);
	sshagent_fingerprint(blob, n, fp);
	CHECK_STREQ(fp, ED_FP);
	CHECK(strlen(fp) == SSHAGENT_FP_LEN);
	const char *fps[] = { RSA_FP, ED_FP };
	CHECK(sshagent_fp_listed(blob, n, fps, 2));
	CHECK(!sshagent_fp_listed(blob, n, fps, 1));
	n = sshagent_pubkey_blob(RSA, strlen(RSA), blob, sizeof(blob));
	CHECK(n > 100);
	sshagent_fingerprint(blob, n, fp);
	CHECK_STREQ(fp, RSA_FP);
	/* git's key:: form, and what is not a key line */
	char git[200];
	snprintf(git, sizeof(git), "key::%s", ED);
	CHECK(sshagent_pubkey_blob(git, strlen(git), blob, sizeof(blob)) == 51);
	CHECK(sshagent_pubkey_blob("ssh-rsa AAAAC3NzaC1lZDI1NTE5AAAAIBfoZEJaZdYAOIaIvvuL3hByklguaJVs3HBkORM4YXBH", 79,
				   blob, sizeof(blob)) == 0); /* the blob is an ed25519 key */
	CHECK(sshagent_pubkey_blob("ssh-ed25519 AAAA*", 17, blob, sizeof(blob)) == 0);
	CHECK(sshagent_pubkey_blob("", 0, blob, sizeof(blob)) == 0);
	CHECK(sshagent_pubkey_blob(ED, strlen(ED), blob, 20) == 0); /* too small a buffer */
}

static void test_framing(void)
{
	uint32_t n = 0;
	CHECK(sshagent_msg_len((const uint8_t[]){ 0, 0, 0, 1 }, &n) == 0 && n == 1);
	CHECK(sshagent_msg_len((const uint8_t[]){ 0, 4, 0, 0 }, &n) == 0 && n == SSHAGENT_MAX_MSG);
	CHECK(sshagent_msg_len((const uint8_t[]){ 0, 4, 0, 1 }, &n) == -EMSGSIZE);
	CHECK(sshagent_msg_len((const uint8_t[]){ 0xff, 0xff, 0xff, 0xff }, &n) == -EMSGSIZE);
	CHECK(sshagent_msg_len((const uint8_t[]){ 0, 0, 0, 0 }, &n) == -EBADMSG);
}

static void test_sign(void)
{
	uint8_t blob[512], m[1024];
	size_t bn = sshagent_pubkey_blob(ED, strlen(ED), blob, sizeof(blob));
	size_t n = 0;
	m[n++] = SSH_AGENTC_SIGN_REQUEST;
	n += put_str(m + n, blob, (uint32_t)bn);
	n += put_str(m + n, "data", 4);
	m[n++] = 0, m[n++] = 0, m[n++] = 0, m[n++] = 4; /* rsa-sha2-512 */
	struct sshagent_sign s;
	CHECK(sshagent_parse_sign(m, n, &s) == 0);
	CHECK(s.blob.n == bn && memcmp(s.blob.p, blob, bn) == 0 && s.data.n == 4 && s.flags == 4);
	/* a byte more, a byte less, a string longer than the message */
	m[n] = 0;
	CHECK(sshagent_parse_sign(m, n + 1, &s) == -EBADMSG);
	CHECK(sshagent_parse_sign(m, n - 1, &s) == -EBADMSG);
	m[5 + bn + 3] = 200;
	CHECK(sshagent_parse_sign(m, n, &s) == -EBADMSG);
	m[5 + bn + 3] = 4;
	m[0] = SSH_AGENTC_ADD_IDENTITY;
	CHECK(sshagent_parse_sign(m, n, &s) == -EBADMSG);
	/* a blob that is no key blob */
	size_t k = 0;
	m[k++] = SSH_AGENTC_SIGN_REQUEST;
	k += put_str(m + k, "\0\0\0\0", 4);
	k += put_str(m + k, "d", 1);
	memset(m + k, 0, 4);
	CHECK(sshagent_parse_sign(m, k + 4, &s) == -EBADMSG);
	CHECK(sshagent_parse_sign(m, 0, &s) == -EBADMSG);
	/* answers */
	CHECK(sshagent_sign_answer_ok((const uint8_t[]){ SSH_AGENT_FAILURE }, 1));
	CHECK(!sshagent_sign_answer_ok((const uint8_t[]){ SSH_AGENT_SUCCESS }, 1));
	uint8_t a[16] = { SSH_AGENT_SIGN_RESPONSE };
	size_t an = 1 + put_str(a + 1, "sig", 3);
	CHECK(sshagent_sign_answer_ok(a, an));
	CHECK(!sshagent_sign_answer_ok(a, an - 1));
	CHECK(!sshagent_sign_answer_ok(a, an + 1));
}

static void test_identities(void)
{
	uint8_t b1[512], b2[512], out[2048], m[2048];
	size_t n1 = sshagent_pubkey_blob(ED, strlen(ED), b1, sizeof(b1));
	size_t n2 = sshagent_pubkey_blob(RSA, strlen(RSA), b2, sizeof(b2));
	struct sshagent_key keys[2] = { { { b1, (uint32_t)n1 }, { (const uint8_t *)"one", 3 } },
					{ { b2, (uint32_t)n2 }, { (const uint8_t *)"", 0 } } };
	size_t len = sshagent_identities_answer(keys, 2, out, sizeof(out));
	CHECK(len == 4 + 1 + 4 + 8 + n1 + 3 + 8 + n2);
	uint32_t framed = 0;
	CHECK(sshagent_msg_len(out, &framed) == 0 && framed == len - 4);
	struct sshagent_key v[2];
	size_t got = 0;
	CHECK(sshagent_parse_identities(out + 4, len - 4, v, 2, &got) == 0 && got == 2);
	CHECK(got == 2 && v[1].blob.n == n2 && memcmp(v[1].blob.p, b2, n2) == 0 && v[0].comment.n == 3);
	/* kept: at most max, the rest still checked */
	CHECK(sshagent_parse_identities(out + 4, len - 4, v, 1, &got) == 0 && got == 1);
	CHECK(sshagent_parse_identities(out + 4, len - 5, v, 2, &got) == -EBADMSG);
	memcpy(m, out + 4, len - 4);
	m[len - 4] = 0;
	CHECK(sshagent_parse_identities(m, len - 3, v, 2, &got) == -EBADMSG);
	m[4] = 3; /* three keys said, two there */
	CHECK(sshagent_parse_identities(m, len - 4, v, 2, &got) == -EBADMSG);
	m[1] = 0x7f; /* a count beyond what the bytes can hold */
	CHECK(sshagent_parse_identities(m, len - 4, v, 2, &got) == -EBADMSG);
	CHECK(sshagent_identities_answer(keys, 2, out, 40) == 0);
	CHECK(sshagent_identities_answer(keys, 0, out, sizeof(out)) == 9);
	char b[16];
	CHECK_STREQ(sshagent_type_name(SSH_AGENTC_REMOVE_ALL_IDENTITIES, b), "REMOVE_ALL");
	CHECK_STREQ(sshagent_type_name(99, b), "type 99");
}

UNIT_MAIN("sshagent", test_fingerprint, test_framing, test_sign, test_identities)
