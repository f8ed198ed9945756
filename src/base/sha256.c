/* sha256.c - SHA-256 as in FIPS 180-4, section 6.2. */
#include "base/sha256.h"

#include <stdbool.h>
#include <string.h>

static const uint32_t K[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
	0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
	0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
	0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static uint32_t ror(uint32_t x, int n)
{
	return x >> n | x << (32 - n);
}

static void sha256_block_c(struct sha256 *s, const uint8_t *p)
{
	uint32_t w[64];

	for (int i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
		       (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
	for (int i = 16; i < 64; i++) {
		uint32_t s0 = ror(w[i - 15], 7) ^ ror(w[i - 15], 18) ^ w[i - 15] >> 3;
		uint32_t s1 = ror(w[i - 2], 17) ^ ror(w[i - 2], 19) ^ w[i - 2] >> 10;
		w[i] = w[i - 16] + s0 + w[i - 7] + s1;
	}
	/* the working variables in registers, not shifted through an array
	 * at each round: about three times as fast (a join hashes its view) */
	uint32_t a = s->h[0], b = s->h[1], c = s->h[2], d = s->h[3];
	uint32_t e = s->h[4], f = s->h[5], g = s->h[6], h = s->h[7];
	for (int i = 0; i < 64; i++) {
		uint32_t t1 = h + (ror(e, 6) ^ ror(e, 11) ^ ror(e, 25)) + ((e & f) ^ (~e & g)) + K[i] + w[i];
		uint32_t t2 = (ror(a, 2) ^ ror(a, 13) ^ ror(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
		h = g;
		g = f;
		f = e;
		e = d + t1;
		d = c;
		c = b;
		b = a;
		a = t1 + t2;
	}
	s->h[0] += a;
	s->h[1] += b;
	s->h[2] += c;
	s->h[3] += d;
	s->h[4] += e;
	s->h[5] += f;
	s->h[6] += g;
	s->h[7] += h;
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#if __has_include(<sys/platform/x86.h>)
#include <sys/platform/x86.h>
#else
#include <cpuid.h>
#endif

/* The same block with the CPU's SHA extensions (Intel SHA-NI, AMD Zen),
 * about eight times as fast: the message schedule four words at a time
 * (sha256msg1, sha256msg2), then two rounds an instruction (sha256rnds2)
 * on the state held as ABEF and CDGH. */
__attribute__((target("sha,sse4.1,ssse3"))) static void sha256_block_ni(struct sha256 *s, const uint8_t *p)
{
	const __m128i bswap = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
	__m128i t = _mm_loadu_si128((const __m128i *)&s->h[0]);
	__m128i st1 = _mm_loadu_si128((const __m128i *)&s->h[4]);
	t = _mm_shuffle_epi32(t, 0xB1);                  /* CDAB */
	st1 = _mm_shuffle_epi32(st1, 0x1B);              /* EFGH */
	__m128i st0 = _mm_alignr_epi8(t, st1, 8);        /* ABEF */
	st1 = _mm_blend_epi16(st1, t, 0xF0);             /* CDGH */
	const __m128i abef = st0, cdgh = st1;
	__m128i w[16];
	for (int i = 0; i < 4; i++)
		w[i] = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 16 * i)), bswap);
	/* W[t] = s1(W[t-2]) + W[t-7] + s0(W[t-15]) + W[t-16], four at a time */
	for (int i = 0; i < 12; i++)
		w[i + 4] = _mm_sha256msg2_epu32(
			_mm_add_epi32(_mm_sha256msg1_epu32(w[i], w[i + 1]), _mm_alignr_epi8(w[i + 3], w[i + 2], 4)),
			w[i + 3]);
	for (int i = 0; i < 16; i++) {
		__m128i m = _mm_add_epi32(w[i], _mm_loadu_si128((const __m128i *)&K[4 * i]));
		st1 = _mm_sha256rnds2_epu32(st1, st0, m);
		st0 = _mm_sha256rnds2_epu32(st0, st1, _mm_shuffle_epi32(m, 0x0E));
	}
	st0 = _mm_add_epi32(st0, abef);
	st1 = _mm_add_epi32(st1, cdgh);
	t = _mm_shuffle_epi32(st0, 0x1B);                /* FEBA */
	st1 = _mm_shuffle_epi32(st1, 0xB1);              /* DCHG */
	st0 = _mm_blend_epi16(t, st1, 0xF0);             /* DCBA */
	st1 = _mm_alignr_epi8(st1, t, 8);                /* HGFE */
	_mm_storeu_si128((__m128i *)&s->h[0], st0);
	_mm_storeu_si128((__m128i *)&s->h[4], st1);
}

/* Whether the CPU has them.  glibc (2.33) answers from what its loader
 * read at the start: in a VM each CPUID exits to the hypervisor (6.3 us
 * each on the one this was written on), and asking again took four, in
 * every start that hashes, a fast join's key among them. */
static bool sha_ni(void)
{
	static int have = -1;
	if (have < 0) {
#ifdef CPU_FEATURE_ACTIVE
		have = CPU_FEATURE_ACTIVE(SSE4_1) && CPU_FEATURE_ACTIVE(SSSE3) && CPU_FEATURE_ACTIVE(SHA);
#else
		unsigned a, b, c, d;
		have = __get_cpuid(1, &a, &b, &c, &d) && (c & bit_SSE4_1) && (c & bit_SSSE3) &&
		       __get_cpuid_count(7, 0, &a, &b, &c, &d) && (b & bit_SHA);
#endif
	}
	return have;
}

static void sha256_block(struct sha256 *s, const uint8_t *p)
{
	if (sha_ni())
		sha256_block_ni(s, p);
	else
		sha256_block_c(s, p);
}
#else
static void sha256_block(struct sha256 *s, const uint8_t *p)
{
	sha256_block_c(s, p);
}
#endif

void sha256_init(struct sha256 *s)
{
	static const uint32_t h0[8] = {
		0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
		0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
	};

	memcpy(s->h, h0, sizeof(h0));
	s->len = 0;
	s->buflen = 0;
}

void sha256_update(struct sha256 *s, const void *data, size_t len)
{
	const uint8_t *p = data;

	s->len += len;
	while (len > 0) {
		size_t n = sizeof(s->buf) - s->buflen;

		/* Whole blocks skip the copy into buf. */
		if (s->buflen == 0 && len >= sizeof(s->buf)) {
			sha256_block(s, p);
			n = sizeof(s->buf);
		} else {
			if (n > len)
				n = len;
			memcpy(s->buf + s->buflen, p, n);
			s->buflen += n;
			if (s->buflen == sizeof(s->buf)) {
				sha256_block(s, s->buf);
				s->buflen = 0;
			}
		}
		p += n;
		len -= n;
	}
}

void sha256_final(struct sha256 *s, uint8_t out[32])
{
	uint64_t bits = s->len * 8;
	uint8_t pad[72] = { 0x80 };
	/* Pad to 56 mod 64, leaving room for the 64-bit big-endian length. */
	size_t n = (s->buflen < 56 ? 56 : 120) - s->buflen;

	for (int i = 0; i < 8; i++)
		pad[n + i] = (uint8_t)(bits >> (56 - 8 * i));
	sha256_update(s, pad, n + 8);
	for (int i = 0; i < 32; i++)
		out[i] = (uint8_t)(s->h[i / 4] >> (24 - 8 * (i % 4)));
}

void sha256_hex(const uint8_t digest[32], char out[65])
{
	static const char hex[] = "0123456789abcdef";

	for (int i = 0; i < 32; i++) {
		out[2 * i] = hex[digest[i] >> 4];
		out[2 * i + 1] = hex[digest[i] & 15];
	}
	out[64] = '\0';
}

void sha256_hex_of(const void *data, size_t len, char out[65])
{
	struct sha256 h;
	uint8_t digest[32];
	sha256_init(&h);
	sha256_update(&h, data, len);
	sha256_final(&h, digest);
	sha256_hex(digest, out);
}
