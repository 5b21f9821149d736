/* cmd_fetch - FETCH and UID FETCH (RFC 3501 6.4.5, RFC 9051 6.4.5, RFC 7162 3.1.4, 3.2.6).
 *
 * Steps: parse the items and resolve the set against the session's view; with VANISHED,
 * send "* VANISHED (EARLIER)" first; then, one store job per batch of messages
 * (fetch_job.c), write each message's response (fetch_write.c). A section too large to
 * keep in memory is written as a literal whose bytes arrive one STORE_MESSAGE_CHUNK job at
 * a time, waiting for the output to drain between chunks. */
#include "services/imap/imap.h"
#include "services/imap/imap_cmds.h"
#include "services/imap/fetch_job.h"
#include "services/imap/fetch_write.h"
#include "store/imap_msg_vanished.h"

#include <stdlib.h>
#include <string.h>

enum fetch_step { STEP_START, STEP_VANISHED, STEP_BATCH, STEP_CHUNK, STEP_DRAIN };

struct fetch_state {
	struct fetch_items items;
	struct fetch_job job;
	struct imap_seqset set;
	uint32_t *uids;          /* the view's UIDs the set names, ascending */
	size_t n;
	size_t next;             /* first UID of the next batch */
	size_t batch_start;      /* first UID of the batch in the job */
	size_t msg;              /* next message of the batch to write */
	size_t part;             /* next section of that message */
	bool begun;              /* its "* n FETCH (" is written */
	int64_t stream_at;       /* next offset of a streamed section; -1 when none */
	char *vanished;          /* the VANISHED set, from the job */
};

/* fetch_pending - bytes waiting to be sent */
static size_t fetch_pending(struct imap_session *s)
{
	return s->out.pending != NULL ? s->out.pending(s->out.ctx) : 0;
}

/* fetch_fail - NO for a store failure */
static enum imap_cmd_result fetch_fail(struct imap_cmd_ctx *ctx)
{
	imap_reply_tagged(ctx, IMAP_NO, "SERVERBUG", "FETCH failed: %s",
			  ctx->job_error != NULL ? ctx->job_error : "store unavailable");
	return IMAP_CMD_DONE;
}

/* fetch_submit - hand a job to the pool and remember where to continue */
static enum imap_cmd_result fetch_submit(struct imap_cmd_ctx *ctx, imap_job_fn *fn, void *arg,
					 enum fetch_step next)
{
	if (imap_cmd_submit(ctx, fn, arg) < 0) {
		imap_reply_tagged(ctx, IMAP_NO, "UNAVAILABLE", "store unavailable");
		return IMAP_CMD_DONE;
	}
	ctx->step = next;
	return IMAP_CMD_WAIT;
}

/* fetch_parse - arguments: set, items [, modifiers] (RFC 3501 6.4.5, RFC 7162 3.1.4.1) */
static int fetch_parse(struct imap_cmd_ctx *ctx, struct fetch_state *st, const char **error_r)
{
	const struct imap_command *c = ctx->cmd;
	struct imap_session *s = ctx->session;

	if (c->nargs < 2 || c->nargs > 3) {
		*error_r = "FETCH needs a sequence set and data items";
		return -1;
	}
	if (imap_seqset_parse(&c->args[0], ctx->arena, &st->set, error_r) < 0 ||
	    fetch_items_parse(&c->args[1], c->nargs == 3 ? &c->args[2] : NULL, ctx->arena,
			      &st->items, error_r) < 0)
		return -1;
	if (st->items.vanished && (!c->uid || !(s->enabled & IMAP_ENABLED_QRESYNC))) {
		*error_r = "VANISHED needs UID FETCH and ENABLE QRESYNC"; /* RFC 7162 3.2.6 */
		return -1;
	}
	if (st->items.changedsince > 0 || (st->items.flags & FETCH_MODSEQ))
		s->enabled |= IMAP_ENABLED_CONDSTORE; /* RFC 7162 3.1: implicitly enabled */
	if (s->enabled & IMAP_ENABLED_CONDSTORE && st->items.changedsince > 0)
		st->items.flags |= FETCH_MODSEQ;
	return imap_view_resolve(s->selected, &st->set, c->uid, ctx->arena, &st->uids, &st->n,
				 error_r);
}

struct fetch_vanished_arg {
	struct fetch_state *st;
	int64_t mailbox_id;
	uint32_t star;
	struct imap_arena *arena;
};

