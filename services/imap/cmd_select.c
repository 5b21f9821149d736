/* cmd_select - SELECT and EXAMINE (RFC 3501 6.3.1-2, RFC 9051 6.3.2) with the CONDSTORE
 * and QRESYNC parameters (RFC 7162 3.1.8, 3.2.5). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "services/imap/imap.h"
#include "services/imap/imap_cmds.h"
#include "services/imap/imap_conn.h"
#include "store/imap_recent.h"
#include "store/imap_sync.h"

#define SELECT_KEYWORDS_MAX 256  /* keywords listed in FLAGS */

struct select_job {
	int64_t account_id;
	const char *name;
	bool examine;
	bool qresync;                  /* QRESYNC (uidvalidity modseq ...) given */
	uint32_t q_uidvalidity;
	uint64_t q_modseq;
	struct imap_mailbox_ref ref;
	int found;
	struct store_imap_sync all;    /* every message */
	struct store_imap_sync changed;  /* since q_modseq, for QRESYNC */
	uint32_t recent_from, recent_upto;  /* the UIDs this session claimed as \Recent */
};

/* select_claims - a read-write SELECT claims \Recent; EXAMINE and a mailbox the account
 * may not change only look (RFC 3501 6.3.2) */
static bool select_claims(const struct select_job *job)
{
	return !job->examine && strpbrk(job->ref.rights, "stw") != NULL;
}

/* select_claim_recent - the UIDs above the mailbox's recent_uid up to the last one read
 * (RFC 3501 2.3.2.1); later arrivals are claimed by the sync that reports them */
static int select_claim_recent(PGconn *conn, struct select_job *job, const char **error_r)
{
	const struct store_imap_sync *all = &job->all;

	job->recent_upto = all->nchanges > 0 ? all->changes[all->nchanges - 1].uid : 0;
	job->recent_from = job->recent_upto;
	if (!select_claims(job) || job->recent_upto == 0)
		return 0;
	return store_imap_recent_claim(conn, job->ref.mailbox_id, job->recent_upto,
				       &job->recent_from, error_r) < 0 ? -1 : 0;
}

/* select_work - on a pool thread: the mailbox, its messages, and QRESYNC's changes */
static int select_work(PGconn *conn, void *arg, const char **error_r)
{
	struct select_job *job = arg;
	int r;

	if ((job->found = imap_mailbox_resolve(conn, job->account_id, job->name, &job->ref,
					       error_r)) <= 0)
		return job->found;
	if (strchr(job->ref.rights, 'r') == NULL) {
		job->found = 0;
		return 0;
	}
	if ((r = store_imap_sync_read(conn, job->ref.mailbox_id, 0, false, &job->all,
				      error_r)) <= 0) {
		job->found = r;
		return r;
	}
	if (select_claim_recent(conn, job, error_r) < 0) {
		store_imap_sync_clear(&job->all);
		return -1;
	}
	if (job->qresync && job->q_uidvalidity == job->all.uidvalidity &&
	    store_imap_sync_read(conn, job->ref.mailbox_id, job->q_modseq, true, &job->changed,
				 error_r) < 0) {
		store_imap_sync_clear(&job->all);
		return -1;
	}
	return 1;
}

/* select_params - "(CONDSTORE)" or "(QRESYNC (uidvalidity modseq [known-uids]))"
 * (RFC 7162 3.1.8, 3.2.5); -1 on bad syntax */
static int select_params(struct imap_cmd_ctx *ctx, struct select_job *job)
{
	const struct imap_arg *p = &ctx->cmd->args[1];
	uint64_t v;

	if (p->type != IMAP_ARG_LIST)
		return -1;
	for (size_t i = 0; i < p->count; i++) {
		if (imap_arg_atom_is(&p->list[i], "CONDSTORE")) {
			ctx->session->enabled |= IMAP_ENABLED_CONDSTORE;
			continue;
		}
		if (!imap_arg_atom_is(&p->list[i], "QRESYNC") || i + 1 >= p->count ||
		    !(ctx->session->enabled & IMAP_ENABLED_QRESYNC))
			return -1;
		const struct imap_arg *q = &p->list[++i];

		if (q->type != IMAP_ARG_LIST || q->count < 2 ||
		    imap_arg_number(&q->list[0], UINT32_MAX, &v) < 0 || v == 0)
			return -1;
		job->q_uidvalidity = (uint32_t)v;
		if (imap_arg_number(&q->list[1], INT64_MAX, &job->q_modseq) < 0 ||
		    job->q_modseq == 0)
			return -1;
		job->qresync = true;
	}
	return 0;
}

