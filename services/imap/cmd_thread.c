/* cmd_thread - THREAD and UID THREAD (RFC 5256 3): ORDEREDSUBJECT or REFERENCES over the
 * messages a search program selects, answered as "* THREAD (..)(..)" (RFC 5256 4). */
#include "services/imap/imap.h"
#include "services/imap/imap_cmds.h"
#include "services/imap/search_job.h"
#include "services/imap/search_program.h"

struct thread_state {
	struct search_program prog;
	struct search_job *job;
};

/* thread_kind - the algorithm atom; -1 when unknown */
static int thread_kind(const struct imap_arg *a, enum search_job_kind *kind_r)
{
	if (imap_arg_atom_is(a, "REFERENCES"))
		*kind_r = SEARCH_JOB_THREAD_REFERENCES;
	else if (imap_arg_atom_is(a, "ORDEREDSUBJECT"))
		*kind_r = SEARCH_JOB_THREAD_SUBJECT;
	else
		return -1;
	return 0;
}

/* thread_start - algorithm, charset, keys, then the job */
static enum imap_cmd_result thread_start(struct imap_cmd_ctx *ctx)
{
	struct thread_state *st = imap_arena_alloc(ctx->arena, sizeof(*st));
	const char *error = NULL, *code = NULL;
	enum search_job_kind kind;

	if (ctx->cmd->nargs < 3 || thread_kind(&ctx->cmd->args[0], &kind) < 0) {
		imap_reply_tagged(ctx, IMAP_BAD, NULL,
				  "THREAD needs ORDEREDSUBJECT or REFERENCES, a charset and keys");
		return IMAP_CMD_DONE;
	}
	if (search_program_parse(ctx->cmd->args + 1, ctx->cmd->nargs - 1, SEARCH_FORM_SORTED,
				 ctx->session->selected, ctx->arena, &st->prog, &error, &code) < 0) {
		imap_reply_tagged(ctx, code != NULL ? IMAP_NO : IMAP_BAD, code, "%s", error);
		return IMAP_CMD_DONE;
	}
	st->job = search_job_new(ctx, kind, st->prog.root);
	ctx->state = st;
	ctx->step = 1;
	return search_job_submit(ctx, st->job);
}

/* cmd_thread - THREAD / UID THREAD */
enum imap_cmd_result cmd_thread(struct imap_cmd_ctx *ctx)
{
	struct thread_state *st = ctx->state;

	if (ctx->step == 0)
		return thread_start(ctx);
	if (ctx->job_ret < 0) {
		imap_reply_tagged(ctx, IMAP_NO, NULL, "thread failed: %s",
				  ctx->job_error != NULL ? ctx->job_error : "store error");
		return IMAP_CMD_DONE;
	}
	/* thread-data = "THREAD" [SP 1*thread-list] (RFC 5256 4) */
	imap_reply_printf(ctx->session, "* THREAD%s%s", st->job->threads[0] != '\0' ? " " : "",
			  st->job->threads);
	imap_reply_crlf(ctx->session);
	imap_reply_tagged(ctx, IMAP_OK, NULL, "%sTHREAD completed", ctx->cmd->uid ? "UID " : "");
	return IMAP_CMD_DONE;
}
