/* imap_msg_copy.c - COPY and MOVE (RFC 3501 6.4.7, RFC 6851, COPYUID of RFC 4315 3) */
#include "store/imap_msg_copy.h"
#include "store/db.h"
#include "store/imap_msg_fetch.h"
#include "store/imap_msg_quota.h"

#include <stdlib.h>
#include <string.h>

void imap_msg_copy_result_clear(struct imap_msg_copy_result *r)
{
	free(r->src_uids);
	free(r->dst_uids);
	memset(r, 0, sizeof(*r));
}

/* copy_sources - the source rows to copy, in UID order, locked against a concurrent
 * expunge: uid, sha256, flags, keywords, internal date, size, trace */
static PGresult *copy_sources(PGconn *conn, int64_t src, const uint32_t *uids, size_t n,
			      const char **error_r)
{
	char id[24];
	char *array = imap_msg_uid_array(uids, n);
	const char *params[2] = { db_int64_param(id, src), array };
	PGresult *res;

	res = db_query(conn, "SELECT uid, encode(sha256, 'hex'), flags, "
			     "array_to_string(keywords, ' '), "
			     "extract(epoch FROM internal_date)::bigint, size, encode(trace, 'hex') "
			     "FROM mailbox_messages WHERE mailbox_id = $1 AND uid = ANY($2::bigint[]) "
			     "ORDER BY uid FOR UPDATE", 2, params, error_r);
	free(array);
	return res;
}

/* copy_hex - decode the hex trace column into out; -1 when malformed or too long */
static int copy_hex(const char *hex, unsigned char *out, size_t max, size_t *len_r)
{
	size_t n = strlen(hex), i;
	char pair[3] = { 0 };
	char *end;

	if (n % 2 != 0 || n / 2 > max)
		return -1;
	for (i = 0; i < n / 2; i++) {
		memcpy(pair, hex + 2 * i, 2);
		out[i] = (unsigned char)strtoul(pair, &end, 16);
		if (*end != '\0')
			return -1;
	}
	*len_r = n / 2;
	return 0;
}

/* copy_one_row - source row i appended to dst (store_mailbox_append: the target's next
 * UID and modseq, its counts and the account's used bytes), sharing the blob */
static int copy_one_row(PGconn *conn, int64_t dst, PGresult *rows, int i, uint32_t *uid_r,
			uint64_t *modseq_r, const char **error_r)
{
	unsigned char trace[STORE_MAILBOX_TRACE_MAX];
	char kw[STORE_MAILBOX_KEYWORDS_MAX * (STORE_MAILBOX_KEYWORD_MAX + 1) + 1], *save = NULL;
	const char *keywords[STORE_MAILBOX_KEYWORDS_MAX];
	struct store_append a = { .mailbox_id = dst, .sha256_hex = db_get_str(rows, i, 1),
				  .flags = (unsigned)db_get_int64(rows, i, 2),
				  .internal_date = db_get_int64(rows, i, 4),
				  .size = db_get_int64(rows, i, 5), .trace = trace };

	if (copy_hex(db_get_str(rows, i, 6), trace, sizeof(trace), &a.trace_len) < 0 ||
	    db_copy_str(rows, i, 3, kw, sizeof(kw)) < 0)
		return db_fail("XX000", error_r, "malformed message row");
	for (char *k = strtok_r(kw, " ", &save); k != NULL && a.nkeywords < STORE_MAILBOX_KEYWORDS_MAX;
	     k = strtok_r(NULL, " ", &save))
		keywords[a.nkeywords++] = k;
	a.keywords = keywords;
	if (a.internal_date == 0)
		a.internal_date = 1; /* 0 would mean "now" to store_mailbox_append */
	return store_mailbox_append(conn, &a, uid_r, modseq_r, error_r);
}

/* copy_rows - copy every source row found, filling out */
static int copy_rows(PGconn *conn, int64_t dst, PGresult *rows,
		     struct imap_msg_copy_result *out, const char **error_r)
{
	int i, n = PQntuples(rows);

	out->src_uids = calloc((size_t)n + 1, sizeof(uint32_t));
	out->dst_uids = calloc((size_t)n + 1, sizeof(uint32_t));
	if (out->src_uids == NULL || out->dst_uids == NULL)
		abort();
	for (i = 0; i < n; i++) {
		uint32_t uid = (uint32_t)db_get_int64(rows, i, 0);

		if (copy_one_row(conn, dst, rows, i, &out->dst_uids[i], &out->dst_modseq,
				 error_r) < 0)
			return -1;
		out->src_uids[i] = uid;
		out->count++;
	}
	return 0;
}

/* copy_total - bytes the rows add to the target account */
static int64_t copy_total(PGresult *rows)
{
	int64_t total = 0;

	for (int i = 0; i < PQntuples(rows); i++)
		total += db_get_int64(rows, i, 5);
	return total;
}

/* copy_uidvalidity - the target's UIDVALIDITY for COPYUID */
static int copy_uidvalidity(PGconn *conn, int64_t dst, uint32_t *uv_r, const char **error_r)
{
	struct store_mailbox m;
	int found = store_mailbox_get(conn, dst, &m, error_r);

	if (found <= 0)
		return found < 0 ? -1 : db_fail("23503", error_r, "no such mailbox");
	*uv_r = m.uidvalidity;
	return 0;
}

/* copy_same_account - src and dst belong to one account: 1 yes, 0 no, -1 error */
static int copy_same_account(PGconn *conn, int64_t src, int64_t dst, const char **error_r)
{
	char a[24], b[24];
	const char *params[2] = { db_int64_param(a, src), db_int64_param(b, dst) };
	PGresult *res = db_query(conn, "SELECT count(DISTINCT account_id) FROM mailboxes "
				       "WHERE id = $1 OR id = $2", 2, params, error_r);
	int one;

	if (res == NULL)
		return -1;
	one = db_get_int64(res, 0, 0) == 1;
	PQclear(res);
	return one;
}

int imap_msg_copy(PGconn *conn, int64_t src, int64_t dst, const uint32_t *uids, size_t n,
		  bool move, struct imap_msg_copy_result *out, const char **error_r)
{
	const int64_t ids[2] = { src, dst };
	PGresult *rows;
	int ret;

	memset(out, 0, sizeof(*out));
	if (n > IMAP_MSG_COPY_MAX)
		return db_fail("54000", error_r, "too many messages (at most %d)", IMAP_MSG_COPY_MAX);
	if (store_mailbox_lock(conn, ids, 2, error_r) < 0 ||
	    copy_uidvalidity(conn, dst, &out->uidvalidity, error_r) < 0)
		return -1;
	if ((rows = copy_sources(conn, src, uids, n, error_r)) == NULL)
		return -1;
	/* a MOVE within one account frees what it takes, so the quota root's usage does not
	 * grow (RFC 9208): it is not checked */
	ret = move ? copy_same_account(conn, src, dst, error_r) : 0;
	if (ret == 0)
		ret = imap_msg_quota_check(conn, dst, copy_total(rows), error_r);
	else if (ret == 1)
		ret = 0;
	if (ret == 0)
		ret = copy_rows(conn, dst, rows, out, error_r);
	PQclear(rows);
	if (ret == 0 && move && out->count > 0 &&
	    store_mailbox_expunge(conn, src, out->src_uids, out->count, NULL, NULL,
				  &out->src_modseq, error_r) < 0)
		ret = -1;
	if (ret < 0) {
		imap_msg_copy_result_clear(out);
		return -1;
	}
	return (int)out->count;
}