/* fetch_vanished_job - imap_job_fn: the expunged UIDs in the set since CHANGEDSINCE */
static int fetch_vanished_job(PGconn *conn, void *arg, const char **error_r)
{
	struct fetch_vanished_arg *a = arg;
	const struct imap_seqset *set = &a->st->set;
	size_t n = set->count < IMAP_MSG_VANISHED_RANGES_MAX ? set->count :
							     IMAP_MSG_VANISHED_RANGES_MAX;
	uint32_t *lo = imap_arena_array(a->arena, n + 1, sizeof(uint32_t));
	uint32_t *hi = imap_arena_array(a->arena, n + 1, sizeof(uint32_t));
	char *vanished;

	for (size_t i = 0; i < n; i++) {
		uint32_t x = set->ranges[i].lo == IMAP_SEQ_STAR ? a->star : set->ranges[i].lo;
		uint32_t y = set->ranges[i].hi == IMAP_SEQ_STAR ? a->star : set->ranges[i].hi;
		lo[i] = x < y ? x : y;
		hi[i] = x < y ? y : x;
	}
	if (imap_msg_vanished(conn, a->mailbox_id, a->st->items.changedsince, lo, hi, n,
			      &vanished, error_r) < 0)
		return -1;
	a->st->vanished = imap_arena_strdup(a->arena, vanished);
	free(vanished);
	return 0;
}

/* fetch_next_batch - submit the next batch, or finish */
static enum imap_cmd_result fetch_next_batch(struct imap_cmd_ctx *ctx, struct fetch_state *st)
{
	struct imap_view *v = ctx->session->selected;
	size_t batch = st->items.nsections > 0 ? FETCH_JOB_BATCH_SECTIONS : FETCH_JOB_BATCH;

	if (st->next >= st->n) {
		imap_reply_tagged(ctx, IMAP_OK, NULL, "%sFETCH completed", ctx->cmd->uid ? "UID " : "");
		return IMAP_CMD_DONE;
	}
	if (st->job.buf == NULL) { /* once per command, reused by every batch */
		size_t room = st->n < batch ? st->n : batch;

		/* the job writes every byte and every message it hands back: no zeroing */
		st->job.buf = imap_arena_alloc_raw(ctx->arena, FETCH_JOB_BUF_SIZE);
		st->job.msgs = imap_arena_alloc_raw(ctx->arena, room * sizeof(*st->job.msgs));
	}
	st->job = (struct fetch_job){ .arena = ctx->arena, .items = &st->items,
				      .mailbox_id = v->mailbox_id, .uids = st->uids + st->next,
				      .nuids = st->n - st->next < batch ? st->n - st->next : batch,
				      .set_seen = st->items.sets_seen && !v->readonly,
				      .chunk = st->job.chunk, .buf = st->job.buf,
				      .msgs = st->job.msgs };
	st->batch_start = st->next;
	st->msg = 0;
	return fetch_submit(ctx, fetch_job_batch, &st->job, STEP_BATCH);
}

/* fetch_stream_next - ask for the next chunk of the section being streamed */
static enum imap_cmd_result fetch_stream_next(struct imap_cmd_ctx *ctx, struct fetch_state *st)
{
	const struct fetch_part *p = &st->job.msgs[st->msg].parts[st->part];
	int64_t left = p->range.end - st->stream_at;

	if (st->job.chunk == NULL)
		st->job.chunk = imap_arena_alloc_raw(ctx->arena, STORE_MESSAGE_CHUNK);
	st->job.chunk_row = &st->job.msgs[st->msg].row;
	st->job.chunk_range = (struct imap_msg_range){ st->stream_at, st->stream_at +
		(left < (int64_t)STORE_MESSAGE_CHUNK ? left : (int64_t)STORE_MESSAGE_CHUNK) };
	return fetch_submit(ctx, fetch_job_chunk, &st->job, STEP_CHUNK);
}

/* fetch_unknown_cte - some BINARY section of the batch has an encoding we cannot undo */
static bool fetch_unknown_cte(const struct fetch_state *st)
{
	for (size_t i = 0; i < st->job.nmsgs; i++)
		for (size_t k = 0; k < st->items.nsections; k++)
			if (st->job.msgs[i].parts[k].binary_unsupported)
				return true;
	return false;
}

/* fetch_write_msgs - write the batch's responses from st->msg on; returns WAIT when a
 * streamed section needs a chunk job, else goes on to the next batch */
static enum imap_cmd_result fetch_write_msgs(struct imap_cmd_ctx *ctx, struct fetch_state *st)
{
	struct imap_session *s = ctx->session;

