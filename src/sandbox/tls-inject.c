/* tls-inject.c - injected tokens (tls-inject.h): TLS opened by the proxy
 * outside for the hosts of `inject` only, a header set on each request.
 *
 * Why OpenSSL, and why dlopen: Debian's OpenSSL (libssl3) is on every
 * machine nsbsh runs on, its verification API checks the whole chain and
 * the host name for us (SSL_VERIFY_PEER with X509_VERIFY_PARAM_set1_host),
 * and it reads Debian's trust store as it is.  nsbsh's own exec must not
 * link it (every exec pays for each library linked: an empty program
 * linked with libssl and libcrypto, 5.4 MB, took 3.9 to 4.1 ms an exec
 * here against 1.5 to 1.8 ms without, 300 runs each), so it is loaded
 * with dlopen (base/dl.c)
 * by a live sandbox's supervisor, and only when its policy has inject,
 * just before the sandbox is built; the proxy is a fork of that
 * supervisor (no exec), so the CA's key and the leaf certificates stay in
 * the memory of one process tree outside, never in a file.  A separate
 * helper program would need the CA key passed to it, or a process per
 * connection.
 *
 * About 800 lines, on purpose: the symbol table, the CA and the relay of
 * one connection share one loaded library and one process's state (the
 * key, the leaves), which no other file may touch.
 *
 * Invariants (each has a check in tests/integration/t-inject.sh that
 * names it; the request framing is net/inject.c's, unit-tested):
 * INJECT-1 listed-hosts-only: only a CONNECT whose host is an inject
 *          entry's (the same name, case aside) is intercepted; any other
 *          is relayed as bytes, the sandbox's own TLS untouched.
 * INJECT-2 secret-never-inside: a secret is read outside, by the
 *          supervisor, and is in no file, variable or mount the sandbox
 *          sees; inside, env:NAME's NAME is INJECT_PLACEHOLDER; a value
 *          the client sent for the header is replaced, never kept.
 * INJECT-3 upstream-verified: the proxy talks to the real server only
 *          after TLS verified its chain against inject_ca_file (the
 *          system's bundle by default, never the sandbox's) and its name
 *          or address against the host asked for; a server that fails
 *          gets no request, the client a closed connection.
 * INJECT-4 ca-key-outside: the sandbox's CA key (EC P-256) is made in
 *          memory by the supervisor and never written anywhere; only its
 *          certificate is in the bundle the sandbox sees, and the CA is
 *          name-constrained to the inject hosts.
 * INJECT-5 logged: each request given the header is a line in `nsb log`
 *          (host, header's name, never its value).
 * INJECT-6 bounded: a request head of INJECT_MAX_HEAD bytes and
 *          INJECT_MAX_HEADERS lines, chunk lines of INJECT_MAX_CHUNK_LINE;
 *          IO_TIMEOUT_S for a handshake or a write, IDLE_TIMEOUT_S of
 *          silence ends a connection; at most INJECT_MAX_ENTRIES leaf
 *          certificates, made on demand, kept in memory.
 */
#include "sandbox/tls-inject.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "base/dl.h"
#include "base/file.h"
#include "base/util.h"
#include "net/inject.h"
#include "net/proxy.h"
#include "policy/config.h"
#include "sandbox/denylog.h"

#ifndef LIBSSL_SONAME
#define LIBSSL_SONAME "libssl.so.3"
#endif
#ifndef LIBCRYPTO_SONAME
#define LIBCRYPTO_SONAME "libcrypto.so.3"
#endif

#define IO_TIMEOUT_S 30
#define IDLE_TIMEOUT_S 600
#define CERT_DAYS 397

const char *const inject_bundle_vars[] = { "SSL_CERT_FILE",	"NIX_SSL_CERT_FILE", "NODE_EXTRA_CA_CERTS",
					   "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE",    "GIT_SSL_CAINFO" };
const size_t inject_n_bundle_vars = ARRAY_SIZE(inject_bundle_vars);

/* Each OpenSSL function used: X(field, symbol), the field of the
 * symbol's own type (no prototype to drift).  Macros over *_ctrl are
 * spelled out where used. */
