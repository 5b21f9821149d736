/* mime_istr.c - IMAP strings: quoted, literal or NIL (RFC 3501 4.3, 4.5; RFC 9051 4.3) */
#include <string.h>

#include "mime/mime_internal.h"

/* mime_istr_utf8 - a valid UTF-8 copy of s[0, len) without NULs (g_free it). The text of
 * a large body passes here: the runs between NULs are copied whole, and text without any
 * (nearly all of it) goes straight to g_utf8_make_valid. */
char *mime_istr_utf8(const char *s, size_t len)
{
	const char *end = s + len, *nul;
	GString *clean;
	char *valid;

	if ((nul = memchr(s, '\0', len)) == NULL)
		return g_utf8_make_valid(s, (gssize)len);
	clean = g_string_sized_new(len);
	for (; nul != NULL; nul = memchr(s, '\0', (size_t)(end - s))) {
		g_string_append_len(clean, s, nul - s);
		s = nul + 1;
	}
	g_string_append_len(clean, s, end - s);
	valid = g_utf8_make_valid(clean->str, (gssize)clean->len);
	g_string_free(clean, TRUE);
	return valid;
}

/* needs_literal - a quoted string holds neither CR, LF nor 8-bit octets (RFC 3501 9,
 * QUOTED-CHAR); anything else goes as a literal */
static bool needs_literal(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '\r' || c == '\n' || c >= 0x80)
			return true;
	}
	return false;
}

/* mime_istr_string - append s as an IMAP string, quoted or literal */
void mime_istr_string(GString *out, const char *s, size_t len)
{
	char *v = mime_istr_utf8(s, len);
	size_t vlen = strlen(v);

	if (needs_literal(v, vlen)) {
		g_string_append_printf(out, "{%zu}\r\n", vlen);
		g_string_append_len(out, v, (gssize)vlen);
	} else {
		g_string_append_c(out, '"');
		for (size_t i = 0; i < vlen; i++) {
			if (v[i] == '"' || v[i] == '\\')
				g_string_append_c(out, '\\');
			g_string_append_c(out, v[i]);
		}
		g_string_append_c(out, '"');
	}
	g_free(v);
}

/* mime_istr_nstring - s as a string, or NIL when s is NULL */
void mime_istr_nstring(GString *out, const char *s)
{
	if (s == NULL)
		g_string_append(out, "NIL");
	else
		mime_istr_string(out, s, strlen(s));
}
