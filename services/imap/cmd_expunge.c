/* cmd_expunge - EXPUNGE (RFC 3501 6.4.3) and UID EXPUNGE (RFC 4315 2.1).
 *
 * The store's expunge removes the rows and logs them with a new modseq for QRESYNC
 * (RFC 7162 3.2.10), all in one transaction under the mailbox row lock. UID EXPUNGE removes
 * only the messages of its set that carry \Deleted. The removals this session knows of are
 * then reported: "* n EXPUNGE" one by one (each MSN as it is at that moment, RFC 3501
 * 7.4.1), or one "* VANISHED set" once QRESYNC is enabled. */
#include "services/imap/imap.h"
#include "services/imap/imap_cmds.h"
#include "services/imap/fetch_uidset.h"
#include "store/db.h"
#include "store/imap_msg_fetch.h"

struct expunge_cmd {
	int64_t mailbox_id;
	uint32_t *uids;          /* UID EXPUNGE's set; NULL for EXPUNGE */
	size_t n;
	/* out */
	uint32_t *deleted;       /* UID EXPUNGE: the set's \Deleted messages */
	size_t ndeleted;
	uint32_t *removed;       /* what was expunged, ascending */
	size_t nremoved;
	size_t cap;
	uint64_t modseq;
	struct imap_arena *arena;
};

/* expunge_note - store_mailbox_expunged_fn: collect a removed UID */
static void expunge_note(uint32_t uid, void *arg)
{
	struct expunge_cmd *c = arg;

	if (c->nremoved == c->cap) {
		uint32_t *bigger = imap_arena_array(c->arena, c->cap * 2 + 64, sizeof(uint32_t));
		for (size_t i = 0; i < c->nremoved; i++)
			bigger[i] = c->removed[i];
		c->removed = bigger;
		c->cap = c->cap * 2 + 64;
	}
	c->removed[c->nremoved++] = uid;
}

/* expunge_keep_deleted - imap_msg_fetch_fn: the set's messages flagged \Deleted */
static int expunge_keep_deleted(const struct imap_msg_row *row, void *arg)
{
	struct expunge_cmd *c = arg;

	if (row->flags & STORE_FLAG_DELETED)
		c->deleted[c->ndeleted++] = row->uid;
	return 0;
}

/* expunge_tx - the transaction (may run again: outputs start over) */
static int expunge_tx(PGconn *conn, void *arg, const char **error_r)
{
	struct expunge_cmd *c = arg;

	c->nremoved = c->ndeleted = 0;
	if (c->uids == NULL)
		return store_mailbox_expunge(conn, c->mailbox_id, NULL, 0, expunge_note, c,
					     &c->modseq, error_r);
	if (store_mailbox_lock(conn, &c->mailbox_id, 1, error_r) < 0)
		return -1;
	for (size_t i = 0; i < c->n; i += IMAP_MSG_FETCH_BATCH) {
		size_t k = c->n - i < IMAP_MSG_FETCH_BATCH ? c->n - i : IMAP_MSG_FETCH_BATCH;
		if (imap_msg_fetch_rows(conn, c->mailbox_id, c->uids + i, k, 0, 0,
					expunge_keep_deleted, c, error_r) < 0)
			return -1;
	}
	if (c->ndeleted == 0)
		return 0;
	return store_mailbox_expunge(conn, c->mailbox_id, c->deleted, c->ndeleted, expunge_note,
				     c, &c->modseq, error_r);
}

/* expunge_job - imap_job_fn */
static int expunge_job(PGconn *conn, void *arg, const char **error_r)
{
	return db_tx(conn, expunge_tx, arg, error_r);
}

/* expunge_start - check the state, parse UID EXPUNGE's set, submit */
static enum imap_cmd_result expunge_start(struct imap_cmd_ctx *ctx)
{
	struct imap_session *s = ctx->session;
	struct expunge_cmd *c = ctx->state = imap_arena_alloc(ctx->arena, sizeof(*c));
	const char *error = NULL;
	struct imap_seqset set;

