/* test_imap_msg_section.c - section specs to byte ranges (RFC 3501 6.4.5), <partial>, and
 * HEADER.FIELDS subsets, on the sections JSON lib/mime computes for a real nested message */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "mime/mime.h"
#include "store/imap_msg_header.h"
#include "store/imap_msg_section.h"

static const char trace[] = "Return-Path: <a@remote.example>\r\nDelivered-To: b@example.test\r\n";

static const char nested[] =
	"From: a@remote.example\r\nSubject: nested\r\nMIME-Version: 1.0\r\n"
	"Content-Type: multipart/mixed; boundary=\"XX\"\r\n\r\n"
	"--XX\r\nContent-Type: text/plain\r\n\r\nfirst part\r\n"
	"--XX\r\nContent-Type: message/rfc822\r\n\r\n"
	"Subject: inner\r\nContent-Type: multipart/alternative; boundary=\"YY\"\r\n\r\n"
	"--YY\r\nContent-Type: text/plain\r\n\r\ninner plain\r\n"
	"--YY\r\nContent-Type: text/html\r\n\r\n<p>x</p>\r\n--YY--\r\n"
	"\r\n--XX--\r\n";

/* view - the client's bytes: trace then message */
static char *view(const char *msg)
{
	size_t t = strlen(trace), m = strlen(msg);
	char *v = malloc(t + m + 1);

	assert_non_null(v);
	memcpy(v, trace, t);
	memcpy(v + t, msg, m + 1);
	return v;
}

/* range_is - the section of msg (parsed by lib/mime) is exactly want */
static void range_is(const char *msg, const char *part, enum imap_msg_section_text text,
		     const char *want)
{
	struct mime_meta m;
	struct imap_msg_range r;
	const char *error = NULL;
	char *v = view(msg);

	assert_int_equal(mime_parse(msg, strlen(msg), &m, &error), 0);
	assert_int_equal(imap_msg_section_range(m.sections, strlen(trace), part, text, &r), 1);
	assert_int_equal(r.end - r.start, strlen(want));
	assert_memory_equal(v + r.start, want, strlen(want));
	mime_meta_clear(&m);
	free(v);
}

/* absent - the section does not exist: empty string for the client */
static void absent(const char *msg, const char *part, enum imap_msg_section_text text)
{
	struct mime_meta m;
	struct imap_msg_range r;
	const char *error = NULL;

	assert_int_equal(mime_parse(msg, strlen(msg), &m, &error), 0);
	assert_int_equal(imap_msg_section_range(m.sections, 0, part, text, &r), 0);
	mime_meta_clear(&m);
}

static void test_top_level(void **state)
{
	char *v = view(nested);
	const char *body = strstr(nested, "\r\n\r\n") + 4;

	(void)state;
	range_is(nested, "", IMAP_MSG_SECTION_ALL, v);
	range_is(nested, "", IMAP_MSG_SECTION_TEXT, body);
	*strstr(v, "\r\n\r\n--XX") = '\0';
	strcat(v, "\r\n\r\n");
	range_is(nested, "", IMAP_MSG_SECTION_HEADER, v); /* the trace leads the header */
	free(v);
}

static void test_parts(void **state)
{
	(void)state;
	range_is(nested, "1", IMAP_MSG_SECTION_ALL, "first part");
	range_is(nested, "1", IMAP_MSG_SECTION_MIME, "Content-Type: text/plain\r\n\r\n");
	range_is(nested, "2", IMAP_MSG_SECTION_MIME, "Content-Type: message/rfc822\r\n\r\n");
	range_is(nested, "2", IMAP_MSG_SECTION_HEADER,
		 "Subject: inner\r\nContent-Type: multipart/alternative; boundary=\"YY\"\r\n\r\n");
	range_is(nested, "2.1", IMAP_MSG_SECTION_ALL, "inner plain");
	range_is(nested, "2.2", IMAP_MSG_SECTION_ALL, "<p>x</p>");
	range_is(nested, "2.2", IMAP_MSG_SECTION_MIME, "Content-Type: text/html\r\n\r\n");
	absent(nested, "3", IMAP_MSG_SECTION_ALL);
	absent(nested, "2.3", IMAP_MSG_SECTION_ALL);
	absent(nested, "1", IMAP_MSG_SECTION_HEADER); /* text/plain has no HEADER */
}

