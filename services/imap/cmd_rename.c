/* cmd_rename - RENAME (RFC 3501 6.3.5). Renaming INBOX moves its messages into a new
 * mailbox and leaves INBOX empty (lib/store/imap_inbox_rename.c); sessions with INBOX
 * selected, this one included, get the EXPUNGEs from their sync. */
#include <string.h>
#include <strings.h>

#include "services/imap/imap.h"
#include "services/imap/imap_cmds.h"
#include "services/imap/imap_mbox_cmd.h"
#include "store/db.h"
#include "store/imap_inbox_rename.h"
#include "store/imap_msg_quota.h"
#include "store/mailbox.h"

struct inbox_job {
	int64_t account_id;
	const char *to;
	struct store_imap_inbox_rename r;
	const char *sqlstate;     /* of a failure, in the command's arena */
	struct imap_arena *arena;
};

/* rename_op - the mailbox and every one below it */
static int rename_op(PGconn *conn, struct imap_mbox_op *op, const char **error_r)
{
	return store_mailbox_rename(conn, op->account_id, op->name, op->name2, error_r);
}

/* inbox_work - imap_job_fn: the move */
static int inbox_work(PGconn *conn, void *arg, const char **error_r)
{
	struct inbox_job *job = arg;
	int ret = store_imap_inbox_rename(conn, job->account_id, job->to, &job->r, error_r);

	if (ret < 0)
		job->sqlstate = imap_arena_strdup(job->arena, db_sqlstate());
	return ret;
}

/* rename_is_inbox - the first argument names INBOX (any case, RFC 3501 5.1) */
static bool rename_is_inbox(const struct imap_cmd_ctx *ctx)
{
	const char *name = ctx->cmd->nargs == 2 ? imap_arg_astring(&ctx->cmd->args[0]) : NULL;

	return name != NULL && strcasecmp(name, "INBOX") == 0;
}

/* inbox_start - RENAME INBOX new: the new name as imap_mbox_cmd would read it */
static enum imap_cmd_result inbox_start(struct imap_cmd_ctx *ctx)
{
	struct inbox_job *job = imap_arena_alloc(ctx->arena, sizeof(*job));
	const char *error;
	size_t len;

	job->to = imap_mailbox_name(ctx->session, &ctx->cmd->args[1], ctx->arena, &error);
	if (job->to == NULL) {
		imap_reply_tagged(ctx, IMAP_NO, "CANNOT", "%s", error);
		return IMAP_CMD_DONE;
	}
	len = strlen(job->to);
	if (len > 1 && job->to[len - 1] == '/')
		job->to = imap_arena_memdup(ctx->arena, job->to, len - 1);
	if (strncmp(job->to, IMAP_SHARED_PREFIX, strlen(IMAP_SHARED_PREFIX)) == 0 ||
	    strcmp(job->to, "Shared") == 0) {
		imap_reply_tagged(ctx, IMAP_NO, "NOPERM", "The shared namespace is not yours");
		return IMAP_CMD_DONE;
	}
	job->account_id = ctx->session->account_id;
	job->arena = ctx->arena;
	ctx->state = job;
	ctx->step = 2;
	if (imap_cmd_submit(ctx, inbox_work, job) < 0) {
		imap_reply_tagged(ctx, IMAP_NO, "UNAVAILABLE", "Try again later");
		return IMAP_CMD_DONE;
	}
	return IMAP_CMD_WAIT;
}

/* inbox_done - publish the move (expunges from INBOX, appends to the new mailbox) */
static enum imap_cmd_result inbox_done(struct imap_cmd_ctx *ctx, struct inbox_job *job)
{
	struct imap_session *s = ctx->session;
	const char *st = job->sqlstate != NULL ? job->sqlstate : "";

	if (ctx->job_ret < 0) {
		if (strcmp(st, "23505") == 0)
			imap_reply_tagged(ctx, IMAP_NO, "ALREADYEXISTS", "The new name is taken");
		else if (strcmp(st, IMAP_MSG_QUOTA_SQLSTATE) == 0)
			imap_reply_tagged(ctx, IMAP_NO, "OVERQUOTA", "Quota exceeded");
		else if (strcmp(st, "22023") == 0)
			imap_reply_tagged(ctx, IMAP_NO, "CANNOT", "%s", ctx->job_error);
		else
			imap_reply_tagged(ctx, IMAP_NO, "UNAVAILABLE", "Try again later");
		return IMAP_CMD_DONE;
	}
	imap_session_publish(s, s->account_id, job->r.new_id, 0, 0, IMAP_EVENT_CREATE, NULL, 0);
	if (job->r.moved > 0) {
		imap_session_publish(s, s->account_id, job->r.new_id, job->r.new_uidvalidity,
				     job->r.new_modseq, IMAP_EVENT_APPEND, NULL, 0);
		imap_session_publish(s, s->account_id, job->r.inbox_id, job->r.inbox_uidvalidity,
				     job->r.inbox_modseq, IMAP_EVENT_EXPUNGE, NULL, 0);
	}
	imap_reply_tagged(ctx, IMAP_OK, NULL, "RENAME completed");
	return IMAP_CMD_DONE;
}

/* cmd_rename - steps 0/1 for other mailboxes (imap_mbox_cmd), 0/2 for INBOX */
enum imap_cmd_result cmd_rename(struct imap_cmd_ctx *ctx)
{
	struct imap_mbox_op *op;

	if (ctx->step == 0 && rename_is_inbox(ctx))
		return inbox_start(ctx);
	if (ctx->step == 0)
		return imap_mbox_cmd_start(ctx, 2, rename_op);
	if (ctx->step == 2)
		return inbox_done(ctx, ctx->state);
	op = imap_mbox_cmd_op(ctx);
	if (ctx->job_ret < 0)
		imap_reply_tagged(ctx, IMAP_NO, "UNAVAILABLE", "Try again later");
	else if (op->ret < 0)
		imap_reply_tagged(ctx, IMAP_NO, "ALREADYEXISTS", "The new name is taken");
	else if (op->ret == 0)
		imap_reply_tagged(ctx, IMAP_NO, "NONEXISTENT", "No such mailbox");
	else {
		imap_session_publish(ctx->session, ctx->session->account_id, 0, 0, 0,
				     IMAP_EVENT_RENAME, NULL, 0);
		imap_reply_tagged(ctx, IMAP_OK, NULL, "RENAME completed");
	}
	return IMAP_CMD_DONE;
}
