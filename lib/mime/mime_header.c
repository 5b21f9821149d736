/* mime_header.c - raw header values as IMAP's ENVELOPE and BODYSTRUCTURE want them:
 * undecoded, unfolded (RFC 5322 2.2.3), without surrounding white space */
#include <string.h>

#include "mime/mime_internal.h"

/* mime_header_unfold - s without CR/LF and without surrounding white space (g_free it) */
char *mime_header_unfold(const char *s)
{
	GString *out = g_string_sized_new(strlen(s) + 1);

	for (const char *p = s; *p != '\0'; p++)
		if (*p != '\r' && *p != '\n')
			g_string_append_c(out, *p);
	g_strstrip(out->str);
	return g_string_free(out, FALSE);
}

/* mime_header_raw - the raw value of the first `name` field of obj, unfolded and trimmed */
char *mime_header_raw(GMimeObject *obj, const char *name)
{
	GMimeHeaderList *list;
	GMimeHeader *h;
	const char *raw;

	if (obj == NULL)
		return NULL;
	list = g_mime_object_get_header_list(obj);
	if (list == NULL || (h = g_mime_header_list_get_header(list, name)) == NULL)
		return NULL;
	raw = g_mime_header_get_raw_value(h);
	return mime_header_unfold(raw != NULL ? raw : "");
}
