/* imap_msg_vanished - UIDs expunged since a mod-sequence, for "* VANISHED (EARLIER)" of
 * UID FETCH ... (CHANGEDSINCE n VANISHED) and SELECT ... (QRESYNC ...) (RFC 7162 3.2.6,
 * 3.2.5.1), from the expunge log store_mailbox_expunge keeps. */
#ifndef MERPATI_STORE_IMAP_MSG_VANISHED_H
#define MERPATI_STORE_IMAP_MSG_VANISHED_H

#include <libpq-fe.h>
#include <stddef.h>
#include <stdint.h>

#define IMAP_MSG_VANISHED_RANGES_MAX 1000 /* UID ranges of one request */

/* imap_msg_vanished - the expunged UIDs of mailbox_id with modseq above since that lie in
 * one of the ranges [lo[i], hi[i]] (n ranges, lo <= hi), ascending, as an IMAP sequence
 * set "3:5,9" (malloc'd, "" when none) in *set_r. 0 or -1. */
int imap_msg_vanished(PGconn *conn, int64_t mailbox_id, uint64_t since, const uint32_t *lo,
		      const uint32_t *hi, size_t n, char **set_r, const char **error_r);

#endif
