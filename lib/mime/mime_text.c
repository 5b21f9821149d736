/* mime_text.c - the decoded text of a message for SEARCH BODY/TEXT (RFC 3501 6.4.4):
 * text parts converted to UTF-8 by GMime (RFC 2045 transfer encodings, RFC 2046 charsets),
 * HTML reduced to its text, everything bounded by MIME_TEXT_MAX */
#include <string.h>

#include "mime/mime_internal.h"

struct text {
	GString *out;
	bool truncated;
	bool attachments;
};

/* text_add - append s, cut at a UTF-8 character boundary when the bound is reached */
static void text_add(struct text *t, const char *s, size_t len)
{
	size_t room = MIME_TEXT_MAX - MIN(t->out->len, (size_t)MIME_TEXT_MAX);

	if (len > room) {
		len = room;
		while (len > 0 && ((unsigned char)s[len] & 0xC0) == 0x80)
			len--;
		t->truncated = true;
	}
	g_string_append_len(t->out, s, (gssize)len);
}

/* is_attachment - Content-Disposition: attachment, or a file name (RFC 2183) */
static bool is_attachment(GMimeObject *obj)
{
	GMimeContentDisposition *d = g_mime_object_get_content_disposition(obj);

	if (d != NULL && g_mime_content_disposition_is_attachment(d))
		return true;
	return GMIME_IS_PART(obj) && g_mime_part_get_filename(GMIME_PART(obj)) != NULL;
}

/* leaf_text - the decoded text of a text/ part, HTML reduced */
static void leaf_text(struct text *t, GMimeObject *obj)
{
	GMimeContentType *ct = g_mime_object_get_content_type(obj);
	char *decoded, *valid;

	if (!GMIME_IS_TEXT_PART(obj))
		return;
	decoded = g_mime_text_part_get_text(GMIME_TEXT_PART(obj));
	if (decoded == NULL)
		return;
	valid = mime_istr_utf8(decoded, strlen(decoded));
	if (t->out->len > 0)
		text_add(t, "\n", 1);
	if (g_mime_content_type_is_type(ct, "text", "html")) {
		GString *plain = g_string_new(NULL);
		mime_html_strip(plain, valid, MIME_TEXT_MAX);
		text_add(t, plain->str, plain->len);
		g_string_free(plain, TRUE);
	} else {
		text_add(t, valid, strlen(valid));
	}
	g_free(valid);
	g_free(decoded);
}

/* alternative_pick - of multipart/alternative (RFC 2046 5.1.4), the text/plain version
 * if there is one, else the last (richest) one: the others say the same again */
static const struct mime_node *alternative_pick(const struct mime_node *node)
{
	for (unsigned i = 0; i < node->nchildren; i++) {
		GMimeObject *o = node->children[i].object;
		if (o != NULL && !node->children[i].degraded &&
		    g_mime_content_type_is_type(g_mime_object_get_content_type(o), "text", "plain"))
			return &node->children[i];
	}
	return &node->children[node->nchildren - 1];
}

/* walk - collect the text of node and what is inside it */
static void walk(struct text *t, const struct mime_node *node, const char *raw)
{
	if (t->truncated)
		return;
	if (node->degraded) {
		char *v = mime_istr_utf8(raw + node->body_start, node->body_end - node->body_start);
		text_add(t, v, strlen(v));
		g_free(v);
	} else if (node->kind == MIME_NODE_MESSAGE) {
		walk(t, &node->children[0], raw);
	} else if (node->kind == MIME_NODE_MULTIPART) {
		GMimeContentType *ct = g_mime_object_get_content_type(node->object);
		if (g_mime_content_type_is_type(ct, "multipart", "alternative")) {
			walk(t, alternative_pick(node), raw);
			return;
		}
		for (unsigned i = 0; i < node->nchildren; i++)
			walk(t, &node->children[i], raw);
	} else if (is_attachment(node->object)) {
		t->attachments = true;
	} else {
		leaf_text(t, node->object);
	}
}

/* mime_text_extract - decoded text of the text parts of the tree (g_free it) */
char *mime_text_extract(const struct mime_node *root, const char *raw, bool *truncated_r,
			bool *attachments_r)
{
	struct text t = { .out = g_string_new(NULL) };

	walk(&t, root, raw);
	*truncated_r = t.truncated;
	*attachments_r = t.attachments;
	return g_string_free(t.out, FALSE);
}
