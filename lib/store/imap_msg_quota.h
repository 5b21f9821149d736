/* imap_msg_quota - may a mailbox's owner take more bytes (RFC 9208 OVERQUOTA)?
 * Used by APPEND, COPY and MOVE inside their transaction, after the mailbox rows are
 * locked, so two sessions cannot both pass the check with the last free bytes. */
#ifndef MERPATI_STORE_IMAP_MSG_QUOTA_H
#define MERPATI_STORE_IMAP_MSG_QUOTA_H

#include <libpq-fe.h>
#include <stdint.h>

#define IMAP_MSG_QUOTA_SQLSTATE "53400" /* configuration_limit_exceeded */

/* imap_msg_quota_check - 0 when adding bytes keeps the account owning mailbox_id within
 * its quota (quota_bytes 0: unlimited); -1 with SQLSTATE IMAP_MSG_QUOTA_SQLSTATE when it
 * would not, -1 with the database's error otherwise */
int imap_msg_quota_check(PGconn *conn, int64_t mailbox_id, int64_t bytes, const char **error_r);

#endif
