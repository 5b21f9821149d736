/* imap_inbox_rename - RENAME INBOX (RFC 3501 6.3.5): every message of INBOX moves into a
 * new mailbox of the given name; INBOX stays, empty, with its UIDVALIDITY, and the moved
 * messages are recorded as expunged from it so that sessions on INBOX see EXPUNGE (or
 * VANISHED). Mailboxes below INBOX ("INBOX/x") are left alone. */
#ifndef MERPATI_STORE_IMAP_INBOX_RENAME_H
#define MERPATI_STORE_IMAP_INBOX_RENAME_H

#include <libpq-fe.h>
#include <stddef.h>
#include <stdint.h>

struct store_imap_inbox_rename {
	int64_t inbox_id, new_id;
	uint32_t inbox_uidvalidity, new_uidvalidity;
	uint64_t inbox_modseq;   /* INBOX's highest modseq after the expunge */
	uint64_t new_modseq;     /* the new mailbox's after the copies */
	size_t moved;
};

/* store_imap_inbox_rename - the whole rename in one transaction (db_tx). 1 done,
 * -1 error: SQLSTATE 23505 when the new name is taken, 53400 over quota. */
int store_imap_inbox_rename(PGconn *conn, int64_t account_id, const char *to,
			    struct store_imap_inbox_rename *out, const char **error_r);

#endif
