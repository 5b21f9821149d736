/* imap_msg_section - where an IMAP body section lies in the bytes a client sees.
 *
 * A stored message is shown to its recipient as the per-recipient trace header lines
 * (mailbox_messages.trace) followed by the shared blob (messages.raw). lib/mime recorded at
 * delivery the blob offsets of every part (message_meta.sections, see lib/mime/mime.h);
 * this file turns a section spec of RFC 3501 6.4.5 / RFC 9051 6.4.5 (part number plus
 * HEADER, TEXT, MIME, HEADER.FIELDS) into a byte range of that view, and applies a
 * <partial> to it. Pure: no I/O, no allocation. */
#ifndef MERPATI_STORE_IMAP_MSG_SECTION_H
#define MERPATI_STORE_IMAP_MSG_SECTION_H

#include <stddef.h>
#include <stdint.h>

#define IMAP_MSG_PART_MAX 128 /* bytes of a part number like "1.2.3" */

enum imap_msg_section_text {
	IMAP_MSG_SECTION_ALL,      /* BODY[] or BODY[1.2]: the whole message or part body */
	IMAP_MSG_SECTION_HEADER,   /* BODY[HEADER], BODY[2.HEADER] (also HEADER.FIELDS) */
	IMAP_MSG_SECTION_TEXT,     /* BODY[TEXT], BODY[2.TEXT] */
	IMAP_MSG_SECTION_MIME      /* BODY[1.MIME]: a part's MIME header */
};

/* A range [start, end) of the client's view (trace + blob). */
struct imap_msg_range {
	int64_t start;
	int64_t end;
};

/* imap_msg_section_range - the range of section text of part ("" for the top level, else
 * "1", "2.1", ...) in a message whose sections JSON is sections and whose trace is
 * trace_len bytes. Returns 1 with *r set, 0 when the message has no such part (the client
 * gets an empty string, RFC 3501 6.4.5), -1 when sections is malformed or the spec is not
 * valid (MIME of the top level). */
int imap_msg_section_range(const char *sections, size_t trace_len, const char *part,
			   enum imap_msg_section_text text, struct imap_msg_range *r);

/* imap_msg_section_partial - narrow r to <origin.count> (RFC 3501 6.4.5): an origin past
 * the end gives an empty range */
void imap_msg_section_partial(struct imap_msg_range *r, uint64_t origin, uint64_t count);

/* imap_msg_section_part_ok - part is "" or dot-separated non-zero numbers, bounded */
int imap_msg_section_part_ok(const char *part);

#endif
