/* web_api_messages - list, read (headers, text, sanitized HTML, raw) and flag messages. */
#include "services/webmail/web_addr.h"
#include "services/webmail/web_api.h"
#include "services/webmail/web_mime.h"
#include "services/webmail/web_routes.h"
#include "services/webmail/web_sanitize.h"
#include "services/webmail/web_threads.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus/bus.h"
#include "store/db.h"
#include "store/message.h"

#define LIST_LIMIT_MAX 200
#define FLAG_UIDS_MAX 1000

/* Sort keys (docs/WEBMAIL-API.md): fixed SQL fragments, never client text. */
static const struct { const char *name, *sql; } sorts[] = {
	{"date", "coalesce(me.sent_date, mm.internal_date)"},
	{"arrival", "mm.internal_date"},
	{"from", "lower(coalesce(me.from_addr, ''))"},
	{"subject", "lower(coalesce(me.subject, ''))"},
	{"size", "mm.size"},
};

/* flags_json - {"seen":..,"flagged":..,"answered":..,"draft":..} */
static json_t *flags_json(unsigned flags)
{
	return json_pack("{s:b, s:b, s:b, s:b}", "seen", (flags & STORE_FLAG_SEEN) != 0,
			 "flagged", (flags & STORE_FLAG_FLAGGED) != 0,
			 "answered", (flags & STORE_FLAG_ANSWERED) != 0,
			 "draft", (flags & STORE_FLAG_DRAFT) != 0);
}

/* query_long - an integer query parameter within [min, max], else def */
static long query_long(const struct web_call *call, const char *name, long def, long min,
		       long max)
{
	char buf[24], *end;
	long v;

	if (!web_call_query(call, name, buf, sizeof(buf)))
		return def;
	v = strtol(buf, &end, 10);
	return *end != '\0' || v < min || v > max ? def : v;
}

/* list_sql - the list query with the chosen sort */
static void list_sql(const struct web_call *call, char *sql, size_t size)
{
	char name[16], order[8];
	const char *col = sorts[0].sql, *dir = "DESC";

	if (web_call_query(call, "sort", name, sizeof(name)))
		for (size_t i = 0; i < sizeof(sorts) / sizeof(sorts[0]); i++)
			if (strcmp(name, sorts[i].name) == 0)
				col = sorts[i].sql;
	if (web_call_query(call, "order", order, sizeof(order)) && strcmp(order, "asc") == 0)
		dir = "ASC";
	snprintf(sql, size,
		 "SELECT mm.uid, mm.flags, mm.size, "
		 "  extract(epoch FROM coalesce(me.sent_date, mm.internal_date))::bigint, "
		 "  coalesce(me.subject, ''), coalesce(me.from_addr, ''), coalesce(me.to_addr, ''), "
		 "  coalesce(me.bodystructure ILIKE '%%\"attachment\"%%', false), "
		 "  coalesce(me.message_id, ''), coalesce(me.in_reply_to, '') "
		 "FROM mailbox_messages mm LEFT JOIN message_meta me ON me.sha256 = mm.sha256 "
		 "WHERE mm.mailbox_id = $1 ORDER BY %s %s, mm.uid %s LIMIT $2 OFFSET $3",
		 col, dir, dir);
}

/* summary_json - one list entry from a row of list_sql, in the thread whose root is
 * thread */
static json_t *summary_json(const PGresult *res, int i, uint32_t thread)
{
	return json_pack("{s:I, s:s, s:o, s:o, s:I, s:I, s:o, s:b, s:I}",
			 "uid", (json_int_t)db_get_int64(res, i, 0),
			 "subject", db_get_str(res, i, 4), "from", web_addr_json(db_get_str(res, i, 5)),
			 "to", web_addr_json(db_get_str(res, i, 6)), "date", (json_int_t)db_get_int64(res, i, 3),
			 "size", (json_int_t)db_get_int64(res, i, 2),
			 "flags", flags_json((unsigned)db_get_int64(res, i, 1)),
			 "has_attachments", db_get_bool(res, i, 7),
			 "thread", (json_int_t)thread);
}

/* page_threads - the thread root of every row: with threads=1 by References (web_threads),
 * else each message its own. -1 store error */
