/* test_proxy.c - PROXY v1/v2 headers: complete, byte at a time, and refused */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "net/proxy.h"

static const uint8_t v2_sig[12] = {
	0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A
};

/* parse_bytewise - feed 1, 2, ... bytes; every prefix shorter than the header must say
 * "need more", and the whole input must give the same result as one call */
static ssize_t parse_bytewise(const uint8_t *buf, size_t len, struct proxy_header *h)
{
	const char *error = NULL;
	ssize_t n = 0;
	size_t i;

	for (i = 1; i <= len; i++) {
		n = proxy_parse(buf, i, h, &error);
		if (n != 0)
			break;
	}
	return n;
}

/* addr_text - "ip port" of a parsed sockaddr */
static const char *addr_text(const struct sockaddr_storage *ss, char *buf, size_t size)
{
	char ip[INET6_ADDRSTRLEN];
	unsigned port;

	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *s = (const struct sockaddr_in *)ss;
		inet_ntop(AF_INET, &s->sin_addr, ip, sizeof(ip));
		port = ntohs(s->sin_port);
	} else {
		const struct sockaddr_in6 *s = (const struct sockaddr_in6 *)ss;
		inet_ntop(AF_INET6, &s->sin6_addr, ip, sizeof(ip));
		port = ntohs(s->sin6_port);
	}
	snprintf(buf, size, "%s %u", ip, port);
	return buf;
}

static void test_v1_tcp4(void **state)
{
	const char *in = "PROXY TCP4 192.0.2.7 198.51.100.1 56324 25\r\nEHLO x\r\n";
	size_t hdr_len = strlen("PROXY TCP4 192.0.2.7 198.51.100.1 56324 25\r\n");
	struct proxy_header h;
	char b[80];

	assert_int_equal(parse_bytewise((const uint8_t *)in, strlen(in), &h), hdr_len);
	assert_int_equal(h.version, 1);
	assert_false(h.local);
	assert_string_equal(addr_text(&h.src, b, sizeof(b)), "192.0.2.7 56324");
	assert_string_equal(addr_text(&h.dst, b, sizeof(b)), "198.51.100.1 25");
}

static void test_v1_tcp6(void **state)
{
	const char *in = "PROXY TCP6 2001:db8::5 2001:db8::1 40000 993\r\n";
	struct proxy_header h;
	char b[80];

	assert_int_equal(parse_bytewise((const uint8_t *)in, strlen(in), &h), strlen(in));
	assert_false(h.local);
	assert_string_equal(addr_text(&h.src, b, sizeof(b)), "2001:db8::5 40000");
	assert_int_equal(h.src_len, sizeof(struct sockaddr_in6));
}

static void test_v1_unknown(void **state)
{
	const char *in = "PROXY UNKNOWN ffff::1 whatever\r\n";
	struct proxy_header h;

	assert_int_equal(parse_bytewise((const uint8_t *)in, strlen(in), &h), strlen(in));
	assert_true(h.local);
}

static void test_v1_refused(void **state)
{
	static const char *const bad[] = {
		"EHLO example.org\r\n",
		"PROXY TCP4 192.0.2.7 198.51.100.1 56324 25\n",         /* bare LF */
		"PROXY TCP4 192.0.2.7 198.51.100.1 56324\r\n",          /* 5 fields */
		"PROXY TCP4 192.0.2.7 198.51.100.1 56324 25 1\r\n",     /* 7 fields */
		"PROXY TCP4 192.0.2.700 198.51.100.1 56324 25\r\n",
		"PROXY TCP4 2001:db8::1 198.51.100.1 56324 25\r\n",     /* family mismatch */
		"PROXY TCP4 192.0.2.7 198.51.100.1 65536 25\r\n",
		"PROXY TCP4 192.0.2.7 198.51.100.1 -1 25\r\n",
		"PROXY TCP4 192.0.2.7 198.51.100.1 056 25\r\n",
		"PROXY TCP4  192.0.2.7 198.51.100.1 5 25\r\n",          /* empty field */
		"PROXY UDP4 192.0.2.7 198.51.100.1 5 25\r\n",
		"proxy TCP4 192.0.2.7 198.51.100.1 5 25\r\n",
		NULL
	};
	struct proxy_header h;
	const char *error = NULL;

	for (int i = 0; bad[i] != NULL; i++) {
		assert_int_equal(proxy_parse((const uint8_t *)bad[i], strlen(bad[i]), &h, &error), -1);
		assert_non_null(error);
	}
}

static void test_v1_too_long(void **state)
{
	char in[300];
	struct proxy_header h;
	const char *error;

	memset(in, '1', sizeof(in));
	memcpy(in, "PROXY TCP4 ", 11);
	/* No CRLF within the 107 bytes the spec allows: refused, never "need more" forever. */
	assert_int_equal(proxy_parse((const uint8_t *)in, PROXY_V1_MAX - 1, &h, &error), 0);
	assert_int_equal(proxy_parse((const uint8_t *)in, PROXY_V1_MAX, &h, &error), -1);
	assert_int_equal(proxy_parse((const uint8_t *)in, sizeof(in), &h, &error), -1);
}

