/* admin_queue - acting on queue jobs as an administrator does (`merpati queue`, the
 * webmail's /api/admin/queue); results as admin.h describes.
 *
 * Jobs are named in:N (inbound: accepted mail waiting for the mda) and out:N (outbound:
 * waiting for smtp-out); a bare N names the job when only one queue has it. */
#ifndef MERPATI_STORE_ADMIN_QUEUE_H
#define MERPATI_STORE_ADMIN_QUEUE_H

#include <libpq-fe.h>
#include <stdbool.h>

#include "queue/queue.h"
#include "store/admin.h"

enum store_admin_queue_action {
	STORE_ADMIN_QUEUE_RETRY,   /* make the job due now (and release it if held) */
	STORE_ADMIN_QUEUE_DELETE,  /* drop it for good, no bounce; a 'deleted' delivery event */
	STORE_ADMIN_QUEUE_HOLD,    /* keep an outbound job from being tried */
	STORE_ADMIN_QUEUE_RELEASE, /* let a held outbound job go again */
};

/* store_admin_queue_find - the job named by text ("in:N", "out:N" or "N") into *e;
 * INVALID when malformed or ambiguous, NOT_FOUND when absent */
enum store_admin_code store_admin_queue_find(PGconn *conn, const char *text,
					     struct queue_entry *e,
					     struct store_admin_result *r);
/* store_admin_queue_act - apply action to the job e found; detail goes into the
 * delivery trace of a deletion (who deleted it). INVALID for hold/release of an inbound
 * job, NOT_FOUND when the job left the queue meanwhile. */
enum store_admin_code store_admin_queue_act(PGconn *conn, enum store_admin_queue_action action,
					    const struct queue_entry *e, const char *detail,
					    struct store_admin_result *r);

#endif
