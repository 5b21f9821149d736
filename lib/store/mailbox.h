/* mailbox - IMAP mailboxes and the messages in them (DESIGN.md rule 6).
 *
 * Each mailbox carries uidvalidity, uidnext and highestmodseq (RFC 3501 2.3.1.1,
 * RFC 7162 3.1) and its message/unseen counts and total size. Appends, flag changes and
 * expunges run inside the caller's transaction (db_tx) and lock the mailbox row FOR UPDATE
 * first, so UIDs are allocated strictly ascending and never reused, every change gets the
 * next modseq, and the counts change in the same transaction as the rows. A transaction
 * that touches several mailboxes locks them all first with store_mailbox_lock, which takes
 * the locks in id order so two such transactions cannot deadlock. */
#ifndef MERPATI_STORE_MAILBOX_H
#define MERPATI_STORE_MAILBOX_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/message.h"

#define STORE_MAILBOX_NAME_MAX 1024  /* bytes of a mailbox name (UTF-8, '/' separated) */
#define STORE_MAILBOX_KEYWORDS_MAX 64  /* keywords on one message */
#define STORE_MAILBOX_KEYWORD_MAX 128  /* bytes of one keyword */
#define STORE_MAILBOX_TRACE_MAX 4096   /* bytes of per-recipient trace header lines */

/* System flags as stored (RFC 3501 2.3.2); \Recent is per session and not stored. */
#define STORE_FLAG_SEEN     0x01
#define STORE_FLAG_ANSWERED 0x02
#define STORE_FLAG_FLAGGED  0x04
#define STORE_FLAG_DELETED  0x08
#define STORE_FLAG_DRAFT    0x10
#define STORE_FLAGS_ALL     0x1f

struct store_mailbox {
	int64_t id;
	int64_t account_id;
	char name[STORE_MAILBOX_NAME_MAX + 1];
	char special_use[16];  /* "\Sent", ... (RFC 6154), "" for none */
	bool subscribed;
	uint32_t uidvalidity;
	uint32_t uidnext;
	uint64_t highestmodseq;
	uint32_t messages;
	uint32_t unseen;
	int64_t total_size;
};

/* store_mailbox_create_defaults - INBOX, Sent, Drafts, Trash, Junk and Archive with their
 * special-use attributes (RFC 6154), all subscribed; existing ones are left alone */
int store_mailbox_create_defaults(PGconn *conn, int64_t account_id, const char **error_r);
/* store_mailbox_create - a new mailbox; special_use NULL for none. -1 if it exists.
 * "INBOX" in any case is stored as INBOX (RFC 3501 5.1). */
int store_mailbox_create(PGconn *conn, int64_t account_id, const char *name,
			 const char *special_use, int64_t *id_r, const char **error_r);
/* store_mailbox_find - by account and name; 1 found, 0 not found, -1 error */
int store_mailbox_find(PGconn *conn, int64_t account_id, const char *name,
		       struct store_mailbox *out, const char **error_r);
/* store_mailbox_get - by id; 1 found, 0 not found, -1 error */
int store_mailbox_get(PGconn *conn, int64_t mailbox_id, struct store_mailbox *out,
		      const char **error_r);
/* store_mailbox_find_special - the account's mailbox with a special-use ("\Sent"...);
 * 1 found, 0 none, -1 error */
int store_mailbox_find_special(PGconn *conn, int64_t account_id, const char *special_use,
			       struct store_mailbox *out, const char **error_r);
/* store_mailbox_list_fn - called once per mailbox in name order; non-zero stops */
typedef int store_mailbox_list_fn(const struct store_mailbox *m, void *arg);
/* store_mailbox_list - every mailbox of an account in name order; returns the count or -1 */
int store_mailbox_list(PGconn *conn, int64_t account_id, store_mailbox_list_fn *fn, void *arg,
		       const char **error_r);
/* store_mailbox_subscribe - set the subscribed mark (RFC 3501 6.3.6/6.3.7);
 * 1 changed, 0 no such mailbox, -1 error */
