/* smtpout_sched.c - retry schedule and NOTIFY rules (see smtpout_sched.h) */
#include "queue/queue.h"
#include "services/smtp-out/smtpout_sched.h"

/* wants - does NOTIFY ask for this kind of notice; not given = FAILURE,DELAY
 * (RFC 3461 4.1: the default is implementation-defined, commonly failure and delay) */
static bool wants(const struct smtpout_sched_in *in, unsigned bit)
{
	if (in->null_sender || (in->notify & QUEUE_NOTIFY_NEVER))
		return false;
	if (in->notify == 0)
		return bit != QUEUE_NOTIFY_SUCCESS;
	return (in->notify & bit) != 0;
}

/* interval - the delay after the n-th attempt; the last interval repeats */
static long interval(int attempts, const long *intervals, size_t n)
{
	size_t i = attempts > 0 ? (size_t)(attempts - 1) : 0;

	return intervals[i < n ? i : n - 1];
}

void smtpout_sched_decide(const struct smtpout_sched_in *in, const long *intervals,
			  size_t nintervals, long warn_after, long bounce_after,
			  struct smtpout_sched_out *out)
{
	out->warned = in->warned;
	out->delay = 0;
	out->dsn = DSN_NONE;
	if (in->code / 100 == 2) {
		out->outcome = SMTPOUT_DELIVERED;
		/* RFC 3461 4.1: a server without DSN cannot notify; we report "relayed" */
		if (!in->remote_dsn && wants(in, QUEUE_NOTIFY_SUCCESS))
			out->dsn = DSN_RELAYED;
		return;
	}
	if (in->permanent || in->code / 100 == 5 || in->age >= bounce_after) {
		out->outcome = SMTPOUT_FAILED;
		if (wants(in, QUEUE_NOTIFY_FAILURE))
			out->dsn = DSN_FAILED;
		return;
	}
	out->outcome = SMTPOUT_DEFERRED;
	out->delay = interval(in->attempts, intervals, nintervals);
	if (!in->warned && in->age >= warn_after) {
		out->warned = true;  /* ONE notice, asked for or not */
		if (wants(in, QUEUE_NOTIFY_DELAY))
			out->dsn = DSN_DELAYED;
	}
}
