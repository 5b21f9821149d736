/* smtpout_dsn.c - RFC 3464 reports with GMime (see smtpout_dsn.h) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gmime/gmime.h>

#include "dsn/dsn.h"

#define FIELDS_MAX 8192

/* clean - s as printable ASCII (reply texts are not trusted), bounded by size */
static const char *clean(const char *s, char *buf, size_t size)
{
	size_t i;

	for (i = 0; s[i] != '\0' && i + 1 < size; i++)
		buf[i] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
	buf[i] = '\0';
	return buf;
}

/* action_name - RFC 3464 2.3.3 */
static const char *action_name(enum dsn_kind k)
{
	return k == DSN_FAILED ? "failed" : k == DSN_DELAYED ? "delayed" :
	       "relayed";
}

/* rfc5322_date - "Sun, 22 Nov 2026 05:30:00 +0000" */
static const char *rfc5322_date(time_t t, char buf[64])
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, 64, "%a, %d %b %Y %H:%M:%S +0000", &tm);
	return buf;
}

/* fields - the message/delivery-status body: per-message then per-recipient fields */
static int fields(const struct dsn_in *in, char *out, size_t size)
{
	char d1[64], d2[64], diag[600], orcpt[520], envid[120];
	int n = snprintf(out, size,
		"Reporting-MTA: dns; %s\r\n%s%s%sArrival-Date: %s\r\n\r\n"
		"Final-Recipient: rfc822; %s\r\n%s%s%sAction: %s\r\nStatus: %s\r\n",
		in->reporting_mta, in->envid[0] ? "Original-Envelope-Id: " : "",
		clean(in->envid, envid, sizeof(envid)), in->envid[0] ? "\r\n" : "",
		rfc5322_date(in->arrival, d1), in->recipient,
		in->orcpt[0] ? "Original-Recipient: " : "", clean(in->orcpt, orcpt, sizeof(orcpt)),
		in->orcpt[0] ? "\r\n" : "", action_name(in->kind), in->status);

	if (n < 0 || (size_t)n >= size)
		return -1;
	if (in->remote_mta[0] != '\0')
		n += snprintf(out + n, size - (size_t)n, "Remote-MTA: dns; %s\r\n", in->remote_mta);
	if (in->diagnostic[0] != '\0' && (size_t)n < size)
		n += snprintf(out + n, size - (size_t)n, "Diagnostic-Code: smtp; %s\r\n",
			      clean(in->diagnostic, diag, sizeof(diag)));
	if (in->kind == DSN_DELAYED && (size_t)n < size)
		n += snprintf(out + n, size - (size_t)n, "Will-Retry-Until: %s\r\n",
			      rfc5322_date(in->retry_until, d2));
	return (size_t)n < size ? n : -1;
}

/* human - the first part: what happened, in words */
static void human(const struct dsn_in *in, char *out, size_t size)
{
	char diag[600];

	snprintf(out, size, "This is the mail system at %s.\r\n\r\n%s\r\n\r\n    <%s>: %s\r\n",
		 in->reporting_mta,
		 in->kind == DSN_FAILED ?
			"Your message could not be delivered to the recipient below; the mail "
			"system gave up." :
		 in->kind == DSN_DELAYED ?
			"Your message has not been delivered yet to the recipient below. The mail "
			"system will keep trying; you need not send it again." :
			"Your message was relayed to a server that does not send delivery "
			"notifications.",
		 in->recipient, in->diagnostic[0] ? clean(in->diagnostic, diag, sizeof(diag)) :
							in->status);
}

/* raw_part - a leaf part of type/subtype holding bytes as they are */
static GMimeObject *raw_part(const char *type, const char *subtype, const void *data,
			     size_t len)
{
	GMimePart *p = g_mime_part_new_with_type(type, subtype);
	GMimeStream *s = g_mime_stream_mem_new_with_buffer(data, len);
	GMimeDataWrapper *w = g_mime_data_wrapper_new_with_stream(s, GMIME_CONTENT_ENCODING_DEFAULT);
	bool eight = false;

	for (size_t i = 0; i < len && !eight; i++)
		eight = ((const uint8_t *)data)[i] >= 0x80;
	g_mime_part_set_content(p, w);
	g_mime_part_set_content_encoding(p, eight ? GMIME_CONTENT_ENCODING_8BIT :
						    GMIME_CONTENT_ENCODING_7BIT);
	g_object_unref(w);
	g_object_unref(s);
	return (GMimeObject *)p;
}

