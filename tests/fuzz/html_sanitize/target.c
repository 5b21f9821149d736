/* Fuzz the webmail's HTML sanitizer (services/webmail/web_sanitize.c).
 *
 * 1. Any input sanitizes without a crash, and the output is a bounded, NUL-terminated
 *    document.
 * 2. What comes out holds no script: no <script, no on* handler attribute, no javascript:
 *    or data: URL in an attribute (checked case-insensitively on the output bytes).
 * 3. Sanitizing is idempotent on what matters: the output sanitized again keeps property 2. */
#include "services/webmail/web_sanitize.h"

#include <assert.h>
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* contains_ci - needle (lowercase) occurs in hay, ignoring case */
static int contains_ci(const char *hay, size_t len, const char *needle)
{
	size_t n = strlen(needle);

	for (size_t i = 0; i + n <= len; i++) {
		size_t j = 0;

		while (j < n && tolower((unsigned char)hay[i + j]) == needle[j])
			j++;
		if (j == n)
			return 1;
	}
	return 0;
}

/* has_handler - an attribute whose name starts with "on" inside a tag: ` on...=` */
static int has_handler(const char *s, size_t len)
{
	int in_tag = 0;

	for (size_t i = 0; i < len; i++) {
		if (s[i] == '<')
			in_tag = 1;
		else if (s[i] == '>')
			in_tag = 0;
		else if (s[i] == '"' && in_tag) {
			const char *q = memchr(s + i + 1, '"', len - i - 1);

			assert(q != NULL); /* attribute values are always closed */
			i = (size_t)(q - s);
		} else if (in_tag && s[i] == ' ' && i + 2 < len &&
			   tolower((unsigned char)s[i + 1]) == 'o' &&
			   tolower((unsigned char)s[i + 2]) == 'n')
			return 1;
	}
	return 0;
}

/* check_styles - every style="..." value is free of url( and expression */
static void check_styles(const char *s, size_t len)
{
	const char *p = s, *end = s + len;

	while ((p = memmem(p, (size_t)(end - p), " style=\"", 8)) != NULL) {
		const char *q;

		p += 8;
		q = memchr(p, '"', (size_t)(end - p));
		assert(q != NULL);
		assert(!contains_ci(p, (size_t)(q - p), "url("));
		assert(!contains_ci(p, (size_t)(q - p), "expression"));
		p = q;
	}
}

/* check - the safety properties of one sanitized document */
static void check(const struct web_sanitize_result *r)
{
	assert(r->html != NULL && r->html[r->len] == '\0');
	assert(r->len <= WEB_SANITIZE_OUTPUT_MAX);
	assert(!contains_ci(r->html, r->len, "<script"));
	assert(!contains_ci(r->html, r->len, "<style"));
	assert(!contains_ci(r->html, r->len, "<iframe"));
	assert(!contains_ci(r->html, r->len, "<svg"));
	assert(!contains_ci(r->html, r->len, "href=\"javascript:"));
	assert(!contains_ci(r->html, r->len, "src=\"javascript:"));
	assert(!contains_ci(r->html, r->len, "href=\"data:"));
	assert(!contains_ci(r->html, r->len, "src=\"data:"));
	check_styles(r->html, r->len);
	assert(!has_handler(r->html, r->len));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct web_sanitize_opts opts = {.remote_images = size % 2 == 0,
					 .cid_prefix = "/api/folders/1/messages/1/cid/"};
	struct web_sanitize_result r, again;
	const char *error;

	if (web_sanitize_html((const char *)data, size, &opts, &r, &error) < 0)
		return 0;
	check(&r);
	if (web_sanitize_html(r.html, r.len, &opts, &again, &error) == 0) {
		check(&again);
		free(again.html);
	}
	free(r.html);
	return 0;
}
