/* search_job - the database side of SEARCH, SORT and THREAD, run on a store pool thread:
 * one query for the key tree, then ordering or threading, and the answer as numbers the
 * client knows (MSNs, or UIDs for the UID forms), limited to the messages of the view the
 * command started with (a message that arrived since is not announced yet). */
#ifndef MERPATI_IMAP_SEARCH_JOB_H
#define MERPATI_IMAP_SEARCH_JOB_H

#include "services/imap/imap.h"
#include "services/imap/sort_keys.h"
#include "store/imap_search.h"

enum search_job_kind { SEARCH_JOB_SEARCH, SEARCH_JOB_SORT, SEARCH_JOB_THREAD_SUBJECT,
		       SEARCH_JOB_THREAD_REFERENCES };

struct search_job {
	/* in: set by search_job_new and the caller */
	enum search_job_kind kind;
	int64_t mailbox_id;
	const struct store_search_key *root;
	bool by_uid;                       /* answer with UIDs */
	const uint32_t *view;              /* the view's UIDs, copied into the arena */
	uint32_t view_count;
	const struct sort_criterion *criteria;
	size_t ncriteria;
	struct imap_arena *arena;
	/* out */
	uint32_t *nums;                    /* SEARCH (ascending) and SORT (sorted) */
	uint64_t *modseqs;                 /* each match's modseq, beside nums */
	size_t n;
	uint64_t highest_modseq;           /* of all matches */
	char *threads;                     /* THREAD: the thread lists, in the arena */
};

/* search_job_new - a job over the selected view of ctx's session, in ctx->arena */
struct search_job *search_job_new(struct imap_cmd_ctx *ctx, enum search_job_kind kind,
				  const struct store_search_key *root);
/* search_job_run - imap_job_fn: run the job on conn */
int search_job_run(PGconn *conn, void *arg, const char **error_r);
/* search_job_submit - hand job to the store pool: IMAP_CMD_WAIT, or IMAP_CMD_DONE after
 * answering NO [UNAVAILABLE] when the pool cannot take it */
enum imap_cmd_result search_job_submit(struct imap_cmd_ctx *ctx, struct search_job *job);

#endif
