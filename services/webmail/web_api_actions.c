/* web_api_actions - attachments and inline parts, move, and delete to Trash. */
#include "services/webmail/web_api.h"
#include "services/webmail/web_mime.h"
#include "services/webmail/web_routes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <event2/http.h>

#include "bus/bus.h"
#include "store/db.h"
#include "store/imap_msg_copy.h"
#include "store/message.h"

#define ACTION_UIDS_MAX 1000
#define PART_SPEC_MAX 64

struct blob {
	char *p;
	size_t len;
};

/* blob_chunk - append a piece of the message */
static int blob_chunk(const void *data, size_t len, void *arg)
{
	struct blob *b = arg;
	char *p = realloc(b->p, b->len + len + 1);

	if (p == NULL)
		abort();
	memcpy(p + b->len, data, len);
	b->p = p;
	b->len += len;
	b->p[b->len] = '\0';
	return 0;
}

/* raw_of - the bytes of message call->ids[1] in mailbox_id (malloc'd into *raw_r);
 * 1 found, 0 not (404 set), -1 error */
static int raw_of(PGconn *conn, struct web_call *call, int64_t mailbox_id, char **raw_r,
		  size_t *len_r, const char **error_r)
{
	char p1[24], p2[24], sha[STORE_SHA256_HEX_SIZE];
	const char *params[2] = {db_int64_param(p1, mailbox_id), db_int64_param(p2, call->ids[1])};
	struct blob b = {0};
	PGresult *res;

	if ((res = db_query(conn, "SELECT encode(sha256, 'hex') FROM mailbox_messages "
			    "WHERE mailbox_id = $1 AND uid = $2", 2, params, error_r)) == NULL)
		return -1;
	if (PQntuples(res) != 1 || db_copy_str(res, 0, 0, sha, sizeof(sha)) < 0) {
		PQclear(res);
		web_call_error(call, 404, "not_found", "no such message");
		return 0;
	}
	PQclear(res);
	if (store_message_read(conn, sha, 0, -1, blob_chunk, &b, error_r) < 0) {
		free(b.p);
		return -1;
	}
	if (b.p == NULL)
		blob_chunk("", 0, &b);
	*raw_r = b.p;
	*len_r = b.len;
	return 1;
}

/* part_spec - the last path segment after "/parts/" or "/cid/", URL-decoded; false when
 * absent, too long or holding a NUL */
static bool part_spec(const char *path, const char *marker, char out[PART_SPEC_MAX])
{
	const char *p = strstr(path, marker);
	char *dec;
	size_t n;

	if (p == NULL)
		return false;
	if ((dec = evhttp_uridecode(p + strlen(marker), 0, &n)) == NULL)
		return false;
	if (n == 0 || n >= PART_SPEC_MAX || strlen(dec) != n) {
		free(dec);
		return false;
	}
	memcpy(out, dec, n + 1);
	free(dec);
	return true;
}

/* disposition - RFC 6266 4.3 with the RFC 8187 filename* form; the plain filename is the
 * ASCII letters, digits and . - _ of the name */
static void disposition(char *out, size_t size, const char *kind, const char *name)
{
	char ascii[128], *enc;
	size_t k = 0;

	for (const char *p = name; *p != '\0' && k + 1 < sizeof(ascii); p++)
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '.' || *p == '-' || *p == '_')
			ascii[k++] = *p;
	ascii[k] = '\0';
	if (k == 0)
		strcpy(ascii, "attachment");
	enc = evhttp_uriencode(name[0] != '\0' ? name : ascii, -1, 0);
	snprintf(out, size, "%s; filename=\"%s\"; filename*=UTF-8''%s", kind, ascii,
		 enc != NULL ? enc : ascii);
	free(enc);
}

/* send_part - a decoded part (by section or Content-ID) as a download */
static int send_part(PGconn *conn, struct web_call *call, const char *section,
		     const char *cid, const char **error_r)
{
	struct store_mailbox mb;
	char rights[STORE_ACL_RIGHTS_SIZE], type[128], fname[256], *raw, *data = NULL;
	size_t len, dlen = 0;
	int r;

	if ((r = web_api_folder_access(conn, call, "r", &mb, rights, error_r)) <= 0)
		return r;
	if ((r = raw_of(conn, call, mb.id, &raw, &len, error_r)) <= 0)
		return r;
	r = web_mime_part(raw, len, section, cid, &data, &dlen, type, fname, error_r);
	free(raw);
	if (r <= 0) {
		if (r == 0)
			web_call_error(call, 404, "not_found", "no such part");
		return r < 0 ? -1 : 0;
	}
	if (cid != NULL && strncasecmp(type, "image/", 6) != 0) {
		free(data);
		web_call_error(call, 404, "not_found", "inline parts are images only");
		return 0;
	}
	call->status = 200;
	call->body = data;
	call->body_len = dlen;
	snprintf(call->content_type, sizeof(call->content_type), "%s", type);
	disposition(call->disposition, sizeof(call->disposition),
		    cid != NULL ? "inline" : "attachment", fname);
	snprintf(call->csp, sizeof(call->csp), "default-src 'none'");
	return 0;
}

int web_api_messages_part(PGconn *conn, struct web_call *call, const char **error_r)
{
	char spec[PART_SPEC_MAX];

	if (!part_spec(call->path, "/parts/", spec) || strspn(spec, "0123456789.") != strlen(spec)) {
		web_call_error(call, 404, "not_found", "no such part");
		return 0;
	}
	return send_part(conn, call, spec, NULL, error_r);
}

