/* test_config.c - the MERPATI_* value parsers accept what the README promises, refuse the rest */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"

static void test_duration(void **state)
{
	long s;

	assert_int_equal(config_parse_duration("90", &s), 0); assert_int_equal(s, 90);
	assert_int_equal(config_parse_duration("90s", &s), 0); assert_int_equal(s, 90);
	assert_int_equal(config_parse_duration("15m", &s), 0); assert_int_equal(s, 900);
	assert_int_equal(config_parse_duration("4h", &s), 0); assert_int_equal(s, 14400);
	assert_int_equal(config_parse_duration("5d", &s), 0); assert_int_equal(s, 432000);
	assert_int_equal(config_parse_duration("", &s), -1);
	assert_int_equal(config_parse_duration("-5m", &s), -1);
	assert_int_equal(config_parse_duration("5mm", &s), -1);
	assert_int_equal(config_parse_duration("5w", &s), -1);
	assert_int_equal(config_parse_duration("99999999999999999999d", &s), -1);
}

static void test_durations(void **state)
{
	long v[4];

	assert_int_equal(config_parse_durations("15m, 30m,1h", v, 4), 3);
	assert_int_equal(v[0], 900); assert_int_equal(v[1], 1800); assert_int_equal(v[2], 3600);
	assert_int_equal(config_parse_durations("1s,2s,3s,4s,5s", v, 4), -1);
	assert_int_equal(config_parse_durations("1s,,x", v, 4), -1);
}

static void test_size(void **state)
{
	size_t b;

	assert_int_equal(config_parse_size("1024", &b), 0); assert_int_equal(b, 1024);
	assert_int_equal(config_parse_size("64k", &b), 0); assert_int_equal(b, 65536);
	assert_int_equal(config_parse_size("25M", &b), 0); assert_int_equal(b, 25u << 20);
	assert_int_equal(config_parse_size("M", &b), -1);
	assert_int_equal(config_parse_size("10T", &b), -1);
}

static void test_listen(void **state)
{
	struct config_listen l;

	assert_int_equal(config_parse_listen(":25", &l), 0);
	assert_string_equal(l.host, ""); assert_string_equal(l.port, "25");
	assert_int_equal(config_parse_listen("*:587", &l), 0); assert_string_equal(l.host, "");
	assert_int_equal(config_parse_listen("127.0.0.1:2525", &l), 0);
	assert_string_equal(l.host, "127.0.0.1"); assert_string_equal(l.port, "2525");
	assert_int_equal(config_parse_listen("[::1]:143", &l), 0);
	assert_string_equal(l.host, "::1"); assert_string_equal(l.port, "143");
	assert_int_equal(config_parse_listen("::1:143", &l), -1);
	assert_int_equal(config_parse_listen("host", &l), -1);
	assert_int_equal(config_parse_listen("host:99999", &l), -1);
	assert_int_equal(config_parse_listen("host:", &l), -1);
}

static void test_getters_default_and_env(void **state)
{
	unsetenv("MERPATI_TEST_X");
	assert_int_equal(config_duration("MERPATI_TEST_X", "4h"), 14400);
	setenv("MERPATI_TEST_X", "30s", 1);
	assert_int_equal(config_duration("MERPATI_TEST_X", "4h"), 30);
	setenv("MERPATI_TEST_X", "", 1);
	assert_string_equal(config_str("MERPATI_TEST_X", "dflt"), "dflt");
	unsetenv("MERPATI_TEST_X");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_duration),
		cmocka_unit_test(test_durations),
		cmocka_unit_test(test_size),
		cmocka_unit_test(test_listen),
		cmocka_unit_test(test_getters_default_and_env),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
