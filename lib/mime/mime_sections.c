/* mime_sections.c - where each IMAP part lives in the raw message (RFC 3501 6.4.5 part
 * numbers), as the compact JSON described in mime.h, so BODY[1.2] is served from the blob */
#include "mime/mime_internal.h"

static void sections_part(GString *out, const struct mime_node *node, const char *key);

/* sections_entity - the parts of a message entity: a multipart's body parts are 1..n;
 * any other body is part 1 by itself (RFC 3501 6.4.5) */
static void sections_entity(GString *out, const struct mime_node *entity, const char *prefix)
{
	const char *dot = *prefix != '\0' ? "." : "";
	char *key;

	if (entity->kind != MIME_NODE_MULTIPART || entity->degraded) {
		key = g_strdup_printf("%s%s1", prefix, dot);
		sections_part(out, entity, key);
		g_free(key);
		return;
	}
	for (unsigned i = 0; i < entity->nchildren; i++) {
		key = g_strdup_printf("%s%s%u", prefix, dot, i + 1);
		sections_part(out, &entity->children[i], key);
		g_free(key);
	}
}

/* sections_part - one "key":[...] entry, then the parts inside it */
static void sections_part(GString *out, const struct mime_node *node, const char *key)
{
	g_string_append_printf(out, ",\"%s\":[%zu,%zu,%zu,%zu", key, node->header_start,
			       node->body_start, node->body_end, node->lines);
	if (node->kind == MIME_NODE_MESSAGE && !node->degraded) {
		g_string_append_printf(out, ",%zu]", node->children[0].body_start);
		sections_entity(out, &node->children[0], key);
		return;
	}
	g_string_append_c(out, ']');
	if (node->kind != MIME_NODE_MULTIPART || node->degraded)
		return;
	for (unsigned i = 0; i < node->nchildren; i++) {
		char *child = g_strdup_printf("%s.%u", key, i + 1);
		sections_part(out, &node->children[i], child);
		g_free(child);
	}
}

/* mime_sections_format - the sections JSON described in mime.h (g_free it) */
char *mime_sections_format(const struct mime_node *root, size_t len, size_t lines)
{
	GString *out = g_string_new(NULL);

	g_string_append_printf(out, "{\"\":[0,%zu,%zu,%zu]", root->body_start, len, lines);
	sections_entity(out, root, "");
	g_string_append_c(out, '}');
	return g_string_free(out, FALSE);
}
