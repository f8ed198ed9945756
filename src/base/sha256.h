/* sha256.h - SHA-256 (FIPS 180-4), for the content key of the env cache. Pure. */
#pragma once

#include <stddef.h>
#include <stdint.h>

struct sha256 {
	uint32_t h[8];
	uint64_t len;
	uint8_t buf[64];
	size_t buflen;
};

void sha256_init(struct sha256 *s);
void sha256_update(struct sha256 *s, const void *data, size_t len);
void sha256_final(struct sha256 *s, uint8_t out[32]);
/* out must hold 65 bytes: 64 lowercase hex digits and a NUL. */
void sha256_hex(const uint8_t digest[32], char out[65]);
/* The hex digest of one buffer. */
void sha256_hex_of(const void *data, size_t len, char out[65]);
