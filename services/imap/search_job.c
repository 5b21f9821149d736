/* search_job.c - SEARCH/SORT/THREAD work on a store pool thread (see search_job.h) */
#include "services/imap/search_job.h"
#include "thread/thread_algo.h"
#include "store/db.h"

#include <stdlib.h>
#include <string.h>

/* search_job_new - copy what the worker needs from the session now: the view may change
 * after the command ends, the job must not look at the session */
struct search_job *search_job_new(struct imap_cmd_ctx *ctx, enum search_job_kind kind,
				  const struct store_search_key *root)
{
	const struct imap_view *v = ctx->session->selected;
	struct search_job *j = imap_arena_alloc(ctx->arena, sizeof(*j));
	uint32_t *view = imap_arena_array(ctx->arena, (size_t)v->count + 1, sizeof(*view));

	j->kind = kind;
	j->mailbox_id = v->mailbox_id;
	j->root = root;
	j->by_uid = ctx->cmd->uid;
	if (v->count > 0)
		memcpy(view, v->uids, (size_t)v->count * sizeof(*view));
	j->view = view;
	j->view_count = v->count;
	j->arena = ctx->arena;
	return j;
}

/* job_number - the number the client knows uid by (MSN or UID); 0 when not in the view */
static uint32_t job_number(const struct search_job *j, uint32_t uid)
{
	uint32_t lo = 0, hi = j->view_count;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (j->view[mid] < uid)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == j->view_count || j->view[lo] != uid)
		return 0;
	return j->by_uid ? uid : lo + 1;
}

/* job_numbers - rows (in their order) as numbers and modseqs, unknown messages left out */
static void job_numbers(struct search_job *j, const struct store_search_row *rows, size_t n)
{
	j->nums = imap_arena_array(j->arena, n + 1, sizeof(*j->nums));
	j->modseqs = imap_arena_array(j->arena, n + 1, sizeof(*j->modseqs));
	j->n = 0;
	j->highest_modseq = 0;
	for (size_t i = 0; i < n; i++) {
		uint32_t num = job_number(j, rows[i].uid);

		if (num == 0)
			continue;
		j->nums[j->n] = num;
		j->modseqs[j->n++] = rows[i].modseq;
		if (rows[i].modseq > j->highest_modseq)
			j->highest_modseq = rows[i].modseq;
	}
}

/* job_thread - thread the known matches and format the lists into the arena */
static int job_thread(struct search_job *j, const struct store_search_result *r,
		      const char **error_r)
{
	struct thread_msg *msgs = calloc(r->n + 1, sizeof(*msgs));
	struct thread_tree *t;
	size_t n = 0;
	char *s;

	if (msgs == NULL)
		abort(); /* out of memory */
	for (size_t i = 0; i < r->n; i++) {
		const struct store_search_row *row = &r->rows[i];
		uint32_t num = job_number(j, row->uid);

		if (num == 0)
			continue;
		msgs[n++] = (struct thread_msg){ num, row->sent_date, row->subject,
						 row->message_id, row->in_reply_to, row->references };
	}
	if (n > THREAD_MESSAGES_MAX) {
		free(msgs);
		return db_fail("54000", error_r, "more than %d messages to thread: narrow the search",
			       THREAD_MESSAGES_MAX);
	}
	t = j->kind == SEARCH_JOB_THREAD_REFERENCES ? thread_references(msgs, n)
						   : thread_orderedsubject(msgs, n);
	s = thread_tree_format(t);
	j->threads = imap_arena_strdup(j->arena, s);
	g_free(s);
	thread_tree_free(&t);
	free(msgs);
	return 0;
}

/* search_job_run - one query; SORT orders and THREAD threads before mapping */
int search_job_run(PGconn *conn, void *arg, const char **error_r)
{
	struct search_job *j = arg;
	struct store_search_result r;
	bool meta = j->kind != SEARCH_JOB_SEARCH;
	int ret = 0;

	if (store_search_run(conn, j->mailbox_id, j->view_count, j->root, meta, &r,
			     error_r) < 0)
		return -1;
	if (j->kind == SEARCH_JOB_SORT &&
	    sort_keys_apply(r.rows, r.n, j->criteria, j->ncriteria) < 0)
		ret = db_fail("53200", error_r, "out of memory sorting");
	else if (j->kind == SEARCH_JOB_THREAD_SUBJECT || j->kind == SEARCH_JOB_THREAD_REFERENCES)
		ret = job_thread(j, &r, error_r);
	if (ret == 0)
		job_numbers(j, r.rows, r.n);
	store_search_result_clear(&r);
	return ret;
}

enum imap_cmd_result search_job_submit(struct imap_cmd_ctx *ctx, struct search_job *job)
{
	if (imap_cmd_submit(ctx, search_job_run, job) < 0) {
		imap_reply_tagged(ctx, IMAP_NO, "UNAVAILABLE", "the mail store is unavailable");
		return IMAP_CMD_DONE;
	}
	return IMAP_CMD_WAIT;
}
