/* imap_recent.c - claiming and counting \Recent messages (RFC 3501 2.3.2.1). */
#include "store/db.h"
#include "store/db_prepared.h"
#include "store/imap_recent.h"

/* Run by a read-write SELECT and by a sync that sees new mail: prepared once per
 * connection. The subquery locks the row and reads the value before the update, which
 * RETURNING alone cannot give. */
static const struct db_stmt recent_claim_stmt = { "imap_recent_claim",
	"UPDATE mailboxes m SET recent_uid = greatest(o.recent_uid, $2::bigint) "
	"FROM (SELECT id, recent_uid FROM mailboxes WHERE id = $1 FOR UPDATE) o "
	"WHERE m.id = o.id RETURNING o.recent_uid", 2 };

/* store_imap_recent_claim - see imap_recent.h */
int store_imap_recent_claim(PGconn *conn, int64_t mailbox_id, uint32_t upto,
			    uint32_t *from_r, const char **error_r)
{
	char id[24], u[24];
	const char *params[2] = { db_int64_param(id, mailbox_id), db_int64_param(u, upto) };
	PGresult *res;
	int found;

	res = db_query_prepared(conn, &recent_claim_stmt, params, error_r);
	if (res == NULL)
		return -1;
	found = PQntuples(res) == 1;
	*from_r = found ? (uint32_t)db_get_int64(res, 0, 0) : upto;
	PQclear(res);
	return found;
}

/* store_imap_recent_count - see imap_recent.h */
int64_t store_imap_recent_count(PGconn *conn, int64_t mailbox_id, const char **error_r)
{
	char id[24];
	const char *params[1] = { db_int64_param(id, mailbox_id) };
	PGresult *res;
	int64_t n;

	res = db_query(conn, "SELECT count(*) FROM mailbox_messages mm JOIN mailboxes m "
			     "ON m.id = mm.mailbox_id WHERE m.id = $1 AND mm.uid > m.recent_uid",
		       1, params, error_r);
	if (res == NULL)
		return -1;
	n = db_get_int64(res, 0, 0);
	PQclear(res);
	return n;
}