/* select_flags - FLAGS and PERMANENTFLAGS with the keywords in use (RFC 3501 7.2.6) */
static void select_flags(struct imap_session *s, const struct store_imap_sync *all,
			 bool readonly)
{
	const char *kw[SELECT_KEYWORDS_MAX];
	size_t nkw = 0;
	struct imap_arena *a = imap_arena_new(1024);

	for (size_t i = 0; i < all->nchanges && nkw < SELECT_KEYWORDS_MAX; i++) {
		char *copy = strdup(all->changes[i].keywords), *save = NULL;

		if (copy == NULL)
			abort();
		for (char *t = strtok_r(copy, " ", &save); t != NULL && nkw < SELECT_KEYWORDS_MAX;
		     t = strtok_r(NULL, " ", &save)) {
			size_t k = 0;

			while (k < nkw && strcmp(kw[k], t) != 0)
				k++;
			if (k == nkw)
				kw[nkw++] = imap_arena_strdup(a, t);
		}
		free(copy);
	}
	imap_reply_raw(s, "* FLAGS ", 8);
	imap_reply_flags(s, STORE_FLAGS_ALL, kw, nkw);
	imap_reply_crlf(s);
	imap_arena_free(&a);
	imap_reply_printf(s, "* OK [PERMANENTFLAGS %s] Flags permitted\r\n",
			  readonly ? "()" : "(\\Answered \\Flagged \\Deleted \\Seen \\Draft \\*)");
}

/* select_view - the new view from every message; the first unseen MSN */
static struct imap_view *select_view(const struct select_job *job, uint32_t *first_unseen)
{
	struct imap_view *v = imap_view_new(job->ref.mailbox_id);

	*first_unseen = 0;
	v->owner_id = job->ref.owner_id;
	snprintf(v->name, sizeof(v->name), "%s", job->name);
	snprintf(v->rights, sizeof(v->rights), "%s", job->ref.rights);
	v->readonly = job->examine || strpbrk(job->ref.rights, "stw") == NULL;
	v->uidvalidity = job->all.uidvalidity;
	v->uidnext = job->all.uidnext;
	v->highestmodseq = job->all.highestmodseq;
	for (size_t i = 0; i < job->all.nchanges; i++) {
		imap_view_append(v, job->all.changes[i].uid);
		if (*first_unseen == 0 && !(job->all.changes[i].flags & STORE_FLAG_SEEN))
			*first_unseen = v->count;
	}
	imap_view_mark_recent(v, job->recent_from, job->recent_upto);
	return v;
}

/* select_qresync - VANISHED (EARLIER) and FETCH for what changed since the client's
 * modseq (RFC 7162 3.2.5.1) */
static void select_qresync(struct imap_session *s, const struct select_job *job)
{
	const struct store_imap_sync *c = &job->changed;

	if (c->nexpunged > 0) {
		imap_reply_raw(s, "* VANISHED (EARLIER) ", 21);
		for (size_t i = 0; i < c->nexpunged; ) {
			size_t j = i;

			while (j + 1 < c->nexpunged && c->expunged[j + 1] == c->expunged[j] + 1)
				j++;
			imap_reply_printf(s, "%s%u", i > 0 ? "," : "", c->expunged[i]);
			if (j > i)
				imap_reply_printf(s, ":%u", c->expunged[j]);
			i = j + 1;
		}
		imap_reply_crlf(s);
	}
	for (size_t i = 0; i < c->nchanges; i++)
		imap_sync_fetch_flags(s, imap_view_msn(s->selected, c->changes[i].uid),
				      &c->changes[i]);
}

/* select_done - the responses of RFC 3501 6.3.1 and RFC 7162 3.1.2.1 */
static enum imap_cmd_result select_done(struct imap_cmd_ctx *ctx, struct select_job *job)
{
	struct imap_session *s = ctx->session;
	uint32_t first_unseen;
	struct imap_view *v;

