/* web_threads - thread roots for the message list from lib/thread's REFERENCES algorithm. */
#include "services/webmail/web_threads.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "store/db.h"
#include "thread/thread_algo.h"

/* window_sql - the threading fields of the window and the page, in ascending UID order
 * (what thread_references expects) */
static const char window_sql[] =
	"SELECT mm.uid, extract(epoch FROM coalesce(me.sent_date, mm.internal_date))::bigint, "
	"  coalesce(me.subject, ''), coalesce(me.message_id, ''), coalesce(me.in_reply_to, ''), "
	"  coalesce(right(me.refs, $4::int), '') "
	"FROM mailbox_messages mm LEFT JOIN message_meta me ON me.sha256 = mm.sha256 "
	"WHERE mm.mailbox_id = $1 AND (mm.uid >= coalesce((SELECT uid FROM mailbox_messages "
	"  WHERE mailbox_id = $1 ORDER BY uid DESC OFFSET $2 LIMIT 1), 0) "
	"  OR mm.uid = ANY($3::bigint[])) "
	"ORDER BY mm.uid";

/* first_message - the earliest message at or below a root: a dummy's children are sorted
 * by date (RFC 5256 3, step 6), so its first child's first message */
static const struct thread_msg *first_message(const struct thread_node *n)
{
	while (n != NULL && n->msg == NULL)
		n = n->child;
	return n != NULL ? n->msg : NULL;
}

/* mark_thread - every message below root (iteratively: a chain of replies may be as long
 * as the window) gets root_uid in roots */
static void mark_thread(struct thread_node *root, uint32_t root_uid, GHashTable *roots)
{
	struct thread_node *n = root;

	while (n != NULL) {
		if (n->msg != NULL)
			g_hash_table_insert(roots, GUINT_TO_POINTER(n->msg->number),
					    GUINT_TO_POINTER(root_uid));
		if (n->child != NULL) {
			n = n->child;
			continue;
		}
		while (n != root && n->next == NULL)
			n = n->parent;
		if (n == root)
			break;
		n = n->next;
	}
}

/* uid_array - the page's UIDs as a PostgreSQL array literal "{1,2,3}" (malloc'd) */
static char *uid_array(const uint32_t *page, size_t n)
{
	char *s = malloc(n * 11 + 3), *p = s;

	if (s == NULL)
		abort();
	*p++ = '{';
	for (size_t i = 0; i < n; i++)
		p += sprintf(p, "%s%u", i > 0 ? "," : "", page[i]);
	strcpy(p, "}");
	return s;
}

/* roots_of - thread the rows and map each UID to its root's */
static GHashTable *roots_of(const PGresult *res)
{
	int rows = PQntuples(res);
	struct thread_msg *msgs = calloc((size_t)rows + 1, sizeof(*msgs));
	GHashTable *roots = g_hash_table_new(g_direct_hash, g_direct_equal);
	struct thread_tree *t;

	if (msgs == NULL)
		abort();
	for (int i = 0; i < rows; i++)
		msgs[i] = (struct thread_msg){(uint32_t)db_get_int64(res, i, 0),
			db_get_int64(res, i, 1), db_get_str(res, i, 2), db_get_str(res, i, 3),
			db_get_str(res, i, 4), db_get_str(res, i, 5)};
	t = thread_references(msgs, (size_t)rows);
	for (struct thread_node *top = t->top->child; top != NULL; top = top->next) {
		const struct thread_msg *first = first_message(top);

		if (first != NULL)
			mark_thread(top, first->number, roots);
	}
	thread_tree_free(&t);
	free(msgs);
	return roots;
}

int web_threads_roots(PGconn *conn, int64_t mailbox_id, const uint32_t *page, size_t n,
		      uint32_t *roots_r, const char **error_r)
{
	char p1[24], p2[24], p4[24], *uids = uid_array(page, n);
	const char *params[4] = {db_int64_param(p1, mailbox_id),
				 db_int64_param(p2, WEB_THREADS_WINDOW - 1), uids,
				 db_int64_param(p4, WEB_THREADS_REFS_MAX)};
	PGresult *res = db_query(conn, window_sql, 4, params, error_r);
	GHashTable *roots;

	free(uids);
	if (res == NULL)
		return -1;
	roots = roots_of(res);
	for (size_t i = 0; i < n; i++) {
		gpointer v = g_hash_table_lookup(roots, GUINT_TO_POINTER(page[i]));

		roots_r[i] = v != NULL ? GPOINTER_TO_UINT(v) : page[i];
	}
	g_hash_table_destroy(roots);
	PQclear(res);
	return 0;
}
