/* Unit tests of DATA dot-stuffing (RFC 5321 4.5.2), chunk boundaries included. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "services/smtp-out/smtp_dot.h"

/* stuff - in, cut into pieces of step bytes, to a NUL-ended malloc'd string */
static char *stuff(const char *in, size_t step)
{
	struct evbuffer *out = evbuffer_new();
	struct smtp_dot d;
	size_t len = strlen(in), n;
	char *s;

	smtp_dot_init(&d);
	for (size_t i = 0; i < len; i += step)
		smtp_dot_chunk(&d, (const uint8_t *)in + i, len - i < step ? len - i : step, out);
	smtp_dot_end(&d, out);
	n = evbuffer_get_length(out);
	s = calloc(1, n + 1);
	evbuffer_remove(out, s, n);
	evbuffer_free(out);
	return s;
}

static void test_stuffing_every_split(void **state)
{
	const char *in = ".a\r\nb\r\n..c\r\n.\r\nd.e\r\n";
	const char *want = "..a\r\nb\r\n...c\r\n..\r\nd.e\r\n.\r\n";

	for (size_t step = 1; step <= strlen(in); step++) {
		char *got = stuff(in, step);

		assert_string_equal(got, want);
		free(got);
	}
}

static void test_bare_lf_and_unterminated(void **state)
{
	char *got = stuff("a\n.b", 1);

	assert_string_equal(got, "a\r\n..b\r\n.\r\n");
	free(got);
	got = stuff("", 1);
	assert_string_equal(got, ".\r\n");
	free(got);
	got = stuff("x\r", 1);
	assert_string_equal(got, "x\r\n.\r\n");
	free(got);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stuffing_every_split),
		cmocka_unit_test(test_bare_lf_and_unterminated),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
