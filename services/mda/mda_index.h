/* mda_index.h - the text indexer: moves the texts of newly stored messages into the
 * trigram index (migration 0011) while the mda has nothing to deliver.
 *
 * Indexing is deferred work: a SEARCH finds a text whether it is indexed or not, only more
 * slowly over many unindexed ones. So it runs in the gaps between deliveries, one pool job
 * at a time, and never delays a delivery by more than one batch. The poll timer also runs
 * one batch per tick, so that under a load which never lets the queue empty the texts
 * waiting still get indexed. */
#ifndef MERPATI_MDA_INDEX_H
#define MERPATI_MDA_INDEX_H

#include <stdbool.h>

#include "store/pool.h"

struct mda_index;

/* mda_index_idle_fn - true while no delivery batch is in flight (loop thread) */
typedef bool mda_index_idle_fn(void *arg);

/* mda_index_new - an indexer submitting batches of batch texts (0: never) to pool */
struct mda_index *mda_index_new(struct store_pool *pool, unsigned batch,
				mda_index_idle_fn *idle, void *arg);
/* mda_index_run - start a batch unless one is in flight; later batches follow while
 * idle() says so and texts remain. force: start even while deliveries are in flight. */
void mda_index_run(struct mda_index *ix, bool force);
/* mda_index_stop - submit nothing more (before the pool is freed) */
void mda_index_stop(struct mda_index *ix);
/* mda_index_free - after the pool: its last done callback has run */
void mda_index_free(struct mda_index **ix);

#endif
