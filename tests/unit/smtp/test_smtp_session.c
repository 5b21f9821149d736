/* test_smtp_session.c - every command and every refusal through the session state machine,
 * fed one byte at a time and all at once (pipelined) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "smtp_fake.h"
#include "smtp_reply.h"

#define BANNER "220 mx.example.org ESMTP Merpati\n"
#define HELLO "EHLO client.example\r\n"
#define EHLO_REPLY_MX "250-mx.example.org\n250-PIPELINING\n250-SIZE 10240\n250-8BITMIME\n" \
	"250-BINARYMIME\n250-CHUNKING\n250-SMTPUTF8\n250-ENHANCEDSTATUSCODES\n250-DSN\n" \
	"250 STARTTLS\n"

/* transcript - run input with overrides; byte-at-a-time and whole must agree */
static char *transcript(const char *overrides, const char *in, size_t len)
{
	struct smtp_session_config cfg;
	GString *a, *b;
	char *r;

	smtp_fake_config(&cfg, overrides);
	a = smtp_fake_run(&cfg, (const uint8_t *)in, len, 1);
	b = smtp_fake_run(&cfg, (const uint8_t *)in, len, 0);
	if (strstr(in, "STARTTLS") == NULL && strcmp(a->str, b->str) != 0)
		fail_msg("bytewise:\n%s\nwhole:\n%s", a->str, b->str);
	r = g_string_free(a, FALSE);
	g_string_free(b, TRUE);
	return r;
}

/* expect - the transcript of `in` equals want */
static void expect(const char *overrides, const char *in, const char *want)
{
	char *got = transcript(overrides, in, strlen(in));

	if (strcmp(got, want) != 0)
		fail_msg("input:\n%s\ngot:\n%s\nwanted:\n%s", in, got, want);
	g_free(got);
}

/* expect_has - the transcript of `in` contains every string of want, in order */
static void expect_has(const char *overrides, const char *in, const char *const *want)
{
	char *got = transcript(overrides, in, strlen(in));
	const char *p = got;

	for (; *want != NULL; want++) {
		const char *f = strstr(p, *want);
		if (f == NULL)
			fail_msg("input:\n%s\ngot:\n%s\nmissing (in order): %s", in, got, *want);
		p = f + strlen(*want);
	}
	g_free(got);
}

static void test_greeting_ehlo_helo(void **state)
{
	expect("", HELLO "QUIT\r\n", BANNER EHLO_REPLY_MX "221 2.0.0 Bye\n## close\n");
	expect("", "HELO client.example\r\nQUIT\r\n",
	       BANNER "250 mx.example.org\n221 2.0.0 Bye\n## close\n");
	expect("", "EHLO\r\nHELO bad/name\r\n",
	       BANNER "501 Syntax: HELO/EHLO hostname\n501 Syntax: HELO/EHLO hostname\n");
	expect("starttls=0", "EHLO [127.0.0.1]\r\n",
	       BANNER "250-mx.example.org\n250-PIPELINING\n250-SIZE 10240\n250-8BITMIME\n"
	       "250-BINARYMIME\n250-CHUNKING\n250-SMTPUTF8\n250-ENHANCEDSTATUSCODES\n250 DSN\n");
}

static void test_simple_commands(void **state)
{
	expect("", "NOOP\r\nRSET\r\nVRFY alice\r\nVRFY\r\nEXPN staff\r\nVERB\r\nHELP\r\n"
	       "FROB\r\nRSET x\r\n",
	       BANNER "250 2.0.0 Ok\n250 2.0.0 Ok\n"
	       "252 2.5.0 Cannot VRFY user, but will accept message and attempt delivery\n"
	       "501 5.5.4 Syntax: VRFY address\n"
	       "502 5.5.1 Command not implemented\n502 5.5.1 Command not implemented\n"
	       "214-2.0.0 Commands: EHLO HELO MAIL RCPT DATA BDAT RSET NOOP QUIT VRFY HELP STARTTLS AUTH\n"
	       "214 2.0.0 See RFC 5321\n500 5.5.2 Command unrecognized\n"
	       "501 5.5.4 Syntax error, no parameters allowed\n");
	/* another protocol: hang up without a word */
	expect("", "GET / HTTP/1.1\r\nHost: x\r\n", BANNER "## close\n");
}

