/* imap_status - STATUS data items (RFC 3501 6.3.10, RFC 9051 6.3.11, RFC 8438 SIZE,
 * RFC 7162 HIGHESTMODSEQ) for STATUS and LIST-STATUS (RFC 5819). */
#ifndef MERPATI_IMAP_STATUS_H
#define MERPATI_IMAP_STATUS_H

#include "services/imap/imap.h"
#include "store/mailbox.h"

#define IMAP_STATUS_MESSAGES      0x01
#define IMAP_STATUS_RECENT        0x02
#define IMAP_STATUS_UIDNEXT       0x04
#define IMAP_STATUS_UIDVALIDITY   0x08
#define IMAP_STATUS_UNSEEN        0x10
#define IMAP_STATUS_SIZE          0x20
#define IMAP_STATUS_HIGHESTMODSEQ 0x40
#define IMAP_STATUS_DELETED       0x80

/* Counters the mailbox row does not keep, read only when an item asks for them. */
struct imap_status_extra {
	uint32_t deleted;   /* messages with \Deleted (RFC 9051 6.3.11) */
	uint32_t recent;    /* not claimed as \Recent yet (RFC 3501 6.3.10) */
};

/* imap_status_extra_read - on a pool thread: what items need of these counters; 0 or -1 */
int imap_status_extra_read(PGconn *conn, int64_t mailbox_id, unsigned items,
			   struct imap_status_extra *out, const char **error_r);

/* imap_status_items - a parenthesised item list into bits; -1 on an unknown item */
int imap_status_items(const struct imap_arg *list, unsigned *items_r);
/* imap_status_write - "* STATUS name (ITEM value ...)" for the mailbox counters */
void imap_status_write(struct imap_session *s, const char *name, const struct store_mailbox *m,
		       const struct imap_status_extra *x, unsigned items);

#endif
