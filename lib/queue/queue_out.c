/* queue_out.c - the outbound queue: one job per (message, remote recipient).
 *
 * Jobs are created inside the mda's delivery transaction, leased by smtp-out with SKIP
 * LOCKED (next_attempt moves to the lease expiry, as in queue_in.c), and deleted when the
 * remote server accepted the message or a bounce was queued. */
#include "queue/queue.h"
#include "queue/queue_util.h"
#include "store/db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int queue_out_insert(PGconn *conn, struct queue_out_job *job, const char **error_r)
{
	char notify[24], norm[STORE_ADDRESS_SIZE];
	const char *params[9], *why;
	int64_t n;

	if (store_address_normalize(job->recipient, norm, &why) < 0)
		return db_fail("22023", error_r, "malformed recipient: %s", why);
	if (!queue_util_notify_ok(job->notify))
		return db_fail("22023", error_r, "malformed NOTIFY");
	snprintf(job->domain, sizeof(job->domain), "%s", store_address_domain(norm));
	params[0] = job->sender;
	params[1] = job->recipient;
	params[2] = job->domain;
	params[3] = job->sha256;
	params[4] = db_int64_param(notify, job->notify);
	params[5] = job->orcpt[0] ? job->orcpt : NULL;
	params[6] = queue_util_ret_name(job->ret);
	params[7] = job->envid[0] ? job->envid : NULL;
	params[8] = job->idempotency_key[0] ? job->idempotency_key : NULL;
	n = db_exec(conn, "INSERT INTO queue_out (sender, recipient, domain, sha256, size, "
			  "dsn_notify, dsn_orcpt, dsn_ret, dsn_envid, idempotency_key) VALUES "
			  "($1, $2, $3, decode($4, 'hex'), (SELECT size FROM messages WHERE "
			  "sha256 = decode($4, 'hex')), $5, $6, $7, $8, $9) "
			  "ON CONFLICT (idempotency_key) DO NOTHING", 9, params, error_r);
	return n < 0 ? -1 : n > 0;
}

/* out_job_from_row - a leased job's columns (see queue_out_lease) */
static void out_job_from_row(const PGresult *res, int row, struct queue_out_job *j)
{
	j->id = db_get_int64(res, row, 0);
	(void)db_copy_str(res, row, 1, j->sender, sizeof(j->sender));
	(void)db_copy_str(res, row, 2, j->recipient, sizeof(j->recipient));
	(void)db_copy_str(res, row, 3, j->domain, sizeof(j->domain));
	(void)db_copy_str(res, row, 4, j->sha256, sizeof(j->sha256));
	j->notify = (unsigned)db_get_int64(res, row, 5);
	(void)db_copy_str(res, row, 6, j->orcpt, sizeof(j->orcpt));
	j->ret = queue_util_ret_parse(db_get_str(res, row, 7));
	(void)db_copy_str(res, row, 8, j->envid, sizeof(j->envid));
	(void)db_copy_str(res, row, 9, j->idempotency_key, sizeof(j->idempotency_key));
	j->attempts = (int)db_get_int64(res, row, 10);
	j->warned = db_get_bool(res, row, 11);
	j->created = db_get_int64(res, row, 12);
	j->size = db_get_int64(res, row, 13);
	(void)db_copy_str(res, row, 14, j->last_reply, sizeof(j->last_reply));
}

int queue_out_lease(PGconn *conn, const char *owner, int lease_seconds, size_t max,
		    struct queue_out_job **jobs_r, const char **error_r)
{
	char secs[24], lim[24];
	const char *params[3] = { owner, db_int64_param(secs, lease_seconds),
				  db_int64_param(lim, (int64_t)max) };
	PGresult *res;
	int i, n;

	*jobs_r = NULL;
	if (max == 0 || max > QUEUE_LEASE_BATCH_MAX || lease_seconds <= 0 ||
	    strlen(owner) == 0 || strlen(owner) > QUEUE_OWNER_MAX)
		return db_fail("22023", error_r, "bad lease request");
	/* one statement: its own implicit transaction commits the lease */
	res = db_query(conn,
		"WITH c AS (SELECT id FROM queue_out WHERE next_attempt <= now() AND NOT held "
		"ORDER BY next_attempt, id LIMIT $3 FOR UPDATE SKIP LOCKED) "
		"UPDATE queue_out q SET lease_owner = $1, "
		"lease_expires = now() + make_interval(secs => $2::int), "
		"next_attempt = now() + make_interval(secs => $2::int), attempts = attempts + 1 "
		"FROM c WHERE q.id = c.id RETURNING q.id, q.sender, q.recipient, q.domain, "
		"encode(q.sha256, 'hex'), q.dsn_notify, q.dsn_orcpt, q.dsn_ret, q.dsn_envid, "
		"q.idempotency_key, q.attempts, q.warned, extract(epoch FROM q.created)::bigint, "
		"q.size, q.last_reply", 3, params, error_r);
	if (res == NULL)
		return -1;
	n = PQntuples(res);
	if ((*jobs_r = calloc(n > 0 ? (size_t)n : 1, sizeof(**jobs_r))) == NULL)
		abort();
	for (i = 0; i < n; i++)
		out_job_from_row(res, i, &(*jobs_r)[i]);
	PQclear(res);
	return n;
}

void queue_out_jobs_free(struct queue_out_job **jobs)
{
	free(*jobs);
	*jobs = NULL;
}

int queue_out_finish(PGconn *conn, int64_t id, const char *owner, const char **error_r)
{
	char buf[24];
	const char *params[2] = { db_int64_param(buf, id), owner };

	return (int)db_exec(conn, "DELETE FROM queue_out WHERE id = $1 AND lease_owner = $2",
			    2, params, error_r);
}

int queue_out_defer(PGconn *conn, int64_t id, const char *owner, int delay_seconds,
		    const char *last_reply, bool warned, const char **error_r)
{
	char buf[24], delay[24], text[QUEUE_ERROR_MAX + 1];
	const char *params[5] = { db_int64_param(buf, id), owner,
				  db_int64_param(delay, delay_seconds < 0 ? 0 : delay_seconds),
				  queue_util_printable(last_reply, text), warned ? "true" : "false" };

	return (int)db_exec(conn, "UPDATE queue_out SET lease_owner = NULL, lease_expires = NULL, "
				  "next_attempt = now() + make_interval(secs => $3::int), "
				  "last_reply = $4, warned = warned OR $5::boolean "
				  "WHERE id = $1 AND lease_owner = $2", 5, params, error_r);
}
