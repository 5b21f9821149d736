/* test_cli.c - the pure parts of `merpati`: rule options to JSON and back, password lines */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin/cli.h"
#include "admin/cli_password.h"
#include "admin/rule_json.h"

/* dump - the compact JSON of an array, for comparing against the expected text */
static char *dump(json_t *a)
{
	char *s = json_dumps(a, JSON_COMPACT | JSON_SORT_KEYS);

	assert_non_null(s);
	return s;
}

static void test_rule_conditions(void **state)
{
	struct rule_json r;
	const char *error = NULL;
	char *s;

	rule_json_init(&r);
	assert_int_equal(rule_json_add(&r, "from", "boss@corp.example", &error), 0);
	assert_int_equal(rule_json_add(&r, "to", "team@", &error), 0);
	assert_int_equal(rule_json_add(&r, "header", "List-Id:announce: x", &error), 0);
	assert_int_equal(rule_json_add(&r, "larger", "2M", &error), 0);
	assert_int_equal(rule_json_add(&r, "smaller", "100", &error), 0);
	s = dump(r.conditions);
	assert_string_equal(s,
		"[{\"field\":\"from\",\"op\":\"contains\",\"value\":\"boss@corp.example\"},"
		"{\"field\":\"to\",\"op\":\"contains\",\"value\":\"team@\"},"
		"{\"field\":\"header\",\"name\":\"List-Id\",\"op\":\"contains\",\"value\":\"announce: x\"},"
		"{\"field\":\"size\",\"op\":\"over\",\"value\":2097152},"
		"{\"field\":\"size\",\"op\":\"under\",\"value\":100}]");
	free(s);
	/* conditions alone are not a rule */
	assert_int_equal(rule_json_check(&r, &error), -1);
	assert_non_null(strstr(error, "needs an action"));
	rule_json_free(&r);
}

static void test_rule_actions(void **state)
{
	struct rule_json r;
	const char *error = NULL;
	char *s;

	rule_json_init(&r);
	assert_int_equal(rule_json_add(&r, "fileinto", "inbox", &error), 0);
	assert_int_equal(rule_json_add(&r, "fileinto", "Lists/Announce", &error), 0);
	assert_int_equal(rule_json_add(&r, "redirect", "Bob@Example.ORG", &error), 0);
	assert_int_equal(rule_json_add(&r, "flag", "\\FLAGGED", &error), 0);
	assert_int_equal(rule_json_add(&r, "flag", "$Important", &error), 0);
	assert_int_equal(rule_json_add(&r, "seen", NULL, &error), 0);
	assert_int_equal(rule_json_add(&r, "discard", NULL, &error), 0);
	assert_int_equal(rule_json_add(&r, "stop", NULL, &error), 0);
	assert_int_equal(rule_json_check(&r, &error), 0);
	s = dump(r.actions);
	assert_string_equal(s, "[{\"fileinto\":\"INBOX\"},{\"fileinto\":\"Lists/Announce\"},"
			       "{\"redirect\":\"bob@example.org\"},{\"flag\":\"\\\\Flagged\"},"
			       "{\"flag\":\"$Important\"},{\"seen\":true},{\"discard\":true},"
			       "{\"stop\":true}]");
	free(s);
	rule_json_free(&r);
}

static void test_rule_refusals(void **state)
{
	char big[RULE_JSON_TEXT_MAX + 2];
	struct rule_json r;
	const char *error = NULL;

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	rule_json_init(&r);
	assert_int_equal(rule_json_add(&r, "from", "", &error), -1);
	assert_int_equal(rule_json_add(&r, "from", big, &error), -1);
	assert_int_equal(rule_json_add(&r, "subject", "a\r\nBcc: x", &error), -1);
	assert_int_equal(rule_json_add(&r, "header", "NoColon", &error), -1);
	assert_int_equal(rule_json_add(&r, "header", ":x", &error), -1);
	assert_int_equal(rule_json_add(&r, "header", "Bad Name:x", &error), -1);
	assert_int_equal(rule_json_add(&r, "header", "List-Id:", &error), -1);
	assert_int_equal(rule_json_add(&r, "larger", "-1", &error), -1);
	assert_int_equal(rule_json_add(&r, "larger", "1T", &error), -1);
	assert_int_equal(rule_json_add(&r, "fileinto", "", &error), -1);
	assert_int_equal(rule_json_add(&r, "redirect", "no-at-sign", &error), -1);
	assert_int_equal(rule_json_add(&r, "flag", "\\Recent", &error), -1);
	assert_int_equal(rule_json_add(&r, "flag", "two words", &error), -1);
	assert_int_equal(rule_json_add(&r, "flag", "par(en", &error), -1);
	assert_int_equal(rule_json_add(&r, "seen", "yes", &error), -1);   /* takes no value */
	assert_int_equal(rule_json_add(&r, "fileinto", NULL, &error), -1); /* needs one */
	assert_int_equal(rule_json_add(&r, "vacation", NULL, &error), -1);
	assert_int_equal(json_array_size(r.conditions), 0);
	assert_int_equal(json_array_size(r.actions), 0);
	rule_json_free(&r);
}

