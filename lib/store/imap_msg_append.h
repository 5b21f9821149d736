/* imap_msg_append - APPEND (RFC 3501 6.3.11, APPENDUID of RFC 4315 3, RFC 7889 APPENDLIMIT).
 *
 * The client's message is parsed once with lib/mime (before any transaction: parsing is
 * CPU work that must not hold locks), then one transaction stores the blob (shared with
 * any identical one), its metadata and part offsets, checks the quota and appends it under
 * the mailbox's next UID. APPENDs made by the client itself carry no trace lines.
 * MULTIAPPEND (RFC 3502) stores several messages the same way, in one transaction. */
#ifndef MERPATI_STORE_IMAP_MSG_APPEND_H
#define MERPATI_STORE_IMAP_MSG_APPEND_H

#include <libpq-fe.h>
#include <stddef.h>
#include <stdint.h>

#include "store/mailbox.h"

struct imap_msg_append {
	int64_t mailbox_id;
	const void *data;                  /* the message bytes, at most STORE_MESSAGE_MAX */
	size_t len;
	unsigned flags;                    /* STORE_FLAG_* */
	const char *const *keywords;
	size_t nkeywords;
	int64_t internal_date;             /* Unix seconds; 0: now (RFC 3501 6.3.11) */
};

#define IMAP_MSG_APPEND_MAX 1000 /* messages in one MULTIAPPEND (RFC 3502) */

/* imap_msg_append_many - MULTIAPPEND (RFC 3502): all messages (same mailbox_id) in one
 * transaction, all or none; uids_r gets n UIDs, ascending. 0 or -1 as below. */
int imap_msg_append_many(PGconn *conn, const struct imap_msg_append *msgs, size_t n,
			 uint32_t *uidvalidity_r, uint32_t *uids_r, uint64_t *modseq_r,
			 const char **error_r);

/* imap_msg_append_one - parse, store and append (its own transaction, db_tx): 0 with the
 * target's UIDVALIDITY, the new UID and modseq, or -1 (SQLSTATE 53400 for OVERQUOTA,
 * 54000 for a message over STORE_MESSAGE_MAX) */
int imap_msg_append_one(PGconn *conn, const struct imap_msg_append *a, uint32_t *uidvalidity_r,
			uint32_t *uid_r, uint64_t *modseq_r, const char **error_r);

#endif
