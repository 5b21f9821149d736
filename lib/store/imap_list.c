/* imap_list - shared mailboxes for IMAP LIST, STATUS and SELECT. */
#include <string.h>

#include "store/db.h"
#include "store/imap_list.h"

#define SHARED_SELECT \
	"SELECT m.id, m.account_id, m.name, coalesce(m.special_use, ''), false, " \
	"m.uidvalidity, m.uidnext, m.highestmodseq, m.messages, m.unseen, m.total_size, " \
	"a.address, acl.rights FROM mailbox_acl acl " \
	"JOIN mailboxes m ON m.id = acl.mailbox_id JOIN accounts a ON a.id = m.account_id " \
	"WHERE acl.grantee_id = $1 AND acl.rights LIKE '%l%' AND m.account_id <> $1 "

/* shared_from_row - one row of SHARED_SELECT */
static void shared_from_row(const PGresult *res, int row, struct store_imap_shared *s)
{
	struct store_mailbox *m = &s->mailbox;

	memset(s, 0, sizeof(*s));
	m->id = db_get_int64(res, row, 0);
	m->account_id = db_get_int64(res, row, 1);
	(void)db_copy_str(res, row, 2, m->name, sizeof(m->name));
	(void)db_copy_str(res, row, 3, m->special_use, sizeof(m->special_use));
	m->subscribed = db_get_bool(res, row, 4);
	m->uidvalidity = (uint32_t)db_get_int64(res, row, 5);
	m->uidnext = (uint32_t)db_get_int64(res, row, 6);
	m->highestmodseq = (uint64_t)db_get_int64(res, row, 7);
	m->messages = (uint32_t)db_get_int64(res, row, 8);
	m->unseen = (uint32_t)db_get_int64(res, row, 9);
	m->total_size = db_get_int64(res, row, 10);
	(void)db_copy_str(res, row, 11, s->owner, sizeof(s->owner));
	(void)db_copy_str(res, row, 12, s->rights, sizeof(s->rights));
}

/* store_imap_shared_list - see imap_list.h */
int store_imap_shared_list(PGconn *conn, int64_t grantee_id, store_imap_shared_fn *fn,
			   void *arg, const char **error_r)
{
	char b[24];
	const char *params[1] = { db_int64_param(b, grantee_id) };
	PGresult *res = db_query(conn, SHARED_SELECT "ORDER BY a.address, m.name", 1, params,
				 error_r);
	int n;

	if (res == NULL)
		return -1;
	n = PQntuples(res);
	for (int i = 0; i < n; i++) {
		struct store_imap_shared s;

		shared_from_row(res, i, &s);
		if (fn(&s, arg) != 0)
			break;
	}
	PQclear(res);
	return n;
}

/* store_imap_shared_find - see imap_list.h */
int store_imap_shared_find(PGconn *conn, int64_t grantee_id, const char *owner,
			   const char *name, struct store_imap_shared *out, const char **error_r)
{
	char b[24];
	const char *params[3] = { db_int64_param(b, grantee_id), owner, name };
	PGresult *res = db_query(conn, SHARED_SELECT "AND a.address = lower($2) AND m.name = $3",
				 3, params, error_r);
	int found;

	if (res == NULL)
		return -1;
	found = PQntuples(res) > 0;
	if (found)
		shared_from_row(res, 0, out);
	PQclear(res);
	return found;
}
