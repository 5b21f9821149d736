/* cmd_quota - GETQUOTA, GETQUOTAROOT, SETQUOTA (RFC 9208 4). Each account has one quota
 * root, "", with the STORAGE resource from accounts.quota_bytes/used_bytes in units of
 * 1024 octets (RFC 9208 5.1); quota 0 means unlimited and lists no resource. Mailboxes
 * shared by others have no quota root for the grantee. Limits are the administrator's:
 * SETQUOTA is refused. */
#include <inttypes.h>
#include <string.h>

#include "services/imap/imap.h"
#include "services/imap/imap_cmds.h"
#include "store/account.h"

struct quota_job {
	int64_t account_id;
	const char *name;             /* GETQUOTAROOT's mailbox, NULL for GETQUOTA */
	/* out */
	int found;                    /* the mailbox is visible (GETQUOTAROOT) */
	struct imap_mailbox_ref ref;
	struct store_account account;
};

/* quota_work - on a store pool thread: the mailbox (if any) and the account's numbers */
static int quota_work(PGconn *conn, void *arg, const char **error_r)
{
	struct quota_job *j = arg;

	if (j->name != NULL &&
	    (j->found = imap_mailbox_resolve(conn, j->account_id, j->name, &j->ref, error_r)) <= 0)
		return j->found;
	return store_account_find_id(conn, j->account_id, &j->account, error_r) < 0 ? -1 : 0;
}

/* quota_line - "* QUOTA "" (STORAGE used limit)" */
static void quota_line(struct imap_session *s, const struct store_account *a)
{
	if (a->quota_bytes <= 0) {
		imap_reply_untagged(s, "QUOTA \"\" ()");
		return;
	}
	imap_reply_untagged(s, "QUOTA \"\" (STORAGE %" PRId64 " %" PRId64 ")",
			    (a->used_bytes + 1023) / 1024, a->quota_bytes / 1024);
}

/* quota_start - submit the job */
static enum imap_cmd_result quota_start(struct imap_cmd_ctx *ctx, const char *name)
{
	struct quota_job *j = imap_arena_alloc(ctx->arena, sizeof(*j));

	j->account_id = ctx->session->account_id;
	j->name = name;
	ctx->state = j;
	ctx->step = 1;
	if (imap_cmd_submit(ctx, quota_work, j) < 0) {
		imap_reply_tagged(ctx, IMAP_NO, "UNAVAILABLE", "the mail store is unavailable");
		return IMAP_CMD_DONE;
	}
	return IMAP_CMD_WAIT;
}

/* quota_failed - the job's error as a reply; true when there was one */
static bool quota_failed(struct imap_cmd_ctx *ctx)
{
	if (ctx->job_ret >= 0)
		return false;
	imap_reply_tagged(ctx, IMAP_NO, "SERVERBUG", "%s",
			  ctx->job_error != NULL ? ctx->job_error : "store error");
	return true;
}

/* cmd_quota_getquota - GETQUOTA root (RFC 9208 4.2): only "" exists */
enum imap_cmd_result cmd_quota_getquota(struct imap_cmd_ctx *ctx)
{
	const char *root;

	if (ctx->step == 0) {
		if (ctx->cmd->nargs != 1 || (root = imap_arg_astring(&ctx->cmd->args[0])) == NULL) {
			imap_reply_tagged(ctx, IMAP_BAD, NULL, "GETQUOTA needs a quota root");
			return IMAP_CMD_DONE;
		}
		if (root[0] != '\0') {
			imap_reply_tagged(ctx, IMAP_NO, "NONEXISTENT", "no such quota root");
			return IMAP_CMD_DONE;
		}
		return quota_start(ctx, NULL);
	}
	if (quota_failed(ctx))
		return IMAP_CMD_DONE;
	quota_line(ctx->session, &((struct quota_job *)ctx->state)->account);
	imap_reply_tagged(ctx, IMAP_OK, NULL, "GETQUOTA completed");
	return IMAP_CMD_DONE;
}

/* cmd_quota_getquotaroot - GETQUOTAROOT mailbox (RFC 9208 4.3) */
enum imap_cmd_result cmd_quota_getquotaroot(struct imap_cmd_ctx *ctx)
{
	const struct quota_job *j = ctx->state;
	const char *name, *error = NULL;

	if (ctx->step == 0) {
		if (ctx->cmd->nargs != 1 ||
		    (name = imap_mailbox_name(ctx->session, &ctx->cmd->args[0], ctx->arena,
					      &error)) == NULL) {
			imap_reply_tagged(ctx, IMAP_BAD, NULL, "%s",
					  error != NULL ? error : "GETQUOTAROOT needs a mailbox");
			return IMAP_CMD_DONE;
		}
		return quota_start(ctx, name);
	}
	if (quota_failed(ctx))
		return IMAP_CMD_DONE;
	if (j->found == 0) {
		imap_reply_tagged(ctx, IMAP_NO, "NONEXISTENT", "no such mailbox");
		return IMAP_CMD_DONE;
	}
	imap_reply_printf(ctx->session, "* QUOTAROOT ");
	imap_reply_mailbox(ctx->session, j->name);
	imap_reply_printf(ctx->session, "%s", j->ref.shared ? "" : " \"\"");
	imap_reply_crlf(ctx->session);
	if (!j->ref.shared)
		quota_line(ctx->session, &j->account);
	imap_reply_tagged(ctx, IMAP_OK, NULL, "GETQUOTAROOT completed");
	return IMAP_CMD_DONE;
}

/* cmd_quota_setquota - SETQUOTA (RFC 9208 4.4): limits are set with `merpati user quota` */
enum imap_cmd_result cmd_quota_setquota(struct imap_cmd_ctx *ctx)
{
	imap_reply_tagged(ctx, IMAP_NO, "NOPERM", "quotas are set by the administrator");
	return IMAP_CMD_DONE;
}
