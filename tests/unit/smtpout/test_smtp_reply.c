/* Unit tests of the SMTP reply parser and EHLO keywords (RFC 5321 4.2, RFC 3463). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "services/smtp-out/smtp_ehlo.h"
#include "services/smtp-out/smtp_reply.h"

/* parse - whole string */
static ssize_t parse(const char *s, struct smtp_reply *r, const char **error)
{
	return smtp_reply_parse((const uint8_t *)s, strlen(s), r, error);
}

static void test_single_line(void **state)
{
	struct smtp_reply r;
	const char *e = NULL;

	assert_int_equal(parse("550 5.1.1 no such user\r\nrest", &r, &e), 24);
	assert_int_equal(r.code, 550);
	assert_string_equal(r.enh, "5.1.1");
	assert_string_equal(r.text, "5.1.1 no such user");
	assert_int_equal(r.nlines, 1);
}

static void test_multiline_and_ehlo(void **state)
{
	const char *s = "250-mx.example.com hello\r\n250-PIPELINING\r\n250-SIZE 10240\r\n"
			"250-starttls\r\n250-DSN\r\n250 SMTPUTF8\r\n";
	struct smtp_reply r;
	struct smtp_ehlo x;
	const char *e = NULL;

	assert_int_equal(parse(s, &r, &e), (ssize_t)strlen(s));
	assert_int_equal(r.nlines, 6);
	assert_string_equal(r.enh, "");
	smtp_ehlo_parse(&r, &x);
	assert_true(x.pipelining && x.starttls && x.dsn && x.smtputf8 && x.has_size);
	assert_false(x.eightbitmime);
	assert_int_equal(x.size, 10240);
}

/* byte at a time: "need more" until the last line's LF */
static void test_byte_at_a_time(void **state)
{
	const char *s = "421-4.3.2 going\r\n421 4.3.2 down\r\n";
	struct smtp_reply r;
	const char *e = NULL;
	size_t len = strlen(s);

	assert_int_equal(smtp_reply_parse(NULL, 0, &r, &e), 0);  /* an empty evbuffer's pullup */
	for (size_t i = 0; i < len; i++)
		assert_int_equal(smtp_reply_parse((const uint8_t *)s, i, &r, &e), 0);
	assert_int_equal(smtp_reply_parse((const uint8_t *)s, len, &r, &e), (ssize_t)len);
	assert_string_equal(r.text, "4.3.2 going\n4.3.2 down");
}

static void test_malformed(void **state)
{
	static const char *const bad[] = {
		"250-a\r\n251 b\r\n",      /* RFC 5321 4.2.1: one code per reply */
		"25 short\r\n", "abc def\r\n", "150 not smtp\r\n", "260 bad\r\n",
		"250xtext\r\n", "250 a\0b\r\n",
	};
	struct smtp_reply r;
	const char *e;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		e = NULL;
		assert_int_equal(smtp_reply_parse((const uint8_t *)bad[i],
						  strlen(bad[i]) + (i == 6 ? 4 : 0), &r, &e), -1);
		assert_non_null(e);
	}
}

static void test_too_long(void **state)
{
	char line[SMTP_REPLY_LINE_MAX + 10];
	struct smtp_reply r;
	const char *e = NULL;

	memset(line, 'a', sizeof(line));
	memcpy(line, "250 ", 4);
	assert_int_equal(smtp_reply_parse((uint8_t *)line, sizeof(line), &r, &e), -1);
	assert_int_equal(smtp_reply_parse((uint8_t *)line, SMTP_REPLY_LINE_MAX - 1, &r, &e), 0);
}

static void test_enhanced_code_rules(void **state)
{
	struct smtp_reply r;
	const char *e = NULL;

	assert_int_equal(smtp_reply_enh_parse("5.7.1 x", 7), 5);
	assert_int_equal(smtp_reply_enh_parse("4.123.456", 9), 9);
	assert_int_equal(smtp_reply_enh_parse("3.1.1 x", 7), 0);
	assert_int_equal(smtp_reply_enh_parse("5.1234.1", 8), 0);
	assert_int_equal(smtp_reply_enh_parse("5.01.1", 6), 0);
	assert_int_equal(smtp_reply_enh_parse("5.1.1x", 6), 0);
	parse("450 5.1.1 class differs from the code\r\n", &r, &e);
	assert_string_equal(r.enh, "");
	parse("250\r\n", &r, &e);
	assert_int_equal(r.code, 250);
	assert_string_equal(r.text, "");
}

static void test_format_round_trip(void **state)
{
	const char *s = "250-one\n250 two\n";
	struct smtp_reply r, r2;
	char buf[128];
	const char *e = NULL;
	ssize_t n;

	assert_int_equal(parse(s, &r, &e), (ssize_t)strlen(s));
	n = smtp_reply_format(&r, buf, sizeof(buf));
	assert_int_equal(n, 18);
	assert_memory_equal(buf, "250-one\r\n250 two\r\n", 18);
	assert_int_equal(smtp_reply_parse((uint8_t *)buf, (size_t)n, &r2, &e), n);
	assert_string_equal(r2.text, r.text);
	assert_int_equal(smtp_reply_format(&r, buf, 10), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_single_line),
		cmocka_unit_test(test_multiline_and_ehlo),
		cmocka_unit_test(test_byte_at_a_time),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_too_long),
		cmocka_unit_test(test_enhanced_code_rules),
		cmocka_unit_test(test_format_round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
