/* web_compose - an RFC 5322 message from the compose object, with GMime doing the header
 * encoding (RFC 2047), address formatting and the body's transfer encoding. */
#include "services/webmail/web_compose.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gmime/gmime.h>

/* add_list - parse each string of arr (GMime, RFC 5322 3.4) into the message's field of
 * type and into the envelope recipients; -1 on a bad or too many addresses */
static int add_list(GMimeMessage *m, GMimeAddressType type, const json_t *arr,
		    struct web_compose *out)
{
	InternetAddressList *dst = g_mime_message_get_addresses(m, type);
	const json_t *v;
	size_t i;

	if (arr == NULL)
		return 0;
	if (!json_is_array(arr))
		return -1;
	json_array_foreach(arr, i, v) {
		InternetAddressList *l;
		const char *s = json_string_value(v);

		if (s == NULL || strlen(s) > 1024 ||
		    (l = internet_address_list_parse(NULL, s)) == NULL)
			return -1;
		for (int k = 0; k < internet_address_list_length(l); k++) {
			InternetAddress *a = internet_address_list_get_address(l, k);
			const char *addr;

			if (!INTERNET_ADDRESS_IS_MAILBOX(a) || out->nrcpts == WEB_COMPOSE_RCPTS_MAX)
				goto bad;
			addr = internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(a));
			if (addr == NULL || strlen(addr) >= STORE_ADDRESS_SIZE ||
			    strchr(addr, '@') == NULL || strpbrk(addr, " \r\n<>") != NULL)
				goto bad;
			snprintf(out->rcpts[out->nrcpts++], STORE_ADDRESS_SIZE, "%s", addr);
		}
		internet_address_list_append(dst, l);
		g_object_unref(l);
		continue;
bad:
		g_object_unref(l);
		return -1;
	}
	return 0;
}

