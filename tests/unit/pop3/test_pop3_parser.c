/* test_pop3_parser.c - command lines one octet at a time, limits, arguments
 * (RFC 1939 3, RFC 2449 4) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "services/pop3/pop3_parser.h"

/* parse_bytewise - feed every prefix: "need more" until the whole line is there */
static ssize_t parse_bytewise(const char *line, struct pop3_cmd *cmd)
{
	size_t len = strlen(line);
	const char *error = NULL;

	for (size_t i = 0; i < len; i++) {
		ssize_t n = pop3_parser_parse((const uint8_t *)line, i, 255, cmd, &error);
		if (n != 0)
			return -100 - (ssize_t)i; /* answered too early */
	}
	return pop3_parser_parse((const uint8_t *)line, len, 255, cmd, &error);
}

static void assert_arg(const struct pop3_arg *a, const char *want)
{
	assert_int_equal(a->len, strlen(want));
	assert_memory_equal(a->s, want, a->len);
}

static void test_simple(void **state)
{
	struct pop3_cmd cmd;

	assert_int_equal(parse_bytewise("stat\r\n", &cmd), 6);
	assert_string_equal(cmd.verb, "STAT");
	assert_int_equal(cmd.argc, 0);
	assert_null(cmd.bad);
	assert_int_equal(parse_bytewise("Top 1 10\r\n", &cmd), 10);
	assert_string_equal(cmd.verb, "TOP");
	assert_int_equal(cmd.argc, 2);
	assert_arg(&cmd.args[0], "1");
	assert_arg(&cmd.args[1], "10");
	/* a bare LF ends a line too */
	assert_int_equal(parse_bytewise("LIST 3\n", &cmd), 7);
	assert_arg(&cmd.args[0], "3");
	assert_int_equal(cmd.line.len, 6);
}

static void test_pipelined(void **state)
{
	const char *in = "USER a\r\nPASS b c\r\nSTAT\r\n";
	struct pop3_cmd cmd;
	const char *error;
	ssize_t n;
	size_t off = 0;

	n = pop3_parser_parse((const uint8_t *)in, strlen(in), 255, &cmd, &error);
	assert_int_equal(n, 8);
	off += (size_t)n;
	n = pop3_parser_parse((const uint8_t *)in + off, strlen(in) - off, 255, &cmd, &error);
	assert_int_equal(n, 10);
	assert_string_equal(cmd.verb, "PASS");
	assert_arg(&cmd.rest, "b c");
	off += (size_t)n;
	n = pop3_parser_parse((const uint8_t *)in + off, strlen(in) - off, 255, &cmd, &error);
	assert_int_equal(n, 6);
	assert_string_equal(cmd.verb, "STAT");
}

static void test_too_long(void **state)
{
	char line[400];
	struct pop3_cmd cmd;
	const char *error = NULL;

	memset(line, 'A', sizeof(line));
	/* 255 octets with CRLF: accepted; one more: refused, even before the LF arrives */
	memcpy(line, "NOOP ", 5);
	memcpy(line + 253, "\r\n", 2);
	assert_int_equal(pop3_parser_parse((const uint8_t *)line, 255, 255, &cmd, &error), 255);
	memset(line + 253, 'A', 2);
	memcpy(line + 254, "\r\n", 2);
	assert_int_equal(pop3_parser_parse((const uint8_t *)line, 256, 255, &cmd, &error), -1);
	assert_string_equal(error, "line too long");
	assert_int_equal(pop3_parser_parse((const uint8_t *)line, 254, 255, &cmd, &error), 0);
	assert_int_equal(pop3_parser_parse((const uint8_t *)line, 255, 255, &cmd, &error), -1);
	/* the limit is the caller's */
	assert_int_equal(pop3_parser_parse((const uint8_t *)line, 256, 300, &cmd, &error), 256);
}

static void test_bad_lines(void **state)
{
	struct pop3_cmd cmd;

	assert_int_equal(parse_bytewise("\r\n", &cmd), 2);
	assert_string_equal(cmd.verb, "");
	assert_non_null(cmd.bad);
	assert_int_equal(parse_bytewise("STATS\r\n", &cmd), 7);
	assert_string_equal(cmd.verb, "");
	assert_int_equal(parse_bytewise("ST4T\r\n", &cmd), 6);
	assert_string_equal(cmd.verb, "");
	assert_int_equal(parse_bytewise(" STAT\r\n", &cmd), 7);
	assert_string_equal(cmd.verb, "");
	assert_int_equal(parse_bytewise("USER a\tb\r\n", &cmd), 10);
	assert_string_equal(cmd.bad, "Control characters in arguments");
	assert_int_equal(parse_bytewise("USER  a\r\n", &cmd), 9);
	assert_null(cmd.bad);
	assert_string_equal(cmd.args_bad, "Empty argument");
	assert_int_equal(parse_bytewise("TOP 1 2 3 4\r\n", &cmd), 13);
	assert_string_equal(cmd.args_bad, "Too many arguments");
	/* a NUL inside the verb makes it no verb at all */
	assert_int_equal(pop3_parser_parse((const uint8_t *)"ST\0T\r\n", 6, 255, &cmd,
					   &(const char *){ NULL }), 6);
	assert_string_equal(cmd.verb, "");
}

static void test_trailing_space(void **state)
{
	struct pop3_cmd cmd;

	/* some clients send "LIST 1 " */
	assert_int_equal(parse_bytewise("LIST 1 \r\n", &cmd), 9);
	assert_int_equal(cmd.argc, 1);
	assert_null(cmd.args_bad);
}

static void test_numbers(void **state)
{
	struct pop3_arg a;
	long n;

	a = (struct pop3_arg){ "42", 2 };
	assert_int_equal(pop3_parser_arg_number(&a, &n), 0);
	assert_int_equal(n, 42);
	a = (struct pop3_arg){ "999999999", 9 };
	assert_int_equal(pop3_parser_arg_number(&a, &n), 0);
	a = (struct pop3_arg){ "1000000000", 10 };
	assert_int_equal(pop3_parser_arg_number(&a, &n), -1);
	a = (struct pop3_arg){ "-1", 2 };
	assert_int_equal(pop3_parser_arg_number(&a, &n), -1);
	a = (struct pop3_arg){ "1x", 2 };
	assert_int_equal(pop3_parser_arg_number(&a, &n), -1);
	a = (struct pop3_arg){ "", 0 };
	assert_int_equal(pop3_parser_arg_number(&a, &n), -1);
	a = (struct pop3_arg){ "plain", 5 };
	assert_true(pop3_parser_arg_equals(&a, "PLAIN"));
	assert_false(pop3_parser_arg_equals(&a, "PLAI"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_simple),
		cmocka_unit_test(test_pipelined),
		cmocka_unit_test(test_too_long),
		cmocka_unit_test(test_bad_lines),
		cmocka_unit_test(test_trailing_space),
		cmocka_unit_test(test_numbers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
