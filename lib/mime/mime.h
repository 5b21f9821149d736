/* mime - parse a message once, at delivery, into what IMAP and SEARCH need (DESIGN.md rule 5).
 *
 *   struct mime_meta m;
 *   if (mime_parse(raw, len, &m, &error) < 0) ...   (only out-of-range input fails)
 *   ... store m.envelope, m.bodystructure, m.subject, m.text, m.sections ...
 *   mime_meta_clear(&m);
 *
 * GMime does the MIME work (structure, RFC 2047 words, RFC 2231 parameters, addresses,
 * charset conversion); this library formats its results the way RFC 3501 7.4.2 and RFC 9051
 * 7.5.2 want them, and records where each part's header and body sit in the raw bytes so
 * that BODY[1.2] can be served from the stored blob without parsing again.
 *
 * Malformed input never fails: what cannot be understood is described as text/plain. Every
 * output is bounded (nesting depth, number of parts, header text, decoded text) and every
 * string is valid UTF-8 without NUL bytes, ready for a PostgreSQL text column. */
#ifndef MERPATI_MIME_H
#define MERPATI_MIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define MIME_MESSAGE_MAX ((size_t)1 << 30) /* larger input is refused */
#define MIME_DEPTH_MAX 32                  /* deeper parts are described as text/plain */
#define MIME_PARTS_MAX 1000                /* later parts are described as text/plain */
#define MIME_HEADERS_TEXT_MAX (256 * 1024) /* bytes of header text kept for SEARCH */
#define MIME_TEXT_MAX (1024 * 1024)        /* bytes of decoded body text kept for SEARCH */
#define MIME_RECEIVED_MAX 1000             /* Received fields counted at most */

/* mime_meta - everything computed from one message; strings are NUL-terminated UTF-8,
 * owned by the struct, "" when the message has no such field (never NULL after success). */
struct mime_meta {
	size_t size;          /* octets of the whole message (RFC822.SIZE) */
	size_t header_size;   /* octets of the top-level header, blank line included */
	size_t body_size;     /* octets after it */
	size_t lines;         /* lines of the whole message */

	char *envelope;       /* IMAP ENVELOPE, RFC 3501 7.4.2 */
	char *bodystructure;  /* IMAP BODYSTRUCTURE, with extension data */
	char *body;           /* IMAP BODY, without extension data */

	char *subject;        /* decoded (RFC 2047) */
	char *from;           /* decoded address lists: "Name <a@b>, c@d" */
	char *sender;
	char *reply_to;
	char *to;
	char *cc;
	char *bcc;
	char *from_addr;      /* first From mailbox, lowercase "a@b": for filters and threads */
	char *message_id;     /* "<id@host>" or "" */
	char *in_reply_to;    /* first msg-id of In-Reply-To, "<id@host>" or "" */
	char *references;     /* msg-ids of References, space separated */
	bool has_date;
	time_t date;          /* Date: field, UTC seconds; 0 when absent or unparsable */

	char *headers;        /* top-level header text, unfolded, bounded by MIME_HEADERS_TEXT_MAX */
	char *text;           /* decoded text of text/ parts, HTML reduced, bounded by MIME_TEXT_MAX */
	bool text_truncated;
	bool has_attachments; /* some part has Content-Disposition: attachment or a filename */
	unsigned received;    /* Received fields at the top level, at most MIME_RECEIVED_MAX */
	unsigned parts;       /* parts described (leaves and containers) */
	bool degraded;        /* something could not be parsed and was described as text/plain */

	/* Byte ranges of every part, for BODY[section] (RFC 3501 6.4.5), as compact JSON:
	 *   {"":[0,hdr_end,end,lines],"1":[mime_start,body_start,body_end,lines],
	 *    "2":[...,inner_body_start], "2.1":[...], ...}
	 * Keys are IMAP part numbers ("" is the whole message). Each value is
	 * [header_start, body_start, body_end, lines]: [header_start, body_start) is the part's
	 * MIME header (BODY[n.MIME]) and [body_start, body_end) its body (BODY[n]). A
	 * message/rfc822 part has a fifth number: where the encapsulated message's body starts,
	 * so BODY[n.HEADER] is [body_start, fifth) and BODY[n.TEXT] is [fifth, body_end). */
	char *sections;
};

/* mime_parse - parse raw (RFC 5322 bytes, CRLF or LF) and fill meta_r.
 * Returns 0, or -1 with *error_r set when len is over MIME_MESSAGE_MAX. */
int mime_parse(const char *raw, size_t len, struct mime_meta *meta_r, const char **error_r);

/* mime_meta_clear - free every string of meta and zero it; safe on a zeroed struct */
void mime_meta_clear(struct mime_meta *meta);

#endif
