/* cmd_starttls - STARTTLS (RFC 3501 6.2.1) */
#include "services/imap/imap.h"
#include "services/imap/imap_cmds.h"
#include "services/imap/imap_conn.h"

/* cmd_starttls - OK, then the session starts the handshake once the OK is out; input
 * already received in clear is discarded by the net layer (RFC 3207 5 injection) */
enum imap_cmd_result cmd_starttls(struct imap_cmd_ctx *ctx)
{
	struct imap_conn *ic = (struct imap_conn *)ctx->session->conn;

	if (ctx->cmd->nargs != 0) {
		imap_reply_tagged(ctx, IMAP_BAD, NULL, "STARTTLS takes no arguments");
		return IMAP_CMD_DONE;
	}
	if (ctx->session->tls || ic == NULL || ic->net == NULL || !net_conn_can_starttls(ic->net)) {
		imap_reply_tagged(ctx, IMAP_NO, NULL, "TLS is not available");
		return IMAP_CMD_DONE;
	}
	ic->starttls = true;
	imap_reply_tagged(ctx, IMAP_OK, NULL, "Begin TLS negotiation now");
	return IMAP_CMD_DONE;
}
