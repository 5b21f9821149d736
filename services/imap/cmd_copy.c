/* cmd_copy - COPY, UID COPY (RFC 3501 6.4.7), MOVE and UID MOVE (RFC 6851), with COPYUID
 * (RFC 4315 3). lib/store/imap_msg_copy.c does the work in one transaction: the blob is
 * shared, the target's UIDs are allocated under its row lock, and MOVE's expunge is
 * logged for QRESYNC. MOVE then reports the expunges (EXPUNGE, or VANISHED once QRESYNC
 * is enabled, RFC 7162 3.2.10) before its tagged OK (RFC 6851 3.3). */
#include "services/imap/imap.h"
#include "services/imap/imap_cmds.h"
#include "services/imap/fetch_uidset.h"
#include "store/db.h"
#include "store/imap_msg_copy.h"
#include "store/imap_msg_quota.h"

#include <string.h>

struct copy_cmd {
	int64_t account_id;
	int64_t src;
	const char *target;             /* UTF-8 name */
	uint32_t *uids;
	size_t n;
	bool move;
	/* out */
	struct imap_mailbox_ref ref;
	int found;                      /* 0: no such target (TRYCREATE) */
	bool no_right;                  /* no "i" right on the target (RFC 4314 4) */
	uint32_t uidvalidity;
	uint64_t src_modseq;            /* MOVE's expunge */
	uint64_t dst_modseq;
	uint32_t *src_uids;             /* in the arena */
	uint32_t *dst_uids;
	size_t count;
	const char *sqlstate;
	struct imap_arena *arena;
};

/* copy_tx - imap_msg_copy in its transaction, results copied into the arena */
static int copy_tx(PGconn *conn, void *arg, const char **error_r)
{
	struct copy_cmd *c = arg;
	struct imap_msg_copy_result r;
	int ret = imap_msg_copy(conn, c->src, c->ref.mailbox_id, c->uids, c->n, c->move, &r,
				error_r);

	if (ret < 0)
		return -1;
	c->uidvalidity = r.uidvalidity;
	c->count = r.count;
	c->src_modseq = r.src_modseq;
	c->dst_modseq = r.dst_modseq;
	c->src_uids = imap_arena_array(c->arena, r.count + 1, sizeof(uint32_t));
	c->dst_uids = imap_arena_array(c->arena, r.count + 1, sizeof(uint32_t));
	memcpy(c->src_uids, r.src_uids, r.count * sizeof(uint32_t));
	memcpy(c->dst_uids, r.dst_uids, r.count * sizeof(uint32_t));
	imap_msg_copy_result_clear(&r);
	return 0;
}

/* copy_job - imap_job_fn: find the target, check the right, copy */
static int copy_job(PGconn *conn, void *arg, const char **error_r)
{
	struct copy_cmd *c = arg;
	int ret;

	c->found = imap_mailbox_resolve(conn, c->account_id, c->target, &c->ref, error_r);
	if (c->found <= 0)
		return c->found;
	if (strchr(c->ref.rights, 'i') == NULL) {
		c->no_right = true;
		return 0;
	}
	ret = db_tx(conn, copy_tx, c, error_r);
	if (ret < 0)
		c->sqlstate = imap_arena_strdup(c->arena, db_sqlstate());
	return ret;
}

/* copy_start - parse "set mailbox" and submit */
static enum imap_cmd_result copy_start(struct imap_cmd_ctx *ctx, bool move)
{
	struct imap_session *s = ctx->session;
	struct copy_cmd *c = ctx->state = imap_arena_alloc(ctx->arena, sizeof(*c));
	struct imap_seqset set;
	const char *error = NULL;

	*c = (struct copy_cmd){ .account_id = s->account_id, .src = s->selected->mailbox_id,
				.move = move, .arena = ctx->arena };
	if (ctx->cmd->nargs != 2 ||
	    imap_seqset_parse(&ctx->cmd->args[0], ctx->arena, &set, &error) < 0 ||
	    (c->target = imap_mailbox_name(s, &ctx->cmd->args[1], ctx->arena, &error)) == NULL ||
	    imap_view_resolve(s->selected, &set, ctx->cmd->uid, ctx->arena, &c->uids, &c->n,
			      &error) < 0) {
		imap_reply_tagged(ctx, IMAP_BAD, NULL, "%s", error ? error : "needs a set and a mailbox");
		return IMAP_CMD_DONE;
	}
	if (move && s->selected->readonly) {
		imap_reply_tagged(ctx, IMAP_NO, NULL, "mailbox is read-only");
		return IMAP_CMD_DONE;
	}
	if (imap_cmd_submit(ctx, copy_job, c) < 0) {
		imap_reply_tagged(ctx, IMAP_NO, "UNAVAILABLE", "store unavailable");
		return IMAP_CMD_DONE;
	}
	ctx->step = 1;
	return IMAP_CMD_WAIT;
}