int web_api_messages_cid(PGconn *conn, struct web_call *call, const char **error_r)
{
	char spec[PART_SPEC_MAX];

	if (!part_spec(call->path, "/cid/", spec)) {
		web_call_error(call, 404, "not_found", "no such part");
		return 0;
	}
	return send_part(conn, call, NULL, spec, error_r);
}

/* cmp_u32 - qsort order of UIDs */
static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* uids_of - the "uids" array of the body (1..ACTION_UIDS_MAX valid UIDs), sorted
 * ascending as imap_msg_copy wants; -1 when bad */
static int uids_of(const json_t *in, uint32_t **uids_r, size_t *n_r)
{
	const json_t *arr = json_object_get(in, "uids"), *v;
	uint32_t *uids;
	size_t i;

	if (!json_is_array(arr) || json_array_size(arr) == 0 ||
	    json_array_size(arr) > ACTION_UIDS_MAX)
		return -1;
	if ((uids = malloc(json_array_size(arr) * sizeof(*uids))) == NULL)
		abort();
	json_array_foreach(arr, i, v) {
		if (!json_is_integer(v) || json_integer_value(v) < 1 ||
		    json_integer_value(v) > 4294967295LL) {
			free(uids);
			return -1;
		}
		uids[i] = (uint32_t)json_integer_value(v);
	}
	qsort(uids, json_array_size(arr), sizeof(*uids), cmp_u32);
	*uids_r = uids;
	*n_r = json_array_size(arr);
	return 0;
}

struct move_tx {
	int64_t src, dst;
	int64_t src_account, dst_account;
	const uint32_t *uids;
	size_t n;
	bool expunge_only; /* delete in Trash itself: remove for good */
};

/* move_tx_body - MOVE (RFC 6851) or, in Trash, EXPUNGE of these UIDs */
static int move_tx_body(PGconn *conn, void *arg, const char **error_r)
{
	struct move_tx *t = arg;
	struct imap_msg_copy_result res = {0};
	uint64_t modseq;
	int r;

	if (t->expunge_only)
		return store_mailbox_expunge(conn, t->src, t->uids, t->n, NULL, NULL, &modseq,
					     error_r);
	r = imap_msg_copy(conn, t->src, t->dst, t->uids, t->n, true, &res, error_r);
	imap_msg_copy_result_clear(&res);
	return r;
}

/* run_move - check rights (RFC 4314 4: MOVE needs r, t, e on the source and i on the
 * target) and move; replies {key: count} */
static int run_move(PGconn *conn, struct web_call *call, struct move_tx *t, const char *key,
		    const char **error_r)
{
	int r = db_tx(conn, move_tx_body, t, error_r);

	if (r < 0) {
		if (strcmp(db_sqlstate(), "53400") != 0)
			return -1;
		web_call_error(call, 403, "forbidden", "over quota");
		return 0;
	}
	if (r > 0) {
		web_call_changed(call, t->src_account, t->src, MERPATI__MAILBOX_EVENT_KIND__MAILBOX_EVENT_EXPUNGE);
		if (!t->expunge_only)
			web_call_changed(call, t->dst_account, t->dst, MERPATI__MAILBOX_EVENT_KIND__MAILBOX_EVENT_APPEND);
	}
	web_call_json(call, 200, json_pack("{s:i}", key, r));
	return 0;
}

int web_api_messages_move(PGconn *conn, struct web_call *call, const char **error_r)
{
	struct store_mailbox src, dst;
	char rights[STORE_ACL_RIGHTS_SIZE];
	json_int_t to = json_integer_value(json_object_get(call->in, "to"));
	struct move_tx t = {0};
	uint32_t *uids;
	int r;

	if (uids_of(call->in, &uids, &t.n) < 0 || to < 1) {
		web_call_error(call, 400, "bad_request", "uids (array of UIDs) and to (folder id)");
		return 0;
	}
	if ((r = web_api_folder_access(conn, call, "rte", &src, rights, error_r)) > 0) {
		call->ids[0] = to;
		r = web_api_folder_access(conn, call, "i", &dst, rights, error_r);
	}
	if (r > 0) {
		t.src = src.id;
		t.dst = dst.id;
		t.src_account = src.account_id;
		t.dst_account = dst.account_id;
		t.uids = uids;
		r = run_move(conn, call, &t, "moved", error_r);
	}
	free(uids);
	return r;
}

int web_api_messages_delete(PGconn *conn, struct web_call *call, const char **error_r)
{
	struct store_mailbox src, trash;
	char rights[STORE_ACL_RIGHTS_SIZE];
	struct move_tx t = {0};
	uint32_t *uids;
	int r;

	if (uids_of(call->in, &uids, &t.n) < 0) {
		web_call_error(call, 400, "bad_request", "uids (array of UIDs)");
		return 0;
	}
	if ((r = web_api_folder_access(conn, call, "rte", &src, rights, error_r)) > 0 &&
	    (r = store_mailbox_find_special(conn, src.account_id, "\\Trash", &trash,
					    error_r)) == 0) {
		web_call_error(call, 400, "bad_request", "the owner has no Trash folder");
	}
	if (r > 0) {
		t.src = src.id;
		t.dst = trash.id;
		t.src_account = t.dst_account = src.account_id;
		t.expunge_only = src.id == trash.id;
		t.uids = uids;
		r = run_move(conn, call, &t, "deleted", error_r);
	}
	free(uids);
	return r;
}