#define CRYPTO_SYMBOLS(X)                                     \
	X(pkey_keygen, EVP_PKEY_Q_keygen)                     \
	X(pkey_free, EVP_PKEY_free)                           \
	X(sha256, EVP_sha256)                                 \
	X(x509_new, X509_new)                                 \
	X(x509_free, X509_free)                               \
	X(x509_set_version, X509_set_version)                 \
	X(x509_serial, X509_get_serialNumber)                 \
	X(asn1_int_set, ASN1_INTEGER_set_int64)               \
	X(x509_gmtime_adj, X509_gmtime_adj)                   \
	X(x509_not_before, X509_getm_notBefore)               \
	X(x509_not_after, X509_getm_notAfter)                 \
	X(x509_set_pubkey, X509_set_pubkey)                   \
	X(x509_subject, X509_get_subject_name)                \
	X(x509_set_issuer, X509_set_issuer_name)              \
	X(name_add, X509_NAME_add_entry_by_txt)               \
	X(x509_sign, X509_sign)                               \
	X(v3_set_ctx, X509V3_set_ctx)                         \
	X(ext_conf_nid, X509V3_EXT_conf_nid)                  \
	X(x509_add_ext, X509_add_ext)                         \
	X(ext_free, X509_EXTENSION_free)                      \
	X(pem_write_x509, PEM_write_bio_X509)                 \
	X(bio_new, BIO_new)                                   \
	X(bio_s_mem, BIO_s_mem)                               \
	X(bio_ctrl, BIO_ctrl)                                 \
	X(bio_free, BIO_free)                                 \
	X(rand_bytes, RAND_bytes)                             \
	X(err_get, ERR_get_error)                             \
	X(err_string, ERR_error_string_n)                     \
	X(err_clear, ERR_clear_error)                         \
	X(param_set1_host, X509_VERIFY_PARAM_set1_host)       \
	X(param_set1_ip_asc, X509_VERIFY_PARAM_set1_ip_asc)   \
	X(param_hostflags, X509_VERIFY_PARAM_set_hostflags)   \
	X(verify_string, X509_verify_cert_error_string)

#define SSL_SYMBOLS(X)                                        \
	X(server_method, TLS_server_method)                   \
	X(client_method, TLS_client_method)                   \
	X(ctx_new, SSL_CTX_new)                               \
	X(ctx_free, SSL_CTX_free)                             \
	X(ctx_ctrl, SSL_CTX_ctrl)                             \
	X(ctx_load_verify, SSL_CTX_load_verify_locations)     \
	X(ctx_set_verify, SSL_CTX_set_verify)                 \
	X(ctx_alpn_select, SSL_CTX_set_alpn_select_cb)        \
	X(ctx_use_cert, SSL_CTX_use_certificate)              \
	X(ctx_use_key, SSL_CTX_use_PrivateKey)                \
	X(ctx_num_tickets, SSL_CTX_set_num_tickets)           \
	X(ssl_new, SSL_new)                                   \
	X(ssl_free, SSL_free)                                 \
	X(ssl_set_fd, SSL_set_fd)                             \
	X(ssl_accept, SSL_accept)                             \
	X(ssl_connect, SSL_connect)                           \
	X(ssl_read, SSL_read)                                 \
	X(ssl_write, SSL_write)                               \
	X(ssl_get_error, SSL_get_error)                       \
	X(ssl_pending, SSL_pending)                           \
	X(ssl_shutdown, SSL_shutdown)                         \
	X(ssl_param, SSL_get0_param)                          \
	X(ssl_alpn_protos, SSL_set_alpn_protos)               \
	X(ssl_ctrl, SSL_ctrl)                                 \
	X(ssl_verify_result, SSL_get_verify_result)

#define FIELD(field, sym) __typeof__(sym) *field;
static struct {
	CRYPTO_SYMBOLS(FIELD)
	SSL_SYMBOLS(FIELD)
} ossl;
#undef FIELD

static int ossl_load(char **ret_err)
{
#define SLOT(field, sym) { (void **)&ossl.field, #sym },
	static const struct dl_sym crypto[] = { CRYPTO_SYMBOLS(SLOT) };
	static const struct dl_sym ssl[] = { SSL_SYMBOLS(SLOT) };
#undef SLOT
	/* loaded for the process's life: the proxy uses it until it ends */
	void *h;
	int r = dl_load(LIBCRYPTO_SONAME, crypto, ARRAY_SIZE(crypto), &h, ret_err);
	if (r == 0)
		r = dl_load(LIBSSL_SONAME, ssl, ARRAY_SIZE(ssl), &h, ret_err);
	return r;
}

