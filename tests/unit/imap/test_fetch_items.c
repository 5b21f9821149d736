/* test_fetch_items.c - FETCH data items and modifiers (RFC 3501 6.4.5, RFC 3516, RFC 7162)
 * into the plan cmd_fetch follows */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "services/imap/fetch_items.h"

static struct imap_arena *arena;

static struct imap_arg atom(const char *s)
{
	return (struct imap_arg){ .type = IMAP_ARG_ATOM, .str = s, .len = strlen(s) };
}

/* parse_list - the items as one parenthesised list; returns fetch_items_parse's value */
static int parse_list(const char *const *words, size_t n, struct imap_arg *mods,
		      struct fetch_items *out, const char **error_r)
{
	struct imap_arg list[16], items = { .type = IMAP_ARG_LIST, .list = list, .count = n };

	for (size_t i = 0; i < n; i++)
		list[i] = atom(words[i]);
	return fetch_items_parse(&items, mods, arena, out, error_r);
}

static void test_simple_and_macros(void **state)
{
	struct fetch_items f;
	const char *error = NULL;
	struct imap_arg a = atom("fast");

	(void)state;
	assert_int_equal(fetch_items_parse(&a, NULL, arena, &f, &error), 0);
	assert_int_equal(f.flags, FETCH_FLAGS | FETCH_INTERNALDATE | FETCH_RFC822_SIZE);
	const char *w[] = { "UID", "ENVELOPE", "BODYSTRUCTURE", "MODSEQ", "BODY" };
	assert_int_equal(parse_list(w, 5, NULL, &f, &error), 0);
	assert_int_equal(f.flags, FETCH_UID | FETCH_ENVELOPE | FETCH_BODYSTRUCTURE | FETCH_MODSEQ |
				  FETCH_BODY);
	assert_int_equal(f.nsections, 0);
	assert_false(f.sets_seen);
}

static void test_sections(void **state)
{
	struct fetch_items f;
	const char *error = NULL;
	const char *w[] = { "BODY.PEEK[HEADER.FIELDS (From \"X-Odd\" subject)]", "BODY[2.1.MIME]",
			    "body[]<10.20>", "BINARY.PEEK[1.2]", "BINARY.SIZE[3]", "RFC822.HEADER",
			    "BODY[1.TEXT]" };

	(void)state;
	assert_int_equal(parse_list(w, 7, NULL, &f, &error), 0);
	assert_int_equal(f.nsections, 7);
	struct fetch_section *s = f.sections;
	assert_true(s[0].peek && s[0].fields && !s[0].fields_not);
	assert_int_equal(s[0].nnames, 3);
	assert_string_equal(s[0].names[1], "X-Odd");
	assert_string_equal(s[0].reply_name, "BODY[HEADER.FIELDS (From \"X-Odd\" subject)]");
	assert_string_equal(s[1].part, "2.1");
	assert_int_equal(s[1].text, IMAP_MSG_SECTION_MIME);
	assert_true(s[2].partial);
	assert_int_equal(s[2].origin, 10);
	assert_int_equal(s[2].count, 20);
	assert_string_equal(s[2].reply_name, "BODY[]<10>"); /* RFC 3501 7.4.2: origin only */
	assert_int_equal(s[3].kind, FETCH_SECTION_BINARY);
	assert_string_equal(s[3].reply_name, "BINARY[1.2]");
	assert_int_equal(s[4].kind, FETCH_SECTION_BINARY_SIZE);
	assert_string_equal(s[5].reply_name, "RFC822.HEADER");
	assert_int_equal(s[5].text, IMAP_MSG_SECTION_HEADER);
	assert_string_equal(s[6].part, "1");
	assert_int_equal(s[6].text, IMAP_MSG_SECTION_TEXT);
	assert_true(f.sets_seen);
}

static void test_bad_items(void **state)
{
	static const char *const bad[] = {
		"BODY[MIME]", "BODY[0]", "BODY[1..2]", "BODY[HEADER.FIELDS ()]", "BODY[1]<5>",
		"BODY[1]<1.0>", "BINARY[HEADER]", "BINARY.SIZE[1]<0.5>", "BODY[TEXT", "FLAGZ",
		"BODY[HEADER.FIELDS (A]", "BODY[1.HEADER.FIELDS.NOT A]" };
	struct fetch_items f;
	const char *error;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		error = NULL;
		struct imap_arg a = atom(bad[i]);
		assert_int_equal(fetch_items_parse(&a, NULL, arena, &f, &error), -1);
		assert_non_null(error);
	}
}

static void test_modifiers(void **state)
{
	struct fetch_items f;
	const char *error = NULL;
	const char *w[] = { "FLAGS" };
	struct imap_arg m[3] = { atom("CHANGEDSINCE"), atom("12345"), atom("VANISHED") };
	struct imap_arg mods = { .type = IMAP_ARG_LIST, .list = m, .count = 3 };

	(void)state;
	assert_int_equal(parse_list(w, 1, &mods, &f, &error), 0);
	assert_int_equal(f.changedsince, 12345);
	assert_true(f.vanished);
	assert_true(f.flags & FETCH_MODSEQ); /* RFC 7162 3.1.4.1: implied */
	mods.list = &m[2];
	mods.count = 1;
	assert_int_equal(parse_list(w, 1, &mods, &f, &error), -1); /* VANISHED alone */
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
		cmocka_unit_test(test_simple_and_macros),
		cmocka_unit_test(test_sections),
		cmocka_unit_test(test_bad_items),
		cmocka_unit_test(test_modifiers),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