static void test_single_part_is_part_one(void **state)
{
	(void)state;
	range_is("Subject: s\r\n\r\nhello\r\n", "1", IMAP_MSG_SECTION_ALL, "hello\r\n");
}

static void test_bad_specs(void **state)
{
	struct imap_msg_range r;

	(void)state;
	assert_int_equal(imap_msg_section_range("{\"\":[0,5,9,1]}", 0, "", IMAP_MSG_SECTION_MIME, &r), -1);
	assert_int_equal(imap_msg_section_range("{\"\":[0,5,9,1]}", 0, "0", IMAP_MSG_SECTION_ALL, &r), -1);
	assert_int_equal(imap_msg_section_range("{\"\":[0,5,9,1]}", 0, "1.", IMAP_MSG_SECTION_ALL, &r), -1);
	assert_int_equal(imap_msg_section_range("{\"\":[0,9,5,1]}", 0, "", IMAP_MSG_SECTION_ALL, &r), -1);
	assert_int_equal(imap_msg_section_range("{\"\":[0,x]}", 0, "", IMAP_MSG_SECTION_ALL, &r), -1);
	assert_int_equal(imap_msg_section_range("{}", 0, "", IMAP_MSG_SECTION_ALL, &r), -1);
	assert_int_equal(imap_msg_section_range(NULL, 0, "", IMAP_MSG_SECTION_ALL, &r), -1);
	assert_int_equal(imap_msg_section_part_ok("1.2.10"), 1);
	assert_int_equal(imap_msg_section_part_ok("1..2"), 0);
	assert_int_equal(imap_msg_section_part_ok("01"), 0);
}

static void test_partial(void **state)
{
	struct imap_msg_range r = { 100, 200 };

	(void)state;
	imap_msg_section_partial(&r, 10, 20);
	assert_int_equal(r.start, 110);
	assert_int_equal(r.end, 130);
	r = (struct imap_msg_range){ 100, 200 };
	imap_msg_section_partial(&r, 90, 50); /* cut at the end */
	assert_int_equal(r.start, 190);
	assert_int_equal(r.end, 200);
	r = (struct imap_msg_range){ 100, 200 };
	imap_msg_section_partial(&r, 100, 5); /* past the end: empty */
	assert_int_equal(r.start, r.end);
}

/* filter_is - HEADER.FIELDS (or .NOT) of hdr gives want */
static void filter_is(const char *hdr, const char *const *names, size_t n, bool exclude,
		      const char *want)
{
	char *out = malloc(strlen(hdr) + 4);
	size_t got;

	assert_non_null(out);
	got = imap_msg_header_filter(hdr, strlen(hdr), names, n, exclude, out);
	assert_int_equal(got, strlen(want));
	assert_memory_equal(out, want, got);
	free(out);
}

static void test_header_fields(void **state)
{
	static const char hdr[] = "From: a@b\r\nSubject: one\r\n two\r\nTo: c@d\r\nX-Sub: y\r\n\r\n";
	const char *names[] = { "subject", "TO" };

	(void)state;
	filter_is(hdr, names, 2, false, "Subject: one\r\n two\r\nTo: c@d\r\n\r\n");
	filter_is(hdr, names, 2, true, "From: a@b\r\nX-Sub: y\r\n\r\n");
	filter_is(hdr, names, 0, false, "\r\n");
	filter_is("Subject: cut", names, 1, false, "Subject: cut\r\n\r\n");
	filter_is("Subject : spaced\n\n", names, 1, false, "Subject : spaced\n\r\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_top_level),
		cmocka_unit_test(test_parts),
		cmocka_unit_test(test_single_part_is_part_one),
		cmocka_unit_test(test_bad_specs),
		cmocka_unit_test(test_partial),
		cmocka_unit_test(test_header_fields),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
