/* cmd_id - ID (RFC 2971) */
#include <stdio.h>

#include "log/log.h"
#include "services/imap/imap.h"
#include "services/imap/imap_cmds.h"

#define ID_PAIRS_MAX 30   /* RFC 2971 3.3 */
#define ID_FIELD_MAX 30
#define ID_VALUE_MAX 1024

/* id_valid - NIL or a list of at most 30 field/value pairs (RFC 2971 3.3) */
static bool id_valid(const struct imap_arg *a)
{
	if (a->type == IMAP_ARG_NIL)
		return true;
	if (a->type != IMAP_ARG_LIST || a->count % 2 != 0 || a->count / 2 > ID_PAIRS_MAX)
		return false;
	for (size_t i = 0; i < a->count; i += 2) {
		const struct imap_arg *f = &a->list[i], *v = &a->list[i + 1];

		if ((f->type != IMAP_ARG_STRING && f->type != IMAP_ARG_LITERAL) ||
		    f->len > ID_FIELD_MAX)
			return false;
		if (v->type != IMAP_ARG_NIL && ((v->type != IMAP_ARG_STRING &&
		    v->type != IMAP_ARG_LITERAL) || v->len > ID_VALUE_MAX))
			return false;
	}
	return true;
}

/* cmd_id - log what the client says of itself, answer with the server's name */
enum imap_cmd_result cmd_id(struct imap_cmd_ctx *ctx)
{
	const struct imap_arg *a = ctx->cmd->args;

	if (ctx->cmd->nargs != 1 || !id_valid(a)) {
		imap_reply_tagged(ctx, IMAP_BAD, NULL, "ID takes NIL or a list of up to 30 "
				  "field/value pairs");
		return IMAP_CMD_DONE;
	}
	for (size_t i = 0; a->type == IMAP_ARG_LIST && i < a->count; i += 2) {
		char q1[LOG_QUOTE_MAX], q2[LOG_QUOTE_MAX];
		const struct imap_arg *v = &a->list[i + 1];

		log_info("event=client_id field=%s value=%s",
			 log_quote(q1, a->list[i].str, a->list[i].len),
			 v->type == IMAP_ARG_NIL ? "\"\"" : log_quote(q2, v->str, v->len));
	}
	imap_reply_untagged(ctx->session, "ID (\"name\" \"Merpati\" \"vendor\" \"Merpati\")");
	imap_reply_tagged(ctx, IMAP_OK, NULL, "ID completed");
	return IMAP_CMD_DONE;
}
