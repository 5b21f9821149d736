/* imap_sync - one statement (one snapshot) for a mailbox's changes since a modseq. */
#include <stdlib.h>
#include <string.h>

#include "store/db.h"
#include "store/db_prepared.h"
#include "store/imap_sync.h"

/* Run after every command in a selected mailbox: prepared once per connection. */
static const struct db_stmt sync_stmt = { "imap_sync_read",
	"SELECT 0, uidvalidity, uidnext, highestmodseq, '' FROM mailboxes WHERE id = $1 "
	"UNION ALL SELECT 1, uid, 0, modseq, '' FROM expunged "
	"  WHERE mailbox_id = $1 AND modseq > $2 AND $3 "
	"UNION ALL SELECT 2, uid, flags, modseq, array_to_string(keywords, ' ') "
	"  FROM mailbox_messages WHERE mailbox_id = $1 AND modseq > $2 "
	"ORDER BY 1, 2 LIMIT 1000001", 3 };

/* sync_strdup - a heap copy; aborts without memory */
static char *sync_strdup(const char *s)
{
	char *p = strdup(s);

	if (p == NULL)
		abort();
	return p;
}

/* sync_fill - rows into out; the first row is the mailbox's (kind 0) */
static int sync_fill(const PGresult *res, struct store_imap_sync *out, const char **error_r)
{
	int rows = PQntuples(res);

	if ((size_t)rows > STORE_IMAP_SYNC_MAX)
		return db_fail("54000", error_r, "too many changes to report at once");
	out->uidvalidity = (uint32_t)db_get_int64(res, 0, 1);
	out->uidnext = (uint32_t)db_get_int64(res, 0, 2);
	out->highestmodseq = (uint64_t)db_get_int64(res, 0, 3);
	out->expunged = calloc((size_t)rows, sizeof(*out->expunged));
	out->changes = calloc((size_t)rows, sizeof(*out->changes));
	if (out->expunged == NULL || out->changes == NULL)
		abort();
	for (int i = 1; i < rows; i++) {
		uint32_t uid = (uint32_t)db_get_int64(res, i, 1);

		if (db_get_int64(res, i, 0) == 1) {
			out->expunged[out->nexpunged++] = uid;
			continue;
		}
		struct store_imap_change *c = &out->changes[out->nchanges++];

		c->uid = uid;
		c->flags = (unsigned)db_get_int64(res, i, 2);
		c->modseq = (uint64_t)db_get_int64(res, i, 3);
		c->keywords = sync_strdup(db_get_str(res, i, 4));
	}
	return 1;
}

/* store_imap_sync_read - see imap_sync.h */
int store_imap_sync_read(PGconn *conn, int64_t mailbox_id, uint64_t since, bool with_expunged,
			 struct store_imap_sync *out, const char **error_r)
{
	char b1[24], b2[24];
	const char *params[3] = { db_int64_param(b1, mailbox_id),
				  db_int64_param(b2, (int64_t)since), with_expunged ? "t" : "f" };
	PGresult *res;
	int r;

	memset(out, 0, sizeof(*out));
	if ((res = db_query_prepared(conn, &sync_stmt, params, error_r)) == NULL)
		return -1;
	if (PQntuples(res) == 0 || db_get_int64(res, 0, 0) != 0) {
		PQclear(res);
		return 0;
	}
	r = sync_fill(res, out, error_r);
	PQclear(res);
	if (r < 0)
		store_imap_sync_clear(out);
	return r;
}

/* store_imap_sync_clear - free the arrays and keyword strings */
void store_imap_sync_clear(struct store_imap_sync *s)
{
	for (size_t i = 0; i < s->nchanges; i++)
		free(s->changes[i].keywords);
	free(s->changes);
	free(s->expunged);
	memset(s, 0, sizeof(*s));
}