/* ---- the spec (the start's) -------------------------------------------- */

int inject_spec_init(struct inject_spec *ret, const struct policy *pol, const char *live_dir, const char *id,
		     const char *home, const char *log)
{
	*ret = (struct inject_spec){ .log = log };
	if (pol->inject.n == 0 || pol->network != POLICY_NETWORK_ALLOW)
		return -ENOENT;
	struct inject_spec s = { .log = log };
	size_t n = pol->inject.n < INJECT_MAX_ENTRIES ? pol->inject.n : INJECT_MAX_ENTRIES;
	int r = 0;
	if (!(s.rules = calloc(n, sizeof(*s.rules))) || !(s.home = strdup(home)) ||
	    !(s.verify = strdup(pol->inject_ca_file ? pol->inject_ca_file : INJECT_HOST_BUNDLE)) ||
	    asprintf(&s.dir, "%s/%s.inject", live_dir, id) < 0 || asprintf(&s.bundle, "%s/" INJECT_BUNDLE_NAME, s.dir) < 0)
		r = -ENOMEM;
	for (size_t i = 0; r == 0 && i < n; i++) {
		const char *why;
		r = inject_rule_parse(pol->inject.v[i].value, &s.rules[i], &why);
	}
	s.n = n;
	if (r == 0)
		r = mkdir_private(s.dir);
	/* in place before the view is built; its contents come with the CA */
	if (r == 0)
		r = file_write_atomic(s.dir, INJECT_BUNDLE_NAME, "", 0, 0644);
	if (r < 0) {
		inject_spec_release(&s);
		return r;
	}
	*ret = s;
	return 0;
}

bool inject_host_allowed(const struct inject_rule *rule, const struct policy *pol)
{
	for (size_t i = 0; i < pol->allow_hosts.n; i++) {
		struct proxy_rule r;
		struct proxy_target t;
		const char *why;
		/* at the entry's port, or 443 */
		if (proxy_rule_parse(pol->allow_hosts.v[i].value, &r, &why) == 0 &&
		    proxy_target_set(&t, rule->host, strlen(rule->host), r.port ? r.port : 443) == 0 &&
		    !proxy_check_target(&r, 1, &t))
			return true;
	}
	return false;
}

void inject_spec_clean(const struct inject_spec *s)
{
	(void)unlink(s->bundle);
	(void)rmdir(s->dir);
}

void inject_spec_release(struct inject_spec *s)
{
	free(s->dir);
	free(s->bundle);
	free(s->verify);
	free(s->home);
	free(s->rules);
	*s = (struct inject_spec){ 0 };
}

/* ---- the CA and the leaves (the supervisor's, then the proxy's) ------- */

struct leaf {
	SSL_CTX *ctx;  /* a server context with the host's certificate, or NULL */
};

struct inject_run {
	const struct inject_spec *s;
	char **values;      /* each rule's header value: prefix and secret (INJECT-2: outside only) */
	size_t *value_len;
	EVP_PKEY *ca_key;   /* INJECT-4: in memory only */
	X509 *ca;
	EVP_PKEY *leaf_key; /* one key for every leaf */
	SSL_CTX *client;    /* INJECT-3: verifies against s->verify */
	pthread_mutex_t lock;
	struct leaf *leaves;
};

static char *ossl_error(const char *what)
{
	char e[256] = "";
	unsigned long code = ossl.err_get();
	if (code)
		ossl.err_string(code, e, sizeof(e));
	ossl.err_clear();
	char *s = NULL;
	if (asprintf(&s, "%s%s%s", what, e[0] ? ": " : "", e) < 0)
		s = NULL;
	return s;
}

static bool is_ip(const char *host)
{
	struct in_addr a;
	return inet_pton(AF_INET, host, &a) == 1;
}

static int add_ext(X509 *issuer, X509 *x, int nid, const char *value)
{
	X509V3_CTX ctx;
	memset(&ctx, 0, sizeof(ctx));
	ossl.v3_set_ctx(&ctx, issuer, x, NULL, NULL, 0);
	X509_EXTENSION *e = ossl.ext_conf_nid(NULL, &ctx, nid, value);
	if (!e)
		return -EINVAL;
	int ok = ossl.x509_add_ext(x, e, -1);
	ossl.ext_free(e);
	return ok ? 0 : -EINVAL;
}

