/* fuzz_proxy.c - libFuzzer target for net/proxy.c: what a client inside
 * the sandbox sends the proxy first (an HTTP head, a SOCKS5 greeting and
 * request), and allow_hosts entries.  Besides memory errors, it checks
 * proxy.h's promises: a head parsed whole is no longer than the input and
 * within PROXY_MAX_HEAD, a forward request's rewritten head ends in one
 * blank line and says "Connection: close", a target is a name of allowed
 * characters or an address, and its port is never 0. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "net/proxy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void target_ok(const struct proxy_target *t)
{
	if (t->port == 0 || !t->host[0] || strlen(t->host) > PROXY_MAX_NAME)
		abort();
	if (t->family == 0 && t->host[strspn(t->host, "abcdefghijklmnopqrstuvwxyz0123456789-_.")])
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size > 2 * PROXY_MAX_HEAD)
		return 0;
	struct proxy_http h;
	const char *why = NULL;
	if (proxy_http_parse((const char *)data + 1, size - 1, &h, &why) == 0) {
		if (h.head_len > size - 1 || h.head_len > PROXY_MAX_HEAD)
			abort();
		target_ok(&h.t);
		if (!h.connect &&
		    (!h.out || h.out_len < 4 || memcmp(h.out + h.out_len - 4, "\r\n\r\n", 4) != 0 ||
		     !strstr(h.out, "\r\nConnection: close\r\n\r\n") || strstr(h.out, "\r\n\r\n") != h.out + h.out_len - 4))
			abort();
		proxy_http_release(&h);
	}
	size_t used = 0;
	if (proxy_socks_hello(data, size, &used) == 0 && used > size)
		abort();
	struct proxy_target t;
	uint8_t code;
	if (proxy_socks_request(data, size, &used, &t, &code) == 0) {
		if (used > size)
			abort();
		target_ok(&t);
	}
	/* the first byte picks how much of the rest is one allow_hosts entry */
	char entry[300];
	size_t n = (size - 1) < sizeof(entry) - 1 ? size - 1 : sizeof(entry) - 1;
	memcpy(entry, data + 1, n);
	entry[n] = '\0';
	struct proxy_rule r;
	if (proxy_rule_parse(entry, &r, &why) == 0 && proxy_target_set(&t, "a.example.org", 13, 443) == 0)
		(void)proxy_check_target(&r, 1, &t);
	return 0;
}