static void test_mx_transaction(void **state)
{
	expect("", HELLO "MAIL FROM:<sender@remote.example>\r\nRCPT TO:<alice@example.org>\r\n"
	       "RCPT TO:<Bob@Example.ORG> NOTIFY=SUCCESS\r\nDATA\r\nSubject: hi\r\n\r\n..dot\r\n.\r\n"
	       "QUIT\r\n",
	       BANNER EHLO_REPLY_MX "250 2.1.0 Ok\n250 2.1.5 Ok\n250 2.1.5 Ok\n"
	       "354 End data with <CR><LF>.<CR><LF>\n"
	       "## store from=<sender@remote.example> to=<alice@example.org>,<Bob@example.org> size=21\n"
	       "## | Subject: hi\\r\\n\n## | \\r\\n\n## | .dot\\r\\n\n"
	       "250 2.0.0 Ok: queued as Q1\n221 2.0.0 Bye\n## close\n");
}

static void test_rcpt_refusals(void **state)
{
	static const char *const want[] = {
		"250 2.1.0 Ok", "550 5.1.1 Recipient address rejected: user unknown",
		"554 5.7.1 Relay access denied", "451 4.3.0 Temporary lookup failure",
		"250 2.1.5 Ok", /* postmaster@ of our domain, no account needed */
		"250 2.1.5 Ok", /* abuse@ */
		"250 2.1.5 Ok", /* <postmaster> */
		"501 5.1.3 Bad address syntax", "503 5.5.1 Need MAIL command", NULL,
	};

	expect_has("", HELLO "MAIL FROM:<>\r\nRCPT TO:<nobody@example.org>\r\n"
		   "RCPT TO:<x@foreign.example>\r\nRCPT TO:<x@tempfail.example>\r\n"
		   "RCPT TO:<postmaster@example.net>\r\nRCPT TO:<ABUSE@example.org>\r\n"
		   "RCPT TO:<Postmaster>\r\nRCPT TO:<bad@@x>\r\nRSET\r\nRCPT TO:<alice@example.org>\r\n",
		   want);
}

static void test_recipient_limit(void **state)
{
	static const char *const want[] = {
		"250 2.1.5 Ok\n250 2.1.5 Ok\n452 4.5.3 Too many recipients\n", NULL,
	};

	expect_has("recipients_max=2", HELLO "MAIL FROM:<a@remote.example>\r\n"
		   "RCPT TO:<alice@example.org>\r\nRCPT TO:<bob@example.org>\r\n"
		   "RCPT TO:<sales@example.org>\r\n", want);
}

static void test_sequence_errors(void **state)
{
	expect("", "MAIL FROM:<a@b.example>\r\n" HELLO "DATA\r\nRCPT TO:<alice@example.org>\r\n"
	       "MAIL FROM:<a@b.example>\r\nMAIL FROM:<a@b.example>\r\nDATA\r\nDATA x\r\n",
	       BANNER "503 5.5.1 Send HELO/EHLO first\n" EHLO_REPLY_MX
	       "503 5.5.1 Need MAIL command\n503 5.5.1 Need MAIL command\n250 2.1.0 Ok\n"
	       "503 5.5.1 Nested MAIL command\n554 5.5.1 No valid recipients\n"
	       "501 5.5.4 Syntax error, no parameters allowed\n");
}

