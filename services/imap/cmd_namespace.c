/* cmd_namespace - NAMESPACE (RFC 2342 5): the account's own mailboxes with "/" as the
 * delimiter, no other users' namespace, and "Shared/" for mailboxes shared by ACL */
#include "services/imap/imap.h"
#include "services/imap/imap_cmds.h"

/* cmd_namespace - the three namespaces */
enum imap_cmd_result cmd_namespace(struct imap_cmd_ctx *ctx)
{
	if (ctx->cmd->nargs != 0) {
		imap_reply_tagged(ctx, IMAP_BAD, NULL, "NAMESPACE takes no arguments");
		return IMAP_CMD_DONE;
	}
	imap_reply_untagged(ctx->session, "NAMESPACE ((\"\" \"/\")) NIL ((\"%s\" \"/\"))",
			    IMAP_SHARED_PREFIX);
	imap_reply_tagged(ctx, IMAP_OK, NULL, "NAMESPACE completed");
	return IMAP_CMD_DONE;
}