/* copy_expunged - MOVE's removals from this session's view (RFC 6851 3.3) */
static void copy_expunged(struct imap_cmd_ctx *ctx, const struct copy_cmd *c)
{
	struct imap_session *s = ctx->session;

	if (s->enabled & IMAP_ENABLED_QRESYNC) {
		for (size_t i = 0; i < c->count; i++)
			imap_view_remove(s->selected, c->src_uids[i]);
		imap_reply_untagged(s, "VANISHED %s",
				    fetch_uidset_format(ctx->arena, c->src_uids, c->count));
		return;
	}
	for (size_t i = 0; i < c->count; i++) {
		uint32_t msn = imap_view_remove(s->selected, c->src_uids[i]);
		if (msn != 0)
			imap_reply_untagged(s, "%u EXPUNGE", msn);
	}
}

/* copy_publish - tell other sessions: new messages in the target, MOVE's expunges */
static void copy_publish(struct imap_cmd_ctx *ctx, const struct copy_cmd *c)
{
	struct imap_session *s = ctx->session;

	if (c->count == 0)
		return;
	imap_session_publish(s, c->ref.owner_id, c->ref.mailbox_id, c->uidvalidity, c->dst_modseq,
			     IMAP_EVENT_APPEND, c->dst_uids, c->count);
	if (c->move)
		imap_session_publish(s, s->selected->owner_id, c->src, s->selected->uidvalidity,
				     c->src_modseq, IMAP_EVENT_EXPUNGE, c->src_uids, c->count);
}

/* copy_done - the replies */
static enum imap_cmd_result copy_done(struct imap_cmd_ctx *ctx, struct copy_cmd *c)
{
	const char *name = c->move ? "MOVE" : "COPY", *code;

	if (ctx->job_ret < 0) {
		bool quota = c->sqlstate != NULL && strcmp(c->sqlstate, IMAP_MSG_QUOTA_SQLSTATE) == 0;
		imap_reply_tagged(ctx, IMAP_NO, quota ? "OVERQUOTA" : "SERVERBUG", "%s failed: %s",
				  name, quota ? "quota exceeded" : ctx->job_error ? ctx->job_error : "");
		return IMAP_CMD_DONE;
	}
	if (c->found == 0 || c->no_right) {
		imap_reply_tagged(ctx, IMAP_NO, c->found == 0 ? "TRYCREATE" : "NOPERM",
				  c->found == 0 ? "no such mailbox" : "no right to insert there");
		return IMAP_CMD_DONE;
	}
	copy_publish(ctx, c);
	code = c->count == 0 ? NULL : imap_arena_printf(ctx->arena, "COPYUID %u %s %s",
		c->uidvalidity, fetch_uidset_format(ctx->arena, c->src_uids, c->count),
		fetch_uidset_format(ctx->arena, c->dst_uids, c->count));
	if (!c->move) {
		imap_reply_tagged(ctx, IMAP_OK, code, "COPY completed");
		return IMAP_CMD_DONE;
	}
	if (code != NULL) /* RFC 6851 4.3: COPYUID in an untagged OK before the expunges */
		imap_reply_untagged(ctx->session, "OK [%s] moved", code);
	copy_expunged(ctx, c);
	imap_reply_tagged(ctx, IMAP_OK, NULL, "MOVE completed");
	return IMAP_CMD_DONE;
}

/* cmd_copy - COPY and UID COPY */
enum imap_cmd_result cmd_copy(struct imap_cmd_ctx *ctx)
{
	return ctx->step == 0 ? copy_start(ctx, false) : copy_done(ctx, ctx->state);
}

/* cmd_move - MOVE and UID MOVE */
enum imap_cmd_result cmd_move(struct imap_cmd_ctx *ctx)
{
	return ctx->step == 0 ? copy_start(ctx, true) : copy_done(ctx, ctx->state);
}
