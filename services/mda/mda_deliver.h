/* mda_deliver.h - one inbound job, delivered in ONE transaction (DESIGN.md rule 3):
 * recipients expanded, metadata stored, filter rules run, mailbox appends with trace
 * headers, outbound jobs for remote targets, delivery_events, and the job's removal (or
 * its deferral for recipients over quota) all commit together or not at all. */
#ifndef MERPATI_MDA_DELIVER_H
#define MERPATI_MDA_DELIVER_H

#include <libpq-fe.h>

#include "mime/mime.h"
#include "queue/queue.h"
#include "store/message.h"
#include "services/mda/mda.h"

struct mda_delivery {
	const struct mda_config *cfg;
	const struct queue_in_job *job;
	const struct mime_meta *meta;
	const struct store_message_meta *store_meta;
	const uint8_t *raw;        /* the message as stored, quoted by bounces */
	size_t raw_len;
	struct mda_result *result; /* appended to only when the transaction commits */
};

/* mda_deliver - run the delivery transaction (db_tx, retried on serialization failures);
 * 0 committed, -1 rolled back with *error_r (the caller defers the job) */
int mda_deliver(PGconn *conn, struct mda_delivery *d, const char **error_r);


#endif
