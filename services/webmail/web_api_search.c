/* web_api_search - search on the server over message_meta: from, to, subject, full text,
 * substring and case-insensitive as IMAP SEARCH (RFC 3501 6.4.4), served by the trigram
 * indexes (DESIGN.md rule 5). A text the mda has not indexed yet is in body_text_pending
 * (migration 0011). */
#include "services/webmail/web_addr.h"
#include "services/webmail/web_api.h"
#include "services/webmail/web_routes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/db.h"

#define TERM_MAX 256
#define SEARCH_LIMIT_MAX 200

/* like_pattern - "%term%" with LIKE's \ % _ escaped */
static void like_pattern(const char *term, char out[TERM_MAX * 2 + 3])
{
	size_t k = 0;

	out[k++] = '%';
	for (const char *p = term; *p != '\0'; p++) {
		if (*p == '\\' || *p == '%' || *p == '_')
			out[k++] = '\\';
		out[k++] = *p;
	}
	out[k++] = '%';
	out[k] = '\0';
}

static const char search_sql[] =
	"SELECT mm.mailbox_id, mm.uid, mm.flags, mm.size, "
	"  extract(epoch FROM coalesce(me.sent_date, mm.internal_date))::bigint, "
	"  coalesce(me.subject, ''), coalesce(me.from_addr, ''), coalesce(me.to_addr, '') "
	"FROM mailbox_messages mm JOIN mailboxes mb ON mb.id = mm.mailbox_id "
	"JOIN message_meta me ON me.sha256 = mm.sha256 "
	"WHERE ($1::bigint = 0 AND mb.account_id = $2 OR mb.id = $1::bigint) "
	"  AND ($3::text IS NULL OR me.subject ILIKE $3 OR me.from_addr ILIKE $3 "
	"       OR me.to_addr ILIKE $3 OR me.body_text ILIKE $3 OR me.body_text_pending ILIKE $3) "
	"  AND ($4::text IS NULL OR me.from_addr ILIKE $4) "
	"  AND ($5::text IS NULL OR me.to_addr ILIKE $5 OR me.cc_addr ILIKE $5) "
	"  AND ($6::text IS NULL OR me.subject ILIKE $6) "
	"  AND ($7::text IS NULL OR me.body_text ILIKE $7 OR me.body_text_pending ILIKE $7) "
	"ORDER BY coalesce(me.sent_date, mm.internal_date) DESC, mm.uid DESC LIMIT $8";

/* result_json - one result row */
static json_t *result_json(const PGresult *res, int i)
{
	unsigned flags = (unsigned)db_get_int64(res, i, 2);

	return json_pack("{s:I, s:I, s:s, s:o, s:o, s:I, s:I, s:{s:b, s:b}}",
			 "folder", (json_int_t)db_get_int64(res, i, 0),
			 "uid", (json_int_t)db_get_int64(res, i, 1),
			 "subject", db_get_str(res, i, 5), "from", web_addr_json(db_get_str(res, i, 6)),
			 "to", web_addr_json(db_get_str(res, i, 7)), "date", (json_int_t)db_get_int64(res, i, 4),
			 "size", (json_int_t)db_get_int64(res, i, 3),
			 "flags", "seen", (flags & STORE_FLAG_SEEN) != 0,
			 "flagged", (flags & STORE_FLAG_FLAGGED) != 0);
}

/* terms - the five search terms as LIKE patterns (NULL when absent); -1 when none given */
static int terms(const struct web_call *call, char pats[5][TERM_MAX * 2 + 3],
		 const char *params[5])
{
	static const char *const names[5] = {"q", "from", "to", "subject", "text"};
	int given = 0;

	for (int i = 0; i < 5; i++) {
		char term[TERM_MAX];

		params[i] = NULL;
		if (web_call_query(call, names[i], term, sizeof(term)) && term[0] != '\0') {
			like_pattern(term, pats[i]);
			params[i] = pats[i];
			given++;
		}
	}
	return given > 0 ? 0 : -1;
}

int web_api_search(PGconn *conn, struct web_call *call, const char **error_r)
{
	char pats[5][TERM_MAX * 2 + 3], folder[24] = "0", acct[24], lim[24], buf[24];
	const char *params[8];
	struct store_mailbox mb;
	char rights[STORE_ACL_RIGHTS_SIZE];
	PGresult *res;
	json_t *arr;
	long limit = 50;
	int r;

	if (terms(call, pats, params + 2) < 0) {
		web_call_error(call, 400, "bad_request", "give q, from, to, subject or text");
		return 0;
	}
	if (web_call_query(call, "limit", buf, sizeof(buf)))
		limit = strtol(buf, NULL, 10);
	if (limit < 1 || limit > SEARCH_LIMIT_MAX)
		limit = 50;
	if (web_call_query(call, "folder", buf, sizeof(buf))) {
		call->ids[0] = strtoll(buf, NULL, 10);
		if ((r = web_api_folder_access(conn, call, "r", &mb, rights, error_r)) <= 0)
			return r;
		db_int64_param(folder, mb.id);
	}
	params[0] = folder;
	params[1] = db_int64_param(acct, call->account_id);
	params[7] = db_int64_param(lim, limit);
	if ((res = db_query(conn, search_sql, 8, params, error_r)) == NULL)
		return -1;
	arr = json_array();
	for (int i = 0; i < PQntuples(res); i++)
		json_array_append_new(arr, result_json(res, i));
	PQclear(res);
	web_call_json(call, 200, json_pack("{s:o}", "results", arr));
	return 0;
}
