/* fetch_write - the text of one FETCH response (RFC 3501 7.4.2, RFC 9051 7.5.2, RFC 7162
 * 3.1.4.1): "* <msn> FETCH (UID .. FLAGS (..) ... BODY[..] {n}\r\n<bytes> ...)". The
 * values computed at delivery (ENVELOPE, BODYSTRUCTURE) are written as stored. */
#ifndef MERPATI_IMAP_FETCH_WRITE_H
#define MERPATI_IMAP_FETCH_WRITE_H

#include <stdbool.h>

#include "services/imap/fetch_job.h"

/* fetch_write_begin - "* msn FETCH (" and every item that is not a body section; uid is
 * forced by UID FETCH (RFC 3501 6.4.8), flags by an implicit \Seen */
void fetch_write_begin(struct imap_session *s, uint32_t msn, const struct fetch_items *items,
		       const struct imap_msg_row *row, bool uid, bool flags);

/* fetch_write_section_head - " NAME " before a section's value */
void fetch_write_section_head(struct imap_session *s, const struct fetch_section *sec);

/* fetch_write_part - a section whose bytes are at hand (or that does not exist: "");
 * returns false when the part must be streamed (only its literal prefix was written) */
bool fetch_write_part(struct imap_session *s, const struct fetch_section *sec,
		      const struct fetch_part *p);

/* fetch_write_end - ")\r\n" */
void fetch_write_end(struct imap_session *s);

#endif
