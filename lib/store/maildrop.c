/* maildrop.c - POP3 maildrop snapshots, locks and the UPDATE-state expunge */
#include "store/maildrop.h"

#include <endian.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/db.h"
#include "store/message.h"

struct maildrop *maildrop_new(size_t count)
{
	struct maildrop *md = calloc(1, sizeof(*md));

	if (md == NULL)
		abort();
	md->count = count;
	md->msgs = calloc(count == 0 ? 1 : count, sizeof(*md->msgs));
	if (md->msgs == NULL)
		abort();
	return md;
}

void maildrop_free(struct maildrop **md)
{
	if (*md == NULL)
		return;
	free((*md)->msgs);
	free(*md);
	*md = NULL;
}

void maildrop_uidl(const struct maildrop *md, size_t i, char buf[MAILDROP_UIDL_MAX + 1])
{
	/* 16 hex digits: unique per (uidvalidity, uid), which the store never reuses */
	snprintf(buf, MAILDROP_UIDL_MAX + 1, "%08x%08x", (unsigned)md->uidvalidity,
		 (unsigned)md->msgs[i].uid);
}

/* maildrop_ttl_param - seconds as a text parameter */
static const char *maildrop_ttl_param(char buf[24], long ttl)
{
	return db_int64_param(buf, ttl < 1 ? 1 : ttl);
}

/* maildrop_lock_holder - why the lock was refused: 2 login delay, 0 a live session */
static int maildrop_lock_holder(PGconn *conn, const char *id, const char **error_r)
{
	static const char sql[] = "SELECT owner = $2 FROM maildrop_locks WHERE account_id = $1";
	const char *params[] = { id, MAILDROP_DELAY_OWNER };
	PGresult *res = db_query(conn, sql, 2, params, error_r);
	int ret;

	if (res == NULL)
		return -1;
	ret = PQntuples(res) == 1 && db_get_bool(res, 0, 0) ? 2 : 0;
	PQclear(res);
	return ret;
}

int maildrop_lock(PGconn *conn, int64_t account_id, const char *owner, long ttl,
		  const char **error_r)
{
	/* One row per account. A live row of another owner stays; an expired one (its
	 * replica died or stalled, or a login delay ran out) or our own is taken over.
	 * RFC 1939 8 leaves the lock's form to the server; RFC 2449 8.1.1 names the answer
	 * when it is held: [IN-USE]. */
	static const char sql[] =
		"INSERT INTO maildrop_locks (account_id, owner, expires) "
		"VALUES ($1, $2, clock_timestamp() + $3 * interval '1 second') "
		"ON CONFLICT (account_id) DO UPDATE SET owner = EXCLUDED.owner, "
		"expires = EXCLUDED.expires "
		"WHERE maildrop_locks.expires < clock_timestamp() "
		"OR maildrop_locks.owner = EXCLUDED.owner";
	char id[24], secs[24];
	const char *params[] = { db_int64_param(id, account_id), owner,
				 maildrop_ttl_param(secs, ttl) };
	int64_t n = db_exec(conn, sql, 3, params, error_r);

	if (n != 0)
		return n < 0 ? -1 : 1;
	return maildrop_lock_holder(conn, id, error_r);
}

int maildrop_lock_refresh(PGconn *conn, int64_t account_id, const char *owner, long ttl,
			  const char **error_r)
{
	static const char sql[] =
		"UPDATE maildrop_locks SET expires = clock_timestamp() + $3 * interval '1 second' "
		"WHERE account_id = $1 AND owner = $2";
	char id[24], secs[24];
	const char *params[] = { db_int64_param(id, account_id), owner,
				 maildrop_ttl_param(secs, ttl) };
	int64_t n = db_exec(conn, sql, 3, params, error_r);

	return n < 0 ? -1 : n > 0;
}

int maildrop_unlock(PGconn *conn, int64_t account_id, const char *owner, long login_delay,
		    const char **error_r)
{
	static const char release[] =
		"DELETE FROM maildrop_locks WHERE account_id = $1 AND owner = $2";
	static const char keep_delay[] =
		"UPDATE maildrop_locks SET owner = $3, "
		"expires = clock_timestamp() + $4 * interval '1 second' "
		"WHERE account_id = $1 AND owner = $2";
	char id[24], secs[24];
	const char *params[] = { db_int64_param(id, account_id), owner, MAILDROP_DELAY_OWNER,
				 db_int64_param(secs, login_delay) };
	int64_t n = login_delay > 0 ? db_exec(conn, keep_delay, 4, params, error_r) :
		db_exec(conn, release, 2, params, error_r);

	return n < 0 ? -1 : n > 0;
}

/* maildrop_fill - the snapshot rows (uid, size) into a new maildrop */
static struct maildrop *maildrop_fill(const struct store_mailbox *mb, PGresult *res)
{
	struct maildrop *md = maildrop_new((size_t)PQntuples(res));