	c->mailbox_id = s->selected->mailbox_id;
	c->arena = ctx->arena;
	if (ctx->cmd->nargs != (ctx->cmd->uid ? 1u : 0u) ||
	    (ctx->cmd->uid &&
	     (imap_seqset_parse(&ctx->cmd->args[0], ctx->arena, &set, &error) < 0 ||
	      imap_view_resolve(s->selected, &set, true, ctx->arena, &c->uids, &c->n, &error) < 0))) {
		imap_reply_tagged(ctx, IMAP_BAD, NULL, "%s", error ? error : "bad EXPUNGE arguments");
		return IMAP_CMD_DONE;
	}
	if (s->selected->readonly) {
		imap_reply_tagged(ctx, IMAP_NO, NULL, "mailbox is read-only");
		return IMAP_CMD_DONE;
	}
	if (ctx->cmd->uid && c->n == 0) {
		imap_reply_tagged(ctx, IMAP_OK, NULL, "UID EXPUNGE completed");
		return IMAP_CMD_DONE;
	}
	c->deleted = imap_arena_array(ctx->arena, c->n + 1, sizeof(uint32_t));
	if (imap_cmd_submit(ctx, expunge_job, c) < 0) {
		imap_reply_tagged(ctx, IMAP_NO, "UNAVAILABLE", "store unavailable");
		return IMAP_CMD_DONE;
	}
	ctx->step = 1;
	return IMAP_CMD_WAIT;
}

/* expunge_report - the untagged responses for this session's view */
static void expunge_report(struct imap_cmd_ctx *ctx, struct expunge_cmd *c)
{
	struct imap_session *s = ctx->session;
	uint32_t *known = imap_arena_array(ctx->arena, c->nremoved + 1, sizeof(uint32_t));
	size_t nknown = 0;

	for (size_t i = 0; i < c->nremoved; i++) {
		uint32_t msn = imap_view_remove(s->selected, c->removed[i]);

		if (msn == 0)
			continue; /* never announced: nothing to take back */
		known[nknown++] = c->removed[i];
		if (!(s->enabled & IMAP_ENABLED_QRESYNC))
			imap_reply_untagged(s, "%u EXPUNGE", msn);
	}
	if ((s->enabled & IMAP_ENABLED_QRESYNC) && nknown > 0)
		imap_reply_untagged(s, "VANISHED %s", fetch_uidset_format(ctx->arena, known, nknown));
	/* reported here already: the sync after the command need not look again, unless
	 * another change came in between */
	if (c->modseq != 0 && c->modseq == s->selected->highestmodseq + 1 && nknown == c->nremoved)
		s->selected->highestmodseq = c->modseq;
}

/* cmd_expunge - EXPUNGE and UID EXPUNGE */
enum imap_cmd_result cmd_expunge(struct imap_cmd_ctx *ctx)
{
	if (ctx->step == 0)
		return expunge_start(ctx);
	if (ctx->job_ret < 0) {
		imap_reply_tagged(ctx, IMAP_NO, "SERVERBUG", "EXPUNGE failed: %s",
				  ctx->job_error != NULL ? ctx->job_error : "store unavailable");
		return IMAP_CMD_DONE;
	}
	struct expunge_cmd *c = ctx->state;
	if (c->nremoved > 0)
		imap_session_publish(ctx->session, ctx->session->selected->owner_id, c->mailbox_id,
				     ctx->session->selected->uidvalidity, c->modseq,
				     IMAP_EVENT_EXPUNGE, c->removed, c->nremoved);
	expunge_report(ctx, c);
	imap_reply_tagged(ctx, IMAP_OK, NULL, "%sEXPUNGE completed", ctx->cmd->uid ? "UID " : "");
	return IMAP_CMD_DONE;
}
