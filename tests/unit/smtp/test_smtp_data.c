/* test_smtp_data.c - DATA dot-unstuffing and end detection fed one byte at a time, the
 * smuggling-shaped endings that must NOT end a message, bounds, BDAT content checks */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smtp_data.h"

struct result {
	char out[4096];
	size_t out_len;
	size_t consumed;
	struct smtp_data d;
};

/* run - feed s (len bytes) `chunk` bytes at a time into a fresh decoder */
static void run(const char *s, size_t len, size_t chunk, bool bdat, size_t size_max,
		struct result *r)
{
	memset(r, 0, sizeof(*r));
	smtp_data_init(&r->d, size_max, SMTP_DATA_LINE_DEFAULT, bdat, false);
	while (r->consumed < len && !smtp_data_done(&r->d)) {
		size_t n = len - r->consumed < chunk ? len - r->consumed : chunk, w;

		r->consumed += smtp_data_feed(&r->d, (const uint8_t *)s + r->consumed, n,
					      (uint8_t *)r->out + r->out_len, &w);
		r->out_len += w;
	}
}

/* same_both_ways - byte-at-a-time and all-at-once agree */
static void run_checked(const char *s, bool bdat, size_t size_max, struct result *r)
{
	struct result whole;

	run(s, strlen(s), strlen(s), bdat, size_max, &whole);
	run(s, strlen(s), 1, bdat, size_max, r);
	assert_int_equal(r->out_len, whole.out_len);
	assert_memory_equal(r->out, whole.out, r->out_len);
	assert_int_equal(r->consumed, whole.consumed);
	assert_int_equal(smtp_data_done(&r->d), smtp_data_done(&whole.d));
}

static void test_end_and_unstuff(void **state)
{
	struct result r;
	const char *s = "Subject: x\r\n\r\n..leading dot\r\n.x\r\nlast\r\n.\r\nNEXT\r\n";

	run_checked(s, false, 10000, &r);
	assert_true(smtp_data_done(&r.d));
	assert_int_equal(r.consumed, strlen(s) - 6); /* "NEXT\r\n" is the next command */
	assert_int_equal(r.out_len, strlen("Subject: x\r\n\r\n.leading dot\r\nx\r\nlast\r\n"));
	assert_memory_equal(r.out, "Subject: x\r\n\r\n.leading dot\r\nx\r\nlast\r\n", r.out_len);
	assert_null(smtp_data_error(&r.d));
	assert_int_equal(r.d.size, r.out_len);
}

static void test_empty_message(void **state)
{
	struct result r;

	run_checked(".\r\n", false, 100, &r);
	assert_true(smtp_data_done(&r.d));
	assert_int_equal(r.out_len, 0);
}

/* CVE-2023-51764 class: none of these end the message, and all are refused at the end */
static void test_smuggling_endings(void **state)
{
	static const char *const tricks[] = {
		"a\r\n.\nMAIL FROM:<x@y>\r\n", "a\n.\r\nMAIL FROM:<x@y>\r\n",
		"a\n.\nMAIL FROM:<x@y>\r\n", "a\r.\r\nMAIL FROM:<x@y>\r\n",
		"a\r\n.\rMAIL FROM:<x@y>\r\n", "a\r\r\n.\r\r\n",
	};

	for (size_t i = 0; i < sizeof(tricks) / sizeof(tricks[0]); i++) {
		struct result r;
		char s[200];

		snprintf(s, sizeof(s), "%s", tricks[i]);
		run_checked(s, false, 10000, &r);
		if (smtp_data_done(&r.d))
			fail_msg("trick %zu ended the message", i);
		assert_int_equal(r.consumed, strlen(s));
		/* the real end comes later; the message is then refused */
		snprintf(s, sizeof(s), "%s\r\n.\r\n", tricks[i]);
		run_checked(s, false, 10000, &r);
		assert_true(smtp_data_done(&r.d));
		assert_true(r.d.bare_newline);
		assert_string_equal(smtp_data_error(&r.d),
				    "554 5.6.0 Message contains bare CR or LF (RFC 5321 2.3.8)");
	}
}

static void test_size_bound(void **state)
{
	struct result r;
	char s[3000];

	memset(s, 'a', 2000);
	strcpy(s + 2000, "\r\n.\r\n");
	/* the line is also too long; size is reported first */
	run_checked(s, false, 1000, &r);
	assert_true(smtp_data_done(&r.d));
	assert_true(r.d.too_big);
	assert_int_equal(r.out_len, 1000); /* nothing kept past the bound */
	assert_int_equal(r.d.size, 2002);
	assert_string_equal(smtp_data_error(&r.d),
			    "552 5.3.4 Message size exceeds fixed maximum message size");
	run_checked("1234\r\n.\r\n", false, 6, &r);
	assert_null(smtp_data_error(&r.d));
	run_checked("12345\r\n.\r\n", false, 6, &r);
	assert_true(r.d.too_big);
}

