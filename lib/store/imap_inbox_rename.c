/* imap_inbox_rename.c - RENAME INBOX as "create the new mailbox, MOVE everything there". */
#include <stdlib.h>
#include <string.h>

#include "store/db.h"
#include "store/imap_inbox_rename.h"
#include "store/imap_msg_copy.h"
#include "store/mailbox.h"

struct rename_tx {
	int64_t account_id;
	const char *to;
	struct store_imap_inbox_rename *out;
};

/* rename_uids - INBOX's UIDs, ascending, at most IMAP_MSG_COPY_MAX of them (malloc'd) */
static int rename_uids(PGconn *conn, int64_t inbox, uint32_t **uids_r, size_t *n_r,
		       const char **error_r)
{
	char id[24], lim[24];
	const char *params[2] = { db_int64_param(id, inbox),
				  db_int64_param(lim, IMAP_MSG_COPY_MAX) };
	PGresult *res = db_query(conn, "SELECT uid FROM mailbox_messages WHERE mailbox_id = $1 "
				       "ORDER BY uid LIMIT $2", 2, params, error_r);
	int n;

	if (res == NULL)
		return -1;
	n = PQntuples(res);
	if ((*uids_r = calloc((size_t)n + 1, sizeof(**uids_r))) == NULL)
		abort();
	for (int i = 0; i < n; i++)
		(*uids_r)[i] = (uint32_t)db_get_int64(res, i, 0);
	*n_r = (size_t)n;
	PQclear(res);
	return 0;
}

/* rename_move - move INBOX's messages in batches of IMAP_MSG_COPY_MAX */
static int rename_move(PGconn *conn, struct store_imap_inbox_rename *out, const char **error_r)
{
	for (;;) {
		struct imap_msg_copy_result r;
		uint32_t *uids;
		size_t n;
		int ret;

		if (rename_uids(conn, out->inbox_id, &uids, &n, error_r) < 0)
			return -1;
		if (n == 0) {
			free(uids);
			return 0;
		}
		ret = imap_msg_copy(conn, out->inbox_id, out->new_id, uids, n, true, &r, error_r);
		free(uids);
		if (ret < 0)
			return -1;
		out->moved += r.count;
		out->new_uidvalidity = r.uidvalidity;
		out->inbox_modseq = r.src_modseq;
		out->new_modseq = r.dst_modseq;
		imap_msg_copy_result_clear(&r);
		if (ret == 0)
			return db_fail("XX000", error_r, "INBOX messages could not be moved");
	}
}

/* rename_body - db_tx_fn (may run again: out starts over) */
static int rename_body(PGconn *conn, void *arg, const char **error_r)
{
	struct rename_tx *t = arg;
	struct store_mailbox inbox;
	int found;

	memset(t->out, 0, sizeof(*t->out));
	if ((found = store_mailbox_find(conn, t->account_id, "INBOX", &inbox, error_r)) <= 0)
		return found < 0 ? -1 : db_fail("XX000", error_r, "the account has no INBOX");
	t->out->inbox_id = inbox.id;
	t->out->inbox_uidvalidity = inbox.uidvalidity;
	if (store_mailbox_create(conn, t->account_id, t->to, NULL, &t->out->new_id, error_r) < 0)
		return -1;
	if (rename_move(conn, t->out, error_r) < 0)
		return -1;
	return 1;
}

/* store_imap_inbox_rename - see imap_inbox_rename.h */
int store_imap_inbox_rename(PGconn *conn, int64_t account_id, const char *to,
			    struct store_imap_inbox_rename *out, const char **error_r)
{
	struct rename_tx t = { account_id, to, out };

	return db_tx(conn, rename_body, &t, error_r);
}
