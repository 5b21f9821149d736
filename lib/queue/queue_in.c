/* queue_in.c - the inbound queue: one job per accepted SMTP transaction.
 *
 * Leasing moves next_attempt to the lease's expiry, so "due" is the only condition a lease
 * scan needs: a job whose worker died becomes due again when its lease runs out. */
#include "queue/queue.h"
#include "queue/queue_util.h"
#include "store/db.h"
#include "store/db_prepared.h"
#include "store/message.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The blob, the job and its recipients in one statement, so one round trip in autocommit
 * is the whole transaction. Its result is final only after its COMMIT (DESIGN.md rule 2):
 * the implicit transaction commits at the protocol's Sync, and PQexecPrepared returns after
 * the ReadyForQuery that follows, or with the error of a COMMIT that failed. The
 * recipients hang off the job's RETURNING row: when the idempotency key existed, no job
 * row comes back and nothing but the (identical) blob is written. Foreign keys are checked
 * at the end of the statement, where the blob inserted by the first part is visible. */
static const struct db_stmt in_insert_stmt = {
	"queue_in_insert",
	"WITH blob AS (INSERT INTO messages (sha256, raw, size) VALUES (decode($1, 'hex'), $2, $3) "
	"  ON CONFLICT (sha256) DO NOTHING), "
	"job AS (INSERT INTO queue_in (sender, client_ip, helo, auth_account_id, listener, "
	"  dsn_ret, dsn_envid, sha256, size, idempotency_key) VALUES ($4, $5, $6, $7, $8, $9, "
	"  $10, decode($1, 'hex'), $3, $11) ON CONFLICT (idempotency_key) DO NOTHING RETURNING id), "
	"rcpt AS (INSERT INTO queue_in_rcpt (job_id, position, address, orcpt, notify) "
	"  SELECT job.id, ord - 1, a, nullif(o, ''), n FROM job, unnest($12::text[], $13::text[], "
	"  $14::smallint[]) WITH ORDINALITY AS t(a, o, n, ord)) "
	"SELECT id FROM job", 14 };

#define IN_INSERT_ATTEMPTS 3 /* a deadlock or serialization failure is tried again */

/* in_check - bounds and values of a job before anything is written */
static int in_check(const struct queue_in_job *job, size_t len, const char **error_r)
{
	size_t i;

	if (job->nrcpts == 0 || job->nrcpts > QUEUE_RCPTS_MAX)
		return db_fail("22023", error_r, "a job needs 1 to %d recipients", QUEUE_RCPTS_MAX);
	for (i = 0; i < job->nrcpts; i++)
		if (!queue_util_notify_ok(job->rcpts[i].notify) || job->rcpts[i].address[0] == '\0')
			return db_fail("22023", error_r, "malformed recipient %zu", i);
	if (len > STORE_MESSAGE_MAX)
		return db_fail("54000", error_r, "message larger than %u bytes", STORE_MESSAGE_MAX);
	return 0;
}

/* in_rcpt_arrays - the recipients as the three array parameters (text, malloc'd) */
static void in_rcpt_arrays(const struct queue_in_job *job, char **addrs_r, char **orcpts_r,
			   char **notify_r)
{
	const char **addrs = calloc(job->nrcpts, sizeof(char *));
	const char **orcpts = calloc(job->nrcpts, sizeof(char *));
	char *notify = malloc(job->nrcpts * 4 + 3), *p = notify;

	if (addrs == NULL || orcpts == NULL || notify == NULL)
		abort();
	*p++ = '{';
	for (size_t i = 0; i < job->nrcpts; i++) {
		addrs[i] = job->rcpts[i].address;
		orcpts[i] = job->rcpts[i].orcpt;
		p += sprintf(p, i ? ",%u" : "%u", job->rcpts[i].notify);
	}
	strcpy(p, "}");
	*addrs_r = queue_util_text_array(addrs, job->nrcpts);
	*orcpts_r = queue_util_text_array(orcpts, job->nrcpts);
	*notify_r = notify;
	free(addrs);
	free(orcpts);
}

/* in_existing - the id of the job committed before under the same idempotency key */
static int in_existing(PGconn *conn, struct queue_in_job *job, const char **error_r)
{
	const char *params[1] = { job->idempotency_key };
	PGresult *res = db_query(conn, "SELECT id FROM queue_in WHERE idempotency_key = $1", 1,
				 params, error_r);

	if (res == NULL)
		return -1;
	job->id = db_get_int64(res, 0, 0);
	PQclear(res);
	return 0;
}