static void test_rule_bounds(void **state)
{
	struct rule_json r;
	const char *error = NULL;

	rule_json_init(&r);
	for (int i = 0; i < RULE_JSON_ITEMS_MAX; i++)
		assert_int_equal(rule_json_add(&r, "stop", NULL, &error), 0);
	assert_int_equal(rule_json_add(&r, "stop", NULL, &error), -1);
	assert_int_equal(json_array_size(r.actions), RULE_JSON_ITEMS_MAX);
	rule_json_free(&r);
}

static void test_rule_options(void **state)
{
	assert_int_equal(rule_json_option("from"), 1);
	assert_int_equal(rule_json_option("fileinto"), 1);
	assert_int_equal(rule_json_option("stop"), 0);
	assert_int_equal(rule_json_option("name"), -1);
	assert_int_equal(rule_json_option(""), -1);
}

static void test_rule_describe(void **state)
{
	char buf[256], tiny[12];

	assert_string_equal(rule_json_describe(
		"[{\"field\":\"from\",\"op\":\"contains\",\"value\":\"x\"},"
		"{\"field\":\"header\",\"name\":\"List-Id\",\"op\":\"contains\",\"value\":\"y\"},"
		"{\"field\":\"size\",\"op\":\"over\",\"value\":10}]",
		"[{\"fileinto\":\"Lists\"},{\"stop\":true}]", buf, sizeof(buf)),
		"if from contains \"x\" and header List-Id contains \"y\" and size over 10 "
		"then fileinto \"Lists\", stop");
	assert_string_equal(rule_json_describe("[]", "[{\"discard\":true}]", buf, sizeof(buf)),
			    "always discard");
	/* stored rows written by something else: never crash, say what is unreadable */
	assert_string_equal(rule_json_describe("[{}]", "[5]", buf, sizeof(buf)),
			    "if (unreadable condition) then (unreadable action)");
	assert_string_equal(rule_json_describe("not json", "[", buf, sizeof(buf)), "always ");
	/* truncated, always terminated */
	rule_json_describe("[]", "[{\"fileinto\":\"a long mailbox name\"}]", tiny, sizeof(tiny));
	assert_int_equal(strlen(tiny), sizeof(tiny) - 1);
}

/* line - cli_password_line over the bytes of s (len, may hold NUL) */
static int line(const char *s, size_t len, char *buf, size_t max, size_t *len_r,
		const char **error_r)
{
	FILE *f = fmemopen((void *)s, len, "r");
	int rc;

	assert_non_null(f);
	rc = cli_password_line(f, buf, max, len_r, error_r);
	fclose(f);
	return rc;
}

static void test_password_line(void **state)
{
	char buf[16];
	const char *error = NULL;
	size_t len = 99;

	assert_int_equal(line("secret\n", 7, buf, 8, &len, &error), 0);
	assert_string_equal(buf, "secret");
	assert_int_equal(len, 6);
	assert_int_equal(line("secret\r\nmore\n", 13, buf, 8, &len, &error), 0);
	assert_string_equal(buf, "secret");
	assert_int_equal(line("no newline", 10, buf, 10, &len, &error), 0);
	assert_int_equal(len, 10);
	assert_int_equal(line("\n", 1, buf, 8, &len, &error), 0);
	assert_int_equal(len, 0);
	assert_int_equal(line("", 0, buf, 8, &len, &error), -1);
	assert_non_null(strstr(error, "no password"));
	assert_int_equal(line("123456789\n", 10, buf, 8, &len, &error), -1);
	assert_non_null(strstr(error, "too long"));
	assert_int_equal(line("ab\0cd\n", 6, buf, 8, &len, &error), -1);
	assert_non_null(strstr(error, "NUL"));
	/* exactly max bytes is fine */
	assert_int_equal(line("12345678\n", 9, buf, 8, &len, &error), 0);
	assert_int_equal(len, 8);
}

static void test_size_text(void **state)
{
	char buf[CLI_SIZE_TEXT];

	assert_string_equal(cli_size_text(buf, 0), "0");
	assert_string_equal(cli_size_text(buf, 1023), "1023");
	assert_string_equal(cli_size_text(buf, 1024), "1k");
	assert_string_equal(cli_size_text(buf, 1536), "1.5k");
	assert_string_equal(cli_size_text(buf, 500LL * 1024 * 1024), "500M");
	assert_string_equal(cli_size_text(buf, 1024LL * 1024 * 1024), "1G");
	assert_string_equal(cli_size_text(buf, 3LL << 40), "3T");
	assert_string_equal(cli_size_text(buf, INT64_MAX), "8388608T");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rule_conditions),
		cmocka_unit_test(test_rule_actions),
		cmocka_unit_test(test_rule_refusals),
		cmocka_unit_test(test_rule_bounds),
		cmocka_unit_test(test_rule_options),
		cmocka_unit_test(test_rule_describe),
		cmocka_unit_test(test_password_line),
		cmocka_unit_test(test_size_text),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