static void test_size_refusals(void **state)
{
	static const char *const declared[] = {
		"552 5.3.4 Message size exceeds fixed maximum message size", "250 2.1.0 Ok", NULL,
	};
	char in[20000];
	int n;

	expect_has("", HELLO "MAIL FROM:<a@b.example> SIZE=10241\r\nMAIL FROM:<a@b.example> SIZE=10240\r\n",
		   declared);
	/* undeclared, too big as it streams: refused after the end, nothing stored */
	n = snprintf(in, sizeof(in), HELLO "MAIL FROM:<a@b.example>\r\nRCPT TO:<alice@example.org>\r\nDATA\r\n");
	for (int i = 0; i < 120; i++)
		n += snprintf(in + n, sizeof(in) - (size_t)n, "%0100d\r\n", i);
	n += snprintf(in + n, sizeof(in) - (size_t)n, ".\r\nNOOP\r\n");
	{
		char *got = transcript("", in, (size_t)n);
		assert_non_null(strstr(got, "354 End data"));
		assert_non_null(strstr(got, "552 5.3.4 Message size exceeds fixed maximum message size\n250 2.0.0 Ok\n"));
		assert_null(strstr(got, "## store"));
		g_free(got);
	}
}

static void test_bare_lf_in_data(void **state)
{
	char *got = transcript("", HELLO "MAIL FROM:<a@b.example>\r\nRCPT TO:<alice@example.org>\r\n"
			       "DATA\r\nx\n.\nMAIL FROM:<evil@b.example>\r\n.\r\nNOOP\r\n", 0);

	g_free(got);
	expect_has("", HELLO "MAIL FROM:<a@b.example>\r\nRCPT TO:<alice@example.org>\r\n"
		   "DATA\r\nx\n.\nMAIL FROM:<evil@b.example>\r\n.\r\nNOOP\r\n",
		   (const char *const[]){ "354 End data",
			   "554 5.6.0 Message contains bare CR or LF (RFC 5321 2.3.8)\n250 2.0.0 Ok\n",
			   NULL });
	/* the smuggled MAIL was never a command: no 250 2.1.0 after the 354 */
	got = transcript("", HELLO "MAIL FROM:<a@b.example>\r\nRCPT TO:<alice@example.org>\r\n"
			 "DATA\r\nx\n.\nMAIL FROM:<evil@b.example>\r\n.\r\n", 111);
	assert_null(strstr(strstr(got, "354"), "2.1.0"));
	assert_null(strstr(got, "## store"));
	g_free(got);
}

static void test_line_errors(void **state)
{
	char in[20000];
	int n = snprintf(in, sizeof(in), "NOOP ");

	memset(in + n, 'x', 15000);
	n += 15000;
	n += snprintf(in + n, sizeof(in) - (size_t)n, "\r\nNOOP\r\nNO\nOP\r\n");
	{
		char *got = transcript("", in, (size_t)n);
		if (strcmp(got, BANNER "500 5.5.2 Line too long\n250 2.0.0 Ok\n"
			   "500 5.5.2 Bare CR or LF not allowed\n500 5.5.2 Command unrecognized\n") != 0)
			fail_msg("got:\n%s", got);
		g_free(got);
	}
}

static void test_error_limit(void **state)
{
	expect("errors_max=3", "FOO\r\nBAR\r\nBAZ\r\nNOOP\r\n",
	       BANNER "500 5.5.2 Command unrecognized\n500 5.5.2 Command unrecognized\n"
	       "500 5.5.2 Command unrecognized\n421 4.7.0 Too many errors, closing connection\n"
	       "## close\n");
}

