/* Unit tests of the SMTP client state machine: scripted server replies in, commands out. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "services/smtp-out/smtp_client.h"

struct fixture {
	struct evbuffer *out;
	struct smtp_client *c;
	char sent[4096];
};

/* feed - one server reply; returns the event */
static int feed(struct fixture *f, const char *reply)
{
	size_t used = 0;
	const char *e = NULL;
	int ev = smtp_client_feed(f->c, (const uint8_t *)reply, strlen(reply), &used, &e);

	if (ev >= 0)
		assert_int_equal(used, strlen(reply));
	return ev;
}

/* sent - the commands written since the last call */
static const char *sent(struct fixture *f)
{
	size_t n = evbuffer_get_length(f->out);

	assert_true(n < sizeof(f->sent));
	evbuffer_remove(f->out, f->sent, n);
	f->sent[n] = '\0';
	return f->sent;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	f->out = evbuffer_new();
	f->c = smtp_client_new("out.example.org", true, f->out);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	smtp_client_free(&f->c);
	evbuffer_free(f->out);
	free(f);
	return 0;
}

#define RCPTS(...) struct smtp_client_rcpt rc[] = { __VA_ARGS__ }
#define MSG(sz) struct smtp_client_msg m = { .sender = "s@example.org", .envid = "id+1", \
	.ret = 2, .size = (sz), .nrcpts = sizeof(rc) / sizeof(rc[0]), .rcpts = rc }

static void test_starttls_pipelining_dsn_mixed(void **state)
{
	struct fixture *f = *state;
	RCPTS({ .address = "a@x.test", .orcpt = "rfc822;A@x.test", .notify = 6 },
	      { .address = "b@x.test", .orcpt = "" },
	      { .address = "c@x.test", .orcpt = "", .notify = 8 });
	MSG(100);

	assert_int_equal(feed(f, "220 mx ESMTP\r\n"), SMTP_CLIENT_NEED_MORE);
	assert_string_equal(sent(f), "EHLO out.example.org\r\n");
	assert_int_equal(feed(f, "250-mx\r\n250-STARTTLS\r\n250 SIZE 1000\r\n"),
			 SMTP_CLIENT_NEED_MORE);
	assert_string_equal(sent(f), "STARTTLS\r\n");
	assert_int_equal(feed(f, "220 go ahead\r\n"), SMTP_CLIENT_STARTTLS);
	smtp_client_tls_done(f->c);
	assert_true(smtp_client_tls(f->c));
	assert_string_equal(sent(f), "EHLO out.example.org\r\n");
	/* after TLS the server lists STARTTLS no more; knowledge from before is gone */
	assert_int_equal(feed(f, "250-mx\r\n250-PIPELINING\r\n250-DSN\r\n250 SIZE 1000\r\n"),
			 SMTP_CLIENT_READY);
	assert_int_equal(smtp_client_send(f->c, &m), SMTP_CLIENT_NEED_MORE);
	assert_string_equal(sent(f),
		"MAIL FROM:<s@example.org> SIZE=100 RET=HDRS ENVID=id+2B1\r\n"
		"RCPT TO:<a@x.test> NOTIFY=FAILURE,DELAY ORCPT=rfc822;A@x.test\r\n"
		"RCPT TO:<b@x.test>\r\n"
		"RCPT TO:<c@x.test> NOTIFY=NEVER\r\n"
		"DATA\r\n");
	assert_int_equal(feed(f, "250 ok\r\n"), SMTP_CLIENT_NEED_MORE);
	assert_int_equal(feed(f, "250 ok\r\n"), SMTP_CLIENT_NEED_MORE);
	assert_int_equal(feed(f, "550 5.1.1 no such user\r\n"), SMTP_CLIENT_NEED_MORE);
	assert_int_equal(feed(f, "451 4.3.0 try later\r\n"), SMTP_CLIENT_NEED_MORE);
	assert_int_equal(feed(f, "354 go\r\n"), SMTP_CLIENT_BODY);
	smtp_client_body_sent(f->c);
	assert_int_equal(feed(f, "250 2.0.0 queued\r\n"), SMTP_CLIENT_MSG_DONE);
	assert_int_equal(rc[0].code, 250);
	assert_string_equal(rc[0].text, "250 2.0.0 queued");
	assert_int_equal(rc[1].code, 550);
	assert_string_equal(rc[1].enh, "5.1.1");
	assert_int_equal(rc[2].code, 451);
	smtp_client_quit(f->c);
	assert_string_equal(sent(f), "QUIT\r\n");
	assert_int_equal(feed(f, "221 bye\r\n"), SMTP_CLIENT_CLOSED);
}

