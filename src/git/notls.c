/* notls.c - keep libgit2's TLS set-up off nsbsh's start path.
 *
 * Debian's libgit2 is built with mbedTLS, and git_libgit2_init() parses
 * every certificate of /etc/ssl/certs/ca-certificates.crt (about 5 ms of
 * the 1.7 ms + 5 ms it takes here), on every start of a login shell.
 * nsbsh only reads local repositories with libgit2 and never uses its
 * network transports, so it needs no certificates at all.  These two
 * definitions interpose on mbedTLS's certificate loaders (the executable's
 * symbols come first in the dynamic linker's lookup): libgit2's calls load
 * nothing and succeed.  With a libgit2 built on another TLS library they are
 * simply never called.  tests/bench shows the difference. */
int mbedtls_x509_crt_parse_file(void *chain, const char *path);
int mbedtls_x509_crt_parse_path(void *chain, const char *path);

int mbedtls_x509_crt_parse_file(void *chain, const char *path)
{
	(void)chain;
	(void)path;
	return 0;
}

int mbedtls_x509_crt_parse_path(void *chain, const char *path)
{
	(void)chain;
	(void)path;
	return 0;
}