	md->account_id = mb->account_id;
	md->mailbox_id = mb->id;
	md->uidvalidity = mb->uidvalidity;
	for (size_t i = 0; i < md->count; i++) {
		int64_t size = db_get_int64(res, (int)i, 1);
		md->msgs[i].uid = (uint32_t)db_get_int64(res, (int)i, 0);
		md->msgs[i].size = size < 0 ? 0 : (uint64_t)size;
		md->total_size += md->msgs[i].size;
	}
	return md;
}

struct maildrop *maildrop_open(PGconn *conn, int64_t account_id, size_t max_messages,
			       const char **error_r)
{
	static const char sql[] =
		"SELECT uid, size FROM mailbox_messages WHERE mailbox_id = $1 "
		"ORDER BY uid LIMIT $2";
	struct store_mailbox mb;
	struct maildrop *md;
	char id[24], limit[24];
	const char *params[2];
	PGresult *res;
	int found = store_mailbox_find(conn, account_id, "INBOX", &mb, error_r);

	if (found <= 0) {
		if (found == 0)
			db_fail("P0002", error_r, "account %lld has no INBOX", (long long)account_id);
		return NULL;
	}
	params[0] = db_int64_param(id, mb.id);
	params[1] = db_int64_param(limit, (int64_t)max_messages);
	/* uids never change and uidvalidity is fixed, so the mailbox row and this list
	 * need no common snapshot: a message appended in between is simply not in it */
	res = db_query(conn, sql, 2, params, error_r);
	if (res == NULL)
		return NULL;
	md = maildrop_fill(&mb, res);
	PQclear(res);
	return md;
}

/* maildrop_copy_bytea - a binary-format bytea column into buf; -1 if it does not fit */
static int maildrop_copy_bytea(const PGresult *res, int col, uint8_t *buf, size_t size,
			       size_t *len_r)
{
	int len = PQgetlength(res, 0, col);

	if (len < 0 || (size_t)len > size)
		return -1;
	memcpy(buf, PQgetvalue(res, 0, col), (size_t)len);
	*len_r = (size_t)len;
	return 0;
}

/* maildrop_exec_bin - run sql with text parameters and binary results; NULL on error */
static PGresult *maildrop_exec_bin(PGconn *conn, const char *sql, int n, const char *const *params,
				   const int *lengths, const int *formats, const char **error_r)
{
	PGresult *res = PQexecParams(conn, sql, n, NULL, params, lengths, formats, 1);

	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
		db_fail(state != NULL ? state : "08006", error_r, "%s", PQerrorMessage(conn));
		PQclear(res);
		return NULL;
	}
	return res;
}

/* maildrop_reader_fill - the found row into r, and trace + blob head into buf */
static int maildrop_reader_fill(const PGresult *res, struct maildrop_reader *r, uint8_t *buf,
				size_t max, size_t *len_r)
{
	size_t hash_len, head_len;

	if (maildrop_copy_bytea(res, 0, r->sha256, sizeof(r->sha256), &hash_len) < 0 ||
	    hash_len != sizeof(r->sha256) ||
	    maildrop_copy_bytea(res, 1, r->trace, sizeof(r->trace), &r->trace_len) < 0 ||
	    r->trace_len > max || PQgetlength(res, 0, 2) != 8 ||
	    maildrop_copy_bytea(res, 3, buf + r->trace_len, max - r->trace_len, &head_len) < 0)
		return -1;
	r->blob_size = be64toh(*(const uint64_t *)(const void *)PQgetvalue(res, 0, 2));
	memcpy(buf, r->trace, r->trace_len);
	*len_r = r->trace_len + head_len;
	return 0;
}

int maildrop_reader_open(PGconn *conn, int64_t mailbox_id, uint32_t uid,
			 struct maildrop_reader *r, uint8_t *buf, size_t max, size_t *len_r,
			 const char **error_r)
{
	/* one round trip finds the message and brings its first chunk: most messages
	 * fit in it whole */
	static const char sql[] =
		"SELECT mm.sha256, mm.trace, m.size, "
		"substring(m.raw FROM 1 FOR greatest($3::int - octet_length(mm.trace), 0)) "
		"FROM mailbox_messages mm JOIN messages m ON m.sha256 = mm.sha256 "
		"WHERE mm.mailbox_id = $1::bigint AND mm.uid = $2::bigint";
	char mbox[24], uid_text[24], count[24];
	const char *params[3];
	PGresult *res;
	int ret = 1;

	if (max > STORE_MESSAGE_CHUNK)
		max = STORE_MESSAGE_CHUNK;
	params[0] = db_int64_param(mbox, mailbox_id);
	params[1] = db_int64_param(uid_text, uid);
	params[2] = db_int64_param(count, (int64_t)max);
	res = maildrop_exec_bin(conn, sql, 3, params, NULL, NULL, error_r);
	if (res == NULL)
		return -1;
	if (PQntuples(res) != 1) {
		PQclear(res);
		return 0;
	}
	if (maildrop_reader_fill(res, r, buf, max, len_r) < 0)
		ret = db_fail("XX001", error_r, "malformed message row for uid %u", uid);
	PQclear(res);
	return ret;
}