static int page_threads(PGconn *conn, const struct web_call *call, int64_t mailbox_id,
			const PGresult *res, uint32_t *roots, const char **error_r)
{
	uint32_t page[LIST_LIMIT_MAX];
	int n = PQntuples(res);
	char v[4];

	for (int i = 0; i < n && i < LIST_LIMIT_MAX; i++)
		roots[i] = page[i] = (uint32_t)db_get_int64(res, i, 0);
	if (n == 0 || !web_call_query(call, "threads", v, sizeof(v)) || strcmp(v, "1") != 0)
		return 0;
	return web_threads_roots(conn, mailbox_id, page, (size_t)n, roots, error_r);
}

int web_api_messages_list(PGconn *conn, struct web_call *call, const char **error_r)
{
	struct store_mailbox mb;
	char rights[STORE_ACL_RIGHTS_SIZE], sql[1024], p1[24], p2[24], p3[24];
	long offset = query_long(call, "offset", 0, 0, 1L << 31);
	long limit = query_long(call, "limit", 50, 1, LIST_LIMIT_MAX);
	const char *params[3];
	uint32_t roots[LIST_LIMIT_MAX];
	PGresult *res;
	json_t *arr;
	int r;

	if ((r = web_api_folder_access(conn, call, "r", &mb, rights, error_r)) <= 0)
		return r;
	list_sql(call, sql, sizeof(sql));
	params[0] = db_int64_param(p1, mb.id);
	params[1] = db_int64_param(p2, limit);
	params[2] = db_int64_param(p3, offset);
	if ((res = db_query(conn, sql, 3, params, error_r)) == NULL)
		return -1;
	if (page_threads(conn, call, mb.id, res, roots, error_r) < 0) {
		PQclear(res);
		return -1;
	}
	arr = json_array();
	for (int i = 0; i < PQntuples(res) && i < LIST_LIMIT_MAX; i++)
		json_array_append_new(arr, summary_json(res, i, roots[i]));
	PQclear(res);
	web_call_json(call, 200, json_pack("{s:I, s:I, s:o}", "total", (json_int_t)mb.messages,
					   "offset", (json_int_t)offset, "messages", arr));
	return 0;
}

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

/* message_row - the message call->ids[1] of the folder: its row with metadata and its
 * bytes. 1 found, 0 404 set, -1 error; the caller PQclears *res_r and frees blob->p */
static int message_row(PGconn *conn, struct web_call *call, int64_t mailbox_id,
		       PGresult **res_r, struct blob *blob, const char **error_r)
{
	static const char sql[] =
		"SELECT encode(mm.sha256, 'hex'), mm.flags, mm.size, "
		"  extract(epoch FROM coalesce(me.sent_date, mm.internal_date))::bigint, "
		"  coalesce(me.subject, ''), coalesce(me.from_addr, ''), coalesce(me.to_addr, ''), "
		"  coalesce(me.cc_addr, ''), coalesce(me.reply_to, ''), coalesce(me.message_id, ''), "
		"  coalesce(me.in_reply_to, ''), coalesce(me.refs, '') "
		"FROM mailbox_messages mm LEFT JOIN message_meta me ON me.sha256 = mm.sha256 "
		"WHERE mm.mailbox_id = $1 AND mm.uid = $2";
	char p1[24], p2[24];
	const char *params[2] = {db_int64_param(p1, mailbox_id), db_int64_param(p2, call->ids[1])};
	PGresult *res;

	if (call->ids[1] > 4294967295LL) {
		web_call_error(call, 404, "not_found", "no such message");
		return 0;
	}
	if ((res = db_query(conn, sql, 2, params, error_r)) == NULL)
		return -1;
	if (PQntuples(res) != 1) {
		PQclear(res);
		web_call_error(call, 404, "not_found", "no such message");
		return 0;
	}
	memset(blob, 0, sizeof(*blob));
	if (store_message_read(conn, db_get_str(res, 0, 0), 0, -1, blob_chunk, blob, error_r) < 0) {
		PQclear(res);
		free(blob->p);
		return -1;
	}
	if (blob->p == NULL)
		blob_chunk("", 0, blob);
	*res_r = res;
	return 1;
}

