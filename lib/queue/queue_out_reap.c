/* queue_out_reap.c - expired outbound leases (see queue_out_reap.h) */
#include "queue/queue_out_reap.h"
#include "store/db.h"

int queue_out_reap(PGconn *conn, const char **error_r)
{
	/* next_attempt already equals the lease's end (queue_out_lease), so the job is due */
	return (int)db_exec(conn, "UPDATE queue_out SET lease_owner = NULL, lease_expires = NULL, "
				  "last_reply = " QUEUE_OUT_REAP_REPLY " "
				  "WHERE lease_expires < now()", 0, NULL, error_r);
}