/* A certificate for key, named cn, signed by issuer (NULL: itself) with
 * sign_key; exts: NID and value pairs. */
static X509 *cert_make(EVP_PKEY *key, const char *cn, X509 *issuer, EVP_PKEY *sign_key, const int *nids,
		       const char *const *values, size_t n_ext)
{
	X509 *x = ossl.x509_new();
	uint8_t rnd[8];
	if (!x || ossl.rand_bytes(rnd, sizeof(rnd)) != 1)
		goto fail;
	int64_t serial = 0;
	for (size_t i = 0; i < sizeof(rnd); i++)
		serial = (serial << 8) | rnd[i];
	serial &= INT64_MAX;
	if (!ossl.x509_set_version(x, 2) || !ossl.asn1_int_set(ossl.x509_serial(x), serial | 1) ||
	    !ossl.x509_gmtime_adj(ossl.x509_not_before(x), -3600) ||
	    !ossl.x509_gmtime_adj(ossl.x509_not_after(x), (long)CERT_DAYS * 86400) || !ossl.x509_set_pubkey(x, key) ||
	    !ossl.name_add(ossl.x509_subject(x), "CN", MBSTRING_UTF8, (const unsigned char *)cn, -1, -1, 0) ||
	    !ossl.x509_set_issuer(x, ossl.x509_subject(issuer ? issuer : x)))
		goto fail;
	for (size_t i = 0; i < n_ext; i++)
		if (add_ext(issuer ? issuer : x, x, nids[i], values[i]) < 0)
			goto fail;
	if (ossl.x509_sign(x, sign_key, ossl.sha256()) <= 0)
		goto fail;
	return x;
fail:
	if (x)
		ossl.x509_free(x);
	return NULL;
}

/* The CA's certificate as PEM (malloc'ed). */
static char *cert_pem(X509 *x, size_t *len)
{
	BIO *b = ossl.bio_new(ossl.bio_s_mem());
	char *out = NULL;
	if (b && ossl.pem_write_x509(b, x)) {
		char *p = NULL;
		long n = ossl.bio_ctrl(b, BIO_CTRL_INFO, 0, (char *)&p);
		if (n > 0 && p && (out = malloc((size_t)n + 1))) {
			memcpy(out, p, (size_t)n);
			out[n] = '\0';
			*len = (size_t)n;
		}
	}
	if (b)
		ossl.bio_free(b);
	return out;
}

/* INJECT-2: a rule's secret, read outside: the value to send. */
static int secret_read(const struct inject_spec *s, const struct inject_rule *rule, char **ret, size_t *ret_len,
		       char **ret_err)
{
	_cleanup_free_ char *secret = NULL, *path = NULL;
	size_t len = 0;
	if (!rule->from_file) {
		const char *v = getenv(rule->source);
		if (!v || !v[0] || streq(v, INJECT_PLACEHOLDER)) {
			if (asprintf(ret_err, "inject: %s is not set in the environment (for %s)", rule->source,
				     rule->host) < 0)
				*ret_err = NULL;
			return -ENOENT;
		}
		if (!(secret = strdup(v)))
			return -ENOMEM;
		len = strlen(v);
	} else {
		if (strncmp(rule->source, "~/", 2) == 0 ? asprintf(&path, "%s/%s", s->home, rule->source + 2) < 0
							: !(path = strdup(rule->source)))
			return -ENOMEM;
		int r = file_read(AT_FDCWD, path, INJECT_MAX_SECRET + 2, FILE_NOFOLLOW, &secret, &len);
		if (r < 0) {
			if (asprintf(ret_err, "inject: cannot read '%s': %s", path,
				     r == -ELOOP ? "a link (not followed)" : r == -EFBIG ? "more than 8 KiB" : strerror(-r)) < 0)
				*ret_err = NULL;
			return r;
		}
		while (len > 0 && (secret[len - 1] == '\n' || secret[len - 1] == '\r'))
			secret[--len] = '\0';
	}
	if (len == 0 || !inject_value_ok(secret, len)) {
		if (asprintf(ret_err, "inject: the secret for %s is empty, too long or has a control character",
			     rule->host) < 0)
			*ret_err = NULL;
		return -EINVAL;
	}
	if (asprintf(ret, "%s%s", rule->prefix, secret) < 0)
		return -ENOMEM;
	*ret_len = strlen(rule->prefix) + len;
	explicit_bzero(secret, len);
	return 0;
}

