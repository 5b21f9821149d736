/* mda_index.c - texts into the trigram index between deliveries (see mda_index.h) */
#include <stdlib.h>

#include "log/log.h"
#include "metrics/metrics.h"
#include "store/message.h"
#include "services/mda/mda_index.h"

struct mda_index {
	struct store_pool *pool;
	unsigned batch;
	mda_index_idle_fn *idle;
	void *idle_arg;
	bool busy;
	bool stopped;
	int64_t waiting;           /* written by the pool worker, read in index_done */
	struct metrics_counter *m_indexed;
	struct metrics_gauge *m_waiting;
};

static void index_submit(struct mda_index *ix);

/* index_work - store_pool_work_fn: one batch in its own transaction */
static int index_work(PGconn *conn, void *arg, const char **error_r)
{
	struct mda_index *ix = arg;

	return store_message_index_pending(conn, (int)ix->batch, &ix->waiting, error_r);
}

/* index_done - store_pool_done_fn: count, and go on while the mda stays idle */
static void index_done(int ret, const char *error, void *arg)
{
	struct mda_index *ix = arg;

	ix->busy = false;
	if (ret < 0) {
		log_warn("event=index_failed error=\"%s\"", error != NULL ? error : "unavailable");
		return; /* the next idle moment or tick tries again */
	}
	metrics_counter_add(ix->m_indexed, (uint64_t)ret);
	metrics_gauge_set(ix->m_waiting, ix->waiting);
	if ((unsigned)ret == ix->batch && ix->idle(ix->idle_arg))
		index_submit(ix);
}

/* index_submit - hand one batch to the pool */
static void index_submit(struct mda_index *ix)
{
	if (ix->stopped)
		return;
	ix->busy = true;
	if (store_pool_submit(ix->pool, index_work, index_done, ix) < 0)
		ix->busy = false;
}

struct mda_index *mda_index_new(struct store_pool *pool, unsigned batch,
				mda_index_idle_fn *idle, void *arg)
{
	struct mda_index *ix = calloc(1, sizeof(*ix));

	if (ix == NULL)
		abort();
	ix->pool = pool;
	ix->batch = batch;
	ix->idle = idle;
	ix->idle_arg = arg;
	ix->m_indexed = metrics_counter("merpati_mda_texts_indexed_total",
					"Message texts moved into the search index after delivery");
	ix->m_waiting = metrics_gauge("merpati_mda_texts_waiting",
				      "Message texts waiting for the search index, at the last "
				      "batch");
	return ix;
}

void mda_index_run(struct mda_index *ix, bool force)
{
	if (ix == NULL || ix->batch == 0 || ix->busy || (!force && !ix->idle(ix->idle_arg)))
		return;
	index_submit(ix);
}

void mda_index_stop(struct mda_index *ix)
{
	if (ix != NULL)
		ix->stopped = true;
}

void mda_index_free(struct mda_index **ixp)
{
	free(*ixp);
	*ixp = NULL;
}
