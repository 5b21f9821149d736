/* queue_out_reap - clear outbound leases that ran out (a replica died or hung), so the
 * jobs show as waiting again and a late finish from the old owner is refused. */
#ifndef MERPATI_QUEUE_OUT_REAP_H
#define MERPATI_QUEUE_OUT_REAP_H

#include <libpq-fe.h>

/* last_reply of a reaped job: its attempt may have reached the remote server, so whoever
 * leases it next says so in its log (the attempt count was raised before connecting) */
#define QUEUE_OUT_REAP_MARK "lease expired"
#define QUEUE_OUT_REAP_REPLY "'" QUEUE_OUT_REAP_MARK " during an attempt'"

/* queue_out_reap - returns the number of leases cleared, or -1 */
int queue_out_reap(PGconn *conn, const char **error_r);

#endif
