/* test_mime.c - lib/mime against the sample messages in tests/data/mail.
 *
 * Each NAME.eml has a golden NAME.imap holding the ENVELOPE, BODY, BODYSTRUCTURE and
 * SECTIONS lines. They were checked by hand against RFC 3501 7.4.2 and against Dovecot
 * 2.3.19 serving the same files; the known differences are deliberate:
 *   - line counts are Dovecot's (LFs only), sizes follow RFC 2046 5.1.1 strictly, so an
 *     encapsulated multipart message ends before the CRLF of the next delimiter (Dovecot
 *     counts that CRLF: 326 and 17 where forwarded.imap says 324 and 16);
 *   - non-ASCII display names are re-encoded by GMime (RFC 2047) instead of copied raw;
 *   - a multipart without a boundary is described as text/plain (Dovecot: one empty part);
 *   - 8-bit header bytes that are not UTF-8 become U+FFFD, since outputs go to PostgreSQL;
 *   - RFC 2231 parameters are given decoded ("filename" "x"), where Dovecot passes the raw
 *     ("filename*" "us-ascii'en'x").
 * digest.imap (multipart/digest, implicit message/rfc822 parts) is byte for byte Dovecot's. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mime/mime.h"
#include "mime/mime_internal.h"

#ifndef MAIL_DIR
#error "MAIL_DIR must name tests/data/mail"
#endif

/* slurp - the whole file (free it) */
static char *slurp(const char *name, const char *ext, size_t *len_r)
{
	char path[512];
	FILE *f;
	char *buf;
	long len;

	snprintf(path, sizeof(path), "%s/%s%s", MAIL_DIR, name, ext);
	f = fopen(path, "rb");
	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	len = ftell(f);
	assert_true(len >= 0);
	rewind(f);
	buf = malloc((size_t)len + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)len, f), (size_t)len);
	buf[len] = '\0';
	fclose(f);
	*len_r = (size_t)len;
	return buf;
}

/* parse_file - parse NAME.eml; the raw bytes stay in *raw_r (free them) */
static void parse_file(const char *name, struct mime_meta *m, char **raw_r, size_t *len_r)
{
	const char *error = NULL;

	*raw_r = slurp(name, ".eml", len_r);
	assert_int_equal(mime_parse(*raw_r, *len_r, m, &error), 0);
}

/* imap_syntax_ok - balanced parentheses, closed quoted strings, exact literal lengths */
static bool imap_syntax_ok(const char *s)
{
	int depth = 0;

	for (const char *p = s; *p != '\0'; p++) {
		if (*p == '"') {
			for (p++; *p != '"'; p++) {
				if (*p == '\0' || *p == '\r' || *p == '\n')
					return false;
				if (*p == '\\' && *++p == '\0')
					return false;
			}
		} else if (*p == '{') {
			char *end;
			unsigned long n = strtoul(p + 1, &end, 10);
			if (end[0] != '}' || end[1] != '\r' || end[2] != '\n' || strlen(end + 3) < n)
				return false;
			p = end + 2 + n;
		} else if (*p == '(') {
			depth++;
		} else if (*p == ')' && --depth < 0) {
			return false;
		} else if (*p == '\r' || *p == '\n') {
			return false;
		}
	}
	return depth == 0;
}

static void test_golden(void **state)
{
	static const char *const names[] = { "simple", "lf_only", "alternative", "attachment",
					     "forwarded", "latin1", "malformed", "truncated", "digest", "rfc2231" };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		struct mime_meta m;
		size_t len, glen;
		char *raw, *golden, *got;

		parse_file(names[i], &m, &raw, &len);
		golden = slurp(names[i], ".imap", &glen);
		got = g_strdup_printf("ENVELOPE %s\nBODY %s\nBODYSTRUCTURE %s\nSECTIONS %s\n",
				      m.envelope, m.body, m.bodystructure, m.sections);
		if (strcmp(got, golden) != 0)
			fail_msg("%s differs from golden:\n%s\nwant:\n%s", names[i], got, golden);
		assert_true(imap_syntax_ok(m.envelope));
		assert_true(imap_syntax_ok(m.body));
		assert_true(imap_syntax_ok(m.bodystructure));
		assert_int_equal(m.size, len);
		assert_int_equal(m.header_size + m.body_size, len);
		g_free(got);
		free(golden);
		free(raw);
		mime_meta_clear(&m);
	}
}

/* section - raw bytes of field `idx` .. `idx + 1` of section key (JSON looked up by hand) */
static char *section(const struct mime_meta *m, const char *raw, const char *key, int from, int to)
{
	char needle[64];
	const char *p;
	unsigned long v[5];

	snprintf(needle, sizeof(needle), "\"%s\":[", key);
	p = strstr(m->sections, needle);
	assert_non_null(p);
	p += strlen(needle);
	for (int i = 0; i < 4; i++) {
		char *end;
		v[i] = strtoul(p, &end, 10);
		p = end + 1;
	}
	v[4] = *(p - 1) == ',' ? strtoul(p, NULL, 10) : 0;
	return g_strndup(raw + v[from], v[to] - v[from]);
}

