/* message_index.c - texts stored at delivery enter the trigram index afterwards
 * (migration 0011): body_text_pending moves to body_text, which message_meta_body_trgm
 * covers. The rows are found through the partial index of pending rows and locked with
 * SKIP LOCKED, so several mda replicas index side by side; a delivery of the same bytes
 * waits for a row an indexer holds at most one batch. */
#include "store/message.h"
#include "store/db.h"
#include "store/db_prepared.h"

#include <stdlib.h>

#define INDEX_BATCH_MAX 1000

/* The count of texts still waiting reads the statement's snapshot, taken before its
 * update: the rows it moved are taken off. It stops at STORE_INDEX_WAITING_MAX, so a
 * large backlog costs a bounded scan of the partial index. */
static const struct db_stmt index_pending_stmt = {
	"store_message_index_pending",
	"WITH c AS (SELECT sha256 FROM message_meta WHERE body_text_pending IS NOT NULL "
	"  LIMIT $1 FOR UPDATE SKIP LOCKED), "
	"u AS (UPDATE message_meta m SET body_text = m.body_text_pending, body_text_pending = NULL "
	"  FROM c WHERE m.sha256 = c.sha256 RETURNING 1) "
	"SELECT (SELECT count(*) FROM u), (SELECT count(*) FROM (SELECT 1 FROM message_meta "
	"  WHERE body_text_pending IS NOT NULL LIMIT $2) w)", 2 };

int store_message_index_pending(PGconn *conn, int max, int64_t *waiting_r,
				const char **error_r)
{
	char n[24], cap[24];
	const char *params[2];
	PGresult *res;
	int64_t done, before;

	if (max < 1 || max > INDEX_BATCH_MAX)
		return db_fail("22023", error_r, "index batch of 1 to %d texts", INDEX_BATCH_MAX);
	params[0] = db_int64_param(n, max);
	params[1] = db_int64_param(cap, STORE_INDEX_WAITING_MAX);
	if ((res = db_query_prepared(conn, &index_pending_stmt, params, error_r)) == NULL)
		return -1;
	done = db_get_int64(res, 0, 0);
	before = db_get_int64(res, 0, 1);
	PQclear(res);
	if (waiting_r != NULL)
		*waiting_r = before > done ? before - done : 0;
	return (int)done;
}