static void test_submission_policy(void **state)
{
	/* 587 without TLS and without the plaintext exception: no AUTH offered, MAIL refused */
	static const char *const plain[] = {
		"250 STARTTLS\n", "538 5.7.11 Encryption required for requested authentication mechanism",
		"530 5.7.0 Must issue a STARTTLS command first", NULL,
	};
	/* after STARTTLS: AUTH offered, MAIL still needs it */
	static const char *const tls[] = {
		"220 2.0.0 Ready to start TLS\n## starttls\n", "250-DSN\n250 AUTH PLAIN LOGIN\n",
		"530 5.7.0 Authentication required", NULL,
	};

	expect_has("listener=submission", HELLO "AUTH PLAIN AGFsaWNlAHNlY3JldA==\r\n"
		   "MAIL FROM:<alice@example.org>\r\n", plain);
	expect_has("listener=submission", HELLO "STARTTLS\r\n" HELLO "MAIL FROM:<alice@example.org>\r\n",
		   tls);
	/* MX never offers AUTH */
	expect_has("tls=1", HELLO "AUTH PLAIN AGFsaWNlAHNlY3JldA==\r\n",
		   (const char *const[]){ "250 DSN\n", "502 5.5.1 AUTH not available on this port", NULL });
}

static void test_starttls(void **state)
{
	struct smtp_session_config cfg;
	const char *in = HELLO "STARTTLS\r\nMAIL FROM:<a@b.example>\r\n";
	GString *t;

	/* pipelined plaintext after STARTTLS is dropped (CVE-2011-0411) */
	smtp_fake_config(&cfg, "");
	t = smtp_fake_run(&cfg, (const uint8_t *)in, strlen(in), 0);
	assert_string_equal(t->str, BANNER EHLO_REPLY_MX "220 2.0.0 Ready to start TLS\n## starttls\n");
	g_string_free(t, TRUE);
	/* sent after the handshake, the same MAIL finds the EHLO forgotten (RFC 3207 4.2) */
	expect(NULL, in, BANNER EHLO_REPLY_MX "220 2.0.0 Ready to start TLS\n## starttls\n"
	       "503 5.5.1 Send HELO/EHLO first\n");
	expect("tls=1", "STARTTLS\r\nSTARTTLS x\r\n",
	       BANNER "503 5.5.1 TLS already active\n501 5.5.4 Syntax error, no parameters allowed\n");
	expect("starttls=0", "STARTTLS\r\n", BANNER "454 4.7.0 TLS not available\n");
}

static void test_auth(void **state)
{
	/* PLAIN with initial response, wrong password, right password, then send as own */
	static const char *const plain[] = {
		"250 AUTH PLAIN LOGIN\n", "535 5.7.8 Authentication credentials invalid\n",
		"235 2.7.0 Authentication successful\n", "503 5.5.1 Already authenticated\n",
		"553 5.7.1 Sender address not owned by the authenticated user\n",
		"553 5.7.1 Null sender not allowed for submission\n",
		"250 2.1.0 Ok\n", "250 2.1.5 Ok\n", /* foreign recipient: relayed for a user */
		NULL,
	};
	static const char *const login[] = {
		"334 VXNlcm5hbWU6\n", "334 UGFzc3dvcmQ6\n", "235 2.7.0 Authentication successful\n",
		NULL,
	};
	static const char *const cancel[] = {
		"334 \n", "501 5.7.0 Authentication cancelled\n", "334 VXNlcm5hbWU6\n",
		"501 5.5.2 Invalid base64 data\n", "504 5.5.4 Unrecognized authentication type\n",
		"535 5.7.8 Authorization identity not allowed\n", NULL,
	};

	/* "\0alice@example.org\0wrong" and "\0alice@example.org\0secret" */
	expect_has("listener=submission tls=1", HELLO
		   "AUTH PLAIN AGFsaWNlQGV4YW1wbGUub3JnAHdyb25n\r\n"
		   "AUTH PLAIN AGFsaWNlQGV4YW1wbGUub3JnAHNlY3JldA==\r\n"
		   "AUTH LOGIN\r\n"
		   "MAIL FROM:<bob@example.org>\r\nMAIL FROM:<>\r\n"
		   "MAIL FROM:<sales@example.org>\r\nRCPT TO:<friend@foreign.example>\r\n", plain);
	expect_has("listener=submissions tls=1", HELLO "AUTH LOGIN\r\n"
		   "YWxpY2VAZXhhbXBsZS5vcmc=\r\nc2VjcmV0\r\n", login);
	/* LOGIN with the user name as initial response */
	expect_has("listener=submission plaintext_auth=1", HELLO
		   "AUTH LOGIN YWxpY2VAZXhhbXBsZS5vcmc=\r\nc2VjcmV0\r\n",
		   (const char *const[]){ "334 UGFzc3dvcmQ6\n", "235 2.7.0", NULL });
	/* "bob\0alice@example.org\0secret": someone else's authorization identity */
	expect_has("listener=submission tls=1", HELLO "AUTH PLAIN\r\n*\r\nAUTH LOGIN\r\n!!!\r\n"
		   "AUTH CRAM-MD5\r\nAUTH PLAIN Ym9iAGFsaWNlQGV4YW1wbGUub3JnAHNlY3JldA==\r\n", cancel);
}

