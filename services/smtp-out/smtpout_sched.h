/* smtpout_sched - what to do with one recipient after an attempt: the sendmail-style
 * schedule (retry intervals, one delay notice, give up after a while) and the DSN NOTIFY
 * rules (RFC 3461 4.1). Pure: times are passed in. */
#ifndef MERPATI_SMTPOUT_SCHED_H
#define MERPATI_SMTPOUT_SCHED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dsn/dsn.h"

enum smtpout_outcome { SMTPOUT_DELIVERED, SMTPOUT_FAILED, SMTPOUT_DEFERRED };

struct smtpout_sched_in {
	int code;            /* reply code; 0: no answer (connection, DNS, timeout) */
	bool permanent;      /* a local permanent failure (null MX, NXDOMAIN...) */
	int attempts;        /* including this one */
	int64_t age;         /* seconds since the job was created */
	bool warned;
	bool null_sender;    /* a DSN itself: never answered with another (RFC 3461 2) */
	unsigned notify;     /* QUEUE_NOTIFY_*; 0: not given */
	bool remote_dsn;     /* the remote server took NOTIFY over (RFC 3461 4.1) */
};

struct smtpout_sched_out {
	enum smtpout_outcome outcome;
	enum dsn_kind dsn;
	long delay;          /* seconds until the next attempt when deferred */
	bool warned;         /* warned after this decision */
};

/* smtpout_sched_decide - the decision for one recipient */
void smtpout_sched_decide(const struct smtpout_sched_in *in, const long *intervals,
			  size_t nintervals, long warn_after, long bounce_after,
			  struct smtpout_sched_out *out);

#endif