static void test_sections(void **state)
{
	struct mime_meta m;
	size_t len;
	char *raw, *s;

	parse_file("forwarded", &m, &raw, &len);
	s = section(&m, raw, "1", 1, 2);
	assert_string_equal(s, "Forwarding this.");
	g_free(s);
	s = section(&m, raw, "1", 0, 1);
	assert_string_equal(s, "Content-Type: text/plain; charset=us-ascii\r\n\r\n");
	g_free(s);
	s = section(&m, raw, "2", 1, 4); /* BODY[2.HEADER]: the encapsulated header */
	assert_true(g_str_has_prefix(s, "From: Dave <dave@example.com>\r\n"));
	assert_true(g_str_has_suffix(s, "boundary=\"inner\"\r\n\r\n"));
	g_free(s);
	s = section(&m, raw, "2.2", 1, 2);
	assert_string_equal(s, "<p>Noon.</p>");
	g_free(s);
	s = section(&m, raw, "", 1, 2); /* BODY[TEXT] */
	assert_true(g_str_has_prefix(s, "--outer\r\nContent-Type: text/plain"));
	assert_true(g_str_has_suffix(s, "--outer--\r\n"));
	g_free(s);
	free(raw);
	mime_meta_clear(&m);

	parse_file("attachment", &m, &raw, &len);
	s = section(&m, raw, "2", 1, 2);
	assert_true(g_str_has_prefix(s, "JVBERi0xLjQK"));
	assert_true(g_str_has_suffix(s, "CtRTyuQIA"));
	g_free(s);
	free(raw);
	mime_meta_clear(&m);
}

static void test_fields(void **state)
{
	struct mime_meta m;
	size_t len;
	char *raw;

	parse_file("simple", &m, &raw, &len);
	assert_string_equal(m.subject, "Café meeting tomorrow");
	assert_string_equal(m.from_addr, "alice@example.org");
	assert_string_equal(m.message_id, "<20261122042958.1234@example.org>");
	assert_string_equal(m.in_reply_to, "<prev.1@example.net>");
	assert_string_equal(m.references, "<root.0@example.net> <prev.1@example.net>");
	assert_true(m.has_date);
	assert_int_equal(m.date, 1795321798); /* 2026-11-22T04:29:58Z */
	assert_int_equal(m.received, 1);
	assert_non_null(strstr(m.to, "carol@example.net"));
	assert_non_null(strstr(m.cc, "erin@example.com"));
	assert_non_null(strstr(m.headers, "Subject: Café meeting tomorrow\n"));
	assert_non_null(strstr(m.text, "meet at the café at 10."));
	free(raw);
	mime_meta_clear(&m);

	parse_file("latin1", &m, &raw, &len);
	assert_string_equal(m.subject, "Grüße");
	assert_string_equal(m.text, "Schöne Grüße aus München\r\n");
	assert_false(m.has_date);
	free(raw);
	mime_meta_clear(&m);
}

static void test_text(void **state)
{
	static const char html[] =
		"Content-Type: text/html; charset=utf-8\r\n\r\n"
		"<html><head><style>b{}</style><script>var x='hidden';</script></head>"
		"<body><p>Caf&#233; &amp; th&eacute;<br>next&nbsp;line</p>"
		"<SCRIPT>alert('no')</SCRIPT>tail &#x263A;</body></html>\r\n";
	struct mime_meta m;
	const char *error;
	size_t len;
	char *raw;

	assert_int_equal(mime_parse(html, strlen(html), &m, &error), 0);
	assert_non_null(strstr(m.text, "Café & th&eacute;\nnext line"));
	assert_non_null(strstr(m.text, "tail ☺"));
	assert_null(strstr(m.text, "hidden"));
	assert_null(strstr(m.text, "alert"));
	assert_null(strstr(m.text, "<"));
	mime_meta_clear(&m);

	parse_file("alternative", &m, &raw, &len);
	assert_string_equal(m.text, "Ordre du jour: réunion à midi.");
	free(raw);
	mime_meta_clear(&m);

	parse_file("attachment", &m, &raw, &len);
	assert_true(m.has_attachments);
	assert_null(strstr(m.text, "JVBER"));
	free(raw);
	mime_meta_clear(&m);
}

/* nested - a multipart nested `depth` times, or one with `parts` parts */
static GString *nested(unsigned depth, unsigned parts)
{
	GString *s = g_string_new("Subject: deep\r\n");

	for (unsigned i = 0; i < depth; i++)
		g_string_append_printf(s, "Content-Type: multipart/mixed; boundary=b%u\r\n\r\n--b%u\r\n",
				       i, i);
	g_string_append(s, "Content-Type: text/plain\r\n\r\nleaf\r\n");
	for (unsigned i = 1; i < parts; i++)
		g_string_append_printf(s, "--b%u\r\n\r\npart %u\r\n", depth - 1, i);
	for (unsigned i = depth; i-- > 0;)
		g_string_append_printf(s, "--b%u--\r\n", i);
	return s;
}

