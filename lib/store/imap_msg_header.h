/* imap_msg_header - BODY[HEADER.FIELDS (...)] and HEADER.FIELDS.NOT (RFC 3501 6.4.5):
 * the subset of a header section whose field names are (not) in a list.
 *
 * Works on the raw header bytes as stored (already read from the blob within the bound
 * IMAP_MSG_HEADER_MAX), keeps each selected field with its folded continuation lines
 * verbatim, and ends the result with the blank line, as the RFC asks. Pure. */
#ifndef MERPATI_STORE_IMAP_MSG_HEADER_H
#define MERPATI_STORE_IMAP_MSG_HEADER_H

#include <stdbool.h>
#include <stddef.h>

#define IMAP_MSG_HEADER_MAX (1u << 20) /* header bytes filtered at most */
#define IMAP_MSG_FIELD_NAME_MAX 256    /* a longer field name never matches */

/* imap_msg_header_filter - copy to out (room for len + 4 bytes) the fields of hdr[0..len)
 * whose names are (not, when exclude) among names (ASCII case-insensitive); returns the
 * bytes written, always ending with CRLF */
size_t imap_msg_header_filter(const char *hdr, size_t len, const char *const *names,
			      size_t nnames, bool exclude, char *out);

#endif
