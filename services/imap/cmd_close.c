/* cmd_close - CLOSE (RFC 3501 6.4.2) and UNSELECT (RFC 3691) */
#include <string.h>

#include "services/imap/imap.h"
#include "services/imap/imap_cmds.h"
#include "store/db.h"
#include "store/mailbox.h"

struct close_job {
	int64_t mailbox_id;
	int removed;
	uint64_t modseq;
};

/* close_tx - remove every \Deleted message (inside db_tx) */
static int close_tx(PGconn *conn, void *arg, const char **error_r)
{
	struct close_job *job = arg;

	job->removed = store_mailbox_expunge(conn, job->mailbox_id, NULL, 0, NULL, NULL,
					     &job->modseq, error_r);
	return job->removed < 0 ? -1 : 0;
}

/* close_work - on a pool thread */
static int close_work(PGconn *conn, void *arg, const char **error_r)
{
	return db_tx(conn, close_tx, arg, error_r);
}

/* cmd_close - expunge silently when read-write and allowed ("e" right, RFC 4314 4),
 * then leave the mailbox; no EXPUNGE responses (RFC 3501 6.4.2) */
enum imap_cmd_result cmd_close(struct imap_cmd_ctx *ctx)
{
	struct imap_session *s = ctx->session;
	struct close_job *job = ctx->state;

	if (ctx->step == 0) {
		if (ctx->cmd->nargs != 0) {
			imap_reply_tagged(ctx, IMAP_BAD, NULL, "CLOSE takes no arguments");
			return IMAP_CMD_DONE;
		}
		if (!s->selected->readonly && strchr(s->selected->rights, 'e') != NULL) {
			job = imap_arena_alloc(ctx->arena, sizeof(*job));
			job->mailbox_id = s->selected->mailbox_id;
			ctx->state = job;
			ctx->step = 1;
			if (imap_cmd_submit(ctx, close_work, job) == 0)
				return IMAP_CMD_WAIT;
		}
	} else if (ctx->job_ret >= 0 && job->removed > 0) {
		imap_session_publish(s, s->selected->owner_id, s->selected->mailbox_id,
				     s->selected->uidvalidity, job->modseq, IMAP_EVENT_EXPUNGE,
				     NULL, 0);
	}
	imap_session_unselect(s);
	imap_reply_tagged(ctx, IMAP_OK, NULL, "CLOSE completed");
	return IMAP_CMD_DONE;
}

/* cmd_unselect - leave the mailbox without expunging (RFC 3691 2) */
enum imap_cmd_result cmd_unselect(struct imap_cmd_ctx *ctx)
{
	if (ctx->cmd->nargs != 0) {
		imap_reply_tagged(ctx, IMAP_BAD, NULL, "UNSELECT takes no arguments");
		return IMAP_CMD_DONE;
	}
	imap_session_unselect(ctx->session);
	imap_reply_tagged(ctx, IMAP_OK, NULL, "UNSELECT completed");
	return IMAP_CMD_DONE;
}
