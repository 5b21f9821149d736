/* maildrop - a POP3 maildrop: the user's INBOX as it was at login (RFC 1939 4-6).
 *
 * maildrop_open() snapshots (uid, size) of every message, oldest first, so message
 * numbers stay the same for the whole session whatever IMAP or new deliveries do.
 * The UIDL of a message is derived from the mailbox's uidvalidity and the message's uid:
 * it never changes and is never reused, so "leave on server" clients download each
 * message once.
 *
 * The lock in maildrop_locks keeps a second session, on this or any other replica, out
 * of a maildrop in the TRANSACTION state (RFC 1939 8, RFC 2449 8.1.1 [IN-USE]). It has an
 * expiry the holder refreshes; a replica that dies leaves a lock that simply expires. */
#ifndef MERPATI_STORE_MAILDROP_H
#define MERPATI_STORE_MAILDROP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <libpq-fe.h>

#include "store/mailbox.h"

/* RFC 1939 7: a unique-id is 1 to 70 characters in the range 0x21 to 0x7E. */
#define MAILDROP_UIDL_MAX 70
#define MAILDROP_OWNER_MAX 128

struct maildrop_msg {
	uint32_t uid;
	uint64_t size;       /* octets sent for RETR before dot-stuffing: trace headers + body */
	bool deleted;        /* DELE in this session (RFC 1939 5) */
	bool retrieved;      /* RETR completed: marked \Seen in the UPDATE state */
};

struct maildrop {
	int64_t account_id;
	int64_t mailbox_id;
	uint32_t uidvalidity;
	size_t count;
	uint64_t total_size;
	struct maildrop_msg *msgs; /* count entries, ascending uid */
};

/* maildrop_new - an empty snapshot with room for count messages (count may be 0) */
struct maildrop *maildrop_new(size_t count);
void maildrop_free(struct maildrop **md);

/* maildrop_uidl - the unique-id of message i: uidvalidity and uid in fixed-width hex */
void maildrop_uidl(const struct maildrop *md, size_t i, char buf[MAILDROP_UIDL_MAX + 1]);

/* The functions below are synchronous libpq calls for store pool workers (pool.h).
 * owner names one session on one replica, e.g. "host:pid:session-id". */

/* The owner a released lock row keeps while RFC 2449 LOGIN-DELAY still runs. */
#define MAILDROP_DELAY_OWNER "login-delay"

/* maildrop_lock - take the account's maildrop lock for ttl seconds, or take it over when
 * the holder's expired. 1 taken, 0 held by another live session, 2 refused because the
 * last session ended less than its login delay ago, -1 error. */
int maildrop_lock(PGconn *conn, int64_t account_id, const char *owner, long ttl,
		  const char **error_r);
/* maildrop_lock_refresh - push the expiry ttl seconds ahead; 1 still ours, 0 lost, -1 error */
int maildrop_lock_refresh(PGconn *conn, int64_t account_id, const char *owner, long ttl,
			  const char **error_r);
/* maildrop_unlock - release the lock if it is still ours; with login_delay > 0 the row
 * stays that many seconds as MAILDROP_DELAY_OWNER (RFC 2449 6.8, 8.1.2 [LOGIN-DELAY]).
 * 1 released, 0 not ours, -1 error */
int maildrop_unlock(PGconn *conn, int64_t account_id, const char *owner, long login_delay,
		    const char **error_r);

/* maildrop_open - snapshot the account's INBOX, at most max_messages, oldest first.
 * NULL on error (also when the account has no INBOX). */
struct maildrop *maildrop_open(PGconn *conn, int64_t account_id, size_t max_messages,
			       const char **error_r);

/* Reading one message as RETR sends it: its trace lines, then the shared blob. */
struct maildrop_reader {
	uint8_t sha256[32];
	uint8_t trace[STORE_MAILBOX_TRACE_MAX];
	size_t trace_len;
	uint64_t blob_size;
};
/* maildrop_reader_open - find message uid of the mailbox and read its first octets (at
 * most max, and at most STORE_MESSAGE_CHUNK; max must exceed STORE_MAILBOX_TRACE_MAX)
 * into buf, *len_r of them. 1 found, 0 expunged since the snapshot, -1 error */
int maildrop_reader_open(PGconn *conn, int64_t mailbox_id, uint32_t uid,
			 struct maildrop_reader *r, uint8_t *buf, size_t max, size_t *len_r,
			 const char **error_r);
/* maildrop_reader_size - octets the reader delivers in all */
uint64_t maildrop_reader_size(const struct maildrop_reader *r);
/* maildrop_reader_read - up to max octets from offset into buf, reading the blob with
 * substring() so only that chunk leaves the server. Returns the count (0 at the end) or
 * -1. The blob is addressed by its hash, so an expunge during the read does not cut it. */
ssize_t maildrop_reader_read(PGconn *conn, const struct maildrop_reader *r, uint64_t offset,
			     uint8_t *buf, size_t max, const char **error_r);

/* What the UPDATE transaction changed. */
struct maildrop_update_result {
	int removed;         /* messages expunged (those marked deleted and still there) */
	int seen;            /* messages that got \Seen */
	uint64_t modseq;     /* the mailbox's highestmodseq after it; 0 when nothing changed */
};

/* maildrop_update - the UPDATE state (RFC 1939 6) in ONE transaction: check the lock is
 * still owner's and release it (maildrop_unlock), add \Seen to the messages retrieved and
 * kept (as an IMAP client would see after reading them), and remove every message marked
 * deleted with store_mailbox_expunge (modseq, expunge log, counts). Messages another
 * session removed already are skipped. 0 on success, -1 on error: then nothing changed
 * (also when the lock was lost). */
int maildrop_update(PGconn *conn, const struct maildrop *md, const char *owner, long login_delay,
		    struct maildrop_update_result *out, const char **error_r);

#endif