static SSL_CTX *ctx_new(bool server)
{
	SSL_CTX *c = ossl.ctx_new(server ? ossl.server_method() : ossl.client_method());
	if (!c)
		return NULL;
	ossl.ctx_ctrl(c, SSL_CTRL_SET_MIN_PROTO_VERSION, TLS1_2_VERSION, NULL);
	/* non-blocking reads that return after a record that held no data
	 * (a TLS 1.3 ticket) instead of waiting for the next */
	ossl.ctx_ctrl(c, SSL_CTRL_CLEAR_MODE, SSL_MODE_AUTO_RETRY, NULL);
	return c;
}

int inject_start(const struct inject_spec *s, struct inject_run **ret, char **ret_err)
{
	*ret_err = NULL;
	int r = ossl_load(ret_err);
	if (r < 0)
		return r;
	struct inject_run *run = calloc(1, sizeof(*run));
	if (!run)
		return -ENOMEM;
	run->s = s;
	pthread_mutex_init(&run->lock, NULL);
	if (!(run->values = calloc(s->n, sizeof(char *))) || !(run->value_len = calloc(s->n, sizeof(size_t))) ||
	    !(run->leaves = calloc(s->n, sizeof(*run->leaves))))
		return -ENOMEM;
	for (size_t i = 0; i < s->n; i++)
		if ((r = secret_read(s, &s->rules[i], &run->values[i], &run->value_len[i], ret_err)) < 0)
			return r;
	/* INJECT-4: the CA, name-constrained to the listed hosts */
	run->ca_key = ossl.pkey_keygen(NULL, NULL, "EC", "P-256");
	run->leaf_key = ossl.pkey_keygen(NULL, NULL, "EC", "P-256");
	if (!run->ca_key || !run->leaf_key) {
		*ret_err = ossl_error("inject: cannot make the sandbox's CA key");
		return -EIO;
	}
	struct strbuf_lite {
		char b[INJECT_MAX_ENTRIES * 300];
		size_t n;
	} nc = { .n = 0 };
	nc.n = (size_t)snprintf(nc.b, sizeof(nc.b), "critical");
	for (size_t i = 0; i < s->n && nc.n < sizeof(nc.b); i++)
		nc.n += (size_t)snprintf(nc.b + nc.n, sizeof(nc.b) - nc.n, is_ip(s->rules[i].host)
					 ? ",permitted;IP:%s/255.255.255.255" : ",permitted;DNS:%s", s->rules[i].host);
	int nids[] = { NID_basic_constraints, NID_key_usage, NID_subject_key_identifier, NID_name_constraints };
	const char *vals[] = { "critical,CA:TRUE,pathlen:0", "critical,keyCertSign,cRLSign", "hash", nc.b };
	run->ca = cert_make(run->ca_key, "nsbsh sandbox CA (inject)", NULL, run->ca_key, nids, vals, ARRAY_SIZE(nids));
	if (!run->ca) {
		*ret_err = ossl_error("inject: cannot make the sandbox's CA certificate");
		return -EIO;
	}
	/* INJECT-3: the real servers are verified against this, read now */
	run->client = ctx_new(false);
	if (!run->client || ossl.ctx_load_verify(run->client, s->verify, NULL) != 1) {
		_cleanup_free_ char *what = NULL;
		if (asprintf(&what, "inject: cannot load the certificates of '%s'", s->verify) < 0)
			what = NULL;
		*ret_err = ossl_error(what ? what : "inject: cannot load the certificates");
		return -EIO;
	}
	ossl.ctx_set_verify(run->client, SSL_VERIFY_PEER, NULL);
	/* the sandbox's bundle: the host's certificates, then the CA's */
	_cleanup_free_ char *host = NULL, *pem = NULL, *all = NULL;
	size_t hl = 0, pl = 0;
	r = file_read(AT_FDCWD, INJECT_HOST_BUNDLE, 16u << 20, 0, &host, &hl);
	if (r < 0 && r != -ENOENT) {
		if (asprintf(ret_err, "inject: cannot read '%s': %s", INJECT_HOST_BUNDLE, strerror(-r)) < 0)
			*ret_err = NULL;
		return r;
	}
	if (!(pem = cert_pem(run->ca, &pl)))
		return -ENOMEM;
	if (asprintf(&all, "%.*s%s# nsbsh: this sandbox's CA (inject)\n%s", (int)hl, host ? host : "",
		     hl && host[hl - 1] != '\n' ? "\n" : "", pem) < 0)
		return -ENOMEM;
	r = file_write_atomic(s->dir, INJECT_BUNDLE_NAME, all, strlen(all), 0644);
	if (r < 0) {
		if (asprintf(ret_err, "inject: cannot write '%s': %s", s->bundle, strerror(-r)) < 0)
			*ret_err = NULL;
		return r;
	}
	*ret = run;
	return 0;
}

