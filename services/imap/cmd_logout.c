/* cmd_logout - LOGOUT (RFC 3501 6.1.3) */
#include "services/imap/imap.h"
#include "services/imap/imap_cmds.h"

/* cmd_logout - BYE, OK, then the session closes the connection */
enum imap_cmd_result cmd_logout(struct imap_cmd_ctx *ctx)
{
	if (ctx->cmd->nargs != 0) {
		imap_reply_tagged(ctx, IMAP_BAD, NULL, "LOGOUT takes no arguments");
		return IMAP_CMD_DONE;
	}
	imap_reply_untagged(ctx->session, "BYE Logging out");
	imap_reply_tagged(ctx, IMAP_OK, NULL, "LOGOUT completed");
	ctx->session->state = IMAP_STATE_LOGOUT;
	return IMAP_CMD_DONE;
}
