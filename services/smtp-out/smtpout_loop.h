/* smtpout_loop - leases due jobs (kick, poll timer), groups them by domain, runs
 * deliveries within the limits (MERPATI_SMTP_OUT_MAX in total, MERPATI_SMTP_OUT_PER_DOMAIN
 * per destination), talks to the resolver, reaps expired leases, serves /metrics. */
#ifndef MERPATI_SMTPOUT_LOOP_H
#define MERPATI_SMTPOUT_LOOP_H

#include <event2/event.h>
#include <openssl/ssl.h>

#include "services/smtp-out/smtpout.h"
#include "store/pool.h"

struct smtpout_loop;
struct smtpout_delivery;

struct smtpout_loop *smtpout_loop_new(struct event_base *base, const struct smtpout_config *cfg,
				      const char **error_r);
void smtpout_loop_free(struct smtpout_loop **l);

/* for deliveries */
struct event_base *smtpout_loop_base(struct smtpout_loop *l);
const struct smtpout_config *smtpout_loop_config(struct smtpout_loop *l);
struct store_pool *smtpout_loop_pool(struct smtpout_loop *l);
SSL_CTX *smtpout_loop_tls(struct smtpout_loop *l);
/* smtpout_loop_resolve - send an MxRequest with the delivery's id; -1 when dropped */
int smtpout_loop_resolve(struct smtpout_loop *l, uint64_t id, const char *domain);
/* smtpout_loop_dsn_queued - DSNs were queued: kick the mda */
void smtpout_loop_dsn_queued(struct smtpout_loop *l);
/* smtpout_loop_count - a recipient's outcome for /metrics */
void smtpout_loop_count(struct smtpout_loop *l, int outcome);
/* smtpout_loop_finished - the delivery is over and has nothing pending: free it */
void smtpout_loop_finished(struct smtpout_loop *l, struct smtpout_delivery *d);

#endif
