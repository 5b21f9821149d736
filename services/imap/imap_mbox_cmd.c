/* imap_mbox_cmd - one-call mailbox commands on the store pool. */
#include <string.h>

#include "services/imap/imap_mbox_cmd.h"
#include "store/db.h"

struct mbox_job {
	struct imap_mbox_op op;
	imap_mbox_op_fn *fn;
};

/* mbox_work - on a pool thread */
static int mbox_work(PGconn *conn, void *arg, const char **error_r)
{
	struct mbox_job *job = arg;

	job->op.ret = job->fn(conn, &job->op, error_r);
	job->op.unique = job->op.ret < 0 && db_error_unique();
	/* a refused name is an answer; only a lost database is a store failure */
	return job->op.ret < 0 && db_error_unavailable(conn) ? -1 : 0;
}

/* mbox_name - one name argument: UTF-8, without a trailing "/" (RFC 3501 6.3.3), and
 * not in the shared namespace */
static const char *mbox_name(struct imap_cmd_ctx *ctx, const struct imap_arg *a)
{
	const char *error, *name = imap_mailbox_name(ctx->session, a, ctx->arena, &error);
	size_t len;

	if (name == NULL) {
		imap_reply_tagged(ctx, IMAP_NO, "CANNOT", "%s", error);
		return NULL;
	}
	len = strlen(name);
	if (len > 1 && name[len - 1] == '/')
		name = imap_arena_memdup(ctx->arena, name, len - 1);
	if (strncmp(name, IMAP_SHARED_PREFIX, strlen(IMAP_SHARED_PREFIX)) == 0 ||
	    strcmp(name, "Shared") == 0) {
		imap_reply_tagged(ctx, IMAP_NO, "NOPERM", "The shared namespace is not yours");
		return NULL;
	}
	return name;
}

/* mbox_start - names, then nargs - nnames arguments the handler has read */
static enum imap_cmd_result mbox_start(struct imap_cmd_ctx *ctx, size_t nnames, size_t nargs,
				       imap_mbox_op_fn *fn, const char *special_use)
{
	struct mbox_job *job = imap_arena_alloc(ctx->arena, sizeof(*job));

	job->op.special_use = special_use;
	if (ctx->cmd->nargs != nargs) {
		imap_reply_tagged(ctx, IMAP_BAD, NULL, nnames == 1 ? "Expected one mailbox name" :
				  "Expected two mailbox names");
		return IMAP_CMD_DONE;
	}
	if ((job->op.name = mbox_name(ctx, &ctx->cmd->args[0])) == NULL ||
	    (nnames == 2 && (job->op.name2 = mbox_name(ctx, &ctx->cmd->args[1])) == NULL))
		return IMAP_CMD_DONE;
	job->op.account_id = ctx->session->account_id;
	job->fn = fn;
	ctx->state = job;
	ctx->step = 1;
	if (imap_cmd_submit(ctx, mbox_work, job) < 0) {
		imap_reply_tagged(ctx, IMAP_NO, "UNAVAILABLE", "Try again later");
		return IMAP_CMD_DONE;
	}
	return IMAP_CMD_WAIT;
}

/* imap_mbox_cmd_start - see imap_mbox_cmd.h */
enum imap_cmd_result imap_mbox_cmd_start(struct imap_cmd_ctx *ctx, size_t nnames,
					 imap_mbox_op_fn *fn)
{
	return mbox_start(ctx, nnames, nnames, fn, NULL);
}

/* imap_mbox_cmd_start_use - see imap_mbox_cmd.h */
enum imap_cmd_result imap_mbox_cmd_start_use(struct imap_cmd_ctx *ctx, imap_mbox_op_fn *fn,
					     const char *special_use)
{
	return mbox_start(ctx, 1, 2, fn, special_use);
}

/* imap_mbox_cmd_op - see imap_mbox_cmd.h */
struct imap_mbox_op *imap_mbox_cmd_op(struct imap_cmd_ctx *ctx)
{
	return &((struct mbox_job *)ctx->state)->op;
}
