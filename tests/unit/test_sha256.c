/* test_sha256.c - FIPS 180-4 example vectors, whole and in odd chunks. */
#include "base/sha256.h"
#include "unit.h"

static void test_vectors(void)
{
	char hex[65];

	sha256_hex_of("", 0, hex);
	CHECK_STREQ(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	sha256_hex_of("abc", 3, hex);
	CHECK_STREQ(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	sha256_hex_of("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56, hex);
	CHECK_STREQ(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

/* One million 'a' in chunks of 1, 2, ..., 127 bytes, so that the buffer
 * boundary falls at every offset. */
static void test_million_a(void)
{
	static char a[127];
	struct sha256 s;
	uint8_t d[32];
	char hex[65];
	size_t left = 1000000;

	memset(a, 'a', sizeof(a));
	sha256_init(&s);
	for (size_t n = 1; left > 0; n = n % sizeof(a) + 1) {
		size_t k = n < left ? n : left;

		sha256_update(&s, a, k);
		left -= k;
	}
	sha256_final(&s, d);
	sha256_hex(d, hex);
	CHECK_STREQ(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

/* Padding spills into a second block from 56 bytes on. */
static void test_padding_edges(void)
{
	static const char *const want[] = {
		[55] = "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318",
		[56] = "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a",
		[64] = "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb",
	};
	char a[64], hex[65];

	memset(a, 'a', sizeof(a));
	for (size_t n = 0; n < sizeof(want) / sizeof(want[0]); n++) {
		if (!want[n])
			continue;
		sha256_hex_of(a, n, hex);
		CHECK_STREQ(hex, want[n]);
	}
}

UNIT_MAIN("sha256", test_vectors, test_million_a, test_padding_edges)