const struct inject_rule *inject_match(const struct inject_run *r, const char *host)
{
	return r ? inject_find(r->s->rules, r->s->n, host) : NULL;
}

/* ALPN: http/1.1 or nothing (a client that offers only h2 gets no ALPN
 * and speaks HTTP/1.1, or gives up). */
static int alpn_select(SSL *ssl, const unsigned char **out, unsigned char *outlen, const unsigned char *in,
		       unsigned int inlen, void *arg)
{
	for (unsigned i = 0; i < inlen;) {
		unsigned l = in[i];
		if (i + 1 + l > inlen)
			break;
		if (l == 8 && memcmp(in + i + 1, "http/1.1", 8) == 0) {
			*out = in + i + 1;
			*outlen = 8;
			return SSL_TLSEXT_ERR_OK;
		}
		i += 1 + l;
	}
	return SSL_TLSEXT_ERR_NOACK;
}

/* The server context for rule i: made at its first use, kept. */
static SSL_CTX *leaf_ctx(struct inject_run *run, size_t i)
{
	pthread_mutex_lock(&run->lock);
	SSL_CTX *c = run->leaves[i].ctx;
	if (!c) {
		const char *host = run->s->rules[i].host;
		char san[300];
		snprintf(san, sizeof(san), "%s:%s", is_ip(host) ? "IP" : "DNS", host);
		int nids[] = { NID_basic_constraints, NID_key_usage, NID_ext_key_usage, NID_subject_alt_name };
		const char *vals[] = { "critical,CA:FALSE", "critical,digitalSignature", "serverAuth", san };
		X509 *leaf = cert_make(run->leaf_key, host, run->ca, run->ca_key, nids, vals, ARRAY_SIZE(nids));
		c = leaf ? ctx_new(true) : NULL;
		if (c && (ossl.ctx_use_cert(c, leaf) != 1 || ossl.ctx_use_key(c, run->leaf_key) != 1)) {
			ossl.ctx_free(c);
			c = NULL;
		}
		if (c) {
			ossl.ctx_alpn_select(c, alpn_select, NULL);
			/* no resumption (each leaf lives in memory only): no tickets
			 * to make and send after each handshake */
			ossl.ctx_num_tickets(c, 0);
		}
		if (leaf)
			ossl.x509_free(leaf);
		run->leaves[i].ctx = c;
		ossl.err_clear();
	}
	pthread_mutex_unlock(&run->lock);
	return c;
}

/* ---- one intercepted connection ---------------------------------------- */

static void set_nonblock(int fd, bool on)
{
	int fl = fcntl(fd, F_GETFL);
	if (fl >= 0)
		fcntl(fd, F_SETFL, on ? fl | O_NONBLOCK : fl & ~O_NONBLOCK);
}

/* Wait for what SSL asked (read or write) on fd: 0, or -1 (timed out). */
static int ssl_wait(SSL *ssl, int fd, int ret)
{
	int e = ossl.ssl_get_error(ssl, ret);
	short ev = e == SSL_ERROR_WANT_READ ? POLLIN : e == SSL_ERROR_WANT_WRITE ? POLLOUT : 0;
	if (!ev)
		return -1;
	struct pollfd p = { .fd = fd, .events = ev };
	int k;
	while ((k = poll(&p, 1, IO_TIMEOUT_S * 1000)) < 0 && errno == EINTR)
		;
	return k == 1 ? 0 : -1;
}

