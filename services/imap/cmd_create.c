/* cmd_create - CREATE (RFC 3501 6.3.3) */
#include <strings.h>

#include "services/imap/imap.h"
#include "services/imap/imap_cmds.h"
#include "services/imap/imap_mbox_cmd.h"
#include "store/mailbox.h"

/* create_op - the new mailbox, subscribed by default */
static int create_op(PGconn *conn, struct imap_mbox_op *op, const char **error_r)
{
	return store_mailbox_create(conn, op->account_id, op->name, NULL, &op->id, error_r);
}

/* cmd_create - ALREADYEXISTS when taken (RFC 5530 3); INBOX always exists */
enum imap_cmd_result cmd_create(struct imap_cmd_ctx *ctx)
{
	struct imap_mbox_op *op;

	if (ctx->step == 0)
		return imap_mbox_cmd_start(ctx, 1, create_op);
	op = imap_mbox_cmd_op(ctx);
	if (ctx->job_ret < 0)
		imap_reply_tagged(ctx, IMAP_NO, "UNAVAILABLE", "Try again later");
	else if (op->ret < 0)
		imap_reply_tagged(ctx, IMAP_NO, op->unique || strcasecmp(op->name, "INBOX") == 0 ?
				  "ALREADYEXISTS" : "CANNOT", op->unique ?
				  "Mailbox already exists" : "Cannot create this mailbox");
	else {
		imap_session_publish(ctx->session, ctx->session->account_id, op->id, 0, 0,
				     IMAP_EVENT_CREATE, NULL, 0);
		imap_reply_tagged(ctx, IMAP_OK, NULL, "CREATE completed");
	}
	return IMAP_CMD_DONE;
}
