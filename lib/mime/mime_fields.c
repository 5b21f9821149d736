/* mime_fields.c - the decoded header fields SEARCH, threading and filter rules use:
 * subject (RFC 2047 decoded), address lists, message ids, date, all header text */
#include <string.h>

#include "mime/mime_internal.h"

/* utf8_dup - a valid UTF-8 copy of s, "" for NULL */
static char *utf8_dup(const char *s)
{
	return s != NULL ? mime_istr_utf8(s, strlen(s)) : g_strdup("");
}

/* address_field - the decoded list of the field, "Name <a@b>, c@d" */
static char *address_field(GMimeMessage *message, GMimeAddressType type)
{
	InternetAddressList *list = g_mime_message_get_addresses(message, type);
	char *s, *v;

	if (list == NULL || internet_address_list_length(list) == 0)
		return g_strdup("");
	s = internet_address_list_to_string(list, NULL, FALSE);
	v = utf8_dup(s);
	g_free(s);
	return v;
}

/* first_mailbox - the first mailbox of the list, lowercase, "" when none */
static char *first_mailbox(InternetAddressList *list)
{
	int n = list != NULL ? internet_address_list_length(list) : 0;

	for (int i = 0; i < n; i++) {
		InternetAddress *ia = internet_address_list_get_address(list, i);

		if (INTERNET_ADDRESS_IS_GROUP(ia)) {
			char *inner = first_mailbox(internet_address_group_get_members(
				INTERNET_ADDRESS_GROUP(ia)));
			if (*inner != '\0')
				return inner;
			g_free(inner);
		} else if (INTERNET_ADDRESS_IS_MAILBOX(ia)) {
			const char *a = internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(ia));
			char *v = utf8_dup(a), *lower = g_utf8_strdown(v, -1);

			g_free(v);
			return lower;
		}
	}
	return g_strdup("");
}

/* ids_field - the msg-ids of a raw field (RFC 5322 3.6.4) as "<a> <b>", at most max */
static char *ids_field(GMimeMessage *message, const char *name, int max)
{
	GMimeHeaderList *headers = g_mime_object_get_header_list(GMIME_OBJECT(message));
	GMimeHeader *h = g_mime_header_list_get_header(headers, name);
	GMimeReferences *refs;
	GString *out = g_string_new(NULL);
	char *v;

	if (h == NULL || g_mime_header_get_raw_value(h) == NULL)
		return g_string_free(out, FALSE);
	refs = g_mime_references_parse(NULL, g_mime_header_get_raw_value(h));
	for (int i = 0; refs != NULL && i < g_mime_references_length(refs) && i < max; i++)
		g_string_append_printf(out, "%s<%s>", i > 0 ? " " : "",
				       g_mime_references_get_message_id(refs, i));
	if (refs != NULL)
		g_mime_references_free(refs);
	v = utf8_dup(out->str);
	g_string_free(out, TRUE);
	return v;
}

/* fill_date - Date: (RFC 5322 3.3) as UTC seconds */
static void fill_date(struct mime_meta *meta, GMimeMessage *message)
{
	GDateTime *dt = g_mime_message_get_date(message);

	meta->has_date = dt != NULL;
	meta->date = dt != NULL ? (time_t)g_date_time_to_unix(dt) : 0;
}

/* mime_fields_fill - the decoded header fields of meta from the top-level message */
void mime_fields_fill(struct mime_meta *meta, GMimeMessage *message)
{
	const char *id;

	meta->subject = utf8_dup(message != NULL ? g_mime_message_get_subject(message) : NULL);
	if (message == NULL) {
		meta->from = g_strdup(""), meta->sender = g_strdup(""), meta->reply_to = g_strdup("");
		meta->to = g_strdup(""), meta->cc = g_strdup(""), meta->bcc = g_strdup("");
		meta->from_addr = g_strdup(""), meta->message_id = g_strdup("");
		meta->in_reply_to = g_strdup(""), meta->references = g_strdup("");
		return;
	}
	meta->from = address_field(message, GMIME_ADDRESS_TYPE_FROM);
	meta->sender = address_field(message, GMIME_ADDRESS_TYPE_SENDER);
	meta->reply_to = address_field(message, GMIME_ADDRESS_TYPE_REPLY_TO);
	meta->to = address_field(message, GMIME_ADDRESS_TYPE_TO);
	meta->cc = address_field(message, GMIME_ADDRESS_TYPE_CC);
	meta->bcc = address_field(message, GMIME_ADDRESS_TYPE_BCC);
	meta->from_addr = first_mailbox(g_mime_message_get_from(message));
	id = g_mime_message_get_message_id(message);
	if (id != NULL && *id != '\0') {
		char *wrapped = g_strdup_printf("<%s>", id);
		meta->message_id = utf8_dup(wrapped);
		g_free(wrapped);
	} else {
		meta->message_id = g_strdup("");
	}
	meta->in_reply_to = ids_field(message, "In-Reply-To", 1);
	meta->references = ids_field(message, "References", 1000);
	fill_date(meta, message);
}

/* mime_fields_headers - the top-level header text for SEARCH HEADER (RFC 3501 6.4.4):
 * "Name: value" lines with values unfolded and RFC 2047-decoded, bounded */
char *mime_fields_headers(GMimeMessage *message, const char *raw, size_t header_size)
{
	GMimeHeaderList *list;
	GString *out;
	char *v;
	int n;

	if (message == NULL)
		return mime_istr_utf8(raw, MIN(header_size, (size_t)MIME_HEADERS_TEXT_MAX));
	list = g_mime_object_get_header_list(GMIME_OBJECT(message));
	n = g_mime_header_list_get_count(list);
	out = g_string_new(NULL);
	for (int i = 0; i < n; i++) {
		GMimeHeader *h = g_mime_header_list_get_header_at(list, i);
		const char *value = g_mime_header_get_value(h);
		char *unfolded = mime_header_unfold(value != NULL ? value : "");
		size_t add = strlen(g_mime_header_get_name(h)) + strlen(unfolded) + 3;

		if (out->len + add > MIME_HEADERS_TEXT_MAX) {
			g_free(unfolded);
			break;
		}
		g_string_append_printf(out, "%s: %s\n", g_mime_header_get_name(h), unfolded);
		g_free(unfolded);
	}
	v = mime_istr_utf8(out->str, out->len);
	g_string_free(out, TRUE);
	return v;
}
