/* test_smtp_parser.c - command lines fed one byte at a time, line bounds, bare CR/LF and
 * NUL, MAIL/RCPT parameters and xtext */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "smtp_parser.h"

/* bytewise - feed s one more byte at a time: "need more" until the LF, then all of it */
static ssize_t bytewise(const char *s, size_t line_max, struct smtp_cmd *cmd)
{
	const char *err;
	size_t len = strlen(s);

	for (size_t n = 1; n < len; n++)
		if (smtp_parser_line((const uint8_t *)s, n, line_max, cmd, &err) != 0)
			fail_msg("%s: complete after %zu bytes", s, n);
	return smtp_parser_line((const uint8_t *)s, len, line_max, cmd, &err);
}

static void test_verbs(void **state)
{
	struct smtp_cmd c;

	assert_int_equal(bytewise("ehlo client.example\r\n", 512, &c), 21);
	assert_int_equal(c.verb, SMTP_VERB_EHLO);
	assert_int_equal(c.args_len, 14);
	assert_memory_equal(c.args, "client.example", 14);
	assert_int_equal(bytewise("MAIL FROM:<a@b.example>  \r\n", 512, &c), 27);
	assert_int_equal(c.verb, SMTP_VERB_MAIL);
	assert_int_equal(c.args_len, 18); /* trailing spaces gone */
	assert_int_equal(bytewise("QUIT\r\n", 512, &c), 6);
	assert_int_equal(c.verb, SMTP_VERB_QUIT);
	assert_int_equal(c.args_len, 0);
	assert_int_equal(bytewise("StartTLS\r\n", 512, &c), 10);
	assert_int_equal(c.verb, SMTP_VERB_STARTTLS);
	assert_int_equal(bytewise("FROB x\r\n", 512, &c), 8);
	assert_int_equal(c.verb, SMTP_VERB_UNKNOWN);
	assert_int_equal(bytewise("MAILFROM:<a@b>\r\n", 512, &c), 16);
	assert_int_equal(c.verb, SMTP_VERB_UNKNOWN);
	assert_int_equal(bytewise("POST / HTTP/1.1\r\n", 512, &c), 17);
	assert_int_equal(c.verb, SMTP_VERB_HTTP);
	assert_string_equal(smtp_parser_verb_name(SMTP_VERB_BDAT), "BDAT");
}

static void test_pipelined(void **state)
{
	const char *s = "MAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\nDATA\r\n";
	const uint8_t *p = (const uint8_t *)s;
	size_t len = strlen(s);
	struct smtp_cmd c;
	const char *err;
	ssize_t n;

	n = smtp_parser_line(p, len, 512, &c, &err);
	assert_int_equal(c.verb, SMTP_VERB_MAIL);
	p += n; len -= (size_t)n;
	n = smtp_parser_line(p, len, 512, &c, &err);
	assert_int_equal(c.verb, SMTP_VERB_RCPT);
	p += n; len -= (size_t)n;
	n = smtp_parser_line(p, len, 512, &c, &err);
	assert_int_equal(c.verb, SMTP_VERB_DATA);
	assert_int_equal((size_t)n, len);
}

static void test_bare_and_nul(void **state)
{
	struct smtp_cmd c;
	const char *err;

	assert_int_equal(bytewise("NOOP\n", 512, &c), 5);
	assert_int_equal(c.verb, SMTP_VERB_INVALID);
	assert_string_equal(c.error, "500 5.5.2 Bare CR or LF not allowed");
	assert_int_equal(bytewise("NO\rOP\r\n", 512, &c), 7);
	assert_int_equal(c.verb, SMTP_VERB_INVALID);
	assert_int_equal(bytewise("\n", 512, &c), 1);
	assert_int_equal(c.verb, SMTP_VERB_INVALID);
	assert_int_equal(smtp_parser_line((const uint8_t *)"NO\0OP\r\n", 7, 512, &c, &err), 7);
	assert_int_equal(c.verb, SMTP_VERB_INVALID);
	assert_string_equal(c.error, "500 5.5.2 NUL byte not allowed");
}

