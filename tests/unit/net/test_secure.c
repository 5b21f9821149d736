/* test_secure.c - which connections count as secure for passwords (MERPATI_PLAINTEXT_AUTH) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "net/net.h"

/* addr - a sockaddr for a textual IPv4 or IPv6 address */
static const struct sockaddr *addr(const char *text, struct sockaddr_storage *ss)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, text, &sin->sin_addr) == 1)
		sin->sin_family = AF_INET;
	else if (inet_pton(AF_INET6, text, &sin6->sin6_addr) == 1)
		sin6->sin6_family = AF_INET6;
	else
		fail_msg("bad test address %s", text);
	return (const struct sockaddr *)ss;
}

static void test_loopback(void **state)
{
	struct sockaddr_storage ss;

	assert_true(net_addr_is_loopback(addr("127.0.0.1", &ss)));
	assert_true(net_addr_is_loopback(addr("127.255.0.9", &ss)));
	assert_true(net_addr_is_loopback(addr("::1", &ss)));
	assert_true(net_addr_is_loopback(addr("::ffff:127.0.0.2", &ss)));
	assert_false(net_addr_is_loopback(addr("128.0.0.1", &ss)));
	assert_false(net_addr_is_loopback(addr("10.0.0.1", &ss)));
	assert_false(net_addr_is_loopback(addr("::2", &ss)));
	assert_false(net_addr_is_loopback(addr("::ffff:10.0.0.1", &ss)));
}

static void test_policy(void **state)
{
	struct sockaddr_storage lo, remote;

	addr("127.0.0.1", &lo);
	addr("192.0.2.1", &remote);
	/* never: only TLS */
	assert_false(net_is_secure(NET_PLAINTEXT_AUTH_NEVER, false, (struct sockaddr *)&lo));
	assert_true(net_is_secure(NET_PLAINTEXT_AUTH_NEVER, true, (struct sockaddr *)&remote));
	/* loopback: TLS, or a loopback peer */
	assert_true(net_is_secure(NET_PLAINTEXT_AUTH_LOOPBACK, false, (struct sockaddr *)&lo));
	assert_false(net_is_secure(NET_PLAINTEXT_AUTH_LOOPBACK, false,
				   (struct sockaddr *)&remote));
	assert_true(net_is_secure(NET_PLAINTEXT_AUTH_LOOPBACK, true, (struct sockaddr *)&remote));
	/* always */
	assert_true(net_is_secure(NET_PLAINTEXT_AUTH_ALWAYS, false, (struct sockaddr *)&remote));
}

static void test_config(void **state)
{
	setenv("MERPATI_PLAINTEXT_AUTH", "never", 1);
	assert_int_equal(net_plaintext_auth_from_config(), NET_PLAINTEXT_AUTH_NEVER);
	setenv("MERPATI_PLAINTEXT_AUTH", "ALWAYS", 1);
	assert_int_equal(net_plaintext_auth_from_config(), NET_PLAINTEXT_AUTH_ALWAYS);
	unsetenv("MERPATI_PLAINTEXT_AUTH");
	assert_int_equal(net_plaintext_auth_from_config(), NET_PLAINTEXT_AUTH_LOOPBACK);
}

static void test_format(void **state)
{
	struct sockaddr_storage ss;
	char buf[NET_ADDR_MAX];

	assert_string_equal(net_addr_format(addr("2001:db8::1", &ss), buf), "2001:db8::1");
	assert_string_equal(net_addr_format(addr("192.0.2.44", &ss), buf), "192.0.2.44");
	ss.ss_family = AF_UNIX;
	assert_string_equal(net_addr_format((struct sockaddr *)&ss, buf), "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_loopback),
		cmocka_unit_test(test_policy),
		cmocka_unit_test(test_config),
		cmocka_unit_test(test_format),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
