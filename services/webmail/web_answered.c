/* web_answered - \Answered on the original of a reply sent from the webmail. */
#include "services/webmail/web_answered.h"

#include <stdio.h>
#include <string.h>

#include "bus/bus.h"
#include "store/db.h"
#include "store/mailbox.h"

struct answered_tx {
	int64_t mailbox[WEB_ANSWERED_MAX];
	uint32_t uid[WEB_ANSWERED_MAX];
	size_t n;
	bool changed[WEB_ANSWERED_MAX];
};

/* find - the caller's messages with this Message-ID, not yet \Answered; -1 error */
static int find(PGconn *conn, int64_t account_id, const char *msgid, struct answered_tx *t,
		const char **error_r)
{
	char acc[24], lim[24];
	const char *params[3] = {db_int64_param(acc, account_id), msgid,
				 db_int64_param(lim, WEB_ANSWERED_MAX)};
	PGresult *res = db_query(conn,
		"SELECT mm.mailbox_id, mm.uid FROM message_meta mt "
		"JOIN mailbox_messages mm ON mm.sha256 = mt.sha256 "
		"JOIN mailboxes mb ON mb.id = mm.mailbox_id "
		"WHERE mt.message_id = $2 AND mb.account_id = $1::bigint AND mm.flags & 2 = 0 "
		"ORDER BY mm.mailbox_id, mm.uid LIMIT $3::int",
		3, params, error_r);

	if (res == NULL)
		return -1;
	for (int i = 0; i < PQntuples(res) && t->n < WEB_ANSWERED_MAX; i++, t->n++) {
		t->mailbox[t->n] = db_get_int64(res, i, 0);
		t->uid[t->n] = (uint32_t)db_get_int64(res, i, 1);
	}
	PQclear(res);
	return 0;
}

/* flag_tx - add \Answered to each found message in one transaction (RFC 3501 6.4.6) */
static int flag_tx(PGconn *conn, void *arg, const char **error_r)
{
	struct answered_tx *t = arg;
	uint64_t modseq;
	int r, changed = 0;

	for (size_t i = 0; i < t->n; i++) {
		if ((r = store_mailbox_store_flags(conn, t->mailbox[i], &t->uid[i], 1,
						   STORE_FLAGS_ADD, STORE_FLAG_ANSWERED, NULL, 0,
						   0, &modseq, error_r)) < 0)
			return -1;
		t->changed[i] = r > 0;
		changed += r;
	}
	return changed;
}

int web_answered_mark(PGconn *conn, struct web_call *call, const char *in_reply_to,
		      const char **error_r)
{
	struct answered_tx t = {0};
	int64_t last = 0;
	int r;

	if (in_reply_to == NULL || in_reply_to[0] != '<' || strlen(in_reply_to) > 998)
		return 0;
	if (find(conn, call->account_id, in_reply_to, &t, error_r) < 0)
		return -1;
	if (t.n == 0)
		return 0;
	if ((r = db_tx(conn, flag_tx, &t, error_r)) < 0)
		return -1;
	for (size_t i = 0; i < t.n; i++) {
		if (!t.changed[i] || t.mailbox[i] == last)
			continue;
		last = t.mailbox[i];
		web_call_changed(call, call->account_id, last,
				 MERPATI__MAILBOX_EVENT_KIND__MAILBOX_EVENT_FLAGS);
	}
	return r;
}
