/* cmd_login - LOGIN (RFC 3501 6.2.3) */
#include <string.h>

#include <sodium.h>

#include "services/imap/imap.h"
#include "services/imap/imap_cmds.h"
#include "services/imap/imap_login.h"

/* cmd_login - refused without TLS unless MERPATI_PLAINTEXT_AUTH allows this client
 * (RFC 3501 6.2.3 LOGINDISABLED, RFC 9051 6.2.3 PRIVACYREQUIRED) */
enum imap_cmd_result cmd_login(struct imap_cmd_ctx *ctx)
{
	const struct imap_command *cmd = ctx->cmd;
	const char *user, *pass;

	if (ctx->step != 0)
		return imap_login_step(ctx);
	if (cmd->nargs != 2 || (user = imap_arg_astring(&cmd->args[0])) == NULL ||
	    (pass = imap_arg_astring(&cmd->args[1])) == NULL) {
		imap_reply_tagged(ctx, IMAP_BAD, NULL, "LOGIN needs a user name and a password");
		return IMAP_CMD_DONE;
	}
	if (!ctx->session->secure) {
		imap_reply_tagged(ctx, IMAP_NO, "PRIVACYREQUIRED", "Use STARTTLS first");
		return IMAP_CMD_DONE;
	}
	enum imap_cmd_result r = imap_login_start(ctx, user, pass, cmd->args[1].len);

	sodium_memzero((void *)cmd->args[1].str, cmd->args[1].len);
	return r;
}
