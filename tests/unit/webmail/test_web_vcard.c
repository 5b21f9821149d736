/* Unit tests of the vCard parser of the address book import (RFC 6350): unfolding,
 * escapes, several EMAILs, N when FN is absent, several cards, the refusals (2.1,
 * quoted-printable, nesting, no colon) with their messages, field bounds, and a card fed
 * one byte at a time ("need more" until END:VCARD). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "services/webmail/web_vcard.h"

static struct web_vcard card;

/* parse - the first card of s; returns the bytes consumed */
static ssize_t parse(const char *s, const char **error_r)
{
	*error_r = NULL;
	return web_vcard_parse(s, strlen(s), &card, error_r);
}

static void test_fields_and_escapes(void **state)
{
	static const char s[] =
		"BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Bob\\; Jr\\, the \\\\ second\r\n"
		"EMAIL;TYPE=work:bob@x.org\r\nemail:robert@y.org\r\n"
		"TEL;VALUE=uri:tel:+62-21-555\r\nTEL:+1 999\r\n"
		"NOTE:met at\\nconf\r\nNOTE:again\r\nEND:VCARD\r\n";
	const char *error;

	(void)state;
	assert_int_equal(parse(s, &error), (ssize_t)strlen(s));
	assert_string_equal(card.name, "Bob; Jr, the \\ second");
	assert_int_equal(card.nemails, 2);
	assert_string_equal(card.emails[0], "bob@x.org");
	assert_string_equal(card.emails[1], "robert@y.org");
	assert_string_equal(card.phone, "+62-21-555");
	assert_string_equal(card.notes, "met at\nconf\nagain");
	assert_null(card.problem);
}

static void test_unfolding_and_n(void **state)
{
	static const char s[] =
		"\r\nBEGIN:VCARD\nVERSION:3.0\nN:Doe;Jane;;;\nEMAIL;TYPE=INTERNET:ja\n ne@exam\r\n\tple.org\n"
		"item1.NOTE:a note fol\n ded\nEND:VCARD\n";
	const char *error;

	(void)state;
	assert_int_equal(parse(s, &error), (ssize_t)strlen(s));
	assert_string_equal(card.name, "Jane Doe");
	assert_int_equal(card.nemails, 1);
	assert_string_equal(card.emails[0], "jane@example.org");
	assert_string_equal(card.notes, "a note folded");
}

static void test_several_cards(void **state)
{
	static const char s[] =
		"BEGIN:VCARD\r\nVERSION:4.0\r\nFN:One\r\nEMAIL:1@x.org\r\nEND:VCARD\r\n"
		"BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Two\r\nEMAIL:2@x.org\r\nEND:VCARD\r\n\r\n";
	const char *error = NULL;
	size_t pos = 0;
	ssize_t n;
	int cards = 0;

	(void)state;
	while ((n = web_vcard_parse(s + pos, strlen(s) - pos, &card, &error)) > 0) {
		pos += (size_t)n;
		cards++;
		assert_string_equal(card.name, cards == 1 ? "One" : "Two");
	}
	assert_int_equal(n, 0);
	assert_int_equal(cards, 2);
	assert_int_equal(pos, strlen(s) - 2);
}

static void test_refusals(void **state)
{
	static const struct {
		const char *in, *message;
	} cases[] = {
		{"BEGIN:VCARD\r\nVERSION:2.1\r\nEND:VCARD\r\n", "vCard 2.1"},
		{"BEGIN:VCARD\r\nVERSION:3.0\r\nNOTE;ENCODING=QUOTED-PRINTABLE:=C3=A9\r\nEND:VCARD\r\n",
		 "quoted-printable"},
		{"BEGIN:VCARD\r\nBEGIN:VCARD\r\nEND:VCARD\r\n", "nested"},
		{"BEGIN:VCARD\r\nno colon here\r\nEND:VCARD\r\n", "NAME:value"},
		{"FN:before begin\r\n", "BEGIN:VCARD"},
		{"BEGIN:VCARD\r\nFN:\xff\xfe\r\nEND:VCARD\r\n", "UTF-8"},
	};
	const char *error;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(parse(cases[i].in, &error), -1);
		assert_non_null(strstr(error, cases[i].message));
	}
}

static void test_bounds_make_a_problem(void **state)
{
	char *s = malloc(8192);
	const char *error;

	(void)state;
	snprintf(s, 8192, "BEGIN:VCARD\r\nFN:x\r\nEMAIL:a@b.c\r\nNOTE:%05000d\r\nEND:VCARD\r\n", 0);
	assert_true(parse(s, &error) > 0);
	assert_non_null(card.problem);
	assert_non_null(strstr(card.problem, "NOTE"));
	snprintf(s, 8192, "BEGIN:VCARD\r\nFN:%0300d\r\nEND:VCARD\r\n", 0);
	assert_true(parse(s, &error) > 0);
	assert_non_null(strstr(card.problem, "FN"));
	free(s);
}

static void test_byte_at_a_time(void **state)
{
	static const char s[] =
		"BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Slow\r\nEMAIL:s@x.org\r\nEND:VCARD\r\n";
	const char *error = NULL;
	size_t end = strlen(s) - 2;  /* the end of buf also ends the last line */

	(void)state;
	for (size_t i = 0; i < end; i++)
		assert_int_equal(web_vcard_parse(s, i, &card, &error), 0);
	assert_int_equal(web_vcard_parse(s, end, &card, &error), (ssize_t)end);
	assert_int_equal(web_vcard_parse(s, strlen(s), &card, &error), (ssize_t)strlen(s));
	assert_string_equal(card.emails[0], "s@x.org");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fields_and_escapes),
		cmocka_unit_test(test_unfolding_and_n),
		cmocka_unit_test(test_several_cards),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_bounds_make_a_problem),
		cmocka_unit_test(test_byte_at_a_time),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
