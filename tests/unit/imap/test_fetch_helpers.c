/* test_fetch_helpers.c - compact UID sets for COPYUID/VANISHED (RFC 4315 3, RFC 7162
 * 3.2.10) and the flag lists of STORE and APPEND (RFC 3501 9 flag-list) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "services/imap/fetch_flags.h"
#include "services/imap/fetch_uidset.h"

static struct imap_arena *arena;

static struct imap_arg atom(const char *s)
{
	return (struct imap_arg){ .type = IMAP_ARG_ATOM, .str = s, .len = strlen(s) };
}

static void test_uidset(void **state)
{
	const uint32_t a[] = { 1, 2, 3, 5, 7, 8 }, b[] = { 9, 4, 5 }, c[] = { UINT32_MAX - 1, UINT32_MAX };

	(void)state;
	assert_string_equal(fetch_uidset_format(arena, a, 6), "1:3,5,7:8");
	assert_string_equal(fetch_uidset_format(arena, b, 3), "9,4:5"); /* order kept */
	assert_string_equal(fetch_uidset_format(arena, c, 2), "4294967294:4294967295");
	assert_string_equal(fetch_uidset_format(arena, a, 0), "");
}

static void test_flags(void **state)
{
	struct imap_arg l[4] = { atom("\\seen"), atom("$Work"), atom("\\Deleted"), atom("$work") };
	struct imap_arg list = { .type = IMAP_ARG_LIST, .list = l, .count = 4 };
	struct fetch_flags f;
	const char *error = NULL;

	(void)state;
	assert_int_equal(fetch_flags_parse(&list, arena, &f, &error), 0);
	assert_int_equal(f.flags, STORE_FLAG_SEEN | STORE_FLAG_DELETED);
	assert_int_equal(f.nkeywords, 1); /* keywords compare case-insensitively */
	assert_string_equal(f.keywords[0], "$Work");
	struct imap_arg one = atom("\\Flagged");
	assert_int_equal(fetch_flags_parse(&one, arena, &f, &error), 0);
	assert_int_equal(f.flags, STORE_FLAG_FLAGGED);
	struct imap_arg bad[] = { atom("\\Recent"), atom("\\Other"), atom("a(b"),
				  { .type = IMAP_ARG_STRING, .str = "x", .len = 1 } };
	for (size_t i = 0; i < 4; i++) {
		error = NULL;
		assert_int_equal(fetch_flags_parse(&bad[i], arena, &f, &error), -1);
		assert_non_null(error);
	}
}

static int setup(void **state)
{
	(void)state;
	arena = imap_arena_new(4096);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	imap_arena_free(&arena);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_uidset),
		cmocka_unit_test(test_flags),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