static int ssl_write_all(SSL *ssl, int fd, const void *buf, size_t len)
{
	const char *p = buf;
	while (len > 0) {
		int n = ossl.ssl_write(ssl, p, len > INT32_MAX ? INT32_MAX : (int)len);
		if (n > 0) {
			p += n;
			len -= (size_t)n;
		} else if (ssl_wait(ssl, fd, n) < 0) {
			return -1;
		}
	}
	return 0;
}

/* A handshake (accept or connect) on a non-blocking fd, bounded in time. */
static int handshake(SSL *ssl, int fd, bool server)
{
	for (int i = 0; i < 1000; i++) {
		int n = server ? ossl.ssl_accept(ssl) : ossl.ssl_connect(ssl);
		if (n == 1)
			return 0;
		if (ssl_wait(ssl, fd, n) < 0)
			return -1;
	}
	return -1;
}

struct stream {
	enum inject_body mode;  /* of what is being passed; NONE: a head is awaited */
	uint64_t left;
	struct inject_chunked ch;
	char buf[INJECT_MAX_HEAD];
	size_t len;
};

static void log_injection(const struct inject_run *run, const struct inject_rule *rule)
{
	/* INJECT-5: the host and the header's name, never the value */
	if (run->s->log)
		(void)denylog_append_use(run->s->log, 0, 0, "inject", rule->host, rule->header, time(NULL));
}

/* After an answer that ends the connection: the client's bytes not read
 * yet would make close(2) send a reset, which may reach the client before
 * the answer; so the write side is closed, and what comes is read and
 * dropped until the client closes (at most DRAIN_MS). */
#define DRAIN_MS 2000
static void drain(SSL *c, int fd)
{
	char b[4096];
	ossl.ssl_shutdown(c);
	shutdown(fd, SHUT_WR);
	struct timespec t0, t;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		clock_gettime(CLOCK_MONOTONIC, &t);
		long left = DRAIN_MS - ((t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000);
		struct pollfd p = { .fd = fd, .events = POLLIN };
		if (left <= 0 || poll(&p, 1, (int)left) <= 0 || recv(fd, b, sizeof(b), 0) <= 0)
			break;
	}
}

static void reply(SSL *c, int fd, const char *status, const char *why)
{
	char b[512];
	int n = snprintf(b, sizeof(b),
			 "HTTP/1.1 %s\r\nContent-Type: text/plain\r\nContent-Length: %zu\r\n"
			 "Connection: close\r\n\r\nnsbsh: %s\n",
			 status, strlen(why) + 8, why);
	if (n > 0 && (size_t)n < sizeof(b))
		(void)ssl_write_all(c, fd, b, (size_t)n);
	drain(c, fd);
}

/* Pass what st holds on to the server, rewriting each head: 0, or -1 to
 * end the connection. */
static int pass_requests(struct inject_run *run, const struct inject_rule *rule, size_t ri, struct stream *st,
			 SSL *c, int cfd, SSL *u, int ufd)
{
	while (st->len > 0) {
		size_t used = 0;
		if (st->mode == INJECT_BODY_NONE) {
			struct inject_head h;
			const char *why = "bad request";
			int r = inject_head_parse(st->buf, st->len, rule->header, run->values[ri], run->value_len[ri], &h,
						  &why);
			if (r == -EAGAIN)
				return 0;
			if (r < 0) {
				reply(c, cfd, "400 Bad Request", why);
				return -1;
			}
			r = ssl_write_all(u, ufd, h.out, h.out_len);
			explicit_bzero(h.out, h.out_len);
			free(h.out);
			if (r < 0)
				return -1;
			log_injection(run, rule);
			used = h.head_len;
			st->mode = h.body;
			st->left = h.length;
			st->ch = (struct inject_chunked){ 0 };
		} else if (st->mode == INJECT_BODY_LENGTH) {
			used = st->len < st->left ? st->len : (size_t)st->left;
			if (ssl_write_all(u, ufd, st->buf, used) < 0)
				return -1;
			if ((st->left -= used) == 0)
				st->mode = INJECT_BODY_NONE;
		} else if (st->mode == INJECT_BODY_CHUNKED) {
			int r = inject_chunked_feed(&st->ch, st->buf, st->len, &used);
			if (r < 0) {
				reply(c, cfd, "400 Bad Request", "bad chunked body");
				return -1;
			}
			if (used && ssl_write_all(u, ufd, st->buf, used) < 0)
				return -1;
			if (r == 1)
				st->mode = INJECT_BODY_NONE;
		} else {
			used = st->len;
			if (ssl_write_all(u, ufd, st->buf, used) < 0)
				return -1;
		}
		memmove(st->buf, st->buf + used, st->len - used);
		st->len -= used;
	}
	return 0;
}

