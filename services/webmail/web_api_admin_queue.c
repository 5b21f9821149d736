/* web_api_admin_queue - GET /api/admin/queue?which=in|out, POST
 * /api/admin/queue/{which}/{id}/retry, DELETE /api/admin/queue/{which}/{id}: what `merpati
 * queue list|retry|delete` do (lib/store/admin_queue.c). */
#include "services/webmail/web_api_admin.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/admin_queue.h"

#define QUEUE_SHOWN_RCPTS 100 /* recipients of one inbound job a listing shows */

/* A page of jobs being listed: the JSON array, and the inbound jobs' ids and recipient
 * arrays, filled by a second query. */
struct job_page {
	json_t *arr;
	json_t *rcpts_by_id;  /* "id" -> the job's "recipients" array (borrowed) */
	int64_t ids[WEB_ADMIN_LIMIT_MAX];
	size_t nids;
};

/* append_job - queue_list_fn adding the job object to the page. An outbound job has one
 * recipient; an inbound job's come from append_rcpt. */
static int append_job(const struct queue_entry *e, void *arg)
{
	struct job_page *p = arg;
	json_t *rcpts = json_array();
	char id[24];

	if (e->kind == QUEUE_OUT)
		json_array_append_new(rcpts, json_string(e->recipient));
	else if (p->nids < WEB_ADMIN_LIMIT_MAX) {
		p->ids[p->nids++] = e->id;
		snprintf(id, sizeof(id), "%lld", (long long)e->id);
		json_object_set(p->rcpts_by_id, id, rcpts);
	}
	json_array_append_new(p->arr, json_pack(
		"{s:I, s:s, s:s, s:o, s:I, s:I, s:i, s:I, s:I, s:s, s:b, s:b}",
		"id", (json_int_t)e->id, "which", e->kind == QUEUE_IN ? "in" : "out",
		"sender", e->sender, "recipients", rcpts,
		"recipient_count", (json_int_t)e->nrcpts, "size", (json_int_t)e->size,
		"attempts", e->attempts, "created", (json_int_t)e->created,
		"next_attempt", (json_int_t)e->next_attempt, "last_error", e->last_error,
		"leased", e->leased, "held", e->held));
	return 0;
}

/* append_rcpt - queue_in_rcpt_fn adding an address to its job's recipients */
static int append_rcpt(int64_t job_id, const char *address, void *arg)
{
	struct job_page *p = arg;
	char id[24];

	snprintf(id, sizeof(id), "%lld", (long long)job_id);
	json_array_append_new(json_object_get(p->rcpts_by_id, id), json_string(address));
	return 0;
}

/* list_jobs - one page of a queue into p; the number listed or -1 */
static int list_jobs(PGconn *conn, enum queue_kind kind, int64_t limit, int64_t offset,
		     struct job_page *p, const char **error_r)
{
	int n = queue_list_page(conn, kind, limit, offset, append_job, p, error_r);

	if (n > 0 && p->nids > 0 &&
	    queue_in_rcpt_list(conn, p->ids, p->nids, QUEUE_SHOWN_RCPTS, append_rcpt, p,
			       error_r) < 0)
		return -1;
	return n;
}

int web_api_admin_queue_list(PGconn *conn, struct web_call *call, const char **error_r)
{
	char which[8] = "";
	int64_t limit, offset;
	struct job_page *p;
	int n;

	if (!web_call_query(call, "which", which, sizeof(which)) ||
	    (strcmp(which, "in") != 0 && strcmp(which, "out") != 0)) {
		web_call_error(call, 400, "bad_request", "which must be in or out");
		return 0;
	}
	if (!web_api_admin_page(call, &limit, &offset))
		return 0;
	if ((p = calloc(1, sizeof(*p))) == NULL)
		abort();
	p->arr = json_array();
	p->rcpts_by_id = json_object();
	n = list_jobs(conn, strcmp(which, "in") == 0 ? QUEUE_IN : QUEUE_OUT, limit, offset, p,
		      error_r);
	json_decref(p->rcpts_by_id);
	n = web_api_admin_list_answer(call, "jobs", p->arr, n);
	free(p);
	return n;
}

struct queue_act {
	char name[32];      /* "in:N" or "out:N", as `merpati queue` names jobs */
	char detail[STORE_ADDRESS_SIZE + 32];
	enum store_admin_queue_action action;
};

/* queue_act_tx - web_api_admin_tx_fn: find the job and act on it */
static enum store_admin_code queue_act_tx(PGconn *conn, void *arg, struct store_admin_result *r)
{
	struct queue_act *a = arg;
	struct queue_entry e;
	enum store_admin_code code = store_admin_queue_find(conn, a->name, &e, r);

	if (code != STORE_ADMIN_OK)
		return code;
	return store_admin_queue_act(conn, a->action, &e, a->detail, r);
}

/* queue_act - the job of the path (/api/admin/queue/in/N... or /out/N...) */
static int queue_act(PGconn *conn, struct web_call *call, enum store_admin_queue_action action,
		     const char **error_r)
{
	bool in = strncmp(call->path, "/api/admin/queue/in/", 20) == 0;
	struct queue_act a = { .action = action };
	struct store_admin_result r;
	int ret;

	snprintf(a.name, sizeof(a.name), "%s:%lld", in ? "in" : "out", (long long)call->ids[0]);
	snprintf(a.detail, sizeof(a.detail), "webmail admin %s", call->address);
	if ((ret = web_api_admin_tx(conn, queue_act_tx, &a, &r, error_r)) < 0)
		return -1;
	if (ret == 0) {
		web_api_admin_refuse(call, &r);
		return 0;
	}
	/* a retried inbound job: kick the mda now rather than wait for its poll */
	if (in && action == STORE_ADMIN_QUEUE_RETRY)
		call->queued_job = call->ids[0];
	web_call_json(call, 200, json_object());
	return 0;
}

int web_api_admin_queue_retry(PGconn *conn, struct web_call *call, const char **error_r)
{
	return queue_act(conn, call, STORE_ADMIN_QUEUE_RETRY, error_r);
}

int web_api_admin_queue_delete(PGconn *conn, struct web_call *call, const char **error_r)
{
	return queue_act(conn, call, STORE_ADMIN_QUEUE_DELETE, error_r);
}
