/* mime_internal.h - the pieces of lib/mime, shared between its files only.
 *
 * mime.c drives: GMime parses the message, mime_node.c lays the parsed tree over the raw
 * bytes (offsets, sizes, lines), then mime_envelope.c, mime_bodystructure.c,
 * mime_sections.c, mime_fields.c and mime_text.c each format one output from that tree. */
#ifndef MERPATI_MIME_INTERNAL_H
#define MERPATI_MIME_INTERNAL_H

#include <gmime/gmime.h>
#include <stdbool.h>
#include <stddef.h>

#include "mime/mime.h"

enum mime_node_kind {
	MIME_NODE_LEAF,      /* a single part, or anything described as text/plain */
	MIME_NODE_MULTIPART, /* children are its body parts */
	MIME_NODE_MESSAGE,   /* message/rfc822: children[0] is the encapsulated message */
};

/* mime_node - one entity of the message laid over the raw bytes.
 * An encapsulated message (the root, or children[0] of a MESSAGE node) has `message` set;
 * its `object` is the message's top-level part, whose header is the message header. */
struct mime_node {
	enum mime_node_kind kind;
	GMimeObject *object;    /* NULL for a degraded entity */
	GMimeMessage *message;  /* set on message entities */
	bool degraded;          /* describe as text/plain: unparsable, too deep, too many parts */
	size_t header_start;    /* first octet of the part's header */
	size_t body_start;      /* first octet after the blank line that ends the header */
	size_t body_end;
	size_t lines;           /* lines of the body */
	unsigned nchildren;
	struct mime_node *children;
};

/* mime_node_build - lay message (may be NULL: degraded) over raw; returns the root */
struct mime_node *mime_node_build(GMimeMessage *message, const char *raw, size_t len,
				  unsigned *parts_r, bool *degraded_r);
/* mime_node_free - free a tree from mime_node_build */
void mime_node_free(struct mime_node *root);
/* mime_node_count_lines - the LFs in raw[start, end) */
size_t mime_node_count_lines(const char *raw, size_t start, size_t end);

/* mime_istr_string - append s (len bytes) as an IMAP string (RFC 3501 4.3): quoted when
 * it can be, a literal when it holds CR, LF or 8-bit octets; NULs are dropped and invalid
 * UTF-8 is replaced first, so the result is valid UTF-8 */
void mime_istr_string(GString *out, const char *s, size_t len);
/* mime_istr_nstring - s as a string, or NIL when s is NULL */
void mime_istr_nstring(GString *out, const char *s);
/* mime_istr_utf8 - a valid UTF-8 copy of s[0, len) without NULs (g_free it) */
char *mime_istr_utf8(const char *s, size_t len);

/* mime_header_raw - the raw value of the first `name` field of obj, unfolded and trimmed
 * (g_free it), or NULL when obj has no such field */
char *mime_header_raw(GMimeObject *obj, const char *name);
/* mime_header_unfold - s without CR/LF and without surrounding white space (g_free it) */
char *mime_header_unfold(const char *s);

/* mime_envelope_append - append the ENVELOPE of message (RFC 3501 7.4.2) */
void mime_envelope_append(GString *out, GMimeMessage *message);
/* mime_bodystructure_append - append BODY (ext false) or BODYSTRUCTURE (ext true) of node */
void mime_bodystructure_append(GString *out, const struct mime_node *node, bool ext);
/* mime_sections_format - the sections JSON described in mime.h (g_free it) */
char *mime_sections_format(const struct mime_node *root, size_t len, size_t lines);
/* mime_fields_fill - the decoded header fields of meta from the top-level message */
void mime_fields_fill(struct mime_meta *meta, GMimeMessage *message);
/* mime_fields_headers - the top-level header text for SEARCH (g_free it) */
char *mime_fields_headers(GMimeMessage *message, const char *raw, size_t header_size);
/* mime_text_extract - decoded text of the text parts of the tree (g_free it) */
char *mime_text_extract(const struct mime_node *root, const char *raw, bool *truncated_r,
			bool *attachments_r);
/* mime_html_strip - append html reduced to text to out, at most max bytes */
void mime_html_strip(GString *out, const char *html, size_t max);

#endif
