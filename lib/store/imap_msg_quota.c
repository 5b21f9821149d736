/* imap_msg_quota.c - the account quota check of APPEND, COPY and MOVE */
#include "store/imap_msg_quota.h"
#include "store/db.h"

int imap_msg_quota_check(PGconn *conn, int64_t mailbox_id, int64_t bytes, const char **error_r)
{
	char id[24], b[24];
	const char *params[2] = { db_int64_param(id, mailbox_id), db_int64_param(b, bytes) };
	PGresult *res;
	bool over;

	/* the account row is locked too: concurrent appends to different mailboxes of one
	 * account are checked one after the other */
	res = db_query(conn, "SELECT a.quota_bytes > 0 AND a.used_bytes + $2::bigint > a.quota_bytes "
			     "FROM accounts a JOIN mailboxes m ON m.account_id = a.id WHERE m.id = $1 "
			     "FOR UPDATE OF a", 2, params, error_r);
	if (res == NULL)
		return -1;
	if (PQntuples(res) != 1) {
		PQclear(res);
		return db_fail("23503", error_r, "no such mailbox");
	}
	over = db_get_bool(res, 0, 0);
	PQclear(res);
	return over ? db_fail(IMAP_MSG_QUOTA_SQLSTATE, error_r, "quota exceeded") : 0;
}
