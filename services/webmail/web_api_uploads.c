/* web_api_uploads - POST /api/uploads: one file from a multipart/form-data body
 * (RFC 7578), parsed with GMime, stored in webmail_uploads. */
#include "services/webmail/web_routes.h"
#include "services/webmail/web_uploads.h"

#include <string.h>

#include <gmime/gmime.h>

/* parse_form - the body (with its Content-Type in front) as a MIME entity; NULL when it
 * is not multipart/form-data */
static GMimeMultipart *parse_form(const struct web_call *call)
{
	static const char ct[] = "Content-Type: ";
	GByteArray *arr = g_byte_array_sized_new((guint)(call->raw_len + sizeof(call->raw_type) + 32));
	GMimeStream *mem;
	GMimeParser *p;
	GMimeObject *o;

	g_byte_array_append(arr, (const guint8 *)ct, sizeof(ct) - 1);
	g_byte_array_append(arr, (const guint8 *)call->raw_type, (guint)strlen(call->raw_type));
	g_byte_array_append(arr, (const guint8 *)"\r\n\r\n", 4);
	g_byte_array_append(arr, (const guint8 *)call->raw, (guint)call->raw_len);
	mem = g_mime_stream_mem_new_with_byte_array(arr);
	p = g_mime_parser_new_with_stream(mem);
	o = g_mime_parser_construct_part(p, NULL);
	g_object_unref(p);
	g_object_unref(mem);
	if (o != NULL && GMIME_IS_MULTIPART(o) &&
	    g_mime_content_type_is_type(g_mime_object_get_content_type(o), "multipart", "form-data"))
		return GMIME_MULTIPART(o);
	if (o != NULL)
		g_object_unref(o);
	return NULL;
}

/* file_field - the part whose Content-Disposition is form-data; name="file" (RFC 7578 4.2) */
static GMimePart *file_field(GMimeMultipart *mp)
{
	for (int i = 0; i < g_mime_multipart_get_count(mp); i++) {
		GMimeObject *o = g_mime_multipart_get_part(mp, i);
		GMimeContentDisposition *d = g_mime_object_get_content_disposition(o);
		const char *name = d != NULL ? g_mime_content_disposition_get_parameter(d, "name") : NULL;

		if (GMIME_IS_PART(o) && name != NULL && strcmp(name, "file") == 0)
			return GMIME_PART(o);
	}
	return NULL;
}

/* file_bytes - the decoded content of the part; NULL when it has none */
static GByteArray *file_bytes(GMimePart *part)
{
	GMimeDataWrapper *w = g_mime_part_get_content(part);
	GMimeStream *mem;
	GByteArray *arr;

	if (w == NULL)
		return NULL;
	mem = g_mime_stream_mem_new();
	g_mime_stream_mem_set_owner(GMIME_STREAM_MEM(mem), FALSE);
	g_mime_data_wrapper_write_to_stream(w, mem);
	arr = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
	g_object_unref(mem);
	return arr;
}

/* file_name - the filename without any directory, bounded, valid UTF-8; NULL refused */
static const char *file_name(GMimePart *part)
{
	const char *name = g_mime_part_get_filename(part), *slash;

	if (name == NULL || name[0] == '\0')
		return "attachment";
	if ((slash = strrchr(name, '/')) != NULL || (slash = strrchr(name, '\\')) != NULL)
		name = slash + 1;
	if (name[0] == '\0' || strlen(name) > WEB_UPLOAD_NAME_MAX || !g_utf8_validate(name, -1, NULL))
		return NULL;
	for (const char *p = name; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return NULL;
	return name;
}

/* store_file - check the field's bounds and insert it; 0 answered, -1 store error */
static int store_file(PGconn *conn, struct web_call *call, GMimePart *part,
		      const char **error_r)
{
	const char *name = file_name(part);
	char *type = g_mime_content_type_get_mime_type(
		g_mime_object_get_content_type(GMIME_OBJECT(part)));
	GByteArray *bytes = file_bytes(part);
	char id[WEB_UPLOAD_ID_SIZE];
	int r = 0;

	if (bytes != NULL && bytes->len > call->cfg->max_upload)
		web_call_error(call, 413, "too_large", "the file is over the upload limit");
	else if (name == NULL || bytes == NULL || strlen(type) > WEB_UPLOAD_NAME_MAX)
		web_call_error(call, 400, "bad_request", "the file's name or type is not acceptable");
	else if ((r = web_uploads_insert(conn, call->account_id, name, type, bytes->data,
					 bytes->len, id, error_r)) == 0)
		web_call_json(call, 201, json_pack("{s:s, s:s, s:s, s:I}", "upload", id,
						   "filename", name, "type", type,
						   "size", (json_int_t)bytes->len));
	g_free(type);
	if (bytes != NULL)
		g_byte_array_free(bytes, TRUE);
	return r;
}

int web_api_uploads_create(PGconn *conn, struct web_call *call, const char **error_r)
{
	GMimeMultipart *mp;
	GMimePart *part;
	int r;

	if (call->raw == NULL || (mp = parse_form(call)) == NULL) {
		web_call_error(call, 400, "bad_request", "expected multipart/form-data");
		return 0;
	}
	if ((part = file_field(mp)) == NULL) {
		web_call_error(call, 400, "bad_request", "expected a form field named file");
		g_object_unref(mp);
		return 0;
	}
	r = store_file(conn, call, part, error_r);
	g_object_unref(mp);
	return r;
}
