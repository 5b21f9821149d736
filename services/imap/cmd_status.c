/* cmd_status - STATUS (RFC 3501 6.3.10) with SIZE (RFC 8438), HIGHESTMODSEQ
 * (RFC 7162 3.1.6) and DELETED (RFC 9051 6.3.11), for own and shared mailboxes */
#include <stdio.h>
#include <string.h>

#include "services/imap/imap.h"
#include "services/imap/imap_cmds.h"
#include "services/imap/imap_status.h"

struct status_job {
	int64_t account_id;
	const char *name;
	struct imap_mailbox_ref ref;
	struct store_mailbox m;
	struct imap_status_extra x;
	int found;
	unsigned items;
};

/* status_work - on a pool thread: find, then read the counters */
static int status_work(PGconn *conn, void *arg, const char **error_r)
{
	struct status_job *job = arg;

	job->found = imap_mailbox_resolve(conn, job->account_id, job->name, &job->ref, error_r);
	if (job->found <= 0)
		return job->found;
	job->found = store_mailbox_get(conn, job->ref.mailbox_id, &job->m, error_r);
	if (job->found < 0)
		return -1;
	return imap_status_extra_read(conn, job->ref.mailbox_id, job->items, &job->x, error_r);
}

/* status_start - mailbox and item list */
static enum imap_cmd_result status_start(struct imap_cmd_ctx *ctx)
{
	struct status_job *job = imap_arena_alloc(ctx->arena, sizeof(*job));
	const char *error;

	if (ctx->cmd->nargs != 2 || imap_status_items(&ctx->cmd->args[1], &job->items) < 0) {
		imap_reply_tagged(ctx, IMAP_BAD, NULL, "Expected a mailbox and status items");
		return IMAP_CMD_DONE;
	}
	if ((job->name = imap_mailbox_name(ctx->session, &ctx->cmd->args[0], ctx->arena,
					   &error)) == NULL) {
		imap_reply_tagged(ctx, IMAP_NO, "NONEXISTENT", "%s", error);
		return IMAP_CMD_DONE;
	}
	job->account_id = ctx->session->account_id;
	if (ctx->session->selected != NULL &&
	    (job->items & IMAP_STATUS_HIGHESTMODSEQ))
		ctx->session->enabled |= IMAP_ENABLED_CONDSTORE;  /* RFC 7162 3.1 */
	ctx->state = job;
	ctx->step = 1;
	if (imap_cmd_submit(ctx, status_work, job) < 0) {
		imap_reply_tagged(ctx, IMAP_NO, "UNAVAILABLE", "Try again later");
		return IMAP_CMD_DONE;
	}
	return IMAP_CMD_WAIT;
}

/* cmd_status - NONEXISTENT also when the "r" right is missing (RFC 4314 4) */
enum imap_cmd_result cmd_status(struct imap_cmd_ctx *ctx)
{
	struct status_job *job = ctx->state;

	if (ctx->step == 0)
		return status_start(ctx);
	if (ctx->job_ret < 0)
		imap_reply_tagged(ctx, IMAP_NO, "UNAVAILABLE", "Try again later");
	else if (job->found <= 0 || strchr(job->ref.rights, 'r') == NULL)
		imap_reply_tagged(ctx, IMAP_NO, "NONEXISTENT", "No such mailbox");
	else {
		imap_status_write(ctx->session, job->name, &job->m, &job->x, job->items);
		imap_reply_tagged(ctx, IMAP_OK, NULL, "STATUS completed");
	}
	return IMAP_CMD_DONE;
}
