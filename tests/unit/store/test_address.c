/* test_address.c - envelope address normalisation, plus-address splitting, role addresses */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "store/address.h"

/* norm_ok - normalising in gives want */
static void norm_ok(const char *in, const char *want)
{
	char out[STORE_ADDRESS_SIZE];
	const char *error = NULL;

	assert_int_equal(store_address_normalize(in, out, &error), 0);
	assert_string_equal(out, want);
}

/* norm_bad - normalising in fails with a message */
static void norm_bad(const char *in)
{
	char out[STORE_ADDRESS_SIZE];
	const char *error = NULL;

	assert_int_equal(store_address_normalize(in, out, &error), -1);
	assert_non_null(error);
}

static void test_normalize(void **state)
{
	norm_ok("Alice@Example.TEST", "alice@example.test");
	norm_ok("<bob@example.test>", "bob@example.test");
	norm_ok("  carol@example.test. ", "carol@example.test");
	norm_ok("first.last+tag@sub.example.test", "first.last+tag@sub.example.test");
	norm_ok("o'neil!#$%&*/=?^_`{|}~-@example.test", "o'neil!#$%&*/=?^_`{|}~-@example.test");
	norm_ok("\xc3\xa9l\xc3\xa8ve@example.test", "\xc3\xa9l\xc3\xa8ve@example.test");
	norm_bad("");
	norm_bad("<>");
	norm_bad("nobody");
	norm_bad("@example.test");
	norm_bad("a@");
	norm_bad("a@b@example.test");
	norm_bad(".a@example.test");
	norm_bad("a.@example.test");
	norm_bad("a..b@example.test");
	norm_bad("a b@example.test");
	norm_bad("\"quoted\"@example.test");
	norm_bad("a@[127.0.0.1]");
	norm_bad("a@-example.test");
	norm_bad("a@example-.test");
	norm_bad("a@exa_mple.test");
	norm_bad("a@example..test");
}

static void test_lengths(void **state)
{
	char in[600], want[600];

	/* RFC 5321 4.5.3.1.1: 64-octet local part */
	memset(in, 'a', 64);
	strcpy(in + 64, "@example.test");
	norm_ok(in, in);
	memset(in, 'a', 65);
	strcpy(in + 65, "@example.test");
	norm_bad(in);
	/* a 63-octet label is fine, 64 is not (RFC 1035 2.3.4) */
	strcpy(in, "a@");
	memset(in + 2, 'b', 63);
	strcpy(in + 65, ".test");
	norm_ok(in, in);
	memset(in + 2, 'b', 64);
	strcpy(in + 66, ".test");
	norm_bad(in);
	/* 254 octets in all, not more (RFC 5321 4.5.3.1.3 path of 256 with brackets) */
	memset(in, 'a', 60);
	in[60] = '@';
	for (int i = 0; i < 4; i++) {
		memset(in + 61 + i * 48, 'd', 47);
		in[61 + i * 48 + 47] = '.';
	}
	strcpy(in + 61 + 4 * 48, "test");   /* 60 + 1 + 192 + 4 = 257 */
	norm_bad(in);
	strcpy(want, in + 3);               /* 254 */
	norm_ok(want, want);
}

static void test_domain(void **state)
{
	char out[STORE_DOMAIN_SIZE];
	const char *error;

	assert_int_equal(store_domain_normalize("Example.TEST.", out, &error), 0);
	assert_string_equal(out, "example.test");
	assert_int_equal(store_domain_normalize("xn--bcher-kva.example", out, &error), 0);
	assert_int_equal(store_domain_normalize("", out, &error), -1);
	assert_int_equal(store_domain_normalize(".", out, &error), -1);
	assert_int_equal(store_domain_normalize("exa mple.test", out, &error), -1);
	assert_int_equal(store_domain_normalize("b\xc3\xbc" "cher.example", out, &error), -1);
	assert_string_equal(store_address_domain("a@example.test"), "example.test");
	assert_string_equal(store_address_domain("nodomain"), "");
}

static void test_split_plus(void **state)
{
	char base[STORE_ADDRESS_SIZE], tag[STORE_ADDRESS_LOCAL_MAX + 1];

	assert_true(store_address_split_plus("user+lists@example.test", base, tag));
	assert_string_equal(base, "user@example.test");
	assert_string_equal(tag, "lists");
	/* the first '+' splits; the tag keeps the rest */
	assert_true(store_address_split_plus("user+a+b@example.test", base, tag));
	assert_string_equal(base, "user@example.test");
	assert_string_equal(tag, "a+b");
	assert_true(store_address_split_plus("user+@example.test", base, tag));
	assert_string_equal(base, "user@example.test");
	assert_string_equal(tag, "");
	assert_false(store_address_split_plus("user@example.test", base, tag));
	assert_string_equal(base, "user@example.test");
	assert_string_equal(tag, "");
	/* a leading '+' is part of the name, not a tag */
	assert_false(store_address_split_plus("+user@example.test", base, tag));
	assert_string_equal(base, "+user@example.test");
	/* a '+' in the domain is not a tag separator */
	assert_false(store_address_split_plus("user@ex+ample.test", base, tag));
}

static void test_roles(void **state)
{
	assert_true(store_address_is_role("postmaster@example.test"));
	assert_true(store_address_is_role("abuse@example.test"));
	assert_true(store_address_is_role("PostMaster@example.test"));
	assert_true(store_address_is_role("postmaster"));
	assert_false(store_address_is_role("postmasters@example.test"));
	assert_false(store_address_is_role("abuse2@example.test"));
	assert_false(store_address_is_role("webmaster@example.test"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_normalize),
		cmocka_unit_test(test_lengths),
		cmocka_unit_test(test_domain),
		cmocka_unit_test(test_split_plus),
		cmocka_unit_test(test_roles),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
