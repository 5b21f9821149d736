/* imap_sync - what changed in a mailbox since a modseq, read in one snapshot, for IMAP
 * sessions that have it selected (RFC 3501 7.3.1/7.4.1 EXISTS and EXPUNGE, RFC 7162 3.2.10
 * VANISHED, unsolicited FETCH FLAGS), and the full UID list for SELECT. */
#ifndef MERPATI_STORE_IMAP_SYNC_H
#define MERPATI_STORE_IMAP_SYNC_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define STORE_IMAP_SYNC_MAX 1000000  /* rows read at once; beyond, the session re-selects */

/* One message changed (or appended) since the modseq. */
struct store_imap_change {
	uint32_t uid;
	unsigned flags;       /* STORE_FLAG_* */
	uint64_t modseq;
	char *keywords;       /* space-separated, "" for none */
};

struct store_imap_sync {
	uint32_t uidvalidity, uidnext;
	uint64_t highestmodseq;
	uint32_t *expunged;             /* ascending */
	size_t nexpunged;
	struct store_imap_change *changes;  /* ascending by uid */
	size_t nchanges;
};

/* store_imap_sync_read - the mailbox's counters, the UIDs expunged with a modseq above
 * since (when with_expunged) and the messages whose modseq is above since (since 0:
 * every message, as SELECT needs). 1 read, 0 the mailbox no longer exists, -1 error.
 * Free with store_imap_sync_clear. */
int store_imap_sync_read(PGconn *conn, int64_t mailbox_id, uint64_t since, bool with_expunged,
			 struct store_imap_sync *out, const char **error_r);
/* store_imap_sync_clear - free what store_imap_sync_read allocated */
void store_imap_sync_clear(struct store_imap_sync *s);

#endif
