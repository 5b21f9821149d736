/* imap_msg_vanished.c - expunged UIDs since a mod-sequence (RFC 7162 3.2.6) */
#include "store/imap_msg_vanished.h"
#include "store/db.h"
#include "store/imap_msg_fetch.h"

#include <stdlib.h>
#include <string.h>

int imap_msg_vanished(PGconn *conn, int64_t mailbox_id, uint64_t since, const uint32_t *lo,
		      const uint32_t *hi, size_t n, char **set_r, const char **error_r)
{
	char id[24], s[24];
	char *los, *his;
	PGresult *res;

	*set_r = NULL;
	if (n > IMAP_MSG_VANISHED_RANGES_MAX || since > INT64_MAX)
		return db_fail("54000", error_r, "too many UID ranges");
	los = imap_msg_uid_array(lo, n);
	his = imap_msg_uid_array(hi, n);
	const char *params[4] = { db_int64_param(id, mailbox_id), db_int64_param(s, (int64_t)since),
				  los, his };
	/* runs of consecutive UIDs become "a:b" (gaps-and-islands) */
	res = db_query(conn,
		"WITH u AS (SELECT DISTINCT e.uid FROM expunged e, "
		"unnest($3::bigint[], $4::bigint[]) AS r(lo, hi) WHERE e.mailbox_id = $1 "
		"AND e.modseq > $2::bigint AND e.uid BETWEEN r.lo AND r.hi), "
		"g AS (SELECT uid, uid - row_number() OVER (ORDER BY uid) AS grp FROM u) "
		"SELECT coalesce(string_agg(CASE WHEN lo = hi THEN lo::text "
		"ELSE lo || ':' || hi END, ',' ORDER BY lo), '') "
		"FROM (SELECT min(uid) AS lo, max(uid) AS hi FROM g GROUP BY grp) AS runs",
		4, params, error_r);
	free(los);
	free(his);
	if (res == NULL)
		return -1;
	if ((*set_r = strdup(db_get_str(res, 0, 0))) == NULL)
		abort();
	PQclear(res);
	return 0;
}
