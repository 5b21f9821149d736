/* test_smtp_address.c - RFC 5321 4.1.2 paths: what is accepted, how it is normalised, what
 * is refused, and that formatting gives back an equal address */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "smtp_address.h"

/* parse_ok - parse s fully with flags; checks the consumed length */
static void parse_ok(const char *s, unsigned flags, struct smtp_address *a)
{
	const char *err = NULL;
	ssize_t n = smtp_address_parse(s, strlen(s), flags, a, &err);

	if (n != (ssize_t)strlen(s))
		fail_msg("%s: %zd (%s)", s, n, err != NULL ? err : "");
}

/* parse_err - parse must fail with a reply starting with prefix */
static void parse_err(const char *s, unsigned flags, const char *prefix)
{
	struct smtp_address a;
	const char *err = NULL;

	if (smtp_address_parse(s, strlen(s), flags, &a, &err) != -1)
		fail_msg("%s: accepted", s);
	assert_non_null(err);
	if (strncmp(err, prefix, strlen(prefix)) != 0)
		fail_msg("%s: %s, wanted %s", s, err, prefix);
}

static void test_simple(void **state)
{
	struct smtp_address a;
	char buf[300];

	parse_ok("<Alice.Smith@Example.ORG>", 0, &a);
	assert_string_equal(a.local, "Alice.Smith"); /* local part case is kept (RFC 5321 2.4) */
	assert_string_equal(a.domain, "example.org");
	assert_false(a.is_null);
	assert_int_equal(smtp_address_format(&a, buf, sizeof(buf)), 25);
	assert_string_equal(buf, "<Alice.Smith@example.org>");
	assert_int_equal(smtp_address_mailbox(&a, buf, sizeof(buf)), 23);
	assert_string_equal(buf, "Alice.Smith@example.org");
	parse_ok("<a+tag!#$%&'*/=?^_`{|}~-@x-y.example>", 0, &a);
	assert_string_equal(a.local, "a+tag!#$%&'*/=?^_`{|}~-");
}

static void test_trailing_params_left(void **state)
{
	struct smtp_address a;
	const char *err;
	const char *s = "<a@b.example> SIZE=10";

	assert_int_equal(smtp_address_parse(s, strlen(s), 0, &a, &err), 13);
}

static void test_quoted(void **state)
{
	struct smtp_address a, b;
	char buf[300];
	const char *err;

	parse_ok("<\"john doe\"@example.org>", 0, &a);
	assert_string_equal(a.local, "john doe");
	smtp_address_format(&a, buf, sizeof(buf));
	assert_string_equal(buf, "<\"john doe\"@example.org>");
	parse_ok("<\"a\\\"b\\\\c\"@example.org>", 0, &a);
	assert_string_equal(a.local, "a\"b\\c");
	smtp_address_format(&a, buf, sizeof(buf));
	assert_string_equal(buf, "<\"a\\\"b\\\\c\"@example.org>");
	assert_int_equal(smtp_address_parse(buf, strlen(buf), 0, &b, &err), (ssize_t)strlen(buf));
	assert_memory_equal(&a, &b, sizeof(a));
	/* a quoted local part that needs no quotes is written without them */
	parse_ok("<\"plain\"@example.org>", 0, &a);
	smtp_address_format(&a, buf, sizeof(buf));
	assert_string_equal(buf, "<plain@example.org>");
	parse_ok("<\"\"@example.org>", 0, &a);
	smtp_address_format(&a, buf, sizeof(buf));
	assert_string_equal(buf, "<\"\"@example.org>");
	parse_err("<\"unterminated@example.org>", 0, "501 5.1.3");
	parse_err("<\"tab\there\"@example.org>", 0, "501 5.1.3");
}

static void test_literals(void **state)
{
	struct smtp_address a;

	parse_ok("<root@[192.0.2.1]>", 0, &a);
	assert_string_equal(a.domain, "[192.0.2.1]");
	parse_ok("<root@[IPv6:2001:DB8::1]>", 0, &a);
	assert_string_equal(a.domain, "[ipv6:2001:db8::1]");
	parse_err("<root@[300.1.1.1]>", 0, "501 5.1.3");
	parse_err("<root@[IPv6:zz::1]>", 0, "501 5.1.3");
	parse_err("<root@[x-tag:whatever]>", 0, "501 5.1.3");
	parse_err("<root@[1.2.3.4>", 0, "501 5.1.3");
	{
		/* found by the smtp_address fuzz target: a NUL inside a literal */
		static const char nul[] = "<u@[192.0.2.1\0]>";
		struct smtp_address x;
		const char *err;

		assert_int_equal(smtp_address_parse(nul, sizeof(nul) - 1, 0, &x, &err), -1);
	}
}

static void test_source_route(void **state)
{
	struct smtp_address a;

	/* RFC 5321 4.1.2 / C: accepted and ignored */
	parse_ok("<@relay.example,@other.example:user@example.org>", 0, &a);
	assert_string_equal(a.local, "user");
	assert_string_equal(a.domain, "example.org");
	parse_err("<@relay.example user@example.org>", 0, "501 5.1.3");
	parse_err("<@relay.example,user@example.org>", 0, "501 5.1.3");
}

