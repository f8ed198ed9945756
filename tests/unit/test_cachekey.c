/* Unit tests for the cache key (cache_key_compute): content, not paths. */
#include "env/cache.h"
#include "unit.h"

static void key_of(const char *nix, const char *lock, const char *rel, const char *nix_id,
		   char out[65])
{
	struct cache_file files[] = {
		{ "flake.nix", nix, nix ? strlen(nix) : 0 },
		{ "flake.lock", lock, lock ? strlen(lock) : 0 },
	};
	struct cache_key_input in = { "flake", rel, nix_id, "x86_64-linux", files, 2 };
	cache_key_compute(&in, out);
}

static void test_stable_and_hex(void)
{
	char a[65], b[65];
	key_of("{ }", NULL, "", "nix:1:2", a);
	key_of("{ }", NULL, "", "nix:1:2", b);
	CHECK_STREQ(a, b);
	CHECK(strlen(a) == 64);
	CHECK(strspn(a, "0123456789abcdef") == 64);
}

static void test_each_input_matters(void)
{
	char base[65], k[65];
	key_of("{ }", "lock", "", "nix:1:2", base);
	key_of("{ } ", "lock", "", "nix:1:2", k);
	CHECK(strcmp(base, k) != 0); /* flake.nix edited */
	key_of("{ }", "lock2", "", "nix:1:2", k);
	CHECK(strcmp(base, k) != 0); /* flake.lock changed */
	key_of("{ }", NULL, "", "nix:1:2", k);
	CHECK(strcmp(base, k) != 0); /* flake.lock removed */
	key_of("{ }", "", "", "nix:1:2", k);
	CHECK(strcmp(base, k) != 0); /* empty is not absent */
	key_of("{ }", "lock", "sub", "nix:1:2", k);
	CHECK(strcmp(base, k) != 0); /* another env file of the same tree */
	key_of("{ }", "lock", "", "nix:1:3", k);
	CHECK(strcmp(base, k) != 0); /* nix upgraded */
}

static void test_no_concatenation_collision(void)
{
	char a[65], b[65];
	/* Moving bytes from one file to the next must change the key. */
	key_of("ab", "c", "", "n", a);
	key_of("a", "bc", "", "n", b);
	CHECK(strcmp(a, b) != 0);
	key_of("x", NULL, "ab", "c", a);
	key_of("x", NULL, "a", "bc", b);
	CHECK(strcmp(a, b) != 0);
}

UNIT_MAIN("cachekey", test_stable_and_hex, test_each_input_matters, test_no_concatenation_collision)
