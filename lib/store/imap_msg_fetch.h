/* imap_msg_fetch - what IMAP FETCH reads from the store (RFC 3501 6.4.5, RFC 7162 3.1.4).
 *
 * Per message: the mailbox row (uid, modseq, flags, keywords, internal date, RFC822.SIZE,
 * trace) and, when asked, the metadata computed at delivery (ENVELOPE, BODYSTRUCTURE, BODY,
 * part offsets). Message bytes are never loaded here: imap_msg_fetch_read streams a range
 * of the client's view (trace lines, then the shared blob) in pieces of at most
 * STORE_MESSAGE_CHUNK. Runs on a store pool thread; every function is one or a few
 * statements, outside or inside the caller's transaction. */
#ifndef MERPATI_STORE_IMAP_MSG_FETCH_H
#define MERPATI_STORE_IMAP_MSG_FETCH_H

#include <libpq-fe.h>
#include <stddef.h>
#include <stdint.h>

#include "store/imap_msg_section.h"
#include "store/mailbox.h"
#include "store/message.h"

#define IMAP_MSG_FETCH_BATCH 1000 /* UIDs per query; callers split larger sets */

/* What a fetch needs besides the mailbox row. */
#define IMAP_MSG_WANT_ENVELOPE      0x1
#define IMAP_MSG_WANT_BODYSTRUCTURE 0x2
#define IMAP_MSG_WANT_BODY          0x4
#define IMAP_MSG_WANT_SECTIONS      0x8

/* One message as FETCH sees it; strings are valid during the callback only. */
struct imap_msg_row {
	uint32_t uid;
	uint64_t modseq;
	unsigned flags;                   /* STORE_FLAG_* */
	const char *keywords[STORE_MAILBOX_KEYWORDS_MAX];
	size_t nkeywords;
	int64_t internal_date;            /* Unix seconds */
	int64_t size;                     /* RFC822.SIZE: trace + blob */
	char sha256[STORE_SHA256_HEX_SIZE];
	unsigned char trace[STORE_MAILBOX_TRACE_MAX];
	size_t trace_len;
	const char *envelope;             /* NULL unless asked for and present */
	const char *bodystructure;
	const char *body;
	const char *sections;             /* NULL for messages delivered before 0005 */
};

/* imap_msg_fetch_fn - one row; non-zero stops */
typedef int imap_msg_fetch_fn(const struct imap_msg_row *row, void *arg);

/* imap_msg_uid_array - "{1,2,3}" for a bigint[] query parameter (malloc'd) */
char *imap_msg_uid_array(const uint32_t *uids, size_t n);

/* imap_msg_fetch_rows - the messages of mailbox_id with these UIDs (at most
 * IMAP_MSG_FETCH_BATCH) whose modseq is above changedsince (0: all; RFC 7162 3.1.4.1), in
 * ascending UID order, with the metadata in want (IMAP_MSG_WANT_*). UIDs no longer there
 * are skipped. Returns the rows handed over, or -1. */
int imap_msg_fetch_rows(PGconn *conn, int64_t mailbox_id, const uint32_t *uids, size_t n,
			uint64_t changedsince, unsigned want, imap_msg_fetch_fn *fn, void *arg,
			const char **error_r);

/* imap_msg_fetch_sections - the part offsets of a blob into *sections_r (malloc'd): the
 * stored ones, or, for a message stored without them, computed now with lib/mime and
 * stored for next time. 0 or -1. */
int imap_msg_fetch_sections(PGconn *conn, const char *sha256_hex, char **sections_r,
			    const char **error_r);

/* imap_msg_fetch_read - hand the bytes [r.start, r.end) of the client's view of a message
 * (trace, then blob) to fn in pieces of at most STORE_MESSAGE_CHUNK. Returns the bytes
 * handed over, or -1 (also when the blob is shorter than the range). */
int64_t imap_msg_fetch_read(PGconn *conn, const struct imap_msg_row *row,
			    struct imap_msg_range r, store_message_chunk_fn *fn, void *arg,
			    const char **error_r);

#endif
