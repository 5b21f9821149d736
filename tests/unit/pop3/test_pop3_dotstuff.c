/* test_pop3_dotstuff.c - the multi-line encoder: dot-stuffing, CRLF, TOP, any chunking
 * (RFC 1939 3, 7) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "services/pop3/pop3_dotstuff.h"

struct sink {
	char buf[4096];
	size_t len;
};

static void sink_write(void *ctx, const void *data, size_t len)
{
	struct sink *s = ctx;

	assert_true(s->len + len < sizeof(s->buf));
	memcpy(s->buf + s->len, data, len);
	s->len += len;
	s->buf[s->len] = '\0';
}

/* encode - run the encoder over in, split into chunks of `chunk` octets */
static const char *encode(struct sink *s, const char *in, long lines, size_t chunk)
{
	struct pop3_output out = { sink_write, s };
	struct pop3_dotstuff d;
	size_t len = strlen(in);

	s->len = 0;
	s->buf[0] = '\0';
	pop3_dotstuff_init(&d, lines);
	for (size_t off = 0; off < len; off += chunk) {
		size_t n = len - off < chunk ? len - off : chunk;
		if (pop3_dotstuff_feed(&d, (const uint8_t *)in + off, n, &out))
			break;
	}
	pop3_dotstuff_finish(&d, &out);
	return s->buf;
}

/* assert_every_split - the same output whatever the chunk size */
static void assert_every_split(const char *in, long lines, const char *want)
{
	struct sink s;

	for (size_t chunk = 1; chunk <= strlen(in) + 1; chunk++)
		assert_string_equal(encode(&s, in, lines, chunk), want);
}

static void test_stuffing(void **state)
{
	assert_every_split("a\r\n.b\r\n..c\r\n.\r\n", -1, "a\r\n..b\r\n...c\r\n..\r\n.\r\n");
	assert_every_split(".", -1, "..\r\n.\r\n");
	assert_every_split("x.y\r\n", -1, "x.y\r\n.\r\n");
	assert_every_split("", -1, ".\r\n");
}

static void test_line_endings(void **state)
{
	/* bare LF and bare CR become CRLF; an unterminated last line is ended */
	assert_every_split("a\nb\n", -1, "a\r\nb\r\n.\r\n");
	assert_every_split("a\rb", -1, "a\r\nb\r\n.\r\n");
	assert_every_split("a\r\r\nb", -1, "a\r\n\r\nb\r\n.\r\n");
	assert_every_split("a\r", -1, "a\r\n.\r\n");
	assert_every_split("\n.x", -1, "\r\n..x\r\n.\r\n");
}

static void test_top(void **state)
{
	const char *msg = "H: 1\r\nH2: 2\r\n\r\nb1\r\n.b2\r\nb3\r\n";

	assert_every_split(msg, 0, "H: 1\r\nH2: 2\r\n\r\n.\r\n");
	assert_every_split(msg, 1, "H: 1\r\nH2: 2\r\n\r\nb1\r\n.\r\n");
	assert_every_split(msg, 2, "H: 1\r\nH2: 2\r\n\r\nb1\r\n..b2\r\n.\r\n");
	assert_every_split(msg, 99, "H: 1\r\nH2: 2\r\n\r\nb1\r\n..b2\r\nb3\r\n.\r\n");
	/* no body at all: the whole message is header */
	assert_every_split("H: 1\r\nH: 2", 0, "H: 1\r\nH: 2\r\n.\r\n");
	/* an empty body line counts as a line */
	assert_every_split("H: 1\n\n\nx\n", 1, "H: 1\r\n\r\n\r\n.\r\n");
}

static void test_top_stops_reading(void **state)
{
	struct sink s = { .len = 0 };
	struct pop3_output out = { sink_write, &s };
	struct pop3_dotstuff d;

	pop3_dotstuff_init(&d, 1);
	assert_false(pop3_dotstuff_feed(&d, (const uint8_t *)"H: x\r\n\r\nbo", 10, &out));
	assert_true(pop3_dotstuff_feed(&d, (const uint8_t *)"dy\r\nmore", 8, &out));
	pop3_dotstuff_finish(&d, &out);
	assert_string_equal(s.buf, "H: x\r\n\r\nbody\r\n.\r\n");
}

/* count_write - a sink that only counts, for messages larger than any buffer here */
static void count_write(void *ctx, const void *data, size_t len)
{
	*(size_t *)ctx += len;
}

static void test_large(void **state)
{
	/* 16 MB in 4 KB chunks, every 64-octet line starting with a dot: the output is the
	 * input, plus one CR and one stuffed dot per line, plus the terminator */
	char chunk[4096];
	size_t written = 0, lines = 0, total = 16u << 20;
	struct pop3_output out = { count_write, &written };
	struct pop3_dotstuff d;

	for (size_t i = 0; i < sizeof(chunk); i++)
		chunk[i] = (i % 64 == 63) ? '\n' : (i % 64 == 0 ? '.' : 'x');
	pop3_dotstuff_init(&d, -1);
	for (size_t off = 0; off < total; off += sizeof(chunk)) {
		assert_false(pop3_dotstuff_feed(&d, (const uint8_t *)chunk, sizeof(chunk), &out));
		lines += sizeof(chunk) / 64;
	}
	pop3_dotstuff_finish(&d, &out);
	assert_int_equal(written, total + 2 * lines + 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stuffing),
		cmocka_unit_test(test_line_endings),
		cmocka_unit_test(test_top),
		cmocka_unit_test(test_top_stops_reading),
		cmocka_unit_test(test_large),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
