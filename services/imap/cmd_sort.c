/* cmd_sort - SORT and UID SORT (RFC 5256 3): sort criteria, a charset and search keys;
 * the matches come back in one query with their metadata and are ordered here. */
#include "services/imap/imap.h"
#include "services/imap/imap_cmds.h"
#include "services/imap/search_job.h"
#include "services/imap/search_program.h"
#include "services/imap/search_reply.h"

struct sort_state {
	struct search_program prog;
	struct sort_criterion criteria[SORT_CRITERIA_MAX];
	struct search_job *job;
	bool modseq;
};

/* sort_uses_modseq - the program has a MODSEQ key (RFC 7162 3.1.5 applies to SORT too) */
static bool sort_uses_modseq(const struct store_search *s)
{
	for (size_t i = 0; i < s->used; i++)
		if (s->nodes[i].kind == STORE_SEARCH_MODSEQ)
			return true;
	return false;
}

/* sort_start - criteria, then the search program, then the job */
static enum imap_cmd_result sort_start(struct imap_cmd_ctx *ctx)
{
	struct sort_state *st = imap_arena_alloc(ctx->arena, sizeof(*st));
	const char *error = NULL, *code = NULL;
	size_t nc = 0;

	if (ctx->cmd->nargs < 3) {
		imap_reply_tagged(ctx, IMAP_BAD, NULL, "SORT needs criteria, a charset and keys");
		return IMAP_CMD_DONE;
	}
	if (sort_keys_parse(&ctx->cmd->args[0], st->criteria, &nc, &error) < 0 ||
	    search_program_parse(ctx->cmd->args + 1, ctx->cmd->nargs - 1, SEARCH_FORM_SORTED,
				 ctx->session->selected, ctx->arena, &st->prog, &error, &code) < 0) {
		imap_reply_tagged(ctx, code != NULL ? IMAP_NO : IMAP_BAD, code, "%s", error);
		return IMAP_CMD_DONE;
	}
	st->modseq = sort_uses_modseq(&st->prog.s);
	if (st->modseq)
		ctx->session->enabled |= IMAP_ENABLED_CONDSTORE;
	st->job = search_job_new(ctx, SEARCH_JOB_SORT, st->prog.root);
	st->job->criteria = st->criteria;
	st->job->ncriteria = nc;
	ctx->state = st;
	ctx->step = 1;
	return search_job_submit(ctx, st->job);
}

/* cmd_sort - SORT / UID SORT */
enum imap_cmd_result cmd_sort(struct imap_cmd_ctx *ctx)
{
	struct sort_state *st = ctx->state;

	if (ctx->step == 0)
		return sort_start(ctx);
	if (ctx->job_ret < 0) {
		imap_reply_tagged(ctx, IMAP_NO, NULL, "sort failed: %s",
				  ctx->job_error != NULL ? ctx->job_error : "store error");
		return IMAP_CMD_DONE;
	}
	search_reply_list(ctx->session, "SORT", st->job, st->modseq);
	imap_reply_tagged(ctx, IMAP_OK, NULL, "%sSORT completed", ctx->cmd->uid ? "UID " : "");
	return IMAP_CMD_DONE;
}
