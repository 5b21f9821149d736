/* test_pop3_session.c - session behaviour the transcripts cannot show: what the UPDATE
 * state removes, STLS discarding plaintext, limits, timeouts */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "pop3_fake.h"

/* run - one session over input with the default configuration */
static void run(struct pop3_fake *f, const char *in, bool secure)
{
	struct pop3_session_config cfg;

	pop3_fake_config(&cfg);
	pop3_fake_init(f, &cfg, false, secure);
	pop3_fake_run(f, (const uint8_t *)in, strlen(in), 0);
}

static void test_update_removes_marked(void **state)
{
	struct pop3_fake f;

	run(&f, "USER alice\r\nPASS secret\r\nDELE 2\r\nDELE 4\r\nQUIT\r\n", true);
	assert_true(f.closed);
	assert_int_equal(f.nexpunged, 2);
	assert_int_equal(f.expunged[0], 2);
	assert_int_equal(f.expunged[1], 7);
	pop3_fake_free(&f);
}

static void test_rset_unmarks(void **state)
{
	struct pop3_fake f;

	run(&f, "USER alice\r\nPASS secret\r\nDELE 1\r\nRSET\r\nDELE 3\r\nQUIT\r\n", true);
	assert_int_equal(f.nexpunged, 1);
	assert_int_equal(f.expunged[0], 5);
	pop3_fake_free(&f);
}

static void test_drop_deletes_nothing(void **state)
{
	struct pop3_fake f;

	/* input ends without QUIT: the connection dropped, no UPDATE state (RFC 1939 6) */
	run(&f, "USER alice\r\nPASS secret\r\nDELE 1\r\n", true);
	assert_false(f.closed);
	assert_int_equal(f.nexpunged, 0);
	assert_int_equal(pop3_session_deleted_count(f.s), 1);
	pop3_fake_free(&f);
}

static void test_retr_marks_retrieved_not_top(void **state)
{
	struct pop3_fake f;
	const struct maildrop *md;

	run(&f, "USER alice\r\nPASS secret\r\nRETR 2\r\nTOP 1 5\r\nRETR 3\r\n", true);
	md = pop3_session_maildrop(f.s);
	/* RETR 3 failed (the message vanished): only message 2 counts as read */
	assert_false(md->msgs[0].retrieved);
	assert_true(md->msgs[1].retrieved);
	assert_false(md->msgs[2].retrieved);
	assert_false(md->msgs[3].retrieved);
	pop3_fake_free(&f);
}

static void test_stls_discards_plaintext(void **state)
{
	struct pop3_session_config cfg;
	struct pop3_fake f;
	enum pop3_action a;
	const char *in = "STLS\r\nUSER alice\r\nPASS secret\r\n";
	size_t used;

	pop3_fake_config(&cfg);
	pop3_fake_init(&f, &cfg, false, false);
	used = pop3_session_input(f.s, (const uint8_t *)in, strlen(in), &a);
	assert_int_equal(a, POP3_ACTION_STLS);
	/* the session stops at STLS: the service discards what follows (pop3_conn.c) */
	assert_int_equal(used, strlen("STLS\r\n"));
	assert_string_equal(f.out, "+OK Begin TLS negotiation\r\n");
	assert_int_equal(pop3_session_tls_done(f.s, true), POP3_ACTION_READ);
	assert_false(pop3_session_authenticated(f.s));
	pop3_fake_free(&f);
}

static void test_tls_failure_closes(void **state)
{
	struct pop3_session_config cfg;
	struct pop3_fake f;
	enum pop3_action a;

	pop3_fake_config(&cfg);
	pop3_fake_init(&f, &cfg, false, false);
	pop3_session_input(f.s, (const uint8_t *)"STLS\r\n", 6, &a);
	assert_int_equal(a, POP3_ACTION_STLS);
	assert_int_equal(pop3_session_tls_done(f.s, false), POP3_ACTION_CLOSE);
	pop3_fake_free(&f);
}

static void test_timeout(void **state)
{
	struct pop3_fake f;
	enum pop3_action a;

	run(&f, "USER alice\r\nPASS secret\r\nDELE 1\r\n", true);
	pop3_session_timeout(f.s);
	assert_non_null(strstr(f.out, "-ERR Disconnected for inactivity\r\n"));
	/* after the autologout nothing more is read, and nothing is deleted */
	assert_int_equal(pop3_session_input(f.s, (const uint8_t *)"QUIT\r\n", 6, &a), 0);
	assert_int_equal(a, POP3_ACTION_CLOSE);
	assert_int_equal(f.nexpunged, 0);
	pop3_fake_free(&f);
}

static void test_pass_with_spaces(void **state)
{
	struct pop3_session_config cfg;
	struct pop3_fake f;
	enum pop3_action a;
	const char *in = "USER alice\r\nPASS  two  spaces \r\n";

	pop3_fake_config(&cfg);
	pop3_fake_init(&f, &cfg, false, true);
	pop3_session_input(f.s, (const uint8_t *)in, strlen(in), &a);
	assert_int_equal(a, POP3_ACTION_LOGIN);
	/* RFC 1939 7: the password is everything after "PASS " */
	assert_string_equal(pop3_session_login_pass(f.s), " two  spaces ");
	assert_string_equal(pop3_session_login_user(f.s), "alice");
	pop3_session_login_done(f.s, POP3_LOGIN_FAILED, NULL);
	/* the password does not stay in memory after the check */
	assert_string_equal(pop3_session_login_pass(f.s), "");
	pop3_fake_free(&f);
}

static void test_pipeline_waits_for_action(void **state)
{
	struct pop3_session_config cfg;
	struct pop3_fake f;
	enum pop3_action a;
	const char *in = "USER alice\r\nPASS secret\r\nSTAT\r\n";
	size_t used;

	pop3_fake_config(&cfg);
	pop3_fake_init(&f, &cfg, false, true);
	used = pop3_session_input(f.s, (const uint8_t *)in, strlen(in), &a);
	/* STAT stays unread until the login is answered (RFC 2449 6.6) */
	assert_int_equal(a, POP3_ACTION_LOGIN);
	assert_int_equal(used, strlen("USER alice\r\nPASS secret\r\n"));
	pop3_fake_free(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_update_removes_marked),
		cmocka_unit_test(test_rset_unmarks),
		cmocka_unit_test(test_drop_deletes_nothing),
		cmocka_unit_test(test_retr_marks_retrieved_not_top),
		cmocka_unit_test(test_stls_discards_plaintext),
		cmocka_unit_test(test_tls_failure_closes),
		cmocka_unit_test(test_timeout),
		cmocka_unit_test(test_pass_with_spaces),
		cmocka_unit_test(test_pipeline_waits_for_action),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
