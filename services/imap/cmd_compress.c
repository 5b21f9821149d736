/* cmd_compress - COMPRESS DEFLATE (RFC 4978 3) */
#include "services/imap/imap.h"
#include "services/imap/imap_cmds.h"
#include "services/imap/imap_conn.h"

/* cmd_compress - OK, then the session turns compression on after the OK is written */
enum imap_cmd_result cmd_compress(struct imap_cmd_ctx *ctx)
{
	struct imap_conn *ic = (struct imap_conn *)ctx->session->conn;

	if (ctx->cmd->nargs != 1 || !imap_arg_atom_is(&ctx->cmd->args[0], "DEFLATE")) {
		imap_reply_tagged(ctx, IMAP_BAD, NULL, "Only COMPRESS DEFLATE is supported");
		return IMAP_CMD_DONE;
	}
	if (ic == NULL || ic->z != NULL) {
		imap_reply_tagged(ctx, IMAP_NO, "COMPRESSIONACTIVE", "Already compressing");
		return IMAP_CMD_DONE;
	}
	ic->compress = true;
	imap_reply_tagged(ctx, IMAP_OK, NULL, "DEFLATE active");
	return IMAP_CMD_DONE;
}