	for (; st->msg < st->job.nmsgs; st->msg++, st->part = 0, st->begun = false) {
		struct fetch_msg *m = &st->job.msgs[st->msg];
		uint32_t msn = imap_view_msn(s->selected, m->row.uid);

		if (msn == 0)
			continue; /* not announced to this session yet (RFC 3501 7.4.1) */
		if (!st->begun)
			fetch_write_begin(s, msn, &st->items, &m->row, ctx->cmd->uid,
					  st->job.set_seen);
		st->begun = true;
		for (; st->part < st->items.nsections; st->part++) {
			const struct fetch_section *sec = &st->items.sections[st->part];

			fetch_write_section_head(s, sec);
			if (!fetch_write_part(s, sec, &m->parts[st->part])) {
				st->stream_at = m->parts[st->part].range.start;
				return fetch_stream_next(ctx, st);
			}
		}
		fetch_write_end(s);
	}
	return fetch_next_batch(ctx, st);
}

/* fetch_chunk_done - write a chunk; more of the section, or the rest of the message */
static enum imap_cmd_result fetch_chunk_done(struct imap_cmd_ctx *ctx, struct fetch_state *st)
{
	const struct fetch_part *p = &st->job.msgs[st->msg].parts[st->part];

	if (st->job.chunk_len != (size_t)(st->job.chunk_range.end - st->job.chunk_range.start))
		return fetch_fail(ctx); /* the literal's length is promised: never short */
	imap_reply_raw(ctx->session, st->job.chunk, st->job.chunk_len);
	st->stream_at += (int64_t)st->job.chunk_len;
	if (fetch_pending(ctx->session) > IMAP_OUTPUT_HIGH) {
		ctx->step = STEP_DRAIN;
		return IMAP_CMD_WAIT_OUTPUT;
	}
	if (st->stream_at < p->range.end)
		return fetch_stream_next(ctx, st);
	st->part++;
	return fetch_write_msgs(ctx, st);
}

/* fetch_start - parse, then VANISHED or the first batch */
static enum imap_cmd_result fetch_start(struct imap_cmd_ctx *ctx, struct fetch_state *st)
{
	const char *error = NULL;

	st->stream_at = -1;
	if (fetch_parse(ctx, st, &error) < 0) {
		imap_reply_tagged(ctx, IMAP_BAD, NULL, "%s", error != NULL ? error : "bad FETCH");
		return IMAP_CMD_DONE;
	}
	if (st->items.vanished) {
		struct fetch_vanished_arg *a = imap_arena_alloc(ctx->arena, sizeof(*a));
		*a = (struct fetch_vanished_arg){ st, ctx->session->selected->mailbox_id,
						  ctx->session->selected->uidnext - 1, ctx->arena };
		return fetch_submit(ctx, fetch_vanished_job, a, STEP_VANISHED);
	}
	return fetch_next_batch(ctx, st);
}

/* cmd_fetch - FETCH and UID FETCH */
enum imap_cmd_result cmd_fetch(struct imap_cmd_ctx *ctx)
{
	struct fetch_state *st = ctx->state;

	if (ctx->step == STEP_START) {
		st = ctx->state = imap_arena_alloc(ctx->arena, sizeof(*st));
		return fetch_start(ctx, st);
	}
	if (ctx->step != STEP_DRAIN && ctx->job_ret < 0)
		return fetch_fail(ctx);
	switch ((enum fetch_step)ctx->step) {
	case STEP_VANISHED:
		if (st->vanished[0] != '\0') /* RFC 7162 3.2.6 */
			imap_reply_untagged(ctx->session, "VANISHED (EARLIER) %s", st->vanished);
		return fetch_next_batch(ctx, st);
	case STEP_BATCH:
		st->next = st->batch_start + st->job.consumed;
		/* the implicit \Seen is reported in these responses (RFC 3501 6.4.5) */
		if (st->job.seen_modseq != 0 &&
		    st->job.seen_modseq == ctx->session->selected->highestmodseq + 1)
			ctx->session->selected->highestmodseq = st->job.seen_modseq;
		if (st->job.seen_modseq != 0)
			imap_session_publish(ctx->session, ctx->session->selected->owner_id,
					     st->job.mailbox_id, ctx->session->selected->uidvalidity,
					     st->job.seen_modseq, IMAP_EVENT_FLAGS, NULL, 0);
		if (st->items.nsections > 0 && fetch_unknown_cte(st)) {
			/* before any of this batch is written (RFC 3516 4.3) */
			imap_reply_tagged(ctx, IMAP_NO, "UNKNOWN-CTE", "unknown content transfer encoding");
			return IMAP_CMD_DONE;
		}
		return fetch_write_msgs(ctx, st);
	case STEP_CHUNK:
		return fetch_chunk_done(ctx, st);
	case STEP_DRAIN: {
		const struct fetch_part *p = &st->job.msgs[st->msg].parts[st->part];
		if (st->stream_at < p->range.end)
			return fetch_stream_next(ctx, st);
		st->part++;
		return fetch_write_msgs(ctx, st);
	}
	default:
		return fetch_fail(ctx);
	}
}
