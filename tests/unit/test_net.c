/* test_net.c - the sandbox's resolv.conf with network = on (sandbox/net.c
 * net_resolv_conf, NET-6). */
#include <stdlib.h>
#include <string.h>

#include "sandbox/net.h"
#include "unit.h"

static int rewrite(const char *text, char **ret)
{
	return net_resolv_conf(text, strlen(text), ret);
}

static void test_loopback(void)
{
	char *r = NULL;
	CHECK(rewrite("# stub\nnameserver 127.0.0.53\noptions edns0 trust-ad\nsearch example.org\n", &r) == 1);
	CHECK_STREQ(r, "# stub\nnameserver " NET_DNS_FORWARD "\noptions edns0 trust-ad\nsearch example.org\n");
	free(r);
	/* several on the loopback: one line, where the first was; the others kept */
	CHECK(rewrite("nameserver 10.0.0.1\nnameserver ::1\nnameserver\t127.0.0.1\n", &r) == 1);
	CHECK_STREQ(r, "nameserver 10.0.0.1\nnameserver " NET_DNS_FORWARD "\n");
	free(r);
	/* no last newline; a zone index; 127/8 anywhere */
	CHECK(rewrite("nameserver 127.1.2.3", &r) == 1);
	CHECK_STREQ(r, "nameserver " NET_DNS_FORWARD "\n");
	free(r);
}

static void test_kept(void)
{
	char *r = (char *)"x";
	CHECK(rewrite("nameserver 10.255.255.53\n", &r) == 0 && r == NULL);
	CHECK(rewrite("nameserver fe80::1%eth0\nnameserver 192.168.1.1\n", &r) == 0 && r == NULL);
	/* not a nameserver line, not an address */
	CHECK(rewrite("# nameserver 127.0.0.1\nnameservers 127.0.0.1\nnameserver localhost\n", &r) == 0 && !r);
	CHECK(rewrite("", &r) == 0 && r == NULL);
}

UNIT_MAIN("net", test_loopback, test_kept)