static void test_auth_empty_user(void **state)
{
	/* found by the smtp_command fuzz target: LOGIN with an empty ("=") user name */
	expect_has("listener=submission tls=1", HELLO "AUTH LOGIN =\r\nNOOP\r\n",
		   (const char *const[]){ "501 5.5.2 Empty user name\n250 2.0.0 Ok\n", NULL });
}

static void test_auth_failures(void **state)
{
	expect_has("listener=submission tls=1 auth_failures_max=2", HELLO
		   "AUTH PLAIN AGFsaWNlQGV4YW1wbGUub3JnAHdyb25n\r\n"
		   "AUTH PLAIN AGFsaWNlQGV4YW1wbGUub3JnAHdyb25n\r\nNOOP\r\n",
		   (const char *const[]){ "535 5.7.8", "535 5.7.8",
			   "421 4.7.0 Too many failed authentications\n## close\n", NULL });
	/* "\0locked@example.org\0x" and "\0tempfail@example.org\0x" */
	expect_has("listener=submission tls=1", HELLO "AUTH PLAIN AGxvY2tlZEBleGFtcGxlLm9yZwB4\r\n"
		   "AUTH PLAIN AHRlbXBmYWlsQGV4YW1wbGUub3JnAHg=\r\n",
		   (const char *const[]){ "454 4.7.0 Too many failed authentications, try again later",
			   "454 4.7.0 Temporary authentication failure", NULL });
}

static void test_bdat(void **state)
{
	expect("", HELLO "MAIL FROM:<a@b.example> BODY=8BITMIME\r\nRCPT TO:<alice@example.org>\r\n"
	       "BDAT 6\r\nab\r\n\r\nBDAT 6 LAST\r\n.dot\r\nNOOP\r\n",
	       BANNER EHLO_REPLY_MX "250 2.1.0 Ok\n250 2.1.5 Ok\n250 2.0.0 6 octets received\n"
	       "## store from=<a@b.example> to=<alice@example.org> size=12\n"
	       "## | ab\\r\\n\n## | \\r\\n\n## | .dot\\r\\n\n"
	       "250 2.0.0 Ok: queued as Q1\n250 2.0.0 Ok\n");
	/* a refused chunk is still read: "MAIL" inside it is never a command */
	expect("", HELLO "BDAT 25\r\nMAIL FROM:<x@y.example>\r\nNOOP\r\n",
	       BANNER EHLO_REPLY_MX "503 5.5.1 Need MAIL command\n250 2.0.0 Ok\n");
	expect("", HELLO "MAIL FROM:<a@b.example>\r\nRCPT TO:<alice@example.org>\r\nBDAT 0 LAST\r\n",
	       BANNER EHLO_REPLY_MX "250 2.1.0 Ok\n250 2.1.5 Ok\n"
	       "## store from=<a@b.example> to=<alice@example.org> size=0\n"
	       "250 2.0.0 Ok: queued as Q1\n");
	expect("", HELLO "BDAT x\r\nNOOP\r\n",
	       BANNER EHLO_REPLY_MX "501 5.5.4 Syntax: BDAT chunk-size [LAST]\n## close\n");
	expect_has("", HELLO "MAIL FROM:<a@b.example> BODY=BINARYMIME\r\nRCPT TO:<alice@example.org>\r\n"
		   "DATA\r\nBDAT 3 LAST\r\na\nb",
		   (const char *const[]){ "503 5.5.1 BODY=BINARYMIME requires BDAT",
			   "## store from=<a@b.example> to=<alice@example.org> size=3", NULL });
}

