/* admin_queue.c - retry, delete, hold and release queue jobs as an administrator does.
 * hold/release have no queue function: their SQL is here. Only outbound jobs can be held:
 * queue_in has no held column, and inbound jobs are local deliveries that should not wait. */
#include "store/admin_queue.h"
#include "store/db.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* queue_parse_id - "in:N", "out:N" or "N" (*kind_known_r false); -1 when malformed */
static int queue_parse_id(const char *s, enum queue_kind *kind_r, bool *kind_known_r,
			  int64_t *id_r)
{
	char *end;
	long long n;

	*kind_known_r = true;
	if (strncmp(s, "in:", 3) == 0) {
		*kind_r = QUEUE_IN;
		s += 3;
	} else if (strncmp(s, "out:", 4) == 0) {
		*kind_r = QUEUE_OUT;
		s += 4;
	} else {
		*kind_known_r = false;
	}
	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	n = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || n <= 0)
		return -1;
	*id_r = n;
	return 0;
}

enum store_admin_code store_admin_queue_find(PGconn *conn, const char *text,
					     struct queue_entry *e,
					     struct store_admin_result *r)
{
	struct queue_entry other;
	const char *error = NULL;
	enum queue_kind kind = QUEUE_IN;
	bool known;
	int64_t id;
	int in, out;

	if (queue_parse_id(text, &kind, &known, &id) < 0)
		return store_admin_fail(r, STORE_ADMIN_INVALID,
					"'%.64s' is not a job id (in:N or out:N)", text);
	if ((in = (!known || kind == QUEUE_IN) ? queue_show(conn, QUEUE_IN, id, e, &error) : 0) < 0)
		return store_admin_db(r, error);
	if ((out = (!known || kind == QUEUE_OUT) ?
		   queue_show(conn, QUEUE_OUT, id, in ? &other : e, &error) : 0) < 0)
		return store_admin_db(r, error);
	if (in && out)
		return store_admin_fail(r, STORE_ADMIN_INVALID,
					"both in:%lld and out:%lld exist: say which",
					(long long)id, (long long)id);
	if (!in && !out)
		return store_admin_fail(r, STORE_ADMIN_NOT_FOUND, "no job %.64s in the queue", text);
	return STORE_ADMIN_OK;
}

/* queue_set_held - hold or release an outbound job; 1 changed, 0 gone, -1 with *error_r */
static int queue_set_held(PGconn *conn, int64_t id, bool held, const char **error_r)
{
	char idtext[24];
	const char *params[2] = { db_int64_param(idtext, id), held ? "true" : "false" };

	return (int)db_exec(conn, "UPDATE queue_out SET held = $2 WHERE id = $1", 2, params,
			    error_r);
}

/* queue_delete_traced - drop the job, and leave a 'deleted' event in the delivery trace:
 * the row is gone, and the trace is where an administrator later looks for what became
 * of it */
static int queue_delete_traced(PGconn *conn, const struct queue_entry *e, const char *detail,
			       const char **error_r)
{
	char id[24];
	const char *params[5] = { NULL, NULL, e->sender, e->recipient, detail };
	int done = queue_delete(conn, e->kind, e->id, error_r);

	if (done <= 0)
		return done;
	params[e->kind == QUEUE_IN ? 0 : 1] = db_int64_param(id, e->id);
	if (db_exec(conn, "INSERT INTO delivery_events (queue_in_id, queue_out_id, sender,"
		    " recipient, event, detail) VALUES ($1, $2, $3, $4, 'deleted', $5)", 5, params,
		    error_r) < 0)
		return -1;
	return done;
}

enum store_admin_code store_admin_queue_act(PGconn *conn, enum store_admin_queue_action action,
					    const struct queue_entry *e, const char *detail,
					    struct store_admin_result *r)
{
	const char *error = NULL;
	int done;

	if ((action == STORE_ADMIN_QUEUE_HOLD || action == STORE_ADMIN_QUEUE_RELEASE) &&
	    e->kind == QUEUE_IN)
		return store_admin_fail(r, STORE_ADMIN_INVALID, "only outbound jobs can be held "
					"(in:%lld is a local delivery)", (long long)e->id);
	switch (action) {
	case STORE_ADMIN_QUEUE_RETRY:
		done = queue_retry(conn, e->kind, e->id, &error);
		break;
	case STORE_ADMIN_QUEUE_DELETE:
		done = queue_delete_traced(conn, e, detail, &error);
		break;
	default:
		done = queue_set_held(conn, e->id, action == STORE_ADMIN_QUEUE_HOLD, &error);
		break;
	}
	if (done < 0)
		return store_admin_db(r, error);
	if (done == 0)
		return store_admin_fail(r, STORE_ADMIN_NOT_FOUND, "job %s:%lld left the queue meanwhile",
					e->kind == QUEUE_IN ? "in" : "out", (long long)e->id);
	return STORE_ADMIN_OK;
}