size_t dsn_header_len(const uint8_t *msg, size_t len)
{
	for (size_t i = 0; i + 1 < len; i++) {
		if (msg[i] == '\n' && msg[i + 1] == '\n')
			return i + 2;
		if (msg[i] == '\n' && msg[i + 1] == '\r' && i + 2 < len && msg[i + 2] == '\n')
			return i + 3;
	}
	return len;
}

/* original_part - RFC 3464 2.1: the whole message, or only its header */
static GMimeObject *original_part(const struct dsn_in *in)
{
	size_t hlen = dsn_header_len(in->original, in->original_len);

	if (in->full && in->original_len <= DSN_ORIGINAL_MAX)
		return raw_part("message", "rfc822", in->original, in->original_len);
	if (hlen > DSN_HEADERS_MAX)
		hlen = DSN_HEADERS_MAX;
	return raw_part("text", "rfc822-headers", in->original, hlen);
}

/* report - the multipart/report body */
static GMimeMultipart *report(const struct dsn_in *in, const char *status)
{
	GMimeMultipart *mp = g_mime_multipart_new_with_subtype("report");
	GMimeTextPart *text = g_mime_text_part_new_with_subtype("plain");
	GMimeObject *ds, *orig;
	char words[2048];

	g_mime_object_set_content_type_parameter((GMimeObject *)mp, "report-type",
						 "delivery-status");
	human(in, words, sizeof(words));
	g_mime_text_part_set_text(text, words);
	g_mime_multipart_add(mp, (GMimeObject *)text);
	g_object_unref(text);
	ds = raw_part("message", "delivery-status", status, strlen(status));
	g_mime_multipart_add(mp, ds);
	g_object_unref(ds);
	if (in->original_len > 0) {
		orig = original_part(in);
		g_mime_multipart_add(mp, orig);
		g_object_unref(orig);
	}
	return mp;
}

/* serialise - the message as CRLF-ended bytes */
static uint8_t *serialise(GMimeMessage *m, size_t *len_r)
{
	GMimeFormatOptions *fo = g_mime_format_options_new();
	GMimeStream *s = g_mime_stream_mem_new();
	GByteArray *ba;
	uint8_t *out;

	g_mime_format_options_set_newline_format(fo, GMIME_NEWLINE_FORMAT_DOS);
	g_mime_object_write_to_stream((GMimeObject *)m, fo, s);
	ba = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(s));
	if ((out = malloc(ba->len > 0 ? ba->len : 1)) == NULL)
		abort();
	memcpy(out, ba->data, ba->len);
	*len_r = ba->len;
	g_object_unref(s);
	g_mime_format_options_free(fo);
	return out;
}

uint8_t *dsn_build(const struct dsn_in *in, size_t *len_r)
{
	GMimeMessage *m;
	GMimeMultipart *mp;
	GDateTime *now;
	char status[FIELDS_MAX], from[320], *id;
	uint8_t *out;

	if (fields(in, status, sizeof(status)) < 0)
		return NULL;
	m = g_mime_message_new(TRUE);
	snprintf(from, sizeof(from), "MAILER-DAEMON@%s", in->reporting_mta);
	g_mime_message_add_mailbox(m, GMIME_ADDRESS_TYPE_FROM, "Mail Delivery System", from);
	g_mime_message_add_mailbox(m, GMIME_ADDRESS_TYPE_TO, NULL, in->to);
	g_mime_message_set_subject(m, in->kind == DSN_FAILED ?
			"Undelivered Mail Returned to Sender" :
			in->kind == DSN_DELAYED ? "Delayed Mail (still being retried)" :
			"Successful Mail Delivery Report", NULL);
	now = g_date_time_new_now_utc();
	g_mime_message_set_date(m, now);
	g_date_time_unref(now);
	id = g_mime_utils_generate_message_id(in->reporting_mta);
	g_mime_message_set_message_id(m, id);
	g_free(id);
	g_mime_object_set_header((GMimeObject *)m, "Auto-Submitted", "auto-replied", NULL);
	mp = report(in, status);
	g_mime_message_set_mime_part(m, (GMimeObject *)mp);
	g_object_unref(mp);
	out = serialise(m, len_r);
	g_object_unref(m);
	return out;
}