static void test_store_failure(void **state)
{
	expect_has("", HELLO "MAIL FROM:<dbfail@example.org>\r\nRCPT TO:<alice@example.org>\r\n"
		   "DATA\r\nx\r\n.\r\nRCPT TO:<alice@example.org>\r\n",
		   (const char *const[]){ "## store", "451 4.3.0 Temporary failure, message not stored\n"
			   "503 5.5.1 Need MAIL command\n", NULL });
}

static void test_timeout_and_shutdown(void **state)
{
	struct smtp_session_config cfg;
	struct smtp_session *s;
	struct evbuffer *out;
	size_t used;

	smtp_fake_config(&cfg, "");
	s = smtp_session_new(&cfg);
	out = smtp_session_output(s);
	evbuffer_drain(out, evbuffer_get_length(out));
	smtp_session_timeout(s);
	assert_int_equal(evbuffer_get_length(out), strlen("421 4.4.2 mx.example.org Timeout, closing connection\r\n"));
	assert_true(smtp_session_closed(s));
	assert_int_equal(smtp_session_input(s, (const uint8_t *)"NOOP\r\n", 6, &used), SMTP_ACTION_CLOSE);
	assert_int_equal(used, 0);
	smtp_session_free(&s);
	assert_null(s);
	s = smtp_session_new(&cfg);
	smtp_session_shutdown(s);
	assert_true(smtp_session_closed(s));
	smtp_session_free(&s);
}

static void test_reply_format(void **state)
{
	struct evbuffer *b = evbuffer_new();
	char buf[700];
	size_t n;

	smtp_reply(b, 250, "2.0.0", "one\ntwo");
	smtp_reply_str(b, "501 5.5.4 x\r\ny");
	smtp_reply_str(b, "354 go");
	n = evbuffer_remove(b, buf, sizeof(buf) - 1);
	buf[n] = '\0';
	/* a CR or LF inside a text never reaches the wire raw */
	assert_string_equal(buf, "250-2.0.0 one\r\n250 2.0.0 two\r\n501-5.5.4 x?\r\n501 5.5.4 y\r\n"
			    "354 go\r\n");
	memset(buf, 'x', 600);
	buf[600] = '\0';
	smtp_reply(b, 250, "2.0.0", buf);
	assert_int_equal(evbuffer_get_length(b), SMTP_REPLY_LINE_MAX);
	assert_int_equal(smtp_reply_code("25x"), 0);
	evbuffer_free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_greeting_ehlo_helo), cmocka_unit_test(test_simple_commands),
		cmocka_unit_test(test_mx_transaction), cmocka_unit_test(test_rcpt_refusals),
		cmocka_unit_test(test_recipient_limit), cmocka_unit_test(test_sequence_errors),
		cmocka_unit_test(test_size_refusals), cmocka_unit_test(test_bare_lf_in_data),
		cmocka_unit_test(test_line_errors), cmocka_unit_test(test_error_limit),
		cmocka_unit_test(test_submission_policy), cmocka_unit_test(test_starttls),
		cmocka_unit_test(test_auth), cmocka_unit_test(test_auth_empty_user),
		cmocka_unit_test(test_auth_failures),
		cmocka_unit_test(test_bdat), cmocka_unit_test(test_store_failure),
		cmocka_unit_test(test_timeout_and_shutdown), cmocka_unit_test(test_reply_format),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
