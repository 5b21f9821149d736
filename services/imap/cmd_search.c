/* cmd_search - SEARCH and UID SEARCH with ESEARCH (RFC 3501 6.4.4, RFC 9051 6.4.4,
 * RFC 4731, RFC 7162 3.1.5) and SEARCHRES's RETURN (SAVE) (RFC 5182). The whole program
 * becomes one query (search_job). */
#include <strings.h>

#include "services/imap/imap.h"
#include "services/imap/imap_cmds.h"
#include "services/imap/search_job.h"
#include "services/imap/search_program.h"
#include "services/imap/search_reply.h"

struct search_state {
	struct search_program prog;
	struct search_job *job;
	bool modseq;      /* a MODSEQ key: report mod-sequences, CONDSTORE is on (RFC 7162 3.1) */
};

/* search_uses_modseq - the program has a MODSEQ key */
static bool search_uses_modseq(const struct store_search *s)
{
	for (size_t i = 0; i < s->used; i++)
		if (s->nodes[i].kind == STORE_SEARCH_MODSEQ)
			return true;
	return false;
}

/* search_asks_save - the command starts with RETURN (... SAVE ...), however the rest
 * parses */
static bool search_asks_save(const struct imap_command *cmd)
{
	if (cmd->nargs < 2 || !imap_arg_atom_is(&cmd->args[0], "RETURN") ||
	    cmd->args[1].type != IMAP_ARG_LIST)
		return false;
	for (size_t i = 0; i < cmd->args[1].count; i++)
		if (imap_arg_atom_is(&cmd->args[1].list[i], "SAVE"))
			return true;
	return false;
}

/* search_save - RFC 5182 2.4: with MIN and/or MAX but neither ALL nor COUNT, only those
 * are saved; otherwise every match. The job's numbers are MSNs unless UID SEARCH. */
static void search_save(struct imap_cmd_ctx *ctx, const struct search_state *st)
{
	struct imap_view *v = ctx->session->selected;
	const struct search_job *j = st->job;
	unsigned ret = st->prog.ret;
	uint32_t *uids = imap_arena_array(ctx->arena, j->n + 1, sizeof(*uids));
	size_t n = 0;

	for (size_t i = 0; i < j->n; i++) {
		bool edge = ((ret & SEARCH_RETURN_MIN) && i == 0) ||
			    ((ret & SEARCH_RETURN_MAX) && i == j->n - 1);

		if (!(ret & (SEARCH_RETURN_ALL | SEARCH_RETURN_COUNT)) &&
		    (ret & (SEARCH_RETURN_MIN | SEARCH_RETURN_MAX)) && !edge)
			continue;
		uids[n] = ctx->cmd->uid ? j->nums[i] : imap_view_uid(v, j->nums[i]);
		n += uids[n] != 0;
	}
	imap_view_save(v, uids, n);
}

/* search_failed - the tagged NO or BAD; a failed SAVE leaves "$" empty (RFC 5182 2.1) */
static enum imap_cmd_result search_failed(struct imap_cmd_ctx *ctx, enum imap_status st,
					  const char *code, const char *error)
{
	if (search_asks_save(ctx->cmd))
		imap_view_save(ctx->session->selected, NULL, 0);
	imap_reply_tagged(ctx, st, code, "%s", error);
	return IMAP_CMD_DONE;
}

/* search_start - parse, then hand the query to the store pool */
static enum imap_cmd_result search_start(struct imap_cmd_ctx *ctx)
{
	struct search_state *st = imap_arena_alloc(ctx->arena, sizeof(*st));
	const char *error = NULL, *code = NULL;

	if (search_program_parse(ctx->cmd->args, ctx->cmd->nargs, SEARCH_FORM_SEARCH,
				 ctx->session->selected, ctx->arena, &st->prog, &error, &code) < 0)
		return search_failed(ctx, code != NULL ? IMAP_NO : IMAP_BAD, code, error);
	if (!st->prog.esearch && (ctx->session->enabled & IMAP_ENABLED_REV2)) {
		/* RFC 9051 6.4.4: IMAP4rev2 answers with ESEARCH, no RETURN meaning ALL */
		st->prog.esearch = true;
		st->prog.ret = SEARCH_RETURN_ALL;
	}
	st->modseq = search_uses_modseq(&st->prog.s);
	if (st->modseq)
		ctx->session->enabled |= IMAP_ENABLED_CONDSTORE;
	st->job = search_job_new(ctx, SEARCH_JOB_SEARCH, st->prog.root);
	ctx->state = st;
	ctx->step = 1;
	return search_job_submit(ctx, st->job);
}

/* search_finish - the SEARCH or ESEARCH response and the tagged OK */
static enum imap_cmd_result search_finish(struct imap_cmd_ctx *ctx)
{
	struct search_state *st = ctx->state;

	if (ctx->job_ret < 0)
		return search_failed(ctx, IMAP_NO, NULL, imap_arena_printf(ctx->arena,
				     "search failed: %s", ctx->job_error != NULL ? ctx->job_error :
				     "store error"));
	if (st->prog.ret & SEARCH_RETURN_SAVE)
		search_save(ctx, st);
	/* RFC 5182 2.4: SAVE alone asks for no ESEARCH response */
	if (st->prog.esearch && st->prog.ret != SEARCH_RETURN_SAVE)
		search_reply_esearch(ctx->session, ctx->cmd->tag, ctx->cmd->uid, st->prog.ret,
				     st->job, st->modseq);
	else if (!st->prog.esearch)
		search_reply_list(ctx->session, "SEARCH", st->job, st->modseq);
	imap_reply_tagged(ctx, IMAP_OK, NULL, "%sSEARCH completed", ctx->cmd->uid ? "UID " : "");
	return IMAP_CMD_DONE;
}

/* cmd_search - SEARCH / UID SEARCH */
enum imap_cmd_result cmd_search(struct imap_cmd_ctx *ctx)
{
	return ctx->step == 0 ? search_start(ctx) : search_finish(ctx);
}