static void test_null_and_postmaster(void **state)
{
	struct smtp_address a;
	char buf[8];

	parse_ok("<>", SMTP_ADDRESS_ALLOW_NULL, &a);
	assert_true(a.is_null);
	assert_int_equal(smtp_address_format(&a, buf, sizeof(buf)), 2);
	assert_string_equal(buf, "<>");
	parse_err("<>", 0, "501 5.1.3");
	parse_ok("<Postmaster>", SMTP_ADDRESS_ALLOW_POSTMASTER, &a);
	assert_string_equal(a.local, "Postmaster");
	assert_string_equal(a.domain, "");
	parse_err("<Postmaster>", 0, "501 5.1.3");
	parse_err("<bob>", SMTP_ADDRESS_ALLOW_POSTMASTER, "501 5.1.3");
}

static void test_syntax_errors(void **state)
{
	static const char *const bad[] = {
		"", "<", "a@b.example", "<a@b.example", "<a@>", "<@b.example>", "<a@b..example>",
		"<a@b.example.>", "<a@-b.example>", "<a@b-.example>", "<a..b@example.org>",
		"<.a@example.org>", "<a.@example.org>", "<a b@example.org>", "<a@b_c.example>",
		"<a@b.example>>", "<a@@b.example>", "<a\x01@b.example>",
	};
	struct smtp_address a;
	const char *err;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ssize_t n = smtp_address_parse(bad[i], strlen(bad[i]), SMTP_ADDRESS_ALLOW_NULL,
					       &a, &err);
		/* "<a@b.example>>" parses its first 13 bytes: the caller sees the stray '>' */
		if (n >= 0 && (size_t)n == strlen(bad[i]))
			fail_msg("accepted %s", bad[i]);
	}
}

static void test_lengths(void **state)
{
	char s[600], local[80], label[80];
	struct smtp_address a;

	/* local part: 64 octets is the limit (RFC 5321 4.5.3.1.1) */
	memset(local, 'l', 64);
	local[64] = '\0';
	snprintf(s, sizeof(s), "<%s@example.org>", local);
	parse_ok(s, 0, &a);
	snprintf(s, sizeof(s), "<%sl@example.org>", local);
	parse_err(s, 0, "501 5.1.3 Local part too long");
	snprintf(s, sizeof(s), "<\"%s\"@example.org>", local); /* 66 octets on the wire */
	parse_err(s, 0, "501 5.1.3 Local part too long");
	/* labels: 63 octets (RFC 1035 2.3.4) */
	memset(label, 'd', 63);
	label[63] = '\0';
	snprintf(s, sizeof(s), "<a@%s.example>", label);
	parse_ok(s, 0, &a);
	snprintf(s, sizeof(s), "<a@%sd.example>", label);
	parse_err(s, 0, "501 5.1.3");
	/* path: 256 octets including the brackets (RFC 5321 4.5.3.1.3) */
	snprintf(s, sizeof(s), "<%s@%s.%s.%.61s>", local, label, label, label);
	assert_int_equal(strlen(s), 256);
	parse_ok(s, 0, &a);
	snprintf(s, sizeof(s), "<%s@%s.%s.%.62s>", local, label, label, label);
	parse_err(s, 0, "501 5.1.3 Path too long");
	/* domain: 255 octets (RFC 5321 4.5.3.1.2) */
	snprintf(s, sizeof(s), "<a@%s.%s.%s.%s.%s>", label, label, label, label, label);
	parse_err(s, 0, "501 5.1.3");
}

static void test_utf8(void **state)
{
	struct smtp_address a;
	const char *s = "<j\xc3\xb6rg@b\xc3\xbc" "cher.example>";

	/* RFC 6531: only with SMTPUTF8, and only well-formed UTF-8 */
	parse_err(s, 0, "553 5.6.7");
	parse_ok(s, SMTP_ADDRESS_ALLOW_UTF8, &a);
	assert_true(a.utf8);
	assert_string_equal(a.domain, "b\xc3\xbc" "cher.example");
	parse_err("<j\xc3@example.org>", SMTP_ADDRESS_ALLOW_UTF8, "501 5.1.3");
	parse_err("<j\xff@example.org>", SMTP_ADDRESS_ALLOW_UTF8, "501 5.1.3");
	parse_ok("<\"j\xc3\xb6 rg\"@example.org>", SMTP_ADDRESS_ALLOW_UTF8, &a);
}

static void test_domain(void **state)
{
	char d[SMTP_ADDRESS_DOMAIN_MAX + 1];

	assert_int_equal(smtp_address_parse_domain("Mail.Example.COM", 16, false, d), 0);
	assert_string_equal(d, "mail.example.com");
	assert_int_equal(smtp_address_parse_domain("[127.0.0.1]", 11, false, d), 0);
	assert_int_equal(smtp_address_parse_domain("bad..name", 9, false, d), -1);
	assert_int_equal(smtp_address_parse_domain("name ", 5, false, d), -1);
}

static void test_format_bounds(void **state)
{
	struct smtp_address a;
	char buf[10];

	parse_ok("<alice@example.org>", 0, &a);
	assert_int_equal(smtp_address_format(&a, buf, sizeof(buf)), -1);
	assert_int_equal(smtp_address_mailbox(&a, buf, 2), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_simple), cmocka_unit_test(test_trailing_params_left),
		cmocka_unit_test(test_quoted), cmocka_unit_test(test_literals),
		cmocka_unit_test(test_source_route), cmocka_unit_test(test_null_and_postmaster),
		cmocka_unit_test(test_syntax_errors), cmocka_unit_test(test_lengths),
		cmocka_unit_test(test_utf8), cmocka_unit_test(test_domain),
		cmocka_unit_test(test_format_bounds),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