int store_mailbox_subscribe(PGconn *conn, int64_t account_id, const char *name, bool on,
			    const char **error_r);
/* store_mailbox_rename - rename a mailbox and every mailbox below it ("a/b" moves with "a",
 * RFC 3501 6.3.5); each keeps its UIDVALIDITY and messages. INBOX cannot be renamed here.
 * 1 renamed, 0 no such mailbox, -1 error (also when a new name is taken) */
int store_mailbox_rename(PGconn *conn, int64_t account_id, const char *from, const char *to,
			 const char **error_r);
/* store_mailbox_delete - delete one mailbox and its messages (RFC 3501 6.3.4) and give its
 * size back to the account's quota; names below it are left alone. INBOX cannot be deleted.
 * 1 deleted, 0 no such mailbox, -1 error */
int store_mailbox_delete(PGconn *conn, int64_t account_id, const char *name,
			 const char **error_r);
/* store_mailbox_count_deleted - how many of the mailbox's messages carry \Deleted
 * (STATUS DELETED, RFC 9051 6.3.11); -1 on error */
int64_t store_mailbox_count_deleted(PGconn *conn, int64_t mailbox_id, const char **error_r);
/* store_mailbox_lock - lock these mailbox rows FOR UPDATE in ascending id order (inside a
 * transaction); duplicates are fine. -1 if one does not exist. */
int store_mailbox_lock(PGconn *conn, const int64_t *ids, size_t n, const char **error_r);

struct store_append {
	int64_t mailbox_id;
	const char *sha256_hex;     /* an existing blob (store_message_insert) */
	int64_t size;               /* RFC822.SIZE: blob size plus trace_len */
	int64_t internal_date;      /* Unix seconds; 0: now */
	unsigned flags;             /* STORE_FLAG_* */
	const char *const *keywords;
	size_t nkeywords;
	const void *trace;          /* Return-Path/Delivered-To lines shown before the blob */
	size_t trace_len;
};

/* store_mailbox_append - add a message inside the caller's transaction: lock the mailbox,
 * take uid = uidnext and modseq = highestmodseq + 1, advance both, update the counts and
 * the account's used bytes. Returns 0 with the uid and modseq, -1 on error (also when the
 * mailbox's UIDs are exhausted). */
int store_mailbox_append(PGconn *conn, const struct store_append *a, uint32_t *uid_r,
			 uint64_t *modseq_r, const char **error_r);

enum store_flags_op { STORE_FLAGS_SET, STORE_FLAGS_ADD, STORE_FLAGS_REMOVE };

/* store_mailbox_store_flags - change flags and keywords of the messages with these UIDs
 * (RFC 3501 6.4.6) inside the caller's transaction. Messages whose modseq is above
 * unchangedsince (when non-zero, RFC 7162 3.1.3) are left alone. Each changed message gets
 * the new modseq, returned in *modseq_r (0 when nothing changed). Returns the number of
 * messages changed, or -1. */
int store_mailbox_store_flags(PGconn *conn, int64_t mailbox_id, const uint32_t *uids, size_t n,
			      enum store_flags_op op, unsigned flags,
			      const char *const *keywords, size_t nkeywords,
			      uint64_t unchangedsince, uint64_t *modseq_r, const char **error_r);

/* store_mailbox_expunge - remove the messages with these UIDs (n == 0 with uids NULL: every
 * message flagged \Deleted, RFC 3501 6.4.3) inside the caller's transaction, recording them
 * in the expunge log with a new modseq for QRESYNC (RFC 7162 3.2.10). Calls fn (may be NULL)
 * with each expunged UID in ascending order. Returns the number removed, or -1. */
typedef void store_mailbox_expunged_fn(uint32_t uid, void *arg);
int store_mailbox_expunge(PGconn *conn, int64_t mailbox_id, const uint32_t *uids, size_t n,
			  store_mailbox_expunged_fn *fn, void *arg, uint64_t *modseq_r,
			  const char **error_r);

#endif
