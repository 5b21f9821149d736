/* imap_search.c - building SEARCH key trees and running them in PostgreSQL */
#include "store/imap_search.h"
#include "store/db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What each match brings back; the metadata columns are "" unless asked for. */
#define SEARCH_COLUMNS_HEAD \
	"SELECT mm.uid, mm.modseq, mm.size, extract(epoch FROM mm.internal_date)::bigint, " \
	"extract(epoch FROM coalesce(mt.sent_date, mm.internal_date))::bigint, "
#define SEARCH_COLUMNS_META \
	"coalesce(mt.subject, ''), coalesce(mt.from_addr, ''), coalesce(mt.to_addr, ''), " \
	"coalesce(mt.cc_addr, ''), coalesce(mt.message_id, ''), coalesce(mt.in_reply_to, ''), " \
	"coalesce(mt.refs, '') "
#define SEARCH_COLUMNS_NO_META "'', '', '', '', '', '', '' "
#define SEARCH_FROM \
	"FROM mailbox_messages mm LEFT JOIN message_meta mt ON mt.sha256 = mm.sha256 " \
	"WHERE mm.mailbox_id = $1::bigint AND ("
/* The same rows, each message's metadata looked up by its key in turn: OFFSET 0 keeps the
 * subquery from being pulled up, so the planner cannot start from message_meta. It
 * estimates a substring ILIKE as selective and cheap, so with the plain join it would test
 * the text of every message of every mailbox (a seq scan, or a trigram bitmap when the
 * string is common) to keep the few of one mailbox. */
#define SEARCH_FROM_SCAN \
	"FROM mailbox_messages mm LEFT JOIN LATERAL (SELECT m.* FROM message_meta m " \
	"WHERE m.sha256 = mm.sha256 OFFSET 0) mt ON true WHERE mm.mailbox_id = $1::bigint AND ("
/* WHERE takes a NULL (a key on missing metadata) as no match; the condition stays bare so
 * the planner can use the trigram indexes for it */
#define SEARCH_TAIL ") ORDER BY mm.uid"

/* store_search_node - the next free node of the program, zeroed */
struct store_search_key *store_search_node(struct store_search *s, enum store_search_kind kind)
{
	struct store_search_key *k;

	if (s->used >= STORE_SEARCH_NODES_MAX)
		return NULL;
	k = &s->nodes[s->used++];
	memset(k, 0, sizeof(*k));
	k->kind = kind;
	return k;
}

/* store_search_add - child becomes parent's last child */
void store_search_add(struct store_search_key *parent, struct store_search_key *child)
{
	struct store_search_key **p = &parent->child;

	while (*p != NULL)
		p = &(*p)->next;
	child->next = NULL;
	*p = child;
}

/* search_rows - the rows of a result as store_search_row pointing into it */
static void search_rows(PGresult *res, struct store_search_result *out)
{
	size_t n = (size_t)PQntuples(res);

	out->rows = calloc(n > 0 ? n : 1, sizeof(*out->rows));
	if (out->rows == NULL)
		abort(); /* out of memory */
	for (size_t i = 0; i < n; i++) {
		struct store_search_row *r = &out->rows[i];
		int row = (int)i;

		r->uid = (uint32_t)db_get_int64(res, row, 0);
		r->modseq = (uint64_t)db_get_int64(res, row, 1);
		r->size = db_get_int64(res, row, 2);
		r->internal_date = db_get_int64(res, row, 3);
		r->sent_date = db_get_int64(res, row, 4);
		r->subject = db_get_str(res, row, 5);
		r->from = db_get_str(res, row, 6);
		r->to = db_get_str(res, row, 7);
		r->cc = db_get_str(res, row, 8);
		r->message_id = db_get_str(res, row, 9);
		r->in_reply_to = db_get_str(res, row, 10);
		r->references = db_get_str(res, row, 11);
		if (r->modseq > out->highest_modseq)
			out->highest_modseq = r->modseq;
	}
	out->n = n;
	out->res = res;
}

/* search_statement - the whole SELECT around the condition: a condition on metadata in
 * a mailbox of up to STORE_SEARCH_SCAN_MAX messages tests the mailbox's messages one by
 * one; otherwise the planner may start from the trigram indexes */
static char *search_statement(const struct store_search_query *q, uint32_t messages,
			      bool with_meta)
{
	const char *cols = with_meta ? SEARCH_COLUMNS_META : SEARCH_COLUMNS_NO_META;
	const char *from = q->uses_meta && messages <= STORE_SEARCH_SCAN_MAX ? SEARCH_FROM_SCAN
									     : SEARCH_FROM;
	size_t len = strlen(SEARCH_COLUMNS_HEAD) + strlen(cols) + strlen(from) + q->len +
		     strlen(SEARCH_TAIL) + 1;
	char *sql = malloc(len);

	if (sql == NULL)
		abort();
	snprintf(sql, len, "%s%s%s%s%s", SEARCH_COLUMNS_HEAD, cols, from, q->sql, SEARCH_TAIL);
	return sql;
}

/* store_search_run - one query for the whole program */
int store_search_run(PGconn *conn, int64_t mailbox_id, uint32_t messages,
		     const struct store_search_key *key, bool with_meta,
		     struct store_search_result *out, const char **error_r)
{
	struct store_search_query *q = calloc(1, sizeof(*q));
	char mb[24], *sql;
	PGresult *res;

	memset(out, 0, sizeof(*out));
	if (q == NULL)
		abort();
	if (store_search_sql_where(key, q, error_r) < 0) {
		store_search_query_clear(q);
		free(q);
		return db_fail("22023", error_r, "%s", *error_r);
	}
	q->params[0] = db_int64_param(mb, mailbox_id);
	sql = search_statement(q, messages, with_meta);
	res = db_query(conn, sql, q->nparams, q->params, error_r);
	free(sql);
	store_search_query_clear(q);
	free(q);
	if (res == NULL)
		return -1;
	search_rows(res, out);
	return 0;
}

/* store_search_result_clear - free rows and result */
void store_search_result_clear(struct store_search_result *r)
{
	free(r->rows);
	if (r->res != NULL)
		PQclear(r->res);
	memset(r, 0, sizeof(*r));
}
