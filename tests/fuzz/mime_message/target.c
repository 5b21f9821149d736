/* Fuzz lib/mime: any bytes parse without a crash, and every output keeps its promises:
 * valid UTF-8 without NULs, IMAP strings with exact literal lengths and balanced lists,
 * section ranges inside the message and in order. */
#include "mime/mime.h"

#include <assert.h>
#include <glib.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* check_imap - balanced parentheses, closed quotes, literal lengths inside the string */
static void check_imap(const char *s)
{
	int depth = 0;

	assert(g_utf8_validate(s, -1, NULL));
	for (const char *p = s; *p != '\0'; p++) {
		if (*p == '"') {
			for (p++; *p != '"'; p++) {
				assert(*p != '\0' && *p != '\r' && *p != '\n');
				if (*p == '\\')
					assert(*++p != '\0');
			}
		} else if (*p == '{') {
			char *end;
			unsigned long n = strtoul(p + 1, &end, 10);
			assert(end[0] == '}' && end[1] == '\r' && end[2] == '\n');
			assert(strlen(end + 3) >= n);
			p = end + 2 + n;
		} else if (*p == '(') {
			depth++;
		} else if (*p == ')') {
			assert(--depth >= 0);
		}
	}
	assert(depth == 0);
}

/* check_sections - every number of every range lies within the message, in order */
static void check_sections(const char *s, size_t size)
{
	const char *p = s;

	while ((p = strchr(p, '[')) != NULL) {
		unsigned long v[4];
		char *end = (char *)p;
		for (int i = 0; i < 4; i++) {
			v[i] = strtoul(end + 1, &end, 10);
			assert(*end == ',' || *end == ']');
		}
		assert(v[0] <= v[1] && v[1] <= v[2] && v[2] <= size);
		p = end;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mime_meta m;
	const char *error;

	if (mime_parse((const char *)data, size, &m, &error) < 0)
		return 0;
	check_imap(m.envelope);
	check_imap(m.body);
	check_imap(m.bodystructure);
	check_sections(m.sections, size);
	assert(m.header_size + m.body_size == size);
	assert(strlen(m.text) <= MIME_TEXT_MAX && g_utf8_validate(m.text, -1, NULL));
	assert(strlen(m.headers) <= MIME_HEADERS_TEXT_MAX);
	assert(g_utf8_validate(m.headers, -1, NULL) && g_utf8_validate(m.subject, -1, NULL));
	mime_meta_clear(&m);
	return 0;
}
