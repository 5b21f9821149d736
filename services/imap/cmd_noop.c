/* cmd_noop - NOOP (RFC 3501 6.1.2) and CHECK (RFC 3501 6.4.1). Both only let the session's
 * sync report what changed; CHECK has nothing to flush, every change is committed. */
#include "services/imap/imap.h"
#include "services/imap/imap_cmds.h"

/* cmd_noop - OK; the sync after it reports EXISTS/EXPUNGE/FETCH (RFC 3501 6.1.2) */
enum imap_cmd_result cmd_noop(struct imap_cmd_ctx *ctx)
{
	if (ctx->cmd->nargs != 0)
		imap_reply_tagged(ctx, IMAP_BAD, NULL, "NOOP takes no arguments");
	else
		imap_reply_tagged(ctx, IMAP_OK, NULL, "NOOP completed");
	return IMAP_CMD_DONE;
}

/* cmd_check - as NOOP (RFC 3501 6.4.1: implementation-dependent housekeeping) */
enum imap_cmd_result cmd_check(struct imap_cmd_ctx *ctx)
{
	if (ctx->cmd->nargs != 0)
		imap_reply_tagged(ctx, IMAP_BAD, NULL, "CHECK takes no arguments");
	else
		imap_reply_tagged(ctx, IMAP_OK, NULL, "CHECK completed");
	return IMAP_CMD_DONE;
}
