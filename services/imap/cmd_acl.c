/* cmd_acl - SETACL, DELETEACL, GETACL, LISTRIGHTS, MYRIGHTS (RFC 4314 3) over the
 * mailbox_acl table (lib/store/imap_acl). Administering rights needs "a"; MYRIGHTS needs
 * any right on the mailbox (RFC 4314 4). Identifiers are account addresses; the owner
 * always holds every right and cannot be changed. */
#include <string.h>

#include "services/imap/imap.h"
#include "services/imap/imap_cmds.h"
#include "store/account.h"
#include "store/imap_acl.h"

enum acl_op { ACL_SET, ACL_DELETE, ACL_GET, ACL_LISTRIGHTS, ACL_MYRIGHTS };

#define ACL_LIST_MAX 1000  /* grants listed by one GETACL */

struct acl_job {
	enum acl_op op;
	int64_t account_id;
	const char *name;                /* the mailbox as the client named it, UTF-8 */
	const char *identifier;          /* SETACL, DELETEACL, LISTRIGHTS */
	const char *rights;              /* SETACL, without its +/- */
	enum store_acl_mode mode;
	struct imap_arena *arena;
	/* out */
	int found;                       /* the mailbox is visible to the account */
	bool denied;                     /* ... but the account lacks the right needed */
	int done;                        /* SETACL/DELETEACL: 1 changed, 0 no such identifier */
	bool identifier_is_owner;        /* LISTRIGHTS */
	struct imap_mailbox_ref ref;
	struct store_mailbox mailbox;    /* SETACL/DELETEACL: its state for the event */
	const char *ids[ACL_LIST_MAX], *grants[ACL_LIST_MAX];
	size_t n;
};

/* acl_collect - keep one GETACL entry in the job's arena */
static int acl_collect(const char *identifier, const char *rights, void *arg)
{
	struct acl_job *j = arg;

	if (j->n >= ACL_LIST_MAX)
		return 1;
	j->ids[j->n] = imap_arena_strdup(j->arena, identifier);
	j->grants[j->n++] = imap_arena_strdup(j->arena, rights);
	return 0;
}

/* acl_is_owner - identifier names the mailbox's owner; -1 on error */
static int acl_is_owner(PGconn *conn, struct acl_job *j, const char **error_r)
{
	struct store_account owner;
	char address[STORE_ADDRESS_SIZE];
	const char *ignored = NULL;
	int r = store_account_find_id(conn, j->ref.owner_id, &owner, error_r);

	if (r <= 0)
		return r;
	if (store_address_normalize(j->identifier, address, &ignored) < 0)
		return 0;
	return strcmp(address, owner.address) == 0;
}

/* acl_work - on a store pool thread: find the mailbox, check the right, act */
static int acl_work(PGconn *conn, void *arg, const char **error_r)
{
	struct acl_job *j = arg;
	int r;

	if ((j->found = imap_mailbox_resolve(conn, j->account_id, j->name, &j->ref, error_r)) <= 0)
		return j->found;
	j->denied = j->op == ACL_MYRIGHTS ? j->ref.rights[0] == '\0'
					  : !store_acl_has(j->ref.rights, "a");
	if (j->denied)
		return 0;
	switch (j->op) {
	case ACL_SET:
	case ACL_DELETE:
		if ((r = acl_is_owner(conn, j, error_r)) != 0)
			return r < 0 ? -1 : (j->done = -1, 0);
		j->done = j->op == ACL_SET
			  ? store_acl_set(conn, j->ref.mailbox_id, j->identifier, j->mode, j->rights,
					  error_r)
			  : store_acl_delete(conn, j->ref.mailbox_id, j->identifier, error_r);
		if (j->done <= 0)
			return j->done;
		return store_mailbox_get(conn, j->ref.mailbox_id, &j->mailbox, error_r) < 0 ? -1 : 0;
	case ACL_GET:
		return store_acl_list(conn, j->ref.mailbox_id, acl_collect, j, error_r);
	case ACL_LISTRIGHTS:
		if ((r = acl_is_owner(conn, j, error_r)) < 0)
			return -1;
		j->identifier_is_owner = r == 1;
		return 0;
	case ACL_MYRIGHTS:
		return 0;
	}
	return 0;
}

/* acl_args - the operands of op: mailbox [identifier [rights]]; BAD and false if wrong */
static bool acl_args(struct imap_cmd_ctx *ctx, struct acl_job *j)
{
	static const size_t want[] = { [ACL_SET] = 3, [ACL_DELETE] = 2, [ACL_GET] = 1,
				       [ACL_LISTRIGHTS] = 2, [ACL_MYRIGHTS] = 1 };
	const struct imap_command *c = ctx->cmd;
	const char *error = NULL;
	char norm[STORE_ACL_RIGHTS_SIZE];

	if (c->nargs != want[j->op]) {
		imap_reply_tagged(ctx, IMAP_BAD, NULL, "wrong number of arguments");
		return false;
	}
	if ((j->name = imap_mailbox_name(ctx->session, &c->args[0], ctx->arena, &error)) == NULL ||
	    (c->nargs > 1 && (j->identifier = imap_arg_astring(&c->args[1])) == NULL) ||
	    (c->nargs > 2 && (j->rights = imap_arg_astring(&c->args[2])) == NULL)) {
		imap_reply_tagged(ctx, IMAP_BAD, NULL, "%s", error != NULL ? error : "bad argument");
		return false;
	}
	if (j->rights != NULL) {  /* RFC 4314 3.1: a leading + adds, - removes */
		j->mode = j->rights[0] == '+' ? STORE_ACL_ADD
			  : j->rights[0] == '-' ? STORE_ACL_REMOVE : STORE_ACL_REPLACE;
		j->rights += j->mode != STORE_ACL_REPLACE;
		if (strlen(j->rights) >= 64 || store_acl_normalize(j->rights, norm) < 0) {
			imap_reply_tagged(ctx, IMAP_BAD, NULL, "unknown right (RFC 4314: %s)",
					  STORE_ACL_ALL);
			return false;
		}
	}
	return true;
}

