/* Unit tests of lib/rules: the rule JSON the CLI and the webmail store, accepted and
 * refused with the reason, at and beyond every bound. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rules/rule_check.h"

/* check - rule_check_rule on JSON text; the error (NULL when valid) */
static const char *check(const char *text)
{
	json_error_t jerr;
	json_t *rule = json_loads(text, 0, &jerr);
	const char *error = NULL;

	assert_non_null(rule);
	if (rule_check_rule(rule, &error) == 0)
		error = NULL;
	json_decref(rule);
	return error;
}

static void test_valid_rules(void **state)
{
	(void)state;
	assert_null(check("{\"conditions\":[],\"actions\":[{\"stop\":true}]}"));
	assert_null(check("{\"name\":\"lists\",\"enabled\":false,\"conditions\":["
			  "{\"field\":\"header\",\"name\":\"List-Id\",\"op\":\"contains\",\"value\":\"x\"},"
			  "{\"field\":\"from\",\"op\":\"contains\",\"value\":\"boss\"},"
			  "{\"field\":\"size\",\"op\":\"over\",\"value\":1048576}],"
			  "\"actions\":[{\"fileinto\":\"Lists\"},{\"flag\":\"\\\\flagged\"},"
			  "{\"flag\":\"$Important\"},{\"redirect\":\"a@b.example\"},{\"seen\":true},"
			  "{\"discard\":true}]}"));
}

static void test_refused_rules(void **state)
{
	static const struct {
		const char *json, *reason;
	} cases[] = {
		{"[]", "a rule is an object"},
		{"{\"conditions\":[],\"actions\":[]}", "at least one"},
		{"{\"conditions\":[{\"field\":\"body\",\"op\":\"contains\",\"value\":\"x\"}],"
		 "\"actions\":[{\"seen\":true}]}", "field is"},
		{"{\"conditions\":[],\"actions\":[{\"fileinto\":\"\"}]}", "mailbox name"},
		{"{\"conditions\":[],\"actions\":[{\"seen\":true,\"stop\":true}]}", "one member"},
		{"{\"conditions\":[{\"field\":\"size\",\"op\":\"over\",\"value\":\"big\"}],"
		 "\"actions\":[{\"discard\":true}]}", "a size is"},
		{"{\"conditions\":[{\"field\":\"subject\",\"op\":\"contains\",\"value\":\"a\\tb\"}],"
		 "\"actions\":[{\"stop\":true}]}", "control"},
		{"{\"conditions\":[{\"field\":\"header\",\"name\":\"Bad Name\",\"op\":\"contains\","
		 "\"value\":\"x\"}],\"actions\":[{\"stop\":true}]}", "header name"},
		{"{\"conditions\":[],\"actions\":[{\"flag\":\"\\\\Recent\"}]}", "a flag is"},
		{"{\"conditions\":[],\"actions\":[{\"flag\":\"two words\"}]}", "a flag is"},
		{"{\"conditions\":[],\"actions\":[{\"redirect\":\"no-at-sign\"}]}", ""},
		{"{\"conditions\":[],\"actions\":[{\"vacation\":true}]}", "an action is"},
		{"{\"conditions\":[],\"actions\":[{\"stop\":1}]}", "take true"},
		{"{\"enabled\":\"yes\",\"conditions\":[],\"actions\":[{\"stop\":true}]}", "enabled"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *why = check(cases[i].json);

		assert_non_null(why);
		assert_non_null(strstr(why, cases[i].reason));
	}
}

static void test_bounds(void **state)
{
	json_t *rule = json_pack("{s:[], s:[]}", "conditions", "actions");
	json_t *actions = json_object_get(rule, "actions");
	char text[RULE_CHECK_TEXT_MAX + 2];
	const char *error;

	(void)state;
	for (int i = 0; i < RULE_CHECK_ITEMS_MAX; i++)
		json_array_append_new(actions, json_pack("{s:b}", "stop", 1));
	assert_int_equal(rule_check_rule(rule, &error), 0);
	json_array_append_new(actions, json_pack("{s:b}", "stop", 1));
	assert_int_equal(rule_check_rule(rule, &error), -1);
	json_decref(rule);
	memset(text, 'x', sizeof(text) - 1);
	text[sizeof(text) - 1] = '\0';
	assert_int_equal(rule_check_text(text, &error), -1);
	text[RULE_CHECK_TEXT_MAX] = '\0';
	assert_int_equal(rule_check_text(text, &error), 0);
	assert_string_equal(rule_check_flag("\\SEEN", &error), "\\Seen");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_rules),
		cmocka_unit_test(test_refused_rules),
		cmocka_unit_test(test_bounds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
