/* cmd_create - CREATE (RFC 3501 6.3.3) with the USE parameter of CREATE-SPECIAL-USE
 * (RFC 6154 3) */
#include <strings.h>

#include "services/imap/imap.h"
#include "services/imap/imap_cmds.h"
#include "services/imap/imap_mbox_cmd.h"
#include "store/mailbox.h"

/* The attributes a created mailbox may carry: the ones a real mailbox holds. \All and
 * \Flagged name virtual mailboxes (RFC 6154 2), which are not offered. */
static const char *const create_uses[] = {
	"\\Archive", "\\Drafts", "\\Junk", "\\Sent", "\\Trash",
};
#define CREATE_NUSES (sizeof(create_uses) / sizeof(create_uses[0]))

/* create_op - the new mailbox, subscribed by default */
static int create_op(PGconn *conn, struct imap_mbox_op *op, const char **error_r)
{
	return store_mailbox_create(conn, op->account_id, op->name, op->special_use, &op->id,
				    error_r);
}

/* create_use_attr - the stored spelling of a USE attribute, NULL when not offered */
static const char *create_use_attr(const struct imap_arg *a)
{
	for (size_t k = 0; a->type == IMAP_ARG_ATOM && k < CREATE_NUSES; k++)
		if (strcasecmp(a->str, create_uses[k]) == 0)
			return create_uses[k];
	return NULL;
}

/* create_params - "(USE (attr ...))": 0 with *use_r (NULL for "USE ()"), -1 bad syntax,
 * -2 an attribute this server cannot give (one per mailbox, RFC 6154 3: NO [USEATTR]) */
static int create_params(const struct imap_arg *p, const char **use_r)
{
	const struct imap_arg *attrs;

	*use_r = NULL;
	if (p->type != IMAP_ARG_LIST || p->count != 2 || !imap_arg_atom_is(&p->list[0], "USE") ||
	    p->list[1].type != IMAP_ARG_LIST)
		return -1;
	attrs = &p->list[1];
	for (size_t i = 0; i < attrs->count; i++)
		if (attrs->list[i].type != IMAP_ARG_ATOM || attrs->list[i].str[0] != '\\')
			return -1;
	if (attrs->count > 1)
		return -2;
	if (attrs->count == 1 && (*use_r = create_use_attr(&attrs->list[0])) == NULL)
		return -2;
	return 0;
}

/* create_start - CREATE name [(USE (attr))] */
static enum imap_cmd_result create_start(struct imap_cmd_ctx *ctx)
{
	const char *use;
	int r;

	if (ctx->cmd->nargs != 2)
		return imap_mbox_cmd_start(ctx, 1, create_op);
	if ((r = create_params(&ctx->cmd->args[1], &use)) == -1) {
		imap_reply_tagged(ctx, IMAP_BAD, NULL, "Expected (USE (attribute))");
		return IMAP_CMD_DONE;
	}
	if (r == -2) {
		imap_reply_tagged(ctx, IMAP_NO, "USEATTR", "Only one of \\Archive \\Drafts \\Junk "
				  "\\Sent \\Trash can be given");
		return IMAP_CMD_DONE;
	}
	return imap_mbox_cmd_start_use(ctx, create_op, use);
}

/* cmd_create - ALREADYEXISTS when taken (RFC 5530 3); INBOX always exists */
enum imap_cmd_result cmd_create(struct imap_cmd_ctx *ctx)
{
	struct imap_mbox_op *op;

	if (ctx->step == 0)
		return create_start(ctx);
	op = imap_mbox_cmd_op(ctx);
	if (ctx->job_ret < 0)
		imap_reply_tagged(ctx, IMAP_NO, "UNAVAILABLE", "Try again later");
	else if (op->ret < 0)
		imap_reply_tagged(ctx, IMAP_NO, op->unique || strcasecmp(op->name, "INBOX") == 0 ?
				  "ALREADYEXISTS" : "CANNOT", op->unique ?
				  "Mailbox already exists" : "Cannot create this mailbox");
	else {
		imap_session_publish(ctx->session, ctx->session->account_id, op->id, 0, 0,
				     IMAP_EVENT_CREATE, NULL, 0);
		imap_reply_tagged(ctx, IMAP_OK, NULL, "CREATE completed");
	}
	return IMAP_CMD_DONE;
}