/* v2_build - a v2 header with the given command, family and payload */
static size_t v2_build(uint8_t *out, uint8_t ver_cmd, uint8_t fam, const uint8_t *payload,
		       size_t len)
{
	memcpy(out, v2_sig, 12);
	out[12] = ver_cmd;
	out[13] = fam;
	out[14] = (uint8_t)(len >> 8);
	out[15] = (uint8_t)len;
	memcpy(out + 16, payload, len);
	return 16 + len;
}

static void test_v2_inet_with_tlv(void **state)
{
	/* 192.0.2.9:1234 -> 198.51.100.2:465, then a 5-byte TLV (type 0x04 NOOP) */
	uint8_t payload[] = { 192, 0, 2, 9, 198, 51, 100, 2, 0x04, 0xd2, 0x01, 0xd1,
			      0x04, 0x00, 0x02, 'x', 'y' };
	uint8_t buf[128];
	size_t len = v2_build(buf, 0x21, 0x11, payload, sizeof(payload));
	struct proxy_header h;
	char b[80];

	buf[len] = 0x16; /* a TLS ClientHello starts here: must not be consumed */
	assert_int_equal(parse_bytewise(buf, len + 1, &h), len);
	assert_int_equal(h.version, 2);
	assert_false(h.local);
	assert_string_equal(addr_text(&h.src, b, sizeof(b)), "192.0.2.9 1234");
	assert_string_equal(addr_text(&h.dst, b, sizeof(b)), "198.51.100.2 465");
}

static void test_v2_inet6(void **state)
{
	uint8_t payload[36] = { 0 };
	uint8_t buf[128];
	size_t len;
	struct proxy_header h;
	char b[80];

	payload[0] = 0x20; payload[1] = 0x01; payload[2] = 0x0d; payload[3] = 0xb8;
	payload[15] = 0x07;
	payload[31] = 0x01;
	payload[32] = 0x9c; payload[33] = 0x40; /* 40000 */
	payload[34] = 0x00; payload[35] = 0x19; /* 25 */
	len = v2_build(buf, 0x21, 0x21, payload, sizeof(payload));
	assert_int_equal(parse_bytewise(buf, len, &h), len);
	assert_string_equal(addr_text(&h.src, b, sizeof(b)), "2001:db8::7 40000");
	assert_string_equal(addr_text(&h.dst, b, sizeof(b)), "::1 25");
}

static void test_v2_local(void **state)
{
	uint8_t payload[12] = { 1, 2, 3, 4 };
	uint8_t buf[64];
	size_t len = v2_build(buf, 0x20, 0x11, payload, sizeof(payload));
	struct proxy_header h;

	assert_int_equal(parse_bytewise(buf, len, &h), len);
	assert_true(h.local);
	/* PROXY command with AF_UNSPEC: also keep the socket's addresses (spec 2.2) */
	len = v2_build(buf, 0x21, 0x00, payload, 0);
	assert_int_equal(parse_bytewise(buf, len, &h), 16);
	assert_true(h.local);
}

static void test_v2_refused(void **state)
{
	uint8_t payload[12] = { 0 };
	uint8_t buf[64];
	struct proxy_header h;
	const char *error;
	size_t len;

	len = v2_build(buf, 0x11, 0x11, payload, 12);           /* version 1 in a v2 frame */
	assert_int_equal(proxy_parse(buf, len, &h, &error), -1);
	len = v2_build(buf, 0x22, 0x11, payload, 12);           /* unknown command */
	assert_int_equal(proxy_parse(buf, len, &h, &error), -1);
	len = v2_build(buf, 0x21, 0x11, payload, 8);            /* IPv4 block too short */
	assert_int_equal(proxy_parse(buf, len, &h, &error), -1);
	len = v2_build(buf, 0x21, 0x12, payload, 12);           /* datagram */
	assert_int_equal(proxy_parse(buf, len, &h, &error), -1);
	len = v2_build(buf, 0x21, 0x41, payload, 12);           /* unknown family */
	assert_int_equal(proxy_parse(buf, len, &h, &error), -1);
	/* a length over our bound is refused from the 16-byte header alone */
	v2_build(buf, 0x21, 0x11, payload, 0);
	buf[14] = 0xff; buf[15] = 0xff;
	assert_int_equal(proxy_parse(buf, 16, &h, &error), -1);
	/* a broken signature is refused as soon as it diverges */
	memcpy(buf, v2_sig, 12);
	buf[5] = 'X';
	assert_int_equal(proxy_parse(buf, 6, &h, &error), -1);
	assert_int_equal(proxy_parse(buf, 5, &h, &error), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_v1_tcp4),
		cmocka_unit_test(test_v1_tcp6),
		cmocka_unit_test(test_v1_unknown),
		cmocka_unit_test(test_v1_refused),
		cmocka_unit_test(test_v1_too_long),
		cmocka_unit_test(test_v2_inet_with_tlv),
		cmocka_unit_test(test_v2_inet6),
		cmocka_unit_test(test_v2_local),
		cmocka_unit_test(test_v2_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
