/* cmd_idle - IDLE (RFC 2177): changes to the selected mailbox are reported as they
 * happen, woken by MailboxEvents from the bus and a slow poll (imap_conn.c), until the
 * client sends DONE. */
#include "services/imap/imap.h"
#include "services/imap/imap_cmds.h"
#include "services/imap/imap_conn.h"

/* cmd_idle - "+ idling", report what is pending at once, then wait for DONE */
enum imap_cmd_result cmd_idle(struct imap_cmd_ctx *ctx)
{
	struct imap_conn *ic = (struct imap_conn *)ctx->session->conn;

	if (ctx->step == 1 || ic == NULL) {
		if (ic != NULL) {
			ic->idle = IMAP_IDLE_OFF;
			event_del(ic->timer);
		}
		imap_reply_tagged(ctx, IMAP_OK, NULL, "IDLE terminated");
		return IMAP_CMD_DONE;
	}
	if (ctx->cmd->nargs != 0) {
		imap_reply_tagged(ctx, IMAP_BAD, NULL, "IDLE takes no arguments");
		return IMAP_CMD_DONE;
	}
	ctx->step = 1;
	imap_reply_raw(ctx->session, "+ idling\r\n", 10);
	ic->idle = IMAP_IDLE_ON;
	imap_conn_event(ic);
	imap_conn_poll_arm(ic);
	return IMAP_CMD_WAIT;
}
