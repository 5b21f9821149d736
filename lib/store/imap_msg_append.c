/* imap_msg_append.c - APPEND: lib/mime metadata, blob, quota, new UID in one transaction */
#include "store/imap_msg_append.h"
#include "store/db.h"
#include "store/imap_msg_quota.h"
#include "store/message.h"
#include "mime/mime.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

struct append_tx {
	const struct imap_msg_append *msgs;
	size_t n;
	struct store_message_meta *meta;    /* one per message */
	uint32_t uidvalidity;
	uint32_t *uids;
	uint64_t modseq;
};

/* append_store_one - blob, metadata and mailbox row of message i */
static int append_store_one(PGconn *conn, struct append_tx *t, size_t i, const char **error_r)
{
	const struct imap_msg_append *a = &t->msgs[i];
	char sha[STORE_SHA256_HEX_SIZE];
	struct store_append sa = { .mailbox_id = a->mailbox_id, .sha256_hex = sha,
				   .size = (int64_t)a->len, .flags = a->flags,
				   .keywords = a->keywords, .nkeywords = a->nkeywords,
				   .internal_date = a->internal_date };

	if (store_message_insert(conn, a->data, a->len, sha, NULL, error_r) < 0 ||
	    store_message_meta_insert(conn, sha, &t->meta[i], error_r) < 0)
		return -1;
	return store_mailbox_append(conn, &sa, &t->uids[i], &t->modseq, error_r);
}

/* append_body - the transaction: lock the mailbox, check the quota for all, store each */
static int append_body(PGconn *conn, void *arg, const char **error_r)
{
	struct append_tx *t = arg;
	int64_t mailbox_id = t->msgs[0].mailbox_id, total = 0;
	struct store_mailbox m;
	int found;

	if (store_mailbox_lock(conn, &mailbox_id, 1, error_r) < 0)
		return -1;
	if ((found = store_mailbox_get(conn, mailbox_id, &m, error_r)) <= 0)
		return found < 0 ? -1 : db_fail("23503", error_r, "no such mailbox");
	t->uidvalidity = m.uidvalidity;
	for (size_t i = 0; i < t->n; i++)
		total += (int64_t)t->msgs[i].len;
	if (imap_msg_quota_check(conn, mailbox_id, total, error_r) < 0)
		return -1;
	for (size_t i = 0; i < t->n; i++)
		if (append_store_one(conn, t, i, error_r) < 0)
			return -1;
	return 0;
}

/* append_parse_all - lib/mime metadata of every message, before the transaction */
static int append_parse_all(const struct imap_msg_append *msgs, size_t n, struct mime_meta *mime,
			    struct store_message_meta *meta, char (*dates)[32], const char **error_r)
{
	for (size_t i = 0; i < n; i++) {
		if (msgs[i].len > STORE_MESSAGE_MAX || msgs[i].mailbox_id != msgs[0].mailbox_id)
			return db_fail("54000", error_r, "message larger than %u bytes",
				       STORE_MESSAGE_MAX);
		if (mime_parse(msgs[i].data, msgs[i].len, &mime[i], error_r) < 0)
			return db_fail("54000", error_r, "message too large to parse");
		store_message_meta_from_mime(&mime[i], &meta[i], dates[i]);
	}
	return 0;
}

int imap_msg_append_many(PGconn *conn, const struct imap_msg_append *msgs, size_t n,
			 uint32_t *uidvalidity_r, uint32_t *uids_r, uint64_t *modseq_r,
			 const char **error_r)
{
	struct mime_meta *mime = calloc(n + 1, sizeof(*mime));
	struct store_message_meta *meta = calloc(n + 1, sizeof(*meta));
	char (*dates)[32] = calloc(n + 1, 32);
	struct append_tx t = { .msgs = msgs, .n = n, .meta = meta, .uids = uids_r };
	int ret = -1;

	if (mime == NULL || meta == NULL || dates == NULL)
		abort();
	if (n == 0 || n > IMAP_MSG_APPEND_MAX)
		db_fail("54000", error_r, "between 1 and %d messages in one APPEND", IMAP_MSG_APPEND_MAX);
	else if (append_parse_all(msgs, n, mime, meta, dates, error_r) == 0)
		ret = db_tx(conn, append_body, &t, error_r);
	for (size_t i = 0; i < n; i++)
		mime_meta_clear(&mime[i]);
	free(mime);
	free(meta);
	free(dates);
	if (ret < 0)
		return -1;
	*uidvalidity_r = t.uidvalidity;
	*modseq_r = t.modseq;
	return 0;
}

int imap_msg_append_one(PGconn *conn, const struct imap_msg_append *a, uint32_t *uidvalidity_r,
			uint32_t *uid_r, uint64_t *modseq_r, const char **error_r)
{
	return imap_msg_append_many(conn, a, 1, uidvalidity_r, uid_r, modseq_r, error_r);
}
