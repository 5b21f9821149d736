/* mda.h - merpati-mda: leases inbound jobs and delivers them (DESIGN.md sections 2-3).
 *
 * The loop thread only wakes workers (QueueKick, poll timer) and publishes hints after
 * commits; every database call runs on the store pool's worker threads (lib/store/pool.h),
 * one job per transaction. Between deliveries, the texts of new messages are put in the
 * search index (mda_index.h). */
#ifndef MERPATI_MDA_H
#define MERPATI_MDA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "queue/queue.h"

#define MDA_WORKERS_MAX 64
#define MDA_EVENTS_MAX 256   /* MailboxEvents one batch publishes; more are dropped (hints) */

struct mda_config {
	const char *db;
	char owner[QUEUE_OWNER_MAX + 1]; /* lease owner: hostname:pid */
	long poll;                       /* MERPATI_MDA_POLL, seconds */
	long lease;                      /* MERPATI_MDA_LEASE, seconds */
	unsigned workers;                /* MERPATI_MDA_WORKERS */
	unsigned batch;                  /* MERPATI_MDA_BATCH: jobs leased at once per worker */
	unsigned index_batch;            /* MERPATI_MDA_INDEX_BATCH: texts indexed at once; 0 off */
	unsigned max_received;           /* MERPATI_MAX_RECEIVED: more is a mail loop */
	long retry;                      /* MERPATI_MDA_RETRY: delay after a temporary failure */
	long bounce_after;               /* MERPATI_BOUNCE_AFTER: give up on temporary failures */
};

/* mda_event - one append to publish as a MailboxEvent after the commit */
struct mda_event {
	int64_t account_id;
	int64_t mailbox_id;
	uint32_t uidvalidity;
	uint32_t uid;
	uint64_t modseq;
};

/* mda_result - what one batch did, handed from a worker back to the loop */
struct mda_result {
	size_t jobs;
	size_t delivered;   /* mailbox appends */
	size_t outbound;    /* queue_out jobs created */
	size_t deferred;    /* recipients deferred */
	size_t failed;      /* recipients that failed for good */
	size_t bounces;     /* DSNs queued for the senders of failed recipients */
	size_t nevents;
	struct mda_event events[MDA_EVENTS_MAX];
};

/* mda_config_load - read the MERPATI_* variables (exit 2 on a bad value) */
void mda_config_load(struct mda_config *cfg);

#endif