static void test_bounds(void **state)
{
	struct mime_meta m;
	const char *error;
	GString *s;
	unsigned parens = 0, max_parens = 0;

	s = nested(200, 1);
	assert_int_equal(mime_parse(s->str, s->len, &m, &error), 0);
	assert_true(m.degraded);
	assert_true(imap_syntax_ok(m.bodystructure));
	for (const char *p = m.bodystructure; *p != '\0'; p++) {
		if (*p == '(' && ++parens > max_parens)
			max_parens = parens;
		if (*p == ')')
			parens--;
	}
	assert_true(max_parens <= MIME_DEPTH_MAX + 3);
	mime_meta_clear(&m);
	g_string_free(s, TRUE);

	s = nested(1, 3000);
	assert_int_equal(mime_parse(s->str, s->len, &m, &error), 0);
	assert_true(m.parts <= MIME_PARTS_MAX + 1);
	assert_true(imap_syntax_ok(m.bodystructure));
	mime_meta_clear(&m);
	g_string_free(s, TRUE);

	s = g_string_new("Subject: big\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n");
	while (s->len < 3 * MIME_TEXT_MAX)
		g_string_append(s, "ééééééééé\r\n");
	assert_int_equal(mime_parse(s->str, s->len, &m, &error), 0);
	assert_true(m.text_truncated);
	assert_true(strlen(m.text) <= MIME_TEXT_MAX);
	assert_true(g_utf8_validate(m.text, -1, NULL));
	mime_meta_clear(&m);
	g_string_free(s, TRUE);

	assert_int_equal(mime_parse("x", MIME_MESSAGE_MAX + 1, &m, &error), -1);
}

static void test_received(void **state)
{
	GString *s = g_string_new(NULL);
	struct mime_meta m;
	const char *error;

	for (int i = 0; i < 60; i++)
		g_string_append_printf(s, "Received: from hop%d by hop%d; Sun, 22 Nov 2026 04:30:00 +0000\r\n",
				       i, i + 1);
	g_string_append(s, "Subject: loop\r\n\r\nbody\r\n");
	assert_int_equal(mime_parse(s->str, s->len, &m, &error), 0);
	assert_int_equal(m.received, 60);
	mime_meta_clear(&m);
	g_string_free(s, TRUE);
}

/* The text of a body, made valid UTF-8 without NULs: runs between NULs kept whole, a
 * malformed sequence replaced, and valid wherever the input is cut. */
static void test_istr_utf8(void **state)
{
	static const char in[] = "caf\xc3\xa9\0 \0\0x\xff\xc3y\0";
	static const char want[] = "caf\xc3\xa9 x\xef\xbf\xbd\xef\xbf\xbdy";
	char *v;

	v = mime_istr_utf8(in, sizeof(in) - 1);
	assert_string_equal(v, want);
	g_free(v);
	v = mime_istr_utf8("plain text", 10);   /* no NUL: the fast path */
	assert_string_equal(v, "plain text");
	g_free(v);
	v = mime_istr_utf8("\0\0", 2);
	assert_string_equal(v, "");
	g_free(v);
	v = mime_istr_utf8("abc", 0);
	assert_string_equal(v, "");
	g_free(v);
	for (size_t len = 0; len < sizeof(in); len++) {
		v = mime_istr_utf8(in, len);
		assert_true(g_utf8_validate(v, -1, NULL));
		g_free(v);
	}
}

static void test_garbage(void **state)
{
	static const char bytes[] = "\0\xff\r\n:\r\n\r\n--\0--\r\nContent-Type: multipart/x;"
				    " boundary=\"\"\r\n\r\n\x80\x81";
	struct mime_meta m;
	const char *error;

	for (size_t len = 0; len <= sizeof(bytes); len++) {
		assert_int_equal(mime_parse(bytes, len, &m, &error), 0);
		assert_true(g_utf8_validate(m.envelope, -1, NULL));
		assert_true(g_utf8_validate(m.text, -1, NULL));
		assert_true(g_utf8_validate(m.headers, -1, NULL));
		assert_true(imap_syntax_ok(m.bodystructure));
		assert_true(imap_syntax_ok(m.envelope));
		mime_meta_clear(&m);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_golden),   cmocka_unit_test(test_sections),
		cmocka_unit_test(test_fields),   cmocka_unit_test(test_text),
		cmocka_unit_test(test_bounds),   cmocka_unit_test(test_received),
		cmocka_unit_test(test_garbage),  cmocka_unit_test(test_istr_utf8),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
