/* cmd_subscribe - SUBSCRIBE and UNSUBSCRIBE (RFC 3501 6.3.6-7) */
#include "services/imap/imap.h"
#include "services/imap/imap_cmds.h"
#include "services/imap/imap_mbox_cmd.h"
#include "store/mailbox.h"

/* subscribe_on / subscribe_off - set or clear the mark */
static int subscribe_on(PGconn *conn, struct imap_mbox_op *op, const char **error_r)
{
	return store_mailbox_subscribe(conn, op->account_id, op->name, true, error_r);
}

static int subscribe_off(PGconn *conn, struct imap_mbox_op *op, const char **error_r)
{
	return store_mailbox_subscribe(conn, op->account_id, op->name, false, error_r);
}

/* subscribe_done - the reply for either */
static enum imap_cmd_result subscribe_done(struct imap_cmd_ctx *ctx, const char *what)
{
	struct imap_mbox_op *op = imap_mbox_cmd_op(ctx);

	if (ctx->job_ret < 0 || op->ret < 0)
		imap_reply_tagged(ctx, IMAP_NO, "UNAVAILABLE", "Try again later");
	else if (op->ret == 0)
		imap_reply_tagged(ctx, IMAP_NO, "NONEXISTENT", "No such mailbox");
	else
		imap_reply_tagged(ctx, IMAP_OK, NULL, "%s completed", what);
	return IMAP_CMD_DONE;
}

/* cmd_subscribe - only existing mailboxes of the account are subscribed */
enum imap_cmd_result cmd_subscribe(struct imap_cmd_ctx *ctx)
{
	if (ctx->step == 0)
		return imap_mbox_cmd_start(ctx, 1, subscribe_on);
	return subscribe_done(ctx, "SUBSCRIBE");
}

/* cmd_unsubscribe - clear the mark */
enum imap_cmd_result cmd_unsubscribe(struct imap_cmd_ctx *ctx)
{
	if (ctx->step == 0)
		return imap_mbox_cmd_start(ctx, 1, subscribe_off);
	return subscribe_done(ctx, "UNSUBSCRIBE");
}
