/* mime_html.c - HTML reduced to text, roughly: enough for substring SEARCH, not display.
 * Tags go, script and style contents go, common entities are decoded, block tags become
 * line breaks and runs of white space become one space. */
#include <stdlib.h>
#include <string.h>

#include "mime/mime_internal.h"

struct strip {
	GString *out;
	size_t max;
	bool space; /* last output was white space */
};

/* put - one UTF-8 sequence, white space collapsed, bounded */
static void put(struct strip *s, const char *p, size_t len)
{
	bool ws = len == 1 && g_ascii_isspace(*p);

	if (ws && (s->space || s->out->len == 0))
		return;
	if (s->out->len + len > s->max)
		return;
	g_string_append_len(s->out, ws && *p != '\n' ? " " : p, (gssize)len);
	s->space = ws;
}

/* entity - decode the entity at p (after '&'); returns bytes consumed, 0 if none */
static size_t entity(struct strip *s, const char *p)
{
	static const struct { const char *name; const char *text; } named[] = {
		{ "amp;", "&" }, { "lt;", "<" }, { "gt;", ">" }, { "quot;", "\"" },
		{ "apos;", "'" }, { "nbsp;", " " },
	};
	char utf8[8];

	for (size_t i = 0; i < G_N_ELEMENTS(named); i++) {
		size_t n = strlen(named[i].name);
		if (g_ascii_strncasecmp(p, named[i].name, n) == 0) {
			put(s, named[i].text, 1);
			return n;
		}
	}
	if (p[0] == '#') {
		char *end;
		bool hex = p[1] == 'x' || p[1] == 'X';
		unsigned long cp = strtoul(p + (hex ? 2 : 1), &end, hex ? 16 : 10);
		if (*end == ';' && end > p + (hex ? 2 : 1) && cp > 0 && g_unichar_validate((gunichar)cp)) {
			put(s, utf8, (size_t)g_unichar_to_utf8((gunichar)cp, utf8));
			return (size_t)(end - p) + 1;
		}
	}
	return 0;
}

/* tag_is - does the tag at p (after '<', maybe '/') name one of the words? */
static bool tag_is(const char *p, const char *const *names)
{
	if (*p == '/')
		p++;
	for (; *names != NULL; names++) {
		size_t n = strlen(*names);
		if (g_ascii_strncasecmp(p, *names, n) == 0 && !g_ascii_isalnum(p[n]))
			return true;
	}
	return false;
}

/* skip_tag - past the tag at p (at '<'), and past script/style contents */
static const char *skip_tag(struct strip *s, const char *p)
{
	static const char *const blocks[] = { "br", "p", "div", "tr", "li", "h1", "h2", "h3",
					      "h4", "h5", "h6", "table", "blockquote", NULL };
	static const char *const hidden[] = { "script", "style", "head", NULL };
	const char *end = strchr(p, '>');

	if (end == NULL)
		return p + strlen(p);
	if (tag_is(p + 1, blocks))
		put(s, "\n", 1);
	if (p[1] != '/' && tag_is(p + 1, hidden)) {
		char close[16];
		const char *q;
		size_t n = strcspn(p + 1, " \t\r\n>/");
		g_snprintf(close, sizeof(close), "</%.*s", (int)MIN(n, (size_t)8), p + 1);
		q = strcasestr(end, close);
		if (q == NULL)
			return p + strlen(p);
		end = strchr(q, '>');
		if (end == NULL)
			return p + strlen(p);
	}
	return end + 1;
}

/* mime_html_strip - append html reduced to text to out, at most max bytes */
void mime_html_strip(GString *out, const char *html, size_t max)
{
	struct strip s = { .out = out, .max = out->len + max, .space = true };
	const char *p = html;

	while (*p != '\0') {
		if (*p == '<') {
			p = skip_tag(&s, p);
		} else if (*p == '&') {
			size_t n = entity(&s, p + 1);
			if (n == 0)
				put(&s, "&", 1);
			p += n + 1;
		} else {
			const char *next = g_utf8_next_char(p);
			put(&s, p, (size_t)(next - p));
			p = next;
		}
	}
}
