/* Unit tests of the webmail's session cookie parsing, CSRF derivation, admin list and login
 * throttle (pure functions, no database). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "services/webmail/web_session.h"
#include "services/webmail/web_throttle.h"

#define TOKEN "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ" /* 43 characters */

static void test_cookie(void **state)
{
	char t[WEB_TOKEN_SIZE];

	web_session_cookie("merpati_session=" TOKEN, t);
	assert_string_equal(t, TOKEN);
	web_session_cookie("a=b; merpati_session=" TOKEN "; c=d", t);
	assert_string_equal(t, TOKEN);
	web_session_cookie("xmerpati_session=" TOKEN, t);
	assert_string_equal(t, "");
	web_session_cookie("merpati_session=" TOKEN "x", t);  /* too long */
	assert_string_equal(t, "");
	web_session_cookie("merpati_session=short", t);
	assert_string_equal(t, "");
	web_session_cookie(NULL, t);
	assert_string_equal(t, "");
	web_session_cookie("merpati_session", t);
	assert_string_equal(t, "");
}

static void test_csrf(void **state)
{
	char a[WEB_TOKEN_SIZE], b[WEB_TOKEN_SIZE], c[WEB_TOKEN_SIZE];

	web_session_csrf(TOKEN, a);
	web_session_csrf(TOKEN, b);
	web_session_csrf("bbcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ", c);
	assert_int_equal(strlen(a), 43);
	assert_string_equal(a, b);
	assert_string_not_equal(a, c);
	assert_string_not_equal(a, TOKEN);
}

static void test_admins(void **state)
{
	struct web_config cfg = {0};

	strcpy(cfg.admins, "root@example.org, Boss@Example.org");
	assert_true(web_session_is_admin(&cfg, "root@example.org"));
	assert_true(web_session_is_admin(&cfg, "boss@example.org"));
	assert_false(web_session_is_admin(&cfg, "oot@example.org"));
	assert_false(web_session_is_admin(&cfg, "root@example.or"));
	assert_false(web_session_is_admin(&cfg, ""));
}

static void test_throttle(void **state)
{
	json_t *u1 = json_pack("{s:s}", "username", "Victim@example.org");
	json_t *u2 = json_pack("{s:s}", "username", "victim@EXAMPLE.org");

	for (int i = 0; i < WEB_THROTTLE_IP_MAX - 1; i++)
		web_throttle_fail("10.0.0.1", u1);
	assert_int_equal(web_throttle_check("10.0.0.1", u1), 0);
	web_throttle_fail("10.0.0.1", u1);
	assert_true(web_throttle_check("10.0.0.1", NULL) > 0);
	assert_int_equal(web_throttle_check("10.0.0.2", NULL), 0);
	/* the username counts across IPs, case-insensitively */
	for (int i = 0; i < WEB_THROTTLE_USER_MAX - WEB_THROTTLE_IP_MAX; i++)
		web_throttle_fail("10.0.1.1", u2);
	assert_true(web_throttle_check("10.0.2.1", u1) > 0);
	assert_true(web_throttle_check("10.0.2.1", u1) <= WEB_THROTTLE_WINDOW);
	json_decref(u1);
	json_decref(u2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cookie),
		cmocka_unit_test(test_csrf),
		cmocka_unit_test(test_admins),
		cmocka_unit_test(test_throttle),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
