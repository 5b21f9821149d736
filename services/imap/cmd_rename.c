/* cmd_rename - RENAME (RFC 3501 6.3.5) */
#include <strings.h>

#include "services/imap/imap.h"
#include "services/imap/imap_cmds.h"
#include "services/imap/imap_mbox_cmd.h"
#include "store/mailbox.h"

/* rename_op - the mailbox and every one below it */
static int rename_op(PGconn *conn, struct imap_mbox_op *op, const char **error_r)
{
	return store_mailbox_rename(conn, op->account_id, op->name, op->name2, error_r);
}

/* cmd_rename - renaming INBOX (which moves its messages, RFC 3501 6.3.5) is not offered */
enum imap_cmd_result cmd_rename(struct imap_cmd_ctx *ctx)
{
	struct imap_mbox_op *op;

	if (ctx->step == 0)
		return imap_mbox_cmd_start(ctx, 2, rename_op);
	op = imap_mbox_cmd_op(ctx);
	if (ctx->job_ret < 0)
		imap_reply_tagged(ctx, IMAP_NO, "UNAVAILABLE", "Try again later");
	else if (strcasecmp(op->name, "INBOX") == 0)
		imap_reply_tagged(ctx, IMAP_NO, "CANNOT", "Renaming INBOX is not supported");
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
