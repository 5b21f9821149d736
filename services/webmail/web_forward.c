/* web_forward - read the forwarded original with the caller's rights on its folder. */
#include "services/webmail/web_forward.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "store/db.h"
#include "store/imap_acl.h"
#include "store/message.h"

struct raw {
	char *p;
	size_t len, max;
	bool over;  /* the message is larger than max */
};

/* raw_chunk - append a piece of the message, refusing more than max bytes */
static int raw_chunk(const void *data, size_t len, void *arg)
{
	struct raw *b = arg;
	char *p;

	if (b->len + len > b->max) {
		b->over = true;
		return 1;
	}
	if ((p = realloc(b->p, b->len + len + 1)) == NULL)
		abort();
	memcpy(p + b->len, data, len);
	b->p = p;
	b->len += len;
	return 0;
}

/* message_sha - the blob of uid in the mailbox into hex; 1, 0 absent, -1 error */
static int message_sha(PGconn *conn, int64_t mailbox_id, int64_t uid, char hex[65],
		       const char **error_r)
{
	char p1[24], p2[24];
	const char *params[2] = {db_int64_param(p1, mailbox_id), db_int64_param(p2, uid)};
	PGresult *res = db_query(conn, "SELECT encode(sha256, 'hex') FROM mailbox_messages "
				 "WHERE mailbox_id = $1 AND uid = $2", 2, params, error_r);
	int r;

	if (res == NULL)
		return -1;
	if ((r = PQntuples(res) == 1) == 1)
		db_copy_str(res, 0, 0, hex, 65);
	PQclear(res);
	return r;
}

int web_forward_load(PGconn *conn, struct web_call *call, char **raw_r, size_t *len_r,
		     const char **error_r)
{
	const json_t *fw = json_object_get(call->in, "forward");
	json_int_t folder = json_integer_value(json_object_get(fw, "folder"));
	json_int_t uid = json_integer_value(json_object_get(fw, "uid"));
	char rights[STORE_ACL_RIGHTS_SIZE], hex[65];
	struct raw b = {NULL, 0, call->cfg->max_upload, false};
	int r;

	*raw_r = NULL;
	if (fw == NULL || json_is_null(fw))
		return 2;
	if (folder < 1 || uid < 1 || uid > 4294967295LL) {
		web_call_error(call, 400, "bad_request", "forward: {\"folder\": id, \"uid\": uid}");
		return 0;
	}
	if ((r = store_acl_rights(conn, call->account_id, folder, rights, error_r)) < 0 ||
	    (r > 0 && store_acl_has(rights, "r") &&
	     (r = message_sha(conn, folder, uid, hex, error_r)) < 0))
		return -1;
	if (r == 0 || !store_acl_has(rights, "r")) {
		web_call_error(call, 404, "not_found", "no such message to forward");
		return 0;
	}
	if (store_message_read(conn, hex, 0, -1, raw_chunk, &b, error_r) < 0 && !b.over) {
		free(b.p);
		return -1;
	}
	if (b.over || b.len == 0) {
		free(b.p);
		web_call_error(call, b.over ? 413 : 404, b.over ? "too_large" : "not_found",
			       b.over ? "the forwarded message is over the limit" :
			       "the forwarded message is empty");
		return 0;
	}
	*raw_r = b.p;
	*len_r = b.len;
	return 1;
}