/* in_insert - run the statement once; 1 inserted, 0 the key existed, -1 error */
static int in_insert(PGconn *conn, struct queue_in_job *job, const void *msg, size_t len,
		     const char **error_r)
{
	char acc[24], size[24], *addrs, *orcpts, *notify;
	const char *params[14] = {
		job->sha256, len > 0 ? msg : "", db_int64_param(size, (int64_t)len),
		job->sender, job->client_ip, job->helo,
		job->auth_account_id > 0 ? db_int64_param(acc, job->auth_account_id) : NULL,
		queue_listener_name(job->listener), queue_util_ret_name(job->ret),
		job->envid[0] ? job->envid : NULL,
		job->idempotency_key[0] ? job->idempotency_key : NULL };
	int lengths[14] = { [1] = (int)len }, formats[14] = { [1] = 1 };
	PGresult *res;
	int inserted;

	in_rcpt_arrays(job, &addrs, &orcpts, &notify);
	params[11] = addrs;
	params[12] = orcpts;
	params[13] = notify;
	res = db_query_prepared_bin(conn, &in_insert_stmt, params, lengths, formats, error_r);
	free(addrs);
	free(orcpts);
	free(notify);
	if (res == NULL)
		return -1;
	inserted = PQntuples(res) == 1;
	if (inserted)
		job->id = db_get_int64(res, 0, 0);
	PQclear(res);
	return inserted;
}

int queue_in_insert(PGconn *conn, struct queue_in_job *job, const void *msg, size_t len,
		    const char **error_r)
{
	int r = -1;

	if (in_check(job, len, error_r) < 0)
		return -1;
	/* autocommit is what makes the one statement its own transaction */
	if (db_connected(conn) && PQtransactionStatus(conn) != PQTRANS_IDLE)
		return db_fail("25001", error_r, "queue_in_insert called inside a transaction");
	store_message_hash(msg, len, job->sha256);
	for (int attempt = 1; attempt <= IN_INSERT_ATTEMPTS && r < 0; attempt++) {
		r = in_insert(conn, job, msg, len, error_r);
		if (r < 0 && !db_error_retryable())
			return -1;
	}
	if (r < 0 || (r == 0 && in_existing(conn, job, error_r) < 0))
		return -1;
	job->size = (int64_t)len;
	return 0;
}

/* in_job_from_row - a leased job's columns (see in_lease_jobs) */
static void in_job_from_row(const PGresult *res, int row, struct queue_in_job *j)
{
	enum queue_listener l = QUEUE_LISTENER_MX;

	j->id = db_get_int64(res, row, 0);
	(void)db_copy_str(res, row, 1, j->sender, sizeof(j->sender));
	(void)db_copy_str(res, row, 2, j->client_ip, sizeof(j->client_ip));
	(void)db_copy_str(res, row, 3, j->helo, sizeof(j->helo));
	j->auth_account_id = db_get_int64(res, row, 4);
	(void)queue_listener_parse(db_get_str(res, row, 5), &l);
	j->listener = l;
	j->ret = queue_util_ret_parse(db_get_str(res, row, 6));
	(void)db_copy_str(res, row, 7, j->envid, sizeof(j->envid));
	(void)db_copy_str(res, row, 8, j->sha256, sizeof(j->sha256));
	j->size = db_get_int64(res, row, 9);
	(void)db_copy_str(res, row, 10, j->idempotency_key, sizeof(j->idempotency_key));
	j->attempts = (int)db_get_int64(res, row, 11);
	j->age = db_get_int64(res, row, 12);
}

struct in_lease {
	const char *owner;
	int seconds;
	size_t max;
	struct queue_in_job *jobs;
	size_t n;
};

/* The mda's statements, prepared once per connection (db_prepared.h). */
static const struct db_stmt in_lease_stmt = {
	"queue_in_lease",
	"WITH c AS (SELECT id FROM queue_in WHERE next_attempt <= now() "
	"ORDER BY next_attempt, id LIMIT $3 FOR UPDATE SKIP LOCKED) "
	"UPDATE queue_in q SET lease_owner = $1, "
	"lease_expires = now() + make_interval(secs => $2::int), "
	"next_attempt = now() + make_interval(secs => $2::int), attempts = attempts + 1 "
	"FROM c WHERE q.id = c.id RETURNING q.id, q.sender, q.client_ip, q.helo, "
	"q.auth_account_id, q.listener, q.dsn_ret, q.dsn_envid, encode(q.sha256, 'hex'), "
	"q.size, q.idempotency_key, q.attempts, extract(epoch FROM now() - q.created)::bigint", 3 };
static const struct db_stmt in_rcpts_stmt = {
	"queue_in_rcpts",
	"SELECT job_id, address, coalesce(orcpt, ''), notify, "
	"count(*) OVER (PARTITION BY job_id) FROM queue_in_rcpt "
	"WHERE job_id = ANY($1::bigint[]) ORDER BY job_id, position", 1 };
static const struct db_stmt in_finish_stmt = {
	"queue_in_finish", "DELETE FROM queue_in WHERE id = $1 AND lease_owner = $2", 2 };
static const struct db_stmt in_defer_stmt = {
	"queue_in_defer",
	"UPDATE queue_in SET lease_owner = NULL, lease_expires = NULL, "
	"next_attempt = now() + make_interval(secs => $3::int), "
	"last_error = $4 WHERE id = $1 AND lease_owner = $2", 4 };