/* acl_start - parse and submit */
static enum imap_cmd_result acl_start(struct imap_cmd_ctx *ctx, enum acl_op op)
{
	struct acl_job *j = imap_arena_alloc(ctx->arena, sizeof(*j));

	j->op = op;
	j->account_id = ctx->session->account_id;
	j->arena = ctx->arena;
	if (!acl_args(ctx, j))
		return IMAP_CMD_DONE;
	ctx->state = j;
	ctx->step = 1;
	if (imap_cmd_submit(ctx, acl_work, j) < 0) {
		imap_reply_tagged(ctx, IMAP_NO, "UNAVAILABLE", "the mail store is unavailable");
		return IMAP_CMD_DONE;
	}
	return IMAP_CMD_WAIT;
}

/* acl_untagged - the ACL, LISTRIGHTS or MYRIGHTS response (RFC 4314 3.6 to 3.8) */
static void acl_untagged(struct imap_session *s, const struct acl_job *j)
{
	const char *word = j->op == ACL_GET ? "ACL" : j->op == ACL_LISTRIGHTS ? "LISTRIGHTS"
										 : "MYRIGHTS";

	imap_reply_printf(s, "* %s ", word);
	imap_reply_mailbox(s, j->name);
	if (j->op == ACL_GET) {
		for (size_t i = 0; i < j->n; i++) {
			imap_reply_printf(s, " ");
			imap_reply_astring(s, j->ids[i]);
			imap_reply_printf(s, " %s", j->grants[i]);
		}
	} else if (j->op == ACL_LISTRIGHTS) {
		imap_reply_printf(s, " ");
		imap_reply_astring(s, j->identifier);
		if (j->identifier_is_owner) {
			imap_reply_printf(s, " %s", STORE_ACL_ALL);  /* all required, none optional */
		} else {
			imap_reply_printf(s, " \"\"");
			for (const char *p = STORE_ACL_ALL; *p != '\0'; p++)
				imap_reply_printf(s, " %c", *p);
		}
	} else {
		imap_reply_printf(s, " %s", j->ref.rights);
	}
	imap_reply_crlf(s);
}

/* acl_finish - the outcome of the job as replies */
static enum imap_cmd_result acl_finish(struct imap_cmd_ctx *ctx)
{
	const struct acl_job *j = ctx->state;

	if (ctx->job_ret < 0)
		imap_reply_tagged(ctx, IMAP_NO, "SERVERBUG", "%s",
				  ctx->job_error != NULL ? ctx->job_error : "store error");
	else if (j->found == 0)
		imap_reply_tagged(ctx, IMAP_NO, "NONEXISTENT", "no such mailbox");
	else if (j->denied)
		imap_reply_tagged(ctx, IMAP_NO, "NOPERM", "you may not administer this mailbox");
	else if ((j->op == ACL_SET || j->op == ACL_DELETE) && j->done < 0)
		imap_reply_tagged(ctx, IMAP_NO, "CANNOT", "the owner's rights cannot be changed");
	else if (j->op == ACL_SET && j->done == 0)  /* DELETEACL of no grant is fine */
		imap_reply_tagged(ctx, IMAP_NO, NULL, "no such user");
	else {
		if (j->op != ACL_SET && j->op != ACL_DELETE)
			acl_untagged(ctx->session, j);
		else if (j->done > 0)  /* sessions of the grantee see their rights change */
			imap_session_publish(ctx->session, j->ref.owner_id, j->ref.mailbox_id,
					     j->mailbox.uidvalidity, j->mailbox.highestmodseq,
					     IMAP_EVENT_ACL, NULL, 0);
		imap_reply_tagged(ctx, IMAP_OK, NULL, "%s completed", ctx->cmd->name);
	}
	return IMAP_CMD_DONE;
}

/* acl_run - the two steps of every ACL command */
static enum imap_cmd_result acl_run(struct imap_cmd_ctx *ctx, enum acl_op op)
{
	return ctx->step == 0 ? acl_start(ctx, op) : acl_finish(ctx);
}

/* cmd_acl_setacl - SETACL mailbox identifier [+|-]rights (RFC 4314 3.1) */
enum imap_cmd_result cmd_acl_setacl(struct imap_cmd_ctx *ctx)
{
	return acl_run(ctx, ACL_SET);
}

/* cmd_acl_deleteacl - DELETEACL mailbox identifier (RFC 4314 3.2) */
enum imap_cmd_result cmd_acl_deleteacl(struct imap_cmd_ctx *ctx)
{
	return acl_run(ctx, ACL_DELETE);
}

/* cmd_acl_getacl - GETACL mailbox (RFC 4314 3.3) */
enum imap_cmd_result cmd_acl_getacl(struct imap_cmd_ctx *ctx)
{
	return acl_run(ctx, ACL_GET);
}

/* cmd_acl_listrights - LISTRIGHTS mailbox identifier (RFC 4314 3.4) */
enum imap_cmd_result cmd_acl_listrights(struct imap_cmd_ctx *ctx)
{
	return acl_run(ctx, ACL_LISTRIGHTS);
}

/* cmd_acl_myrights - MYRIGHTS mailbox (RFC 4314 3.5) */
enum imap_cmd_result cmd_acl_myrights(struct imap_cmd_ctx *ctx)
{
	return acl_run(ctx, ACL_MYRIGHTS);
}