/* message_json - the full message object */
static json_t *message_json(const struct web_call *call, const PGresult *res,
			    const struct web_mime *m)
{
	return json_pack("{s:I, s:I, s:s, s:I, s:I, s:o, s:o, s:o, s:o, s:s, s:s, s:s, s:o, "
			 "s:s, s:b, s:O}",
			 "uid", (json_int_t)call->ids[1], "folder", (json_int_t)call->ids[0],
			 "subject", db_get_str(res, 0, 4), "date", (json_int_t)db_get_int64(res, 0, 3),
			 "size", (json_int_t)db_get_int64(res, 0, 2),
			 "from", web_addr_json(db_get_str(res, 0, 5)),
			 "to", web_addr_json(db_get_str(res, 0, 6)),
			 "cc", web_addr_json(db_get_str(res, 0, 7)),
			 "reply_to", web_addr_json(db_get_str(res, 0, 8)),
			 "message_id", db_get_str(res, 0, 9),
			 "in_reply_to", db_get_str(res, 0, 10), "references", db_get_str(res, 0, 11),
			 "flags", flags_json((unsigned)db_get_int64(res, 0, 1)),
			 "text", m->text != NULL ? m->text : "", "has_html", m->html != NULL,
			 "attachments", m->attachments);
}

int web_api_messages_get(PGconn *conn, struct web_call *call, const char **error_r)
{
	struct store_mailbox mb;
	char rights[STORE_ACL_RIGHTS_SIZE];
	struct web_mime m;
	struct blob blob;
	PGresult *res;
	int r;

	if ((r = web_api_folder_access(conn, call, "r", &mb, rights, error_r)) <= 0)
		return r;
	if ((r = message_row(conn, call, mb.id, &res, &blob, error_r)) <= 0)
		return r;
	r = web_mime_parse(blob.p, blob.len, &m, error_r);
	free(blob.p);
	if (r < 0) {
		PQclear(res);
		return -1;
	}
	web_call_json(call, 200, message_json(call, res, &m));
	PQclear(res);
	web_mime_free(&m);
	return 0;
}

/* body_reply - the sanitized document with its own policy (docs/WEBMAIL-API.md) */
static int body_reply(struct web_call *call, const char *html, bool images,
		      const char **error_r)
{
	struct web_sanitize_result out;
	char prefix[128];
	struct web_sanitize_opts opts = {.remote_images = images, .cid_prefix = prefix};

	snprintf(prefix, sizeof(prefix), "/api/folders/%lld/messages/%lld/cid/",
		 (long long)call->ids[0], (long long)call->ids[1]);
	if (web_sanitize_html(html, strlen(html), &opts, &out, error_r) < 0)
		return -1;
	call->status = 200;
	call->body = out.html;
	call->body_len = out.len;
	snprintf(call->content_type, sizeof(call->content_type), "text/html; charset=utf-8");
	snprintf(call->csp, sizeof(call->csp),
		 "default-src 'none'; img-src 'self'%s; style-src 'unsafe-inline'; "
		 "frame-ancestors 'self'", images ? " https: http:" : "");
	return 0;
}

int web_api_messages_body(PGconn *conn, struct web_call *call, const char **error_r)
{
	struct store_mailbox mb;
	char rights[STORE_ACL_RIGHTS_SIZE];
	struct web_mime m;
	struct blob blob;
	PGresult *res;
	int r;

	if ((r = web_api_folder_access(conn, call, "r", &mb, rights, error_r)) <= 0)
		return r;
	if ((r = message_row(conn, call, mb.id, &res, &blob, error_r)) <= 0)
		return r;
	PQclear(res);
	r = web_mime_parse(blob.p, blob.len, &m, error_r);
	free(blob.p);
	if (r < 0)
		return -1;
	if (m.html == NULL)
		web_call_error(call, 404, "not_found", "the message has no HTML part");
	else
		r = body_reply(call, m.html, query_long(call, "images", 0, 0, 1) == 1, error_r);
	web_mime_free(&m);
	return r;
}

int web_api_messages_raw(PGconn *conn, struct web_call *call, const char **error_r)
{
	struct store_mailbox mb;
	char rights[STORE_ACL_RIGHTS_SIZE];
	struct blob blob;
	PGresult *res;
	int r;

	if ((r = web_api_folder_access(conn, call, "r", &mb, rights, error_r)) <= 0)
		return r;
	if ((r = message_row(conn, call, mb.id, &res, &blob, error_r)) <= 0)
		return r;
	PQclear(res);
	call->status = 200;
	call->body = blob.p;
	call->body_len = blob.len;
	snprintf(call->content_type, sizeof(call->content_type), "text/plain; charset=utf-8");
	snprintf(call->disposition, sizeof(call->disposition), "%s",
		 query_long(call, "download", 0, 0, 1) == 1 ?
		 "attachment; filename=\"message.eml\"" : "inline");
	snprintf(call->csp, sizeof(call->csp), "default-src 'none'");
	return 0;
}

