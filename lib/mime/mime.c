/* mime.c - parse a message once and fill struct mime_meta (see mime.h) */
#include <pthread.h>
#include <string.h>

#include "mime/mime_internal.h"

static pthread_once_t mime_once = PTHREAD_ONCE_INIT;

/* mime_init_once - GMime's global tables, once per process */
static void mime_init_once(void)
{
	g_mime_init();
}

/* parse_message - GMime's tree of raw, or NULL when it finds no message at all */
static GMimeMessage *parse_message(const char *raw, size_t len)
{
	GMimeStream *stream = g_mime_stream_mem_new_with_buffer(raw, len);
	GMimeParser *parser = g_mime_parser_new_with_stream(stream);
	GMimeMessage *message;

	g_mime_parser_set_format(parser, GMIME_FORMAT_MESSAGE);
	message = g_mime_parser_construct_message(parser, NULL);
	g_object_unref(parser);
	g_object_unref(stream);
	return message;
}

/* count_received - Received fields of the top-level header (RFC 5321 6.3: loop detection) */
static unsigned count_received(GMimeMessage *message)
{
	GMimeHeaderList *list;
	unsigned n = 0;
	int count;

	if (message == NULL)
		return 0;
	list = g_mime_object_get_header_list(GMIME_OBJECT(message));
	count = g_mime_header_list_get_count(list);
	for (int i = 0; i < count && n < MIME_RECEIVED_MAX; i++)
		if (g_ascii_strcasecmp(g_mime_header_get_name(
			    g_mime_header_list_get_header_at(list, i)), "Received") == 0)
			n++;
	return n;
}

/* format_imap - ENVELOPE, BODY and BODYSTRUCTURE of the tree */
static void format_imap(struct mime_meta *m, GMimeMessage *message, const struct mime_node *root)
{
	GString *s = g_string_new(NULL);

	if (message != NULL)
		mime_envelope_append(s, message);
	else
		g_string_append(s, "(NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL)");
	m->envelope = g_string_free(s, FALSE);
	s = g_string_new(NULL);
	mime_bodystructure_append(s, root, false);
	m->body = g_string_free(s, FALSE);
	s = g_string_new(NULL);
	mime_bodystructure_append(s, root, true);
	m->bodystructure = g_string_free(s, FALSE);
}

/* mime_parse - parse raw and fill meta_r */
int mime_parse(const char *raw, size_t len, struct mime_meta *meta_r, const char **error_r)
{
	GMimeMessage *message;
	struct mime_node *root;

	memset(meta_r, 0, sizeof(*meta_r));
	if (len > MIME_MESSAGE_MAX) {
		*error_r = "message too large to parse";
		return -1;
	}
	pthread_once(&mime_once, mime_init_once);
	message = parse_message(raw, len);
	root = mime_node_build(message, raw, len, &meta_r->parts, &meta_r->degraded);
	meta_r->size = len;
	meta_r->header_size = root->body_start;
	meta_r->body_size = len - root->body_start;
	meta_r->lines = mime_node_count_lines(raw, 0, len);
	format_imap(meta_r, message, root);
	mime_fields_fill(meta_r, message);
	meta_r->headers = mime_fields_headers(message, raw, root->body_start);
	meta_r->text = mime_text_extract(root, raw, &meta_r->text_truncated,
					 &meta_r->has_attachments);
	meta_r->sections = mime_sections_format(root, len, meta_r->lines);
	meta_r->received = count_received(message);
	mime_node_free(root);
	if (message != NULL)
		g_object_unref(message);
	return 0;
}

/* mime_meta_clear - free every string of meta and zero it */
void mime_meta_clear(struct mime_meta *meta)
{
	char **strings[] = {
		&meta->envelope, &meta->bodystructure, &meta->body, &meta->subject, &meta->from,
		&meta->sender, &meta->reply_to, &meta->to, &meta->cc, &meta->bcc,
		&meta->from_addr, &meta->message_id, &meta->in_reply_to, &meta->references,
		&meta->headers, &meta->text, &meta->sections,
	};

	for (size_t i = 0; i < G_N_ELEMENTS(strings); i++)
		g_free(*strings[i]);
	memset(meta, 0, sizeof(*meta));
}