/* in_lease_jobs - claim due jobs that no other transaction holds */
static int in_lease_jobs(PGconn *conn, struct in_lease *l, const char **error_r)
{
	char secs[24], max[24];
	const char *params[3] = { l->owner, db_int64_param(secs, l->seconds),
				  db_int64_param(max, (int64_t)l->max) };
	PGresult *res;
	int i, n;

	res = db_query_prepared(conn, &in_lease_stmt, params, error_r);
	if (res == NULL)
		return -1;
	n = PQntuples(res);
	if ((l->jobs = calloc(n > 0 ? (size_t)n : 1, sizeof(*l->jobs))) == NULL)
		abort();
	for (i = 0; i < n; i++)
		in_job_from_row(res, i, &l->jobs[i]);
	l->n = (size_t)n;
	PQclear(res);
	return n;
}

/* in_find_job - the leased job with this id */
static struct queue_in_job *in_find_job(struct in_lease *l, int64_t id)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (l->jobs[i].id == id)
			return &l->jobs[i];
	return NULL;
}

/* in_lease_rcpts - the recipients of every leased job */
static int in_lease_rcpts(PGconn *conn, struct in_lease *l, const char **error_r)
{
	char *array = malloc(l->n * 21 + 3), *p = array;
	const char *params[1] = { array };
	struct queue_in_job *j;
	struct queue_rcpt *r;
	PGresult *res;
	int i, n;

	if (array == NULL)
		abort();
	*p++ = '{';
	for (i = 0; i < (int)l->n; i++)
		p += sprintf(p, i ? ",%lld" : "%lld", (long long)l->jobs[i].id);
	strcpy(p, "}");
	res = db_query_prepared(conn, &in_rcpts_stmt, params, error_r);
	free(array);
	if (res == NULL)
		return -1;
	n = PQntuples(res);
	for (i = 0; i < n; i++) {
		if ((j = in_find_job(l, db_get_int64(res, i, 0))) == NULL)
			continue;
		if (j->rcpts == NULL &&
		    (j->rcpts = calloc((size_t)db_get_int64(res, i, 4), sizeof(*j->rcpts))) == NULL)
			abort();
		r = &j->rcpts[j->nrcpts++];
		(void)db_copy_str(res, i, 1, r->address, sizeof(r->address));
		(void)db_copy_str(res, i, 2, r->orcpt, sizeof(r->orcpt));
		r->notify = (unsigned)db_get_int64(res, i, 3);
	}
	PQclear(res);
	return 0;
}

/* in_lease_tx - the lease and the recipients, committed together */
static int in_lease_tx(PGconn *conn, void *arg, const char **error_r)
{
	struct in_lease *l = arg;
	int n;

	queue_in_jobs_free(&l->jobs, l->n);
	l->n = 0;
	if ((n = in_lease_jobs(conn, l, error_r)) <= 0)
		return n;
	return in_lease_rcpts(conn, l, error_r) < 0 ? -1 : n;
}

int queue_in_lease(PGconn *conn, const char *owner, int lease_seconds, size_t max,
		   struct queue_in_job **jobs_r, const char **error_r)
{
	struct in_lease l = { owner, lease_seconds, max, NULL, 0 };
	int n;

	*jobs_r = NULL;
	if (max == 0 || max > QUEUE_LEASE_BATCH_MAX || lease_seconds <= 0 ||
	    strlen(owner) == 0 || strlen(owner) > QUEUE_OWNER_MAX)
		return db_fail("22023", error_r, "bad lease request");
	n = db_tx(conn, in_lease_tx, &l, error_r);
	if (n < 0) {
		queue_in_jobs_free(&l.jobs, l.n);
		return -1;
	}
	*jobs_r = l.jobs;
	return n;
}

void queue_in_jobs_free(struct queue_in_job **jobs, size_t n)
{
	size_t i;

	if (*jobs == NULL)
		return;
	for (i = 0; i < n; i++)
		free((*jobs)[i].rcpts);
	free(*jobs);
	*jobs = NULL;
}

int queue_in_finish(PGconn *conn, int64_t id, const char *owner, const char **error_r)
{
	char buf[24];
	const char *params[2] = { db_int64_param(buf, id), owner };

	return (int)db_exec_prepared(conn, &in_finish_stmt, params, error_r);
}

int queue_in_defer(PGconn *conn, int64_t id, const char *owner, int delay_seconds,
		   const char *error, const char **error_r)
{
	char buf[24], delay[24], text[QUEUE_ERROR_MAX + 1];
	const char *params[4] = { db_int64_param(buf, id), owner,
				  db_int64_param(delay, delay_seconds < 0 ? 0 : delay_seconds),
				  queue_util_printable(error, text) };

	return (int)db_exec_prepared(conn, &in_defer_stmt, params, error_r);
}