static void test_line_bounds(void **state)
{
	char line[20000];
	struct smtp_cmd c;
	const char *err;
	size_t bound = smtp_parser_line_bound(512);

	/* 512 octets including CRLF is fine (RFC 5321 4.5.3.1.4); 513 is not */
	memset(line, 'x', sizeof(line));
	memcpy(line, "NOOP ", 5);
	memcpy(line + 510, "\r\n", 2);
	assert_int_equal(smtp_parser_line((uint8_t *)line, 512, 512, &c, &err), 512);
	assert_int_equal(c.verb, SMTP_VERB_NOOP);
	memset(line, 'x', sizeof(line));
	memcpy(line, "NOOP ", 5);
	memcpy(line + 511, "\r\n", 2);
	assert_int_equal(smtp_parser_line((uint8_t *)line, 513, 512, &c, &err), 513);
	assert_int_equal(c.verb, SMTP_VERB_INVALID);
	assert_string_equal(c.error, "500 5.5.2 Line too long");
	/* MAIL may carry up to SMTP_PARSER_PARAM_EXTRA more for parameters */
	memset(line, 'x', sizeof(line));
	memcpy(line, "MAIL ", 5);
	memcpy(line + 1000, "\r\n", 2);
	assert_int_equal(smtp_parser_line((uint8_t *)line, 1002, 512, &c, &err), 1002);
	assert_int_equal(c.verb, SMTP_VERB_MAIL);
	/* no LF within the largest bound: -1, the caller skips to the next LF */
	memset(line, 'x', sizeof(line));
	assert_int_equal(smtp_parser_line((uint8_t *)line, bound - 1, 512, &c, &err), 0);
	assert_int_equal(smtp_parser_line((uint8_t *)line, bound, 512, &c, &err), -1);
	assert_non_null(err);
	/* the bound is configurable */
	assert_int_equal(smtp_parser_line((const uint8_t *)"NOOP 123456\r\n", 13, 12, &c, &err), 13);
	assert_int_equal(c.verb, SMTP_VERB_INVALID);
}

/* mail - parse MAIL args; returns the error or NULL */
static const char *mail(const char *args, struct smtp_mail_args *m)
{
	const char *err = NULL;

	return smtp_parser_mail(args, strlen(args), m, &err) == 0 ? NULL : err;
}

static void test_mail_params(void **state)
{
	struct smtp_mail_args m;

	assert_null(mail("FROM:<a@b.example>", &m));
	assert_false(m.has_size);
	assert_null(mail("from: <a@b.example> size=1000 BODY=8bitmime RET=HDRS ENVID=QQ+2B1", &m));
	assert_true(m.has_size);
	assert_int_equal(m.size, 1000);
	assert_int_equal(m.body, SMTP_BODY_8BITMIME);
	assert_int_equal(m.ret, SMTP_RET_HDRS);
	assert_string_equal(m.envid, "QQ+1");
	assert_null(mail("FROM:<> BODY=BINARYMIME AUTH=<>", &m));
	assert_true(m.from.is_null);
	assert_int_equal(m.body, SMTP_BODY_BINARYMIME);
	assert_null(mail("FROM:<j\xc3\xb6rg@b.example> SMTPUTF8", &m));
	assert_true(m.smtputf8);
	assert_null(mail("FROM:<a@b.example> AUTH=alice+40example.org", &m));
	assert_true(m.has_auth);

	assert_string_equal(mail("FROM:<j\xc3\xb6rg@b.example>", &m),
			    "553 5.6.7 Non-ASCII sender needs SMTPUTF8");
	assert_string_equal(mail("TO:<a@b.example>", &m), "501 5.5.2 Syntax: MAIL FROM:<address>");
	assert_string_equal(mail("FROM:a@b.example", &m), "501 5.1.7 Bad sender address syntax");
	assert_string_equal(mail("FROM:<a@b.example>x", &m), "501 5.5.2 Syntax: MAIL FROM:<address>");
	assert_string_equal(mail("FROM:<a@b.example> FOO=1", &m), "555 5.5.4 Unsupported parameter");
	assert_string_equal(mail("FROM:<a@b.example> SIZE=1 SIZE=2", &m), "501 5.5.4 Duplicate parameter");
	assert_string_equal(mail("FROM:<a@b.example> SIZE=x", &m), "501 5.5.4 Invalid parameter");
	assert_string_equal(mail("FROM:<a@b.example> SIZE=99999999999999999999", &m),
			    "501 5.5.4 Invalid parameter");
	assert_string_equal(mail("FROM:<a@b.example> SIZE", &m), "501 5.5.4 Invalid parameter");
	assert_string_equal(mail("FROM:<a@b.example> BODY=9BIT", &m), "501 5.5.4 Invalid parameter");
	assert_string_equal(mail("FROM:<a@b.example> SMTPUTF8=yes", &m), "501 5.5.4 Invalid parameter");
	assert_string_equal(mail("FROM:<a@b.example> RET=ALL", &m), "501 5.5.4 Invalid parameter");
	assert_string_equal(mail("FROM:<a@b.example> ENVID=a+0Db", &m), "501 5.5.4 Invalid parameter");
	assert_string_equal(mail("FROM:<a@b.example> ENVID=a+4", &m), "501 5.5.4 Invalid parameter");
	assert_string_equal(mail("FROM:<a@b.example> =x", &m), "501 5.5.4 Invalid parameter");
}

