/* web_api_admin_queue - GET /api/admin/queue?which=in|out, POST
 * /api/admin/queue/{which}/{id}/retry, DELETE /api/admin/queue/{which}/{id}: what `merpati
 * queue list|retry|delete` do (lib/store/admin_queue.c). */
#include "services/webmail/web_api_admin.h"

#include <stdio.h>
#include <string.h>

#include "store/admin_queue.h"

/* append_job - queue_list_fn adding the job object to a JSON array. An inbound job may
 * have many recipients: the listing carries the first and their number. */
static int append_job(const struct queue_entry *e, void *arg)
{
	json_array_append_new(arg, json_pack(
		"{s:I, s:s, s:s, s:[s], s:I, s:I, s:i, s:I, s:I, s:s, s:b, s:b}",
		"id", (json_int_t)e->id, "which", e->kind == QUEUE_IN ? "in" : "out",
		"sender", e->sender, "recipients", e->recipient,
		"recipient_count", (json_int_t)e->nrcpts, "size", (json_int_t)e->size,
		"attempts", e->attempts, "created", (json_int_t)e->created,
		"next_attempt", (json_int_t)e->next_attempt, "last_error", e->last_error,
		"leased", e->leased, "held", e->held));
	return 0;
}

int web_api_admin_queue_list(PGconn *conn, struct web_call *call, const char **error_r)
{
	char which[8] = "";
	int64_t limit, offset;
	json_t *arr;

	if (!web_call_query(call, "which", which, sizeof(which)) ||
	    (strcmp(which, "in") != 0 && strcmp(which, "out") != 0)) {
		web_call_error(call, 400, "bad_request", "which must be in or out");
		return 0;
	}
	if (!web_api_admin_page(call, &limit, &offset))
		return 0;
	arr = json_array();
	return web_api_admin_list_answer(call, "jobs", arr, queue_list_page(
		conn, strcmp(which, "in") == 0 ? QUEUE_IN : QUEUE_OUT, limit, offset, append_job,
		arr, error_r));
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