/* A read of what is there: >0 bytes, 0 nothing now, -1 the end. */
static int ssl_read_now(SSL *ssl, void *buf, size_t cap)
{
	int n = ossl.ssl_read(ssl, buf, cap > INT32_MAX ? INT32_MAX : (int)cap);
	if (n > 0)
		return n;
	int e = ossl.ssl_get_error(ssl, n);
	return e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE ? 0 : -1;
}

void inject_serve(struct inject_run *run, const struct inject_rule *rule, uint16_t port, int client, int upstream,
		  const uint8_t *early, size_t early_len)
{
	size_t ri = (size_t)(rule - run->s->rules);
	SSL_CTX *lc = leaf_ctx(run, ri);
	struct stream *st = calloc(1, sizeof(*st));
	SSL *c = lc ? ossl.ssl_new(lc) : NULL, *u = ossl.ssl_new(run->client);
	char *down = malloc(16384);
	if (!st || !c || !u || !down || early_len > sizeof(st->buf))
		goto end;
	/* the client's TLS first: what came with the CONNECT is its hello,
	 * which SSL must read from the socket, so it goes through a pair */
	if (early_len) {
		/* a client that sends before the 200 is rare; refused */
		goto end;
	}
	set_nonblock(client, true);
	set_nonblock(upstream, true);
	/* each TLS record at once: a response in two records would wait for
	 * the client's delayed ACK (40 ms) otherwise */
	int one = 1;
	setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	ossl.ssl_set_fd(c, client);
	ossl.ssl_set_fd(u, upstream);
	if (handshake(c, client, true) < 0)
		goto end;
	/* INJECT-3: the chain against s->verify, the name (or address) against
	 * the host asked for; SNI for a name */
	X509_VERIFY_PARAM *p = ossl.ssl_param(u);
	ossl.param_hostflags(p, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
	if (is_ip(rule->host) ? ossl.param_set1_ip_asc(p, rule->host) != 1 : ossl.param_set1_host(p, rule->host, 0) != 1)
		goto end;
	if (!is_ip(rule->host))
		ossl.ssl_ctrl(u, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name, (void *)rule->host);
	ossl.ssl_alpn_protos(u, (const unsigned char *)"\x08http/1.1", 9);
	if (handshake(u, upstream, false) < 0 || ossl.ssl_verify_result(u) != X509_V_OK) {
		if (run->s->log)
			(void)denylog_append_net(run->s->log, time(NULL), "inject", rule->host, port,
						 "the server's certificate did not verify");
		reply(c, client, "502 Bad Gateway", "the server's certificate did not verify (inject_ca_file)");
		goto end;
	}
	for (;;) {
		if (!ossl.ssl_pending(c) && !ossl.ssl_pending(u)) {
			struct pollfd pf[2] = { { .fd = st->len < sizeof(st->buf) ? client : -1, .events = POLLIN },
						{ .fd = upstream, .events = POLLIN } };
			int k = poll(pf, 2, IDLE_TIMEOUT_S * 1000);
			if (k < 0 && errno == EINTR)
				continue;
			if (k <= 0)
				break;
		}
		int n = st->len < sizeof(st->buf) ? ssl_read_now(c, st->buf + st->len, sizeof(st->buf) - st->len) : 0;
		if (n < 0)
			break;
		st->len += (size_t)n;
		if (n > 0 && pass_requests(run, rule, ri, st, c, client, u, upstream) < 0)
			break;
		int m = ssl_read_now(u, down, 16384);
		if (m < 0)
			break;
		if (m > 0 && ssl_write_all(c, client, down, (size_t)m) < 0)
			break;
	}
	ossl.ssl_shutdown(c);
	ossl.ssl_shutdown(u);
end:
	if (c)
		ossl.ssl_free(c);
	if (u)
		ossl.ssl_free(u);
	if (st)
		explicit_bzero(st, sizeof(*st));
	free(st);
	free(down);
	ossl.err_clear();
}
