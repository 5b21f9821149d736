/* cmd_delete - DELETE (RFC 3501 6.3.4) */
#include <strings.h>

#include "services/imap/imap.h"
#include "services/imap/imap_cmds.h"
#include "services/imap/imap_mbox_cmd.h"
#include "store/mailbox.h"

/* delete_op - the mailbox and its messages; names below it stay */
static int delete_op(PGconn *conn, struct imap_mbox_op *op, const char **error_r)
{
	return store_mailbox_delete(conn, op->account_id, op->name, error_r);
}

/* cmd_delete - INBOX cannot be deleted (RFC 3501 6.3.4); sessions that have the mailbox
 * selected notice at their next sync and are told BYE */
enum imap_cmd_result cmd_delete(struct imap_cmd_ctx *ctx)
{
	struct imap_mbox_op *op;

	if (ctx->step == 0)
		return imap_mbox_cmd_start(ctx, 1, delete_op);
	op = imap_mbox_cmd_op(ctx);
	if (ctx->job_ret < 0)
		imap_reply_tagged(ctx, IMAP_NO, "UNAVAILABLE", "Try again later");
	else if (strcasecmp(op->name, "INBOX") == 0)
		imap_reply_tagged(ctx, IMAP_NO, "CANNOT", "INBOX cannot be deleted");
	else if (op->ret <= 0)
		imap_reply_tagged(ctx, IMAP_NO, "NONEXISTENT", "No such mailbox");
	else {
		imap_session_publish(ctx->session, ctx->session->account_id, 0, 0, 0,
				     IMAP_EVENT_DELETE, NULL, 0);
		imap_reply_tagged(ctx, IMAP_OK, NULL, "DELETE completed");
	}
	return IMAP_CMD_DONE;
}