static void test_helo_fallback_without_pipelining(void **state)
{
	struct fixture *f = *state;
	RCPTS({ .address = "a@x.test", .orcpt = "rfc822;a@x.test", .notify = 2 },
	      { .address = "b@x.test", .orcpt = "" });
	MSG(10);

	feed(f, "220 old\r\n");
	sent(f);
	assert_int_equal(feed(f, "502 what\r\n"), SMTP_CLIENT_NEED_MORE);
	assert_string_equal(sent(f), "HELO out.example.org\r\n");
	assert_int_equal(feed(f, "250 hi\r\n"), SMTP_CLIENT_READY);
	smtp_client_send(f->c, &m);
	/* no DSN parameters without the extension, one command at a time */
	assert_string_equal(sent(f), "MAIL FROM:<s@example.org>\r\n");
	feed(f, "250 ok\r\n");
	assert_string_equal(sent(f), "RCPT TO:<a@x.test>\r\n");
	feed(f, "550 no\r\n");
	assert_string_equal(sent(f), "RCPT TO:<b@x.test>\r\n");
	feed(f, "550 no either\r\n");
	/* nothing accepted: no DATA, RSET and the message is done */
	assert_int_equal(rc[1].code, 550);
	assert_string_equal(sent(f), "RSET\r\n");
	assert_int_equal(feed(f, "250 reset\r\n"), SMTP_CLIENT_READY);
}

static void test_size_and_smtputf8_refused_locally(void **state)
{
	struct fixture *f = *state;
	RCPTS({ .address = "a@x.test", .orcpt = "" });
	MSG(5000);

	feed(f, "220 mx\r\n");
	feed(f, "250-mx\r\n250 SIZE 1000\r\n");
	sent(f);
	assert_int_equal(smtp_client_send(f->c, &m), SMTP_CLIENT_MSG_DONE);
	assert_string_equal(rc[0].enh, "5.3.4");
	assert_int_equal(rc[0].code / 100, 5);
	m.size = 10;
	m.needs_smtputf8 = true;
	assert_int_equal(smtp_client_send(f->c, &m), SMTP_CLIENT_MSG_DONE);
	assert_string_equal(rc[0].enh, "5.6.7");
	assert_string_equal(sent(f), "");
}

static void test_greeting_failure_and_reuse(void **state)
{
	struct fixture *f = *state;
	RCPTS({ .address = "a@x.test", .orcpt = "" });
	MSG(10);

	assert_int_equal(feed(f, "421 4.3.2 busy\r\n"), SMTP_CLIENT_FAILED);
	assert_int_equal(smtp_client_last(f->c)->code, 421);
	smtp_client_free(&f->c);
	f->c = smtp_client_new("out.example.org", false, f->out);
	feed(f, "220 mx\r\n");
	assert_int_equal(feed(f, "250-mx\r\n250 STARTTLS\r\n"), SMTP_CLIENT_READY); /* no TLS ctx */
	sent(f);
	for (int i = 0; i < 2; i++) {  /* two messages on one connection */
		smtp_client_send(f->c, &m);
		feed(f, "250 ok\r\n");
		feed(f, "250 ok\r\n");
		assert_int_equal(feed(f, "354 go\r\n"), SMTP_CLIENT_BODY);
		smtp_client_body_sent(f->c);
		assert_int_equal(feed(f, "452 4.2.2 full\r\n"), SMTP_CLIENT_MSG_DONE);
		assert_int_equal(rc[0].code, 452);
	}
	/* a reply nobody asked for is an error */
	assert_int_equal(feed(f, "250 surprise\r\n"), -1);
}

/* pipelined replies arriving in one read: each is consumed, events come in order */
static void test_pipelined_replies_in_one_buffer(void **state)
{
	struct fixture *f = *state;
	RCPTS({ .address = "a@x.test", .orcpt = "" }, { .address = "b@x.test", .orcpt = "" });
	MSG(10);
	const char *batch = "250 ok\r\n250 ok\r\n550 5.1.1 no\r\n354 go\r\n";
	size_t pos = 0, used = 0, len = strlen(batch);
	const char *e = NULL;
	int ev = SMTP_CLIENT_NEED_MORE, n = 0;

	feed(f, "220 mx\r\n");
	feed(f, "250-mx\r\n250 PIPELINING\r\n");
	smtp_client_send(f->c, &m);
	while (pos < len) {
		ev = smtp_client_feed(f->c, (const uint8_t *)batch + pos, len - pos, &used, &e);
		assert_true(used > 0);
		pos += used;
		n++;
	}
	assert_int_equal(n, 4);
	assert_int_equal(ev, SMTP_CLIENT_BODY);
	assert_int_equal(rc[1].code, 550);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_starttls_pipelining_dsn_mixed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_helo_fallback_without_pipelining, setup, teardown),
		cmocka_unit_test_setup_teardown(test_size_and_smtputf8_refused_locally, setup, teardown),
		cmocka_unit_test_setup_teardown(test_greeting_failure_and_reuse, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pipelined_replies_in_one_buffer, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
