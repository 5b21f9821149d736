/* cmd_enable - ENABLE (RFC 5161) for CONDSTORE, QRESYNC (RFC 7162 3.2.3: implies
 * CONDSTORE), IMAP4rev2 (RFC 9051) and UTF8=ACCEPT (RFC 6855 3) */
#include <string.h>
#include <strings.h>

#include "services/imap/imap.h"
#include "services/imap/imap_cmds.h"

/* own: the extension's bit; bits: what enabling it turns on */
static const struct { const char *name; unsigned own, bits; } enable_known[] = {
	{ "CONDSTORE", IMAP_ENABLED_CONDSTORE, IMAP_ENABLED_CONDSTORE },
	{ "QRESYNC", IMAP_ENABLED_QRESYNC, IMAP_ENABLED_QRESYNC | IMAP_ENABLED_CONDSTORE },
	{ "IMAP4rev2", IMAP_ENABLED_REV2, IMAP_ENABLED_REV2 },
	{ "UTF8=ACCEPT", IMAP_ENABLED_UTF8, IMAP_ENABLED_UTF8 },
};

/* cmd_enable - "* ENABLED" lists what this command newly turned on (RFC 5161 3.1);
 * unknown names are ignored */
enum imap_cmd_result cmd_enable(struct imap_cmd_ctx *ctx)
{
	struct imap_session *s = ctx->session;

	if (ctx->cmd->nargs == 0) {
		imap_reply_tagged(ctx, IMAP_BAD, NULL, "ENABLE needs at least one extension");
		return IMAP_CMD_DONE;
	}
	imap_reply_raw(s, "* ENABLED", 9);
	for (size_t i = 0; i < ctx->cmd->nargs; i++) {
		const struct imap_arg *a = &ctx->cmd->args[i];

		for (size_t k = 0; k < sizeof(enable_known) / sizeof(enable_known[0]); k++) {
			if (!imap_arg_atom_is(a, enable_known[k].name) ||
			    (s->enabled & enable_known[k].own))
				continue;
			s->enabled |= enable_known[k].bits;
			imap_reply_printf(s, " %s", enable_known[k].name);
		}
	}
	imap_reply_crlf(s);
	imap_reply_tagged(ctx, IMAP_OK, NULL, "ENABLE completed");
	return IMAP_CMD_DONE;
}