/* uids_of - the "uids" array of the body (1..FLAG_UIDS_MAX valid UIDs); -1 when bad */
static int uids_of(const json_t *in, uint32_t *uids, size_t *n_r)
{
	const json_t *arr = json_object_get(in, "uids"), *v;
	size_t i;

	if (!json_is_array(arr) || json_array_size(arr) == 0 ||
	    json_array_size(arr) > FLAG_UIDS_MAX)
		return -1;
	json_array_foreach(arr, i, v) {
		json_int_t u = json_integer_value(v);

		if (!json_is_integer(v) || u < 1 || u > 4294967295LL)
			return -1;
		uids[i] = (uint32_t)u;
	}
	*n_r = json_array_size(arr);
	return 0;
}

struct flag_tx {
	int64_t mailbox_id;
	const uint32_t *uids;
	size_t n;
	unsigned add, remove;
	uint64_t modseq;
};

/* flag_tx_body - add then remove flags in one transaction (RFC 3501 6.4.6) */
static int flag_tx_body(PGconn *conn, void *arg, const char **error_r)
{
	struct flag_tx *t = arg;
	int changed = 0, r;
	uint64_t modseq = 0;

	if (t->add != 0) {
		if ((r = store_mailbox_store_flags(conn, t->mailbox_id, t->uids, t->n,
						   STORE_FLAGS_ADD, t->add, NULL, 0, 0, &modseq,
						   error_r)) < 0)
			return -1;
		changed += r;
	}
	if (t->remove != 0) {
		if ((r = store_mailbox_store_flags(conn, t->mailbox_id, t->uids, t->n,
						   STORE_FLAGS_REMOVE, t->remove, NULL, 0, 0,
						   &modseq, error_r)) < 0)
			return -1;
		changed += r;
	}
	t->modseq = modseq;
	return changed;
}

/* flag_change - the "seen"/"flagged" keys of the body into add/remove masks; need gets the
 * ACL letters they require (RFC 4314 4: "s" for \Seen, "w" for other flags); -1 bad type */
static int flag_change(const json_t *in, struct flag_tx *t, char need[4])
{
	static const struct { const char *key; unsigned flag; char right; } keys[] = {
		{"seen", STORE_FLAG_SEEN, 's'}, {"flagged", STORE_FLAG_FLAGGED, 'w'},
	};
	size_t k = 0;

	for (size_t i = 0; i < 2; i++) {
		const json_t *v = json_object_get(in, keys[i].key);

		if (v == NULL)
			continue;
		if (!json_is_boolean(v))
			return -1;
		if (json_is_true(v))
			t->add |= keys[i].flag;
		else
			t->remove |= keys[i].flag;
		need[k++] = keys[i].right;
	}
	need[k] = '\0';
	return 0;
}

int web_api_messages_flags(PGconn *conn, struct web_call *call, const char **error_r)
{
	uint32_t *uids = malloc(FLAG_UIDS_MAX * sizeof(*uids));
	struct flag_tx t = {0};
	struct store_mailbox mb;
	char rights[STORE_ACL_RIGHTS_SIZE], need[4];
	int r;

	if (uids == NULL)
		abort();
	if (uids_of(call->in, uids, &t.n) < 0 || flag_change(call->in, &t, need) < 0) {
		free(uids);
		web_call_error(call, 400, "bad_request", "uids (array of UIDs) and booleans seen/flagged");
		return 0;
	}
	if ((r = web_api_folder_access(conn, call, need, &mb, rights, error_r)) <= 0) {
		free(uids);
		return r;
	}
	t.mailbox_id = mb.id;
	t.uids = uids;
	r = db_tx(conn, flag_tx_body, &t, error_r);
	free(uids);
	if (r < 0)
		return -1;
	if (r > 0)
		web_call_changed(call, mb.account_id, mb.id, MERPATI__MAILBOX_EVENT_KIND__MAILBOX_EVENT_FLAGS);
	web_call_json(call, 200, json_pack("{s:i, s:I}", "changed", r, "highestmodseq",
					   (json_int_t)(t.modseq != 0 ? t.modseq : mb.highestmodseq)));
	return 0;
}
