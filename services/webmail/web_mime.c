/* web_mime - walk a GMime tree, numbering parts as IMAP does (RFC 3501 6.4.5). */
#include "services/webmail/web_mime.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gmime/gmime.h>

struct walk {
	struct web_mime *out;
	const char *want_part;      /* web_mime_part: section wanted */
	const char *want_cid;       /* or Content-ID wanted */
	GMimePart *found;
};

/* decode - the decoded bytes of a leaf part (transfer encoding removed); malloc'd */
static char *decode(GMimePart *part, size_t max, size_t *len_r)
{
	GMimeDataWrapper *w = g_mime_part_get_content(part);
	GMimeStream *mem;
	GByteArray *arr;
	char *out;
	size_t n;

	if (w == NULL)
		return NULL;
	mem = g_mime_stream_mem_new();
	g_mime_data_wrapper_write_to_stream(w, mem);
	arr = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
	n = arr->len < max ? arr->len : max;
	if ((out = malloc(n + 1)) == NULL)
		abort();
	memcpy(out, arr->data, n);
	out[n] = '\0';
	*len_r = n;
	g_object_unref(mem);
	return out;
}

/* text_utf8 - a text part's content converted from its charset to UTF-8 (malloc'd) */
static char *text_utf8(GMimePart *part)
{
	size_t len;
	char *raw = decode(part, WEB_MIME_TEXT_MAX, &len), *utf8;
	const char *cs = g_mime_object_get_content_type_parameter(GMIME_OBJECT(part), "charset");

	if (raw == NULL || cs == NULL || g_ascii_strcasecmp(cs, "utf-8") == 0 ||
	    g_ascii_strcasecmp(cs, "us-ascii") == 0)
		return raw;
	utf8 = g_convert(raw, (gssize)len, "UTF-8", g_mime_charset_iconv_name(cs), NULL, NULL,
			 NULL);
	if (utf8 == NULL)
		return raw;
	free(raw);
	raw = strdup(utf8);
	g_free(utf8);
	return raw;
}

/* leaf - a non-multipart part: body text, HTML, or an attachment entry */
static void leaf(struct walk *w, GMimeObject *obj, const char *section)
{
	GMimeContentType *ct = g_mime_object_get_content_type(obj);
	GMimeContentDisposition *cd = g_mime_object_get_content_disposition(obj);
	bool attachment = cd != NULL && g_mime_content_disposition_is_attachment(cd);
	const char *cid = g_mime_object_get_content_id(obj), *fname;
	char *type;
	size_t size = 0;
	char *bytes;

	if (!GMIME_IS_PART(obj))
		return;
	if (w->want_part != NULL || w->want_cid != NULL) {
		if ((w->want_part != NULL && strcmp(w->want_part, section) == 0) ||
		    (w->want_cid != NULL && cid != NULL && strcmp(w->want_cid, cid) == 0))
			w->found = GMIME_PART(obj);
		return;
	}
	if (!attachment && g_mime_content_type_is_type(ct, "text", "plain") && w->out->text == NULL) {
		w->out->text = text_utf8(GMIME_PART(obj));
		return;
	}
	if (!attachment && g_mime_content_type_is_type(ct, "text", "html") && w->out->html == NULL) {
		w->out->html = text_utf8(GMIME_PART(obj));
		return;
	}
	if (json_array_size(w->out->attachments) >= WEB_MIME_PARTS_MAX)
		return;
	bytes = decode(GMIME_PART(obj), WEB_MIME_DECODE_MAX, &size);
	free(bytes);
	fname = g_mime_part_get_filename(GMIME_PART(obj));
	type = g_mime_content_type_get_mime_type(ct);
	json_array_append_new(w->out->attachments,
		json_pack("{s:s, s:s, s:s, s:I, s:b, s:s}", "part", section, "filename",
			  fname != NULL ? fname : "", "type", type, "size", (json_int_t)size,
			  "inline", !attachment, "content_id", cid != NULL ? cid : ""));
	g_free(type);
}

/* walk_obj - number the parts: children of a multipart are prefix.1, prefix.2 ...; a
 * message/rfc822 part is a leaf here (shown as an attachment) */
static void walk_obj(struct walk *w, GMimeObject *obj, const char *section, int depth)
{
	if (depth > WEB_MIME_DEPTH_MAX || w->found != NULL)
		return;
	if (GMIME_IS_MULTIPART(obj)) {
		GMimeMultipart *mp = GMIME_MULTIPART(obj);
		int n = g_mime_multipart_get_count(mp);

		for (int i = 0; i < n; i++) {
			char sub[256];

			snprintf(sub, sizeof(sub), "%s%s%d", section, section[0] ? "." : "", i + 1);
			walk_obj(w, g_mime_multipart_get_part(mp, i), sub, depth + 1);
		}
		return;
	}
	leaf(w, obj, section[0] != '\0' ? section : "1");
}

/* parse - a GMimeMessage from memory, or NULL */
static GMimeMessage *parse(const char *raw, size_t len)
{
	GMimeStream *s = g_mime_stream_mem_new_with_buffer(raw, len);
	GMimeParser *p = g_mime_parser_new_with_stream(s);
	GMimeMessage *m = g_mime_parser_construct_message(p, NULL);

	g_object_unref(p);
	g_object_unref(s);
	return m;
}

int web_mime_parse(const char *raw, size_t len, struct web_mime *out, const char **error_r)
{
	struct walk w = {.out = out};
	GMimeMessage *m;

	memset(out, 0, sizeof(*out));
	out->attachments = json_array();
	if ((m = parse(raw, len)) == NULL) {
		*error_r = "message does not parse";
		return -1;
	}
	if (g_mime_message_get_mime_part(m) != NULL)
		walk_obj(&w, g_mime_message_get_mime_part(m), "", 0);
	g_object_unref(m);
	return 0;
}

int web_mime_part(const char *raw, size_t len, const char *part, const char *content_id,
		  char **data_r, size_t *len_r, char type_r[128], char filename_r[256],
		  const char **error_r)
{
	struct web_mime dummy = {0};
	struct walk w = {.out = &dummy, .want_part = part, .want_cid = content_id};
	GMimeMessage *m;
	char *type;
	const char *fname;

	if ((m = parse(raw, len)) == NULL) {
		*error_r = "message does not parse";
		return -1;
	}
	if (g_mime_message_get_mime_part(m) != NULL)
		walk_obj(&w, g_mime_message_get_mime_part(m), "", 0);
	if (w.found == NULL) {
		g_object_unref(m);
		return 0;
	}
	*data_r = decode(w.found, WEB_MIME_DECODE_MAX, len_r);
	type = g_mime_content_type_get_mime_type(g_mime_object_get_content_type(GMIME_OBJECT(w.found)));
	snprintf(type_r, 128, "%s", type);
	g_free(type);
	fname = g_mime_part_get_filename(w.found);
	snprintf(filename_r, 256, "%s", fname != NULL ? fname : "");
	g_object_unref(m);
	return *data_r != NULL ? 1 : 0;
}

void web_mime_free(struct web_mime *m)
{
	free(m->text);
	free(m->html);
	json_decref(m->attachments);
	memset(m, 0, sizeof(*m));
}