uint64_t maildrop_reader_size(const struct maildrop_reader *r)
{
	return r->trace_len + r->blob_size;
}

/* maildrop_read_blob - bytes [offset, offset+max) of the blob by hash */
static ssize_t maildrop_read_blob(PGconn *conn, const struct maildrop_reader *r, uint64_t offset,
				  uint8_t *buf, size_t max, const char **error_r)
{
	static const char sql[] =
		"SELECT substring(raw FROM $2::int FOR $3::int) FROM messages WHERE sha256 = $1";
	char from[24], count[24];
	const char *params[] = { (const char *)r->sha256, db_int64_param(from, (int64_t)offset + 1),
				 db_int64_param(count, (int64_t)max) };
	const int lengths[] = { (int)sizeof(r->sha256), 0, 0 };
	const int formats[] = { 1, 0, 0 };
	PGresult *res = maildrop_exec_bin(conn, sql, 3, params, lengths, formats, error_r);
	size_t len;

	if (res == NULL)
		return -1;
	if (PQntuples(res) != 1 || maildrop_copy_bytea(res, 0, buf, max, &len) < 0) {
		PQclear(res);
		return db_fail("P0002", error_r, "message blob vanished or grew");
	}
	PQclear(res);
	return (ssize_t)len;
}

ssize_t maildrop_reader_read(PGconn *conn, const struct maildrop_reader *r, uint64_t offset,
			     uint8_t *buf, size_t max, const char **error_r)
{
	size_t n = 0;
	ssize_t got;

	if (max > STORE_MESSAGE_CHUNK)
		max = STORE_MESSAGE_CHUNK;
	if (offset < r->trace_len) {
		n = r->trace_len - offset < max ? r->trace_len - (size_t)offset : max;
		memcpy(buf, r->trace + offset, n);
		offset += n;
	}
	if (n == max || offset >= maildrop_reader_size(r))
		return (ssize_t)n;
	got = maildrop_read_blob(conn, r, offset - r->trace_len, buf + n, max - n, error_r);
	return got < 0 ? -1 : (ssize_t)(n + (size_t)got);
}

struct maildrop_update_tx {
	const struct maildrop *md;
	const char *owner;
	long login_delay;
	uint32_t *deleted, *seen;
	size_t n_deleted, n_seen;
	struct maildrop_update_result result;
};

/* maildrop_update_body - the UPDATE transaction (db_tx may run it more than once) */
static int maildrop_update_body(PGconn *conn, void *arg, const char **error_r)
{
	struct maildrop_update_tx *tx = arg;
	struct maildrop_update_result *r = &tx->result;
	int held = maildrop_unlock(conn, tx->md->account_id, tx->owner, tx->login_delay, error_r);
	uint64_t modseq = 0;

	if (held <= 0)
		return held < 0 ? -1 : db_fail("55P03", error_r, "maildrop lock lost");
	memset(r, 0, sizeof(*r));
	if (tx->n_seen > 0) {
		r->seen = store_mailbox_store_flags(conn, tx->md->mailbox_id, tx->seen, tx->n_seen,
						    STORE_FLAGS_ADD, STORE_FLAG_SEEN, NULL, 0, 0,
						    &r->modseq, error_r);
		if (r->seen < 0)
			return -1;
	}
	if (tx->n_deleted > 0) {
		r->removed = store_mailbox_expunge(conn, tx->md->mailbox_id, tx->deleted,
						   tx->n_deleted, NULL, NULL, &modseq, error_r);
		if (r->removed < 0)
			return -1;
		if (modseq > r->modseq)
			r->modseq = modseq;
	}
	return 0;
}

int maildrop_update(PGconn *conn, const struct maildrop *md, const char *owner, long login_delay,
		    struct maildrop_update_result *out, const char **error_r)
{
	struct maildrop_update_tx tx = { .md = md, .owner = owner, .login_delay = login_delay };
	size_t room = md->count == 0 ? 1 : md->count;
	int ret;

	tx.deleted = malloc(room * sizeof(*tx.deleted));
	tx.seen = malloc(room * sizeof(*tx.seen));
	if (tx.deleted == NULL || tx.seen == NULL)
		abort();
	for (size_t i = 0; i < md->count; i++) {
		if (md->msgs[i].deleted)
			tx.deleted[tx.n_deleted++] = md->msgs[i].uid;
		else if (md->msgs[i].retrieved)
			tx.seen[tx.n_seen++] = md->msgs[i].uid;
	}
	ret = db_tx(conn, maildrop_update_body, &tx, error_r);
	free(tx.deleted);
	free(tx.seen);
	if (ret < 0)
		return -1;
	*out = tx.result;
	return 0;
}
