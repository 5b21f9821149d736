/* mime_envelope.c - the IMAP ENVELOPE of a message (RFC 3501 7.4.2, RFC 9051 7.5.2):
 *   (date subject from sender reply-to to cc bcc in-reply-to message-id)
 * Strings are the raw, unfolded header values; addresses come from GMime's parser. */
#include <string.h>

#include "mime/mime_internal.h"

#define ENVELOPE_ADDRESSES_MAX 1000 /* per field; more are left out */

/* append_name - the display name, RFC 2047-encoded when it is not ASCII, since IMAP4rev1
 * clients expect the phrase as it appears in the header */
static void append_name(GString *out, const char *name)
{
	char *encoded;

	if (name == NULL || *name == '\0') {
		g_string_append(out, "NIL");
		return;
	}
	for (const char *p = name; *p != '\0'; p++) {
		if ((unsigned char)*p >= 0x80) {
			encoded = g_mime_utils_header_encode_phrase(NULL, name, NULL);
			mime_istr_nstring(out, encoded);
			g_free(encoded);
			return;
		}
	}
	mime_istr_nstring(out, name);
}

/* append_mailbox - (name adl mailbox host); adl (source route) is always NIL since
 * RFC 5322 obsoleted it and GMime drops it */
static void append_mailbox(GString *out, InternetAddressMailbox *mb)
{
	const char *addr = internet_address_mailbox_get_addr(mb);
	const char *at = addr != NULL ? strrchr(addr, '@') : NULL;

	g_string_append_c(out, '(');
	append_name(out, internet_address_get_name(INTERNET_ADDRESS(mb)));
	g_string_append(out, " NIL ");
	if (addr == NULL) {
		g_string_append(out, "NIL NIL");
	} else if (at == NULL) {
		/* no domain: a placeholder host, not NIL, which would mean a group (as Dovecot) */
		mime_istr_string(out, addr, strlen(addr));
		g_string_append(out, " \"MISSING_DOMAIN\"");
	} else {
		mime_istr_string(out, addr, (size_t)(at - addr));
		g_string_append_c(out, ' ');
		mime_istr_string(out, at + 1, strlen(at + 1));
	}
	g_string_append_c(out, ')');
}

static void append_list_items(GString *out, InternetAddressList *list, unsigned *budget);

/* append_group - RFC 3501 7.4.2: (NIL NIL "name" NIL) members (NIL NIL NIL NIL) */
static void append_group(GString *out, InternetAddressGroup *group, unsigned *budget)
{
	const char *name = internet_address_get_name(INTERNET_ADDRESS(group));

	g_string_append(out, "(NIL NIL ");
	mime_istr_string(out, name != NULL ? name : "", name != NULL ? strlen(name) : 0);
	g_string_append(out, " NIL)");
	append_list_items(out, internet_address_group_get_members(group), budget);
	g_string_append(out, "(NIL NIL NIL NIL)");
}

/* append_list_items - every address of list, without the surrounding parentheses */
static void append_list_items(GString *out, InternetAddressList *list, unsigned *budget)
{
	int n = list != NULL ? internet_address_list_length(list) : 0;

	for (int i = 0; i < n && *budget > 0; i++) {
		InternetAddress *ia = internet_address_list_get_address(list, i);

		(*budget)--;
		if (INTERNET_ADDRESS_IS_GROUP(ia))
			append_group(out, INTERNET_ADDRESS_GROUP(ia), budget);
		else if (INTERNET_ADDRESS_IS_MAILBOX(ia))
			append_mailbox(out, INTERNET_ADDRESS_MAILBOX(ia));
	}
}

/* parse_field - the addresses of the raw field `name`, or NULL when absent or empty */
static InternetAddressList *parse_field(GMimeMessage *message, const char *name)
{
	GMimeHeaderList *headers = g_mime_object_get_header_list(GMIME_OBJECT(message));
	GMimeHeader *h = g_mime_header_list_get_header(headers, name);
	InternetAddressList *list;

	if (h == NULL || g_mime_header_get_raw_value(h) == NULL)
		return NULL;
	list = internet_address_list_parse(NULL, g_mime_header_get_raw_value(h));
	if (list != NULL && internet_address_list_length(list) == 0) {
		g_object_unref(list);
		list = NULL;
	}
	return list;
}

/* append_addresses - "(" addresses ")" or NIL */
static void append_addresses(GString *out, InternetAddressList *list)
{
	unsigned budget = ENVELOPE_ADDRESSES_MAX;
	size_t before = out->len;

	if (list == NULL) {
		g_string_append(out, "NIL");
		return;
	}
	g_string_append_c(out, '(');
	append_list_items(out, list, &budget);
	if (out->len == before + 1) {
		/* nothing usable: NIL rather than an empty list, which the grammar forbids */
		g_string_truncate(out, before);
		g_string_append(out, "NIL");
		return;
	}
	g_string_append_c(out, ')');
}

/* append_raw - a raw field as nstring */
static void append_raw(GString *out, GMimeMessage *message, const char *name)
{
	char *v = mime_header_raw(GMIME_OBJECT(message), name);

	mime_istr_nstring(out, v);
	g_free(v);
}

/* mime_envelope_append - append the ENVELOPE of message (RFC 3501 7.4.2) */
void mime_envelope_append(GString *out, GMimeMessage *message)
{
	static const char *const fields[] = { "Sender", "Reply-To", "To", "Cc", "Bcc" };
	InternetAddressList *from = parse_field(message, "From");

	g_string_append_c(out, '(');
	append_raw(out, message, "Date");
	g_string_append_c(out, ' ');
	append_raw(out, message, "Subject");
	g_string_append_c(out, ' ');
	append_addresses(out, from);
	for (size_t i = 0; i < G_N_ELEMENTS(fields); i++) {
		InternetAddressList *list = parse_field(message, fields[i]);

		g_string_append_c(out, ' ');
		/* RFC 3501 7.4.2: absent or empty Sender and Reply-To take From's value */
		append_addresses(out, list == NULL && i < 2 ? from : list);
		if (list != NULL)
			g_object_unref(list);
	}
	g_string_append_c(out, ' ');
	append_raw(out, message, "In-Reply-To");
	g_string_append_c(out, ' ');
	append_raw(out, message, "Message-ID");
	g_string_append_c(out, ')');
	if (from != NULL)
		g_object_unref(from);
}