/* msgid_list_ok - msg-ids as RFC 5322 3.6.4 writes it: "<...@...>" without spaces or controls */
static bool msgid_list_ok(const char *s)
{
	if (strlen(s) > 8192)
		return false;
	for (const char *p = s; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return false;
	return s[0] == '\0' || (s[0] == '<' && strchr(s, '>') != NULL);
}

/* to_bytes - serialize with CRLF line ends (RFC 5322 2.1) into malloc'd memory */
static char *to_bytes(GMimeMessage *m, size_t *len_r)
{
	GMimeFormatOptions *fo = g_mime_format_options_new();
	GMimeStream *mem = g_mime_stream_mem_new();
	GByteArray *arr;
	char *out;

	g_mime_format_options_set_newline_format(fo, GMIME_NEWLINE_FORMAT_DOS);
	g_mime_object_write_to_stream(GMIME_OBJECT(m), fo, mem);
	arr = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
	if ((out = malloc(arr->len + 1)) == NULL)
		abort();
	memcpy(out, arr->data, arr->len);
	out[arr->len] = '\0';
	*len_r = arr->len;
	g_object_unref(mem);
	g_mime_format_options_free(fo);
	return out;
}

/* text_part - the text/plain UTF-8 body, quoted-printable when needed */
static GMimeObject *text_part(const char *text)
{
	GMimeTextPart *part = g_mime_text_part_new_with_subtype("plain");

	g_mime_text_part_set_text(part, text);
	g_mime_part_set_content_encoding(GMIME_PART(part),
		g_mime_part_get_best_content_encoding(GMIME_PART(part),
						      GMIME_ENCODING_CONSTRAINT_7BIT));
	return GMIME_OBJECT(part);
}

/* file_part - one attachment (RFC 2183), base64 (RFC 2045 6.8); the filename goes into
 * Content-Disposition and the Content-Type name parameter */
static GMimeObject *file_part(const struct web_compose_file *f)
{
	GMimeContentType *ct = g_mime_content_type_parse(NULL, f->type);
	GMimePart *part = g_mime_part_new();
	GMimeStream *mem = g_mime_stream_mem_new_with_buffer(f->data, f->len);
	GMimeDataWrapper *w = g_mime_data_wrapper_new_with_stream(mem, GMIME_CONTENT_ENCODING_DEFAULT);

	g_mime_object_set_content_type(GMIME_OBJECT(part), ct);
	g_mime_part_set_content(part, w);
	g_mime_part_set_content_encoding(part, GMIME_CONTENT_ENCODING_BASE64);
	g_mime_object_set_disposition(GMIME_OBJECT(part), GMIME_DISPOSITION_ATTACHMENT);
	g_mime_part_set_filename(part, f->filename);
	g_object_unref(w);
	g_object_unref(mem);
	g_object_unref(ct);
	return GMIME_OBJECT(part);
}

/* message_part - a forwarded message as message/rfc822 (RFC 2046 5.2.1: never base64, so
 * it is embedded as the parsed message GMime writes back); NULL when it does not parse */
static GMimeObject *message_part(const struct web_compose_file *f)
{
	GMimeStream *mem = g_mime_stream_mem_new_with_buffer(f->data, f->len);
	GMimeParser *p = g_mime_parser_new_with_stream(mem);
	GMimeMessage *m = g_mime_parser_construct_message(p, NULL);
	GMimeMessagePart *part;

	g_object_unref(p);
	g_object_unref(mem);
	if (m == NULL)
		return NULL;
	part = g_mime_message_part_new_with_message("rfc822", m);
	g_mime_object_set_disposition(GMIME_OBJECT(part), GMIME_DISPOSITION_ATTACHMENT);
	g_object_unref(m);
	return GMIME_OBJECT(part);
}

/* set_body - the text alone, or multipart/mixed of the text and the files (RFC 2046 5.1.3) */
static void set_body(GMimeMessage *m, const char *text, const struct web_compose_file *files,
		     size_t nfiles)
{
	GMimeObject *body = text_part(text);
	GMimeMultipart *mixed;

	if (nfiles > 0) {
		mixed = g_mime_multipart_new_with_subtype("mixed");
		g_mime_multipart_add(mixed, body);
		g_object_unref(body);
		for (size_t i = 0; i < nfiles; i++) {
			GMimeObject *f = strcmp(files[i].type, "message/rfc822") == 0 ?
				message_part(&files[i]) : file_part(&files[i]);

			if (f == NULL)
				f = file_part(&files[i]);
			g_mime_multipart_add(mixed, f);
			g_object_unref(f);
		}
		body = GMIME_OBJECT(mixed);
	}
	g_mime_message_set_mime_part(m, body);
	g_object_unref(body);
}

/* fields - From, Subject, Date, Message-ID, In-Reply-To, References; -1 bad field */
static int fields(GMimeMessage *m, const json_t *in, const char *from, const char *from_name,
		  const char *hostname, struct web_compose *out, const char **error_r)
{
	const char *subject = json_string_value(json_object_get(in, "subject"));
	const char *irt = json_string_value(json_object_get(in, "in_reply_to"));
	const char *refs = json_string_value(json_object_get(in, "references"));
	char *id;
	GDateTime *now;

	if (subject != NULL && strlen(subject) > WEB_COMPOSE_SUBJECT_MAX) {
		*error_r = "subject too long";
		return -1;
	}
	if ((irt != NULL && !msgid_list_ok(irt)) || (refs != NULL && !msgid_list_ok(refs))) {
		*error_r = "in_reply_to or references is not a msg-id list";
		return -1;
	}
	g_mime_message_add_mailbox(m, GMIME_ADDRESS_TYPE_FROM,
				   from_name != NULL && from_name[0] != '\0' ? from_name : NULL, from);
	g_mime_message_set_subject(m, subject != NULL ? subject : "", "utf-8");
	now = g_date_time_new_now_local();
	g_mime_message_set_date(m, now);
	g_date_time_unref(now);
	id = g_mime_utils_generate_message_id(hostname);
	g_mime_message_set_message_id(m, id);
	snprintf(out->message_id, sizeof(out->message_id), "<%s>", id);
	g_free(id);
	if (irt != NULL && irt[0] != '\0')
		g_mime_object_set_header(GMIME_OBJECT(m), "In-Reply-To", irt, NULL);
	if (refs != NULL && refs[0] != '\0')
		g_mime_object_set_header(GMIME_OBJECT(m), "References", refs, NULL);
	return 0;
}

int web_compose_build(const json_t *in, const char *from, const char *from_name,
		      const char *hostname,
		      const struct web_compose_file *files, size_t nfiles,
		      struct web_compose *out, const char **error_r)
{
	const char *text = json_string_value(json_object_get(in, "text"));
	GMimeMessage *m;

	memset(out, 0, sizeof(*out));
	*error_r = NULL;
	if (text != NULL && strlen(text) > WEB_COMPOSE_TEXT_MAX) {
		*error_r = "text too long";
		return -1;
	}
	m = g_mime_message_new(TRUE);
	if (fields(m, in, from, from_name, hostname, out, error_r) < 0 ||
	    add_list(m, GMIME_ADDRESS_TYPE_TO, json_object_get(in, "to"), out) < 0 ||
	    add_list(m, GMIME_ADDRESS_TYPE_CC, json_object_get(in, "cc"), out) < 0 ||
	    add_list(m, GMIME_ADDRESS_TYPE_BCC, json_object_get(in, "bcc"), out) < 0) {
		if (*error_r == NULL)
			*error_r = "a recipient address is not valid";
		g_object_unref(m);
		return -1;
	}
	set_body(m, text != NULL ? text : "", files, nfiles);
	out->with_bcc = to_bytes(m, &out->with_bcc_len);
	g_mime_object_remove_header(GMIME_OBJECT(m), "Bcc");
	out->wire = to_bytes(m, &out->wire_len);
	g_object_unref(m);
	return 0;
}

void web_compose_free(struct web_compose *c)
{
	free(c->with_bcc);
	free(c->wire);
	memset(c, 0, sizeof(*c));
}