static void test_line_bound(void **state)
{
	struct result r;
	char s[1200];

	/* 998 octets of text plus CRLF is the limit (RFC 5322 2.1.1) */
	memset(s, 'a', 998);
	strcpy(s + 998, "\r\n.\r\n");
	run_checked(s, false, 100000, &r);
	assert_null(smtp_data_error(&r.d));
	memset(s, 'a', 999);
	strcpy(s + 999, "\r\n.\r\n");
	run_checked(s, false, 100000, &r);
	assert_string_equal(smtp_data_error(&r.d),
			    "554 5.6.0 Message line too long (RFC 5322 2.1.1)");
	/* a stuffed dot counts as on the wire */
	s[0] = '.';
	memset(s + 1, 'a', 998);
	strcpy(s + 999, "\r\n.\r\n");
	run_checked(s, false, 100000, &r);
	assert_non_null(smtp_data_error(&r.d));
}

static void test_bdat(void **state)
{
	struct result r;
	const char *s = "Subject: x\r\n\r\n.no stuffing\r\n.\r\n";

	run_checked(s, true, 10000, &r);
	assert_false(smtp_data_done(&r.d));
	assert_int_equal(r.out_len, strlen(s));
	assert_memory_equal(r.out, s, r.out_len);
	assert_null(smtp_data_error_final(&r.d));
	run_checked("a\nb\r\n", true, 10000, &r);
	assert_non_null(smtp_data_error_final(&r.d));
	run_checked("no end", true, 10000, &r);
	assert_null(smtp_data_error(&r.d));
	assert_string_equal(smtp_data_error_final(&r.d), "554 5.6.0 Message does not end with CRLF");
}

static void test_binary(void **state)
{
	struct smtp_data d;
	uint8_t out[16];
	size_t w;

	smtp_data_init(&d, 100, SMTP_DATA_LINE_DEFAULT, true, true);
	assert_int_equal(smtp_data_feed(&d, (const uint8_t *)"\n\r\0x", 4, out, &w), 4);
	assert_int_equal(w, 4);
	assert_null(smtp_data_error_final(&d));
}

/* feed_all - decode in[0..len) `chunk` bytes at a time with the given bounds and modes */
static void feed_all(const uint8_t *in, size_t len, size_t chunk, bool bdat, bool binary,
		     struct result *r)
{
	memset(r, 0, sizeof(*r));
	smtp_data_init(&r->d, 150, 12, bdat, binary);
	while (r->consumed < len && !smtp_data_done(&r->d)) {
		size_t n = len - r->consumed < chunk ? len - r->consumed : chunk, w;

		r->consumed += smtp_data_feed(&r->d, in + r->consumed, n,
					      (uint8_t *)r->out + r->out_len, &w);
		r->out_len += w;
	}
}

/* same_result - two decodings of one input left the same bytes and the same state */
static void same_result(const struct result *a, const struct result *b)
{
	assert_int_equal(a->out_len, b->out_len);
	assert_memory_equal(a->out, b->out, a->out_len);
	assert_int_equal(a->consumed, b->consumed);
	assert_int_equal(a->d.state, b->d.state);
	assert_int_equal(a->d.size, b->d.size);
	assert_int_equal(a->d.line_len, b->d.line_len);
	assert_int_equal(a->d.too_big, b->d.too_big);
	assert_int_equal(a->d.bare_newline, b->d.bare_newline);
	assert_int_equal(a->d.line_too_long, b->d.line_too_long);
}

/* Whole runs of line text are decoded at once; fed one byte at a time every byte takes
 * the byte rules. Both must agree on inputs dense in dots, CRs and LFs, with small line
 * and size bounds so that both are crossed inside runs. */
static void test_runs_match_bytes(void **state)
{
	static const char alphabet[] = "..\r\r\n\nabcdefgh";
	uint32_t x = 2463534242u;
	uint8_t in[300];
	struct result bytes, whole, sevens;

	for (int round = 0; round < 4000; round++) {
		size_t len = 0;
		bool bdat = round & 1, binary = (round & 2) != 0;

		x ^= x << 13, x ^= x >> 17, x ^= x << 5;
		len = x % sizeof(in);
		for (size_t i = 0; i < len; i++) {
			x ^= x << 13, x ^= x >> 17, x ^= x << 5;
			in[i] = (uint8_t)alphabet[x % (sizeof(alphabet) - 1)];
		}
		feed_all(in, len, 1, bdat, binary, &bytes);
		feed_all(in, len, len > 0 ? len : 1, bdat, binary, &whole);
		feed_all(in, len, 7, bdat, binary, &sevens);
		same_result(&bytes, &whole);
		same_result(&bytes, &sevens);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_end_and_unstuff), cmocka_unit_test(test_empty_message),
		cmocka_unit_test(test_smuggling_endings), cmocka_unit_test(test_size_bound),
		cmocka_unit_test(test_line_bound), cmocka_unit_test(test_bdat),
		cmocka_unit_test(test_binary), cmocka_unit_test(test_runs_match_bytes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
