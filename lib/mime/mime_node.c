/* mime_node.c - lay GMime's parsed tree over the raw bytes.
 *
 * GMime tells what each part is; IMAP also needs where it is: the octets of each header
 * and body (BODY[n.MIME], BODY[n], sizes and line counts in BODYSTRUCTURE). GMime keeps no
 * offsets for containers, so the ranges are found here, entity by entity, with the rules
 * of RFC 2046 5.1.1: a body part runs from after its delimiter line to the CRLF that
 * precedes the next delimiter, and that CRLF belongs to the delimiter. */
#include <string.h>

#include "mime/mime_internal.h"

struct build {
	const char *raw;
	unsigned parts;
	bool degraded;
};

struct range {
	size_t start, end;
};

/* mime_node_count_lines - lines in raw[start, end): its LFs. An unterminated last line is
 * not counted, as Dovecot and Cyrus count: a part's final CRLF belongs to the boundary */
size_t mime_node_count_lines(const char *raw, size_t start, size_t end)
{
	size_t lines = 0;
	const char *p = raw + start, *stop = raw + end;

	while (p < stop && (p = memchr(p, '\n', (size_t)(stop - p))) != NULL) {
		lines++;
		p++;
	}
	return lines;
}

/* line_next - the start of the line after the one at p, or end */
static size_t line_next(const char *raw, size_t p, size_t end)
{
	const char *nl = memchr(raw + p, '\n', end - p);

	return nl != NULL ? (size_t)(nl - raw) + 1 : end;
}

/* header_end - the first octet after the empty line that ends the header at start
 * (RFC 5322 2.1); end when there is none */
static size_t header_end(const char *raw, size_t start, size_t end)
{
	for (size_t p = start; p < end; p = line_next(raw, p, end)) {
		if (raw[p] == '\n')
			return p + 1;
		if (raw[p] == '\r' && p + 1 < end && raw[p + 1] == '\n')
			return p + 2;
	}
	return end;
}

/* is_delimiter - does the line at p hold "--boundary" or "--boundary--", then only
 * white space (RFC 2046 5.1.1)? */
static bool is_delimiter(const char *raw, size_t p, size_t end, const char *boundary,
			 size_t blen, bool *close_r)
{
	size_t q = p + 2 + blen;

	if (end - p < 2 + blen || raw[p] != '-' || raw[p + 1] != '-' ||
	    memcmp(raw + p + 2, boundary, blen) != 0)
		return false;
	*close_r = end - q >= 2 && raw[q] == '-' && raw[q + 1] == '-';
	if (*close_r)
		q += 2;
	while (q < end && (raw[q] == ' ' || raw[q] == '\t' || raw[q] == '\r'))
		q++;
	return q == end || raw[q] == '\n';
}

/* before_eol - p moved back over the line ending that precedes it, never below floor */
static size_t before_eol(const char *raw, size_t p, size_t floor)
{
	if (p > floor && raw[p - 1] == '\n')
		p--;
	if (p > floor && raw[p - 1] == '\r')
		p--;
	return p;
}

/* split_body - the body parts of a multipart body [start, end); returns their count */
static unsigned split_body(const char *raw, size_t start, size_t end, const char *boundary,
			   struct range *out, unsigned max)
{
	size_t blen = strlen(boundary);
	unsigned n = 0;
	bool open = false, close = false;

	for (size_t p = start; p < end && !close; p = line_next(raw, p, end)) {
		if (!is_delimiter(raw, p, end, boundary, blen, &close))
			continue;
		if (open) {
			out[n - 1].end = before_eol(raw, p, out[n - 1].start);
			open = false;
		}
		if (!close && n < max) {
			out[n].start = line_next(raw, p, end);
			out[n].end = end;
			n++;
			open = true;
		}
	}
	return n;
}

static void node_fill(struct build *b, struct mime_node *node, GMimeObject *obj,
		      GMimeMessage *message, struct range r, unsigned depth);