	if (ctx->job_ret < 0 || job->found <= 0) {
		store_imap_sync_clear(&job->all);
		imap_reply_tagged(ctx, IMAP_NO, ctx->job_ret < 0 ? "UNAVAILABLE" : "NONEXISTENT",
				  ctx->job_ret < 0 ? "Try again later" : "No such mailbox");
		return IMAP_CMD_DONE;
	}
	v = select_view(job, &first_unseen);
	select_flags(s, &job->all, v->readonly);
	imap_reply_untagged(s, "%u EXISTS", v->count);
	if (!(s->enabled & IMAP_ENABLED_REV2)) {
		imap_reply_untagged(s, "%u RECENT", v->nrecent);
		if (first_unseen != 0)
			imap_reply_untagged(s, "OK [UNSEEN %u] First unseen", first_unseen);
	} else {
		/* RFC 9051 6.3.2: the mailbox's name as a LIST response */
		imap_reply_raw(s, "* LIST () \"/\" ", 14);
		imap_reply_mailbox(s, job->name);
		imap_reply_crlf(s);
	}
	imap_reply_untagged(s, "OK [UIDVALIDITY %u] UIDs valid", v->uidvalidity);
	imap_reply_untagged(s, "OK [UIDNEXT %u] Predicted next UID", v->uidnext);
	imap_reply_untagged(s, "OK [HIGHESTMODSEQ %llu] Highest",
			    (unsigned long long)v->highestmodseq);
	imap_session_select(s, v);
	if (job->qresync)
		select_qresync(s, job);
	store_imap_sync_clear(&job->all);
	store_imap_sync_clear(&job->changed);
	imap_reply_tagged(ctx, IMAP_OK, v->readonly ? "READ-ONLY" : "READ-WRITE",
			  "%s completed", job->examine ? "EXAMINE" : "SELECT");
	return IMAP_CMD_DONE;
}

/* select_start - leave the selected mailbox, check arguments, read the new one */
static enum imap_cmd_result select_start(struct imap_cmd_ctx *ctx, bool examine)
{
	struct select_job *job = imap_arena_alloc(ctx->arena, sizeof(*job));
	const char *error;

	if (ctx->session->selected != NULL) {
		/* RFC 7162 3.2.11 */
		if (ctx->session->enabled & IMAP_ENABLED_QRESYNC)
			imap_reply_untagged(ctx->session, "OK [CLOSED] Previous mailbox closed");
		imap_session_unselect(ctx->session);
	}
	if (ctx->cmd->nargs < 1 || ctx->cmd->nargs > 2 ||
	    (ctx->cmd->nargs == 2 && select_params(ctx, job) < 0)) {
		imap_reply_tagged(ctx, IMAP_BAD, NULL, "Expected a mailbox name and optional "
				  "(CONDSTORE) or (QRESYNC (...))");
		return IMAP_CMD_DONE;
	}
	if ((job->name = imap_mailbox_name(ctx->session, &ctx->cmd->args[0], ctx->arena,
					   &error)) == NULL) {
		imap_reply_tagged(ctx, IMAP_NO, "NONEXISTENT", "%s", error);
		return IMAP_CMD_DONE;
	}
	job->account_id = ctx->session->account_id;
	job->examine = examine;
	ctx->state = job;
	ctx->step = 1;
	if (imap_cmd_submit(ctx, select_work, job) < 0) {
		imap_reply_tagged(ctx, IMAP_NO, "UNAVAILABLE", "Try again later");
		return IMAP_CMD_DONE;
	}
	return IMAP_CMD_WAIT;
}

/* cmd_select - read-write unless the rights say otherwise */
enum imap_cmd_result cmd_select(struct imap_cmd_ctx *ctx)
{
	return ctx->step == 0 ? select_start(ctx, false) : select_done(ctx, ctx->state);
}

/* cmd_examine - read-only (RFC 3501 6.3.2) */
enum imap_cmd_result cmd_examine(struct imap_cmd_ctx *ctx)
{
	return ctx->step == 0 ? select_start(ctx, true) : select_done(ctx, ctx->state);
}
