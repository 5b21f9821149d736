/* web_call - filling in a call's reply, reading its query string. */
#include "services/webmail/web_server.h"

#include <stdlib.h>
#include <string.h>

#include <sys/queue.h>

#include <event2/http.h>
#include <event2/keyvalq_struct.h>

void web_call_json(struct web_call *call, int status, json_t *body)
{
	json_decref(call->out);
	call->status = status;
	call->out = body != NULL ? body : json_object();
}

void web_call_error(struct web_call *call, int status, const char *code, const char *message)
{
	web_call_json(call, status, json_pack("{s:s, s:s}", "error", code, "message", message));
}

bool web_call_query(const struct web_call *call, const char *name, char *buf, size_t size)
{
	struct evkeyvalq q;
	const char *v;
	bool found = false;

	TAILQ_INIT(&q);
	if (evhttp_parse_query_str(call->query, &q) < 0)
		return false;
	v = evhttp_find_header(&q, name);
	if (v != NULL && strlen(v) < size) {
		strcpy(buf, v);
		found = true;
	}
	evhttp_clear_headers(&q);
	return found;
}

void web_call_changed(struct web_call *call, int64_t account_id, int64_t mailbox_id, int kind)
{
	if (call->nchanges < WEB_CHANGES_MAX)
		call->changes[call->nchanges++] = (struct web_change){account_id, mailbox_id, kind};
}
