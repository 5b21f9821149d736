/* queue_out_dsn - queue a delivery status notification made by smtp-out (RFC 3464).
 *
 * The DSN becomes an inbound job (listener "local", null sender) inside the caller's
 * transaction, next to the outbound job's finish or defer, so the notice and the job's
 * new state commit together. The mda then delivers it like any mail it generates: into
 * the mailbox for a local sender, or to a new outbound job for a remote one. */
#ifndef MERPATI_QUEUE_OUT_DSN_H
#define MERPATI_QUEUE_OUT_DSN_H

#include <libpq-fe.h>
#include <stddef.h>
#include <stdint.h>

/* queue_out_dsn_insert - store msg and an inbound job from <> to `to` with idempotency key
 * key; 1 queued, 0 the key existed (already queued), -1 error. Runs in the caller's
 * transaction. */
int queue_out_dsn_insert(PGconn *conn, const char *to, const void *msg, size_t len,
			 const char *key, int64_t *id_r, const char **error_r);

#endif
