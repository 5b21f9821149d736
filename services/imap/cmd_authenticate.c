/* cmd_authenticate - AUTHENTICATE PLAIN (RFC 3501 6.2.2, RFC 4616) with an initial
 * response (SASL-IR, RFC 4959) or after a "+ " continuation. */
#include <string.h>

#include <sodium.h>

#include "services/imap/imap.h"
#include "services/imap/imap_cmds.h"
#include "services/imap/imap_conn.h"
#include "services/imap/imap_login.h"

#define AUTH_RESPONSE_MAX 4096  /* base64 of authzid NUL authcid NUL password */
#define AUTH_STEP_RESPONSE 1     /* waiting for the client's response line */

/* auth_plain - decode and check "authzid NUL authcid NUL passwd" (RFC 4616 2) */
static enum imap_cmd_result auth_plain(struct imap_cmd_ctx *ctx, const char *b64)
{
	unsigned char *raw;
	size_t len, b64len = strlen(b64);
	const char *authz, *user, *pass, *end;
	enum imap_cmd_result r;

	if (strcmp(b64, "*") == 0) {
		imap_reply_tagged(ctx, IMAP_BAD, NULL, "Authentication cancelled");
		return IMAP_CMD_DONE;
	}
	raw = imap_arena_alloc(ctx->arena, b64len + 1);
	if (strcmp(b64, "=") == 0)
		len = 0;  /* RFC 4959 3: an empty initial response */
	else if (sodium_base642bin(raw, b64len, b64, b64len, NULL, &len, NULL,
				   sodium_base64_VARIANT_ORIGINAL) != 0) {
		imap_reply_tagged(ctx, IMAP_BAD, NULL, "Invalid base64");
		return IMAP_CMD_DONE;
	}
	raw[len] = '\0';
	end = (const char *)raw + len;
	authz = (const char *)raw;
	user = memchr(authz, '\0', len);
	pass = user != NULL ? memchr(user + 1, '\0', (size_t)(end - user - 1)) : NULL;
	if (user == NULL || pass == NULL || (authz[0] != '\0' && strcmp(authz, user + 1) != 0)) {
		sodium_memzero(raw, len);
		imap_reply_tagged(ctx, IMAP_NO, "AUTHENTICATIONFAILED", "Authentication failed");
		return IMAP_CMD_DONE;
	}
	r = imap_login_start(ctx, user + 1, pass + 1, (size_t)(end - pass - 1));
	sodium_memzero(raw, len);
	return r;
}

/* cmd_authenticate - PLAIN only; LOGINDISABLED rules as LOGIN */
enum imap_cmd_result cmd_authenticate(struct imap_cmd_ctx *ctx)
{
	const struct imap_command *cmd = ctx->cmd;

	if (ctx->step >= IMAP_LOGIN_STEP_CHECK)
		return imap_login_step(ctx);
	if (ctx->step == AUTH_STEP_RESPONSE)
		return auth_plain(ctx, imap_session_line(ctx));
	if (cmd->nargs < 1 || cmd->nargs > 2 || cmd->args[0].type != IMAP_ARG_ATOM ||
	    (cmd->nargs == 2 && cmd->args[1].type != IMAP_ARG_ATOM)) {
		imap_reply_tagged(ctx, IMAP_BAD, NULL, "AUTHENTICATE needs a mechanism");
		return IMAP_CMD_DONE;
	}
	if (!imap_arg_atom_is(&cmd->args[0], "PLAIN")) {
		imap_reply_tagged(ctx, IMAP_NO, NULL, "Unsupported authentication mechanism");
		return IMAP_CMD_DONE;
	}
	if (!ctx->session->secure) {
		imap_reply_tagged(ctx, IMAP_NO, "PRIVACYREQUIRED", "Use STARTTLS first");
		return IMAP_CMD_DONE;
	}
	if (cmd->nargs == 2)
		return auth_plain(ctx, cmd->args[1].str);
	ctx->step = AUTH_STEP_RESPONSE;
	imap_reply_raw(ctx->session, "+ \r\n", 4);
	imap_session_read_line(ctx, AUTH_RESPONSE_MAX);
	return IMAP_CMD_WAIT;
}
