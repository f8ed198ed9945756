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
	struct cache_key_input in = { .kind = "flake", .env_rel = rel, .nix_id = nix_id,
				      .system = "x86_64-linux", .files = files, .n_files = 2 };
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

/* devenv's identity and the policy's tools are in the key; absent, the
 * key is the one made before they existed (a flake's entries stay hits). */
static void test_devenv_and_tools(void)
{
	char base[65], k[65], d1[65];
	struct cache_file files[] = { { "devenv.nix", "{ }", 3 } };
	struct cache_key_input in = { .kind = "devenv", .env_rel = "", .nix_id = "nix:1:2",
				      .system = "x86_64-linux", .files = files, .n_files = 1 };
	const char *tools[] = { "nixpkgs#ripgrep", "path:/t#x" };

	cache_key_compute(&in, base);
	in.devenv_id = "/usr/bin/devenv:10:20";
	cache_key_compute(&in, d1);
	CHECK(strcmp(base, d1) != 0);
	in.devenv_id = "/usr/bin/devenv:10:21";
	cache_key_compute(&in, k);
	CHECK(strcmp(d1, k) != 0); /* devenv upgraded in place */
	in.devenv_id = "none";
	cache_key_compute(&in, k);
	CHECK(strcmp(d1, k) != 0 && strcmp(base, k) != 0);

	in.devenv_id = NULL;
	in.tools = tools;
	in.n_tools = 1;
	cache_key_compute(&in, k);
	CHECK(strcmp(base, k) != 0);
	char one[65];
	memcpy(one, k, 65);
	in.n_tools = 2;
	cache_key_compute(&in, k);
	CHECK(strcmp(one, k) != 0);
	const char *swapped[] = { "path:/t#x", "nixpkgs#ripgrep" };
	char two[65];
	memcpy(two, k, 65);
	in.tools = swapped;
	cache_key_compute(&in, k);
	CHECK(strcmp(two, k) != 0); /* the order is PATH's order */
	in.n_tools = 0;
	cache_key_compute(&in, k);
	CHECK_STREQ(k, base);

	/* the tags cannot be read as one more file */
	struct cache_file more[] = { { "devenv.nix", "{ }", 3 }, { "devenv", NULL, 0 } };
	struct cache_key_input a = in, b = in;
	a.files = more;
	a.n_files = 2;
	b.devenv_id = "absent";
	char ka[65], kb[65];
	cache_key_compute(&a, ka);
	cache_key_compute(&b, kb);
	CHECK(strcmp(ka, kb) != 0);
}

UNIT_MAIN("cachekey", test_devenv_and_tools, test_stable_and_hex, test_each_input_matters, test_no_concatenation_collision)