static void test_envid_bound(void **state)
{
	char args[300];
	struct smtp_mail_args m;

	snprintf(args, sizeof(args), "FROM:<a@b.example> ENVID=%0100d", 0);
	assert_null(mail(args, &m));
	assert_int_equal(strlen(m.envid), 100);
	snprintf(args, sizeof(args), "FROM:<a@b.example> ENVID=%0101d", 0);
	assert_non_null(mail(args, &m));
}

/* rcpt - parse RCPT args; returns the error or NULL */
static const char *rcpt(const char *args, bool utf8, struct smtp_rcpt_args *r)
{
	const char *err = NULL;

	return smtp_parser_rcpt(args, strlen(args), utf8, r, &err) == 0 ? NULL : err;
}

static void test_rcpt_params(void **state)
{
	struct smtp_rcpt_args r;

	assert_null(rcpt("TO:<c@d.example> NOTIFY=SUCCESS,failure ORCPT=rfc822;c+40d.example",
			 false, &r));
	assert_int_equal(r.notify, SMTP_NOTIFY_SUCCESS | SMTP_NOTIFY_FAILURE);
	assert_string_equal(r.orcpt, "rfc822;c@d.example");
	assert_null(rcpt("TO:<c@d.example> NOTIFY=NEVER", false, &r));
	assert_int_equal(r.notify, SMTP_NOTIFY_NEVER);
	assert_null(rcpt("TO:<postmaster>", false, &r));
	assert_null(rcpt("TO:<\xc3\xa4@d.example>", true, &r));
	assert_string_equal(rcpt("TO:<\xc3\xa4@d.example>", false, &r),
			    "553 5.6.7 Non-ASCII address needs SMTPUTF8");
	/* found by the smtp_command fuzz target: NOTIFY without a value */
	assert_string_equal(rcpt("TO:<c@d.example> NOTIFY", false, &r), "501 5.5.4 Invalid parameter");
	assert_string_equal(rcpt("TO:<c@d.example> NOTIFY=NEVER,DELAY", false, &r),
			    "501 5.5.4 Invalid parameter");
	assert_string_equal(rcpt("TO:<c@d.example> NOTIFY=DELAY,DELAY", false, &r),
			    "501 5.5.4 Invalid parameter");
	assert_string_equal(rcpt("TO:<c@d.example> NOTIFY=SUCCESS,", false, &r),
			    "501 5.5.4 Invalid parameter");
	assert_string_equal(rcpt("TO:<c@d.example> ORCPT=c@d.example", false, &r),
			    "501 5.5.4 Invalid parameter");
	assert_string_equal(rcpt("TO:<c@d.example> ORCPT=;c@d", false, &r),
			    "501 5.5.4 Invalid parameter");
	assert_string_equal(rcpt("TO:<c@d.example> SIZE=1", false, &r),
			    "555 5.5.4 Unsupported parameter");
	assert_string_equal(rcpt("TO:<>", false, &r), "501 5.1.3 Null path not allowed here");
	assert_string_equal(rcpt("FROM:<c@d.example>", false, &r),
			    "501 5.5.2 Syntax: RCPT TO:<address>");
}

static void test_xtext(void **state)
{
	char out[8];

	assert_int_equal(smtp_parser_xtext_decode("a+2Bb", 5, out, sizeof(out)), 0);
	assert_string_equal(out, "a+b");
	assert_int_equal(smtp_parser_xtext_decode("a+2", 3, out, sizeof(out)), -1);
	assert_int_equal(smtp_parser_xtext_decode("a=b", 3, out, sizeof(out)), -1);
	assert_int_equal(smtp_parser_xtext_decode("a b", 3, out, sizeof(out)), -1);
	assert_int_equal(smtp_parser_xtext_decode("+00", 3, out, sizeof(out)), -1);
	assert_int_equal(smtp_parser_xtext_decode("12345678", 8, out, sizeof(out)), -1);
	assert_int_equal(smtp_parser_xtext_decode("1234567", 7, out, sizeof(out)), 0);
}

static void test_raw_line(void **state)
{
	const char *line, *err;
	size_t n;

	assert_int_equal(smtp_parser_raw_line((const uint8_t *)"abc\r\nx", 6, 100, &line, &n, &err), 5);
	assert_int_equal(n, 3);
	assert_null(err);
	assert_int_equal(smtp_parser_raw_line((const uint8_t *)"abc", 3, 100, &line, &n, &err), 0);
	assert_int_equal(smtp_parser_raw_line((const uint8_t *)"abc", 3, 3, &line, &n, &err), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_verbs), cmocka_unit_test(test_pipelined),
		cmocka_unit_test(test_bare_and_nul), cmocka_unit_test(test_line_bounds),
		cmocka_unit_test(test_mail_params), cmocka_unit_test(test_envid_bound),
		cmocka_unit_test(test_rcpt_params), cmocka_unit_test(test_xtext),
		cmocka_unit_test(test_raw_line),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
