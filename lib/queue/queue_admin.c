/* queue_admin.c - what `merpati queue list|show|retry|delete` needs */
#include "queue/queue.h"
#include "store/db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Both queues as the same columns, oldest first: id, sender, first recipient, recipient
 * count, size, attempts, created, next attempt, leased, held, last error. */
static const char *const admin_select[] = {
	[QUEUE_IN] = "SELECT q.id, q.sender, (SELECT r.address FROM queue_in_rcpt r WHERE "
		     "r.job_id = q.id ORDER BY r.position LIMIT 1), (SELECT count(*) FROM "
		     "queue_in_rcpt r WHERE r.job_id = q.id), q.size, q.attempts, "
		     "extract(epoch FROM q.created)::bigint, extract(epoch FROM q.next_attempt)::bigint, "
		     "coalesce(q.lease_expires > now(), false), false, q.last_error FROM queue_in q",
	[QUEUE_OUT] = "SELECT q.id, q.sender, q.recipient, 1, q.size, q.attempts, "
		      "extract(epoch FROM q.created)::bigint, extract(epoch FROM q.next_attempt)::bigint, "
		      "coalesce(q.lease_expires > now(), false), q.held, q.last_reply FROM queue_out q",
};

/* admin_entry_from_row - fill an entry from a row of admin_select */
static void admin_entry_from_row(const PGresult *res, int row, enum queue_kind kind,
				 struct queue_entry *e)
{
	memset(e, 0, sizeof(*e));
	e->kind = kind;
	e->id = db_get_int64(res, row, 0);
	(void)db_copy_str(res, row, 1, e->sender, sizeof(e->sender));
	(void)db_copy_str(res, row, 2, e->recipient, sizeof(e->recipient));
	e->nrcpts = (size_t)db_get_int64(res, row, 3);
	e->size = db_get_int64(res, row, 4);
	e->attempts = (int)db_get_int64(res, row, 5);
	e->created = db_get_int64(res, row, 6);
	e->next_attempt = db_get_int64(res, row, 7);
	e->leased = db_get_bool(res, row, 8);
	e->held = db_get_bool(res, row, 9);
	(void)db_copy_str(res, row, 10, e->last_error, sizeof(e->last_error));
}

/* admin_kind_ok - a known queue */
static int admin_kind_ok(enum queue_kind kind, const char **error_r)
{
	if (kind != QUEUE_IN && kind != QUEUE_OUT)
		return db_fail("22023", error_r, "unknown queue");
	return 0;
}

int queue_list(PGconn *conn, enum queue_kind kind, queue_list_fn *fn, void *arg,
	       const char **error_r)
{
	return queue_list_page(conn, kind, -1, 0, fn, arg, error_r);
}

int queue_list_page(PGconn *conn, enum queue_kind kind, int64_t limit, int64_t offset,
		    queue_list_fn *fn, void *arg, const char **error_r)
{
	char sql[1024], page[2][24];
	const char *params[2];
	struct queue_entry e;
	PGresult *res;
	int i, n;

	db_page_params(page, limit, offset, params);
	if (admin_kind_ok(kind, error_r) < 0)
		return -1;
	snprintf(sql, sizeof(sql), "%s ORDER BY q.created, q.id LIMIT $1::bigint OFFSET $2::bigint",
		 admin_select[kind]);
	if ((res = db_query(conn, sql, 2, params, error_r)) == NULL)
		return -1;
	n = PQntuples(res);
	for (i = 0; i < n; i++) {
		admin_entry_from_row(res, i, kind, &e);
		if (fn(&e, arg) != 0)
			break;
	}
	PQclear(res);
	return n;
}

int queue_in_rcpt_list(PGconn *conn, const int64_t *ids, size_t n, int per_job,
		       queue_in_rcpt_fn *fn, void *arg, const char **error_r)
{
	char max[24], *list = malloc(n * 21 + 3);
	const char *params[2] = { list, db_int64_param(max, per_job) };
	size_t len = 0;
	PGresult *res;
	int i, rows;

	if (list == NULL)
		abort();
	/* one array parameter, "{1,2,3}", so the page's jobs take one query */
	list[len++] = '{';
	for (size_t k = 0; k < n; k++)
		len += (size_t)sprintf(list + len, "%s%lld", k > 0 ? "," : "", (long long)ids[k]);
	list[len++] = '}';
	list[len] = '\0';
	res = db_query(conn, "SELECT job_id, address FROM queue_in_rcpt WHERE job_id = ANY($1::bigint[])"
		       " AND position < $2 ORDER BY job_id, position", 2, params, error_r);
	free(list);
	if (res == NULL)
		return -1;
	rows = PQntuples(res);
	for (i = 0; i < rows; i++)
		if (fn(db_get_int64(res, i, 0), db_get_str(res, i, 1), arg) != 0)
			break;
	PQclear(res);
	return rows;
}

int queue_show(PGconn *conn, enum queue_kind kind, int64_t id, struct queue_entry *out,
	       const char **error_r)
{
	char sql[1024], buf[24];
	const char *params[1] = { db_int64_param(buf, id) };
	PGresult *res;
	int found;

	if (admin_kind_ok(kind, error_r) < 0)
		return -1;
	snprintf(sql, sizeof(sql), "%s WHERE q.id = $1", admin_select[kind]);
	if ((res = db_query(conn, sql, 1, params, error_r)) == NULL)
		return -1;
	found = PQntuples(res) > 0;
	if (found)
		admin_entry_from_row(res, 0, kind, out);
	PQclear(res);
	return found;
}

int queue_retry(PGconn *conn, enum queue_kind kind, int64_t id, const char **error_r)
{
	char buf[24];
	const char *params[1] = { db_int64_param(buf, id) };

	if (admin_kind_ok(kind, error_r) < 0)
		return -1;
	/* a job under a live lease keeps its next_attempt: making it due would let a second
	 * worker take it while the first still runs */
	return (int)db_exec(conn, kind == QUEUE_IN ?
		"UPDATE queue_in SET next_attempt = CASE WHEN lease_expires > now() "
		"THEN next_attempt ELSE now() END WHERE id = $1" :
		"UPDATE queue_out SET held = false, next_attempt = CASE WHEN lease_expires > now() "
		"THEN next_attempt ELSE now() END WHERE id = $1", 1, params, error_r);
}

int queue_delete(PGconn *conn, enum queue_kind kind, int64_t id, const char **error_r)
{
	char buf[24];
	const char *params[1] = { db_int64_param(buf, id) };

	if (admin_kind_ok(kind, error_r) < 0)
		return -1;
	return (int)db_exec(conn, kind == QUEUE_IN ? "DELETE FROM queue_in WHERE id = $1" :
				  "DELETE FROM queue_out WHERE id = $1", 1, params, error_r);
}