/* node_degrade - describe node as text/plain from now on */
static void node_degrade(struct build *b, struct mime_node *node)
{
	node->kind = MIME_NODE_LEAF;
	node->degraded = true;
	b->degraded = true;
}

/* node_multipart - split a multipart body and fill one child per body part */
static void node_multipart(struct build *b, struct mime_node *node, GMimeMultipart *mp,
			   unsigned depth)
{
	const char *boundary = g_mime_multipart_get_boundary(mp);
	int count = g_mime_multipart_get_count(mp);
	unsigned max = count < 0 ? 0 : (unsigned)count, n;
	struct range *ranges;

	if (boundary == NULL || *boundary == '\0' || max == 0) {
		node_degrade(b, node);
		return;
	}
	if (max > MIME_PARTS_MAX)
		max = MIME_PARTS_MAX;
	ranges = g_new0(struct range, max);
	n = split_body(b->raw, node->body_start, node->body_end, boundary, ranges, max);
	if (n == 0) {
		g_free(ranges);
		node_degrade(b, node);
		return;
	}
	node->kind = MIME_NODE_MULTIPART;
	node->nchildren = n;
	node->children = g_new0(struct mime_node, n);
	for (unsigned i = 0; i < n; i++)
		node_fill(b, &node->children[i], g_mime_multipart_get_part(mp, (int)i), NULL,
			  ranges[i], depth + 1);
	g_free(ranges);
}

/* node_message - a message/rfc822 part: its body is one more message entity */
static void node_message(struct build *b, struct mime_node *node, GMimeMessagePart *mp,
			 unsigned depth)
{
	GMimeMessage *inner = g_mime_message_part_get_message(mp);
	struct range r = { node->body_start, node->body_end };

	if (inner == NULL) {
		node_degrade(b, node);
		return;
	}
	node->kind = MIME_NODE_MESSAGE;
	node->nchildren = 1;
	node->children = g_new0(struct mime_node, 1);
	node_fill(b, node->children, g_mime_message_get_mime_part(inner), inner, r, depth + 1);
}

/* node_fill - lay obj over raw[r]: offsets, lines, then its children */
static void node_fill(struct build *b, struct mime_node *node, GMimeObject *obj,
		      GMimeMessage *message, struct range r, unsigned depth)
{
	node->object = obj;
	node->message = message;
	node->kind = MIME_NODE_LEAF;
	node->header_start = r.start;
	node->body_start = header_end(b->raw, r.start, r.end);
	node->body_end = r.end;
	node->lines = mime_node_count_lines(b->raw, node->body_start, node->body_end);
	b->parts++;
	if (obj == NULL || depth > MIME_DEPTH_MAX || b->parts > MIME_PARTS_MAX)
		node_degrade(b, node);
	else if (GMIME_IS_MULTIPART(obj))
		node_multipart(b, node, GMIME_MULTIPART(obj), depth);
	else if (GMIME_IS_MESSAGE_PART(obj))
		node_message(b, node, GMIME_MESSAGE_PART(obj), depth);
}

/* mime_node_build - lay message (may be NULL: degraded) over raw; returns the root */
struct mime_node *mime_node_build(GMimeMessage *message, const char *raw, size_t len,
				  unsigned *parts_r, bool *degraded_r)
{
	struct build b = { .raw = raw };
	struct mime_node *root = g_new0(struct mime_node, 1);
	struct range all = { 0, len };

	node_fill(&b, root, message != NULL ? g_mime_message_get_mime_part(message) : NULL,
		  message, all, 0);
	*parts_r = b.parts;
	*degraded_r = b.degraded;
	return root;
}

/* node_clear - free the children of node, recursively */
static void node_clear(struct mime_node *node)
{
	for (unsigned i = 0; i < node->nchildren; i++)
		node_clear(&node->children[i]);
	g_free(node->children);
}

/* mime_node_free - free a tree from mime_node_build */
void mime_node_free(struct mime_node *root)
{
	if (root == NULL)
		return;
	node_clear(root);
	g_free(root);
}
