/* imap_recent - the \Recent flag of IMAP4rev1 (RFC 3501 2.3.2.1): a message is recent in
 * the one session that first learns of it. mailboxes.recent_uid (migration 0008) is the
 * highest UID already claimed; a session claims the UIDs above it up to what it is about
 * to show, atomically, so two sessions on any replicas never both get one. */
#ifndef MERPATI_STORE_IMAP_RECENT_H
#define MERPATI_STORE_IMAP_RECENT_H

#include <libpq-fe.h>
#include <stdint.h>

/* store_imap_recent_claim - raise the mailbox's recent_uid to upto; *from_r is what it was,
 * so UIDs in (from, upto] are this session's recent messages (none when from >= upto).
 * 1 done, 0 no such mailbox, -1 error */
int store_imap_recent_claim(PGconn *conn, int64_t mailbox_id, uint32_t upto,
			    uint32_t *from_r, const char **error_r);
/* store_imap_recent_count - messages not claimed yet: what the next SELECT would see as
 * \Recent (STATUS RECENT); -1 on error */
int64_t store_imap_recent_count(PGconn *conn, int64_t mailbox_id, const char **error_r);

#endif
