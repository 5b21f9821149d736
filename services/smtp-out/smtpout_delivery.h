/* smtpout_delivery - one domain's leased jobs delivered over one connection at a time:
 * the MX hosts in order (next host on connection failure or a refused greeting), every
 * message of the batch on the same connection, each message's results committed in one
 * transaction right after its final reply. */
#ifndef MERPATI_SMTPOUT_DELIVERY_H
#define MERPATI_SMTPOUT_DELIVERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/merpati.pb-c.h"
#include "queue/queue.h"

struct smtpout_loop;
struct smtpout_delivery;

/* smtpout_delivery_new - take over jobs[0..n) (all for one domain; copied) */
struct smtpout_delivery *smtpout_delivery_new(struct smtpout_loop *loop, uint64_t id,
					      const struct queue_out_job *const *jobs, size_t n);
/* smtpout_delivery_start - ask the resolver, then deliver */
void smtpout_delivery_start(struct smtpout_delivery *d);
/* smtpout_delivery_mx - the resolver's answer (or NULL on timeout) */
void smtpout_delivery_mx(struct smtpout_delivery *d, const Merpati__MxReply *reply);
/* smtpout_delivery_id / _domain - for the loop's tables */
uint64_t smtpout_delivery_id(const struct smtpout_delivery *d);
const char *smtpout_delivery_domain(const struct smtpout_delivery *d);
/* smtpout_delivery_stop - at shutdown: close the connection, start nothing new; the
 * leases of what is unfinished run out and the jobs are tried again */
void smtpout_delivery_stop(struct smtpout_delivery *d);
/* smtpout_delivery_busy - a connection or a pool job still refers to it */
bool smtpout_delivery_busy(const struct smtpout_delivery *d);
/* smtpout_delivery_free - only after the loop was told it finished, or stopped and idle */
void smtpout_delivery_free(struct smtpout_delivery **d);

#endif
