/* smtpout_store - smtp-out's database work, run on store pool workers (never the loop):
 * applying one message's per-recipient results in ONE transaction (finish or defer each
 * job, queue the DSNs the schedule asks for), and reading blob chunks for DATA. */
#ifndef MERPATI_SMTPOUT_STORE_H
#define MERPATI_SMTPOUT_STORE_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "queue/queue.h"
#include "services/smtp-out/smtpout.h"
#include "services/smtp-out/smtpout_sched.h"

/* smtpout_result - what happened to one job on this attempt */
struct smtpout_result {
	const struct queue_out_job *job;
	int code;                     /* remote reply code; 0: no answer */
	bool permanent;               /* local permanent failure (DNS) */
	char status[16];              /* RFC 3463 status for the DSN */
	char reply[QUEUE_ERROR_MAX + 1];  /* remote reply or local reason */
	char remote_mta[256];         /* host that answered, "" when none */
	bool remote_dsn;              /* the remote server offered DSN */
	/* set by smtpout_store_apply */
	enum smtpout_outcome outcome;
	bool dsn_queued;
};

/* smtpout_store_apply - decide and commit n results (one message) in one transaction;
 * returns the number of DSNs queued, or -1 (nothing applied; the leases run out and the
 * jobs are tried again) */
int smtpout_store_apply(PGconn *conn, const struct smtpout_config *cfg,
			struct smtpout_result *res, size_t n, const char **error_r);

/* smtpout_store_chunk - read up to cap bytes of blob sha256 from offset into buf;
 * returns the bytes read (0 at the end) or -1 */
int64_t smtpout_store_chunk(PGconn *conn, const char *sha256, int64_t offset, uint8_t *buf,
			    size_t cap, const char **error_r);

#endif
