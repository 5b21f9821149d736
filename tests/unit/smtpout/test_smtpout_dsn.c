/* Unit tests of the DSN builder: the report is parsed back with GMime and its parts and
 * fields checked (RFC 3464 2, RFC 6522). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <gmime/gmime.h>

#include "dsn/dsn.h"

static const char ORIGINAL[] = "From: a@example.org\r\nTo: b@example.net\r\n"
			       "Subject: hello\r\n\r\nsecret body line\r\n";

/* build - a DSN of kind for ORIGINAL; parsed */
static GMimeMessage *build(enum dsn_kind kind, bool full, char **raw_r)
{
	struct dsn_in in = {
		.kind = kind, .reporting_mta = "out.example.org", .to = "a@example.org",
		.envid = "env-1", .arrival = 1700000000, .recipient = "b@example.net",
		.orcpt = "rfc822;B@example.net", .status = "5.1.1",
		.remote_mta = "mx.example.net", .diagnostic = "550 5.1.1 no such user\x01",
		.retry_until = 1700500000, .full = full, .original = (const uint8_t *)ORIGINAL,
		.original_len = strlen(ORIGINAL) };
	size_t len;
	uint8_t *b = dsn_build(&in, &len);
	GMimeStream *s;
	GMimeParser *p;
	GMimeMessage *m;

	assert_non_null(b);
	*raw_r = calloc(1, len + 1);
	memcpy(*raw_r, b, len);
	s = g_mime_stream_mem_new_with_buffer((const char *)b, len);
	p = g_mime_parser_new_with_stream(s);
	m = g_mime_parser_construct_message(p, NULL);
	g_object_unref(p);
	g_object_unref(s);
	free(b);
	assert_non_null(m);
	return m;
}

static void test_failed_with_headers(void **state)
{
	char *raw;
	GMimeMessage *m = build(DSN_FAILED, false, &raw);
	GMimeObject *top = g_mime_message_get_mime_part(m);
	GMimeContentType *ct = g_mime_object_get_content_type(top);

	assert_true(g_mime_content_type_is_type(ct, "multipart", "report"));
	assert_string_equal(g_mime_content_type_get_parameter(ct, "report-type"),
			    "delivery-status");
	assert_int_equal(g_mime_multipart_get_count((GMimeMultipart *)top), 3);
	assert_true(g_mime_content_type_is_type(g_mime_object_get_content_type(
		g_mime_multipart_get_part((GMimeMultipart *)top, 1)), "message", "delivery-status"));
	assert_true(g_mime_content_type_is_type(g_mime_object_get_content_type(
		g_mime_multipart_get_part((GMimeMultipart *)top, 2)), "text", "rfc822-headers"));
	assert_non_null(strstr(raw, "Reporting-MTA: dns; out.example.org\r\n"));
	assert_non_null(strstr(raw, "Original-Envelope-Id: env-1\r\n"));
	assert_non_null(strstr(raw, "Final-Recipient: rfc822; b@example.net\r\n"));
	assert_non_null(strstr(raw, "Original-Recipient: rfc822;B@example.net\r\n"));
	assert_non_null(strstr(raw, "Action: failed\r\nStatus: 5.1.1\r\n"));
	assert_non_null(strstr(raw, "Remote-MTA: dns; mx.example.net\r\n"));
	assert_non_null(strstr(raw, "Diagnostic-Code: smtp; 550 5.1.1 no such user?\r\n"));
	assert_non_null(strstr(raw, "Subject: hello"));
	assert_null(strstr(raw, "secret body line"));    /* headers only */
	assert_null(strstr(raw, "\n\n"));                /* CRLF throughout */
	assert_string_equal(g_mime_message_get_subject(m), "Undelivered Mail Returned to Sender");
	free(raw);
	g_object_unref(m);
}

static void test_delayed_full(void **state)
{
	char *raw;
	GMimeMessage *m = build(DSN_DELAYED, true, &raw);
	GMimeObject *top = g_mime_message_get_mime_part(m);

	assert_true(g_mime_content_type_is_type(g_mime_object_get_content_type(
		g_mime_multipart_get_part((GMimeMultipart *)top, 2)), "message", "rfc822"));
	assert_non_null(strstr(raw, "Action: delayed\r\n"));
	assert_non_null(strstr(raw, "Will-Retry-Until: "));
	assert_non_null(strstr(raw, "secret body line"));
	free(raw);
	g_object_unref(m);
}

static void test_header_len(void **state)
{
	const uint8_t *o = (const uint8_t *)ORIGINAL;

	assert_int_equal(dsn_header_len(o, strlen(ORIGINAL)),
			 strstr(ORIGINAL, "secret") - ORIGINAL);
	assert_int_equal(dsn_header_len((const uint8_t *)"A: b\n\nc", 7), 6);
	assert_int_equal(dsn_header_len((const uint8_t *)"A: b", 4), 4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_failed_with_headers),
		cmocka_unit_test(test_delayed_full),
		cmocka_unit_test(test_header_len),
	};
	int r;

	g_mime_init();
	r = cmocka_run_group_tests(tests, NULL, NULL);
	g_mime_shutdown();
	return r;
}
