/* imap_msg_copy - COPY and MOVE (RFC 3501 6.4.7, RFC 6851) inside the caller's transaction.
 *
 * The blob is shared, never copied (DESIGN.md rule 5): each copy is a new mailbox_messages
 * row pointing at the same sha256, with the source's flags, keywords, internal date, size
 * and trace, under a new UID of the target. Both mailbox rows are locked first, in id order
 * (store_mailbox_lock), so a COPY from A to B and one from B to A cannot deadlock; the new
 * UIDs are ascending in source UID order, which is what COPYUID reports (RFC 4315 3). */
#ifndef MERPATI_STORE_IMAP_MSG_COPY_H
#define MERPATI_STORE_IMAP_MSG_COPY_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/mailbox.h"

#define IMAP_MSG_COPY_MAX 100000 /* messages in one COPY or MOVE */

/* The outcome: src_uids[i] became dst_uids[i]; arrays malloc'd with room for n entries
 * (free them with imap_msg_copy_result_clear). */
struct imap_msg_copy_result {
	uint32_t uidvalidity;  /* of the target */
	uint32_t *src_uids;
	uint32_t *dst_uids;
	size_t count;
	uint64_t src_modseq;   /* the source's modseq after MOVE's expunge, else 0 */
	uint64_t dst_modseq;   /* the target's highest modseq after the copies */
};

/* imap_msg_copy - copy the messages of src with these UIDs (ascending; ones no longer there
 * are skipped) into dst; with move, then expunge them from src (recorded for QRESYNC).
 * Fails with SQLSTATE 53400 when the target account's quota would be exceeded
 * (RFC 9208 OVERQUOTA). Returns the number copied, or -1. */
int imap_msg_copy(PGconn *conn, int64_t src, int64_t dst, const uint32_t *uids, size_t n,
		  bool move, struct imap_msg_copy_result *out, const char **error_r);

/* imap_msg_copy_result_clear - free the arrays and zero the struct */
void imap_msg_copy_result_clear(struct imap_msg_copy_result *r);

#endif
