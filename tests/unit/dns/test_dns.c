/* test_dns.c - the resolver's wire parsers refuse what is malformed; its cache honours TTLs
 * and its size bound */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "cache.h"
#include "mx_parse.h"

static void test_name_parse(void **state)
{
	static const uint8_t mx1[] = { 3, 'M', 'x', '1', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0 };
	static const uint8_t root[] = { 0 };
	static const uint8_t truncated[] = { 3, 'm', 'x' };
	static const uint8_t pointer[] = { 0xc0, 0x0c };
	static const uint8_t no_end[] = { 2, 'm', 'x' , 2, 'a', 'b' };
	char name[MX_NAME_MAX];

	assert_int_equal(mx_name_parse(mx1, sizeof(mx1), name), (int)sizeof(mx1));
	assert_string_equal(name, "mx1.example.com");
	assert_int_equal(mx_name_parse(root, sizeof(root), name), 1);
	assert_string_equal(name, "");
	assert_int_equal(mx_name_parse(truncated, sizeof(truncated), name), -1);
	/* RDATA of MX is uncompressed as libunbound hands it over: a pointer is malformed */
	assert_int_equal(mx_name_parse(pointer, sizeof(pointer), name), -1);
	assert_int_equal(mx_name_parse(no_end, sizeof(no_end), name), -1);
}

static void test_name_too_long(void **state)
{
	uint8_t wire[300];
	char name[MX_NAME_MAX];
	size_t o = 0;

	/* five labels of 63: 320 bytes of text, over RFC 1035's 255 */
	while (o + 64 < sizeof(wire) - 1) {
		wire[o++] = 63;
		memset(wire + o, 'a', 63);
		o += 63;
	}
	wire[o++] = 0;
	assert_int_equal(mx_name_parse(wire, o, name), -1);
}

static void test_rdata(void **state)
{
	static const uint8_t ok[] = { 0, 10, 2, 'm', 'x', 4, 't', 'e', 's', 't', 0 };
	static const uint8_t null_mx[] = { 0, 0, 0 };  /* RFC 7505: preference 0, "." */
	static const uint8_t short_rd[] = { 0 };
	uint16_t pref;
	char name[MX_NAME_MAX];

	assert_int_equal(mx_rdata_parse(ok, sizeof(ok), &pref, name), 0);
	assert_int_equal(pref, 10);
	assert_string_equal(name, "mx.test");
	assert_int_equal(mx_rdata_parse(null_mx, sizeof(null_mx), &pref, name), 0);
	assert_int_equal(pref, 0);
	assert_string_equal(name, "");
	assert_int_equal(mx_rdata_parse(short_rd, sizeof(short_rd), &pref, name), -1);
}

static void test_addr_format(void **state)
{
	static const uint8_t v4[] = { 127, 0, 0, 2 };
	static const uint8_t v6[16] = { [15] = 1 };
	char buf[MX_ADDR_MAX];

	assert_int_equal(mx_addr_format(MX_RRTYPE_A, v4, 4, buf), 0);
	assert_string_equal(buf, "127.0.0.2");
	assert_int_equal(mx_addr_format(MX_RRTYPE_AAAA, v6, 16, buf), 0);
	assert_string_equal(buf, "::1");
	assert_int_equal(mx_addr_format(MX_RRTYPE_A, v6, 16, buf), -1);
	assert_int_equal(mx_addr_format(MX_RRTYPE_AAAA, v4, 4, buf), -1);
}

static void test_domain_normalize(void **state)
{
	char out[MX_NAME_MAX];
	char label64[80];

	assert_int_equal(mx_domain_normalize("Example.COM.", out), 0);
	assert_string_equal(out, "example.com");
	assert_int_equal(mx_domain_normalize("", out), -1);
	assert_int_equal(mx_domain_normalize("a..b", out), -1);
	assert_int_equal(mx_domain_normalize("a b.com", out), -1);
	memset(label64, 'a', 64);
	strcpy(label64 + 64, ".com");
	assert_int_equal(mx_domain_normalize(label64, out), -1);
}

static void test_cache_ttl(void **state)
{
	struct cache *c = cache_new(4);
	const uint8_t data[] = "reply";
	size_t len;
	uint32_t left;

	cache_put(c, "example.com", data, sizeof(data), 60, 1000);
	assert_non_null(cache_get(c, "example.com", 1030, &len, &left));
	assert_int_equal(len, sizeof(data));
	assert_int_equal(left, 30);
	assert_null(cache_get(c, "example.com", 1060, &len, &left));
	/* a TTL of zero is never cached (RFC 1035 3.2.1: "should not be cached") */
	cache_put(c, "zero.example", data, sizeof(data), 0, 1000);
	assert_null(cache_get(c, "zero.example", 1000, &len, &left));
	cache_free(&c);
	assert_null(c);
}

static void test_cache_bound_lru(void **state)
{
	struct cache *c = cache_new(2);
	const uint8_t d[] = "x";
	size_t len;
	uint32_t left;

	cache_put(c, "a", d, 1, 100, 0);
	cache_put(c, "b", d, 1, 100, 0);
	assert_non_null(cache_get(c, "a", 1, &len, &left)); /* a is now the most recent */
	cache_put(c, "c", d, 1, 100, 2);                      /* b goes */
	assert_true(cache_count(c) <= 2);
	assert_non_null(cache_get(c, "a", 3, &len, &left));
	assert_null(cache_get(c, "b", 3, &len, &left));
	assert_non_null(cache_get(c, "c", 3, &len, &left));
	cache_free(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_name_parse),
		cmocka_unit_test(test_name_too_long),
		cmocka_unit_test(test_rdata),
		cmocka_unit_test(test_addr_format),
		cmocka_unit_test(test_domain_normalize),
		cmocka_unit_test(test_cache_ttl),
		cmocka_unit_test(test_cache_bound_lru),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
