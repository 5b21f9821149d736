/* smtpout.h - merpati-smtp-out: leases outbound jobs and delivers them (DESIGN.md 2-3).
 *
 * The loop thread runs connections (lib/net), the resolver client (lib/bus DEALER) and the
 * timers; every database call runs on the store pool's workers (lib/store/pool.h). No
 * transaction is open while a byte travels to a remote server: the lease (attempts+1,
 * lease expiry) commits before connecting, and each message's per-recipient results
 * commit in one transaction after its final reply. */
#ifndef MERPATI_SMTPOUT_H
#define MERPATI_SMTPOUT_H

#include <stdbool.h>
#include <stddef.h>

#include "config/config.h"
#include "queue/queue.h"
#include "tls/tls.h"

#define SMTPOUT_INTERVALS_MAX CONFIG_DURATIONS_MAX
#define SMTPOUT_MAX_LIMIT 1024

struct smtpout_config {
	const char *db;
	char owner[QUEUE_OWNER_MAX + 1];  /* lease owner: hostname:pid */
	const char *hostname;             /* EHLO name, Reporting-MTA */
	int port;                         /* MERPATI_SMTP_OUT_PORT */
	enum tls_verify tls_verify;       /* MERPATI_SMTP_OUT_TLS_VERIFY */
	unsigned max;                     /* MERPATI_SMTP_OUT_MAX: deliveries at once */
	unsigned per_domain;              /* MERPATI_SMTP_OUT_PER_DOMAIN */
	unsigned workers;                 /* MERPATI_SMTP_OUT_WORKERS: database connections */
	long poll;                        /* MERPATI_SMTP_OUT_POLL */
	long lease;                       /* MERPATI_SMTP_OUT_LEASE */
	long connect_timeout;             /* MERPATI_SMTP_OUT_CONNECT_TIMEOUT */
	long timeout;                     /* MERPATI_SMTP_OUT_TIMEOUT: per reply */
	long resolver_timeout;            /* MERPATI_SMTP_OUT_RESOLVER_TIMEOUT */
	long intervals[SMTPOUT_INTERVALS_MAX]; /* MERPATI_RETRY_INTERVALS */
	size_t nintervals;
	long warn_after;                  /* MERPATI_DELAY_WARN_AFTER */
	long bounce_after;                /* MERPATI_BOUNCE_AFTER */
};

/* smtpout_config_load - read the MERPATI_* variables (exit 2 on a bad value) */
void smtpout_config_load(struct smtpout_config *cfg);

#endif
