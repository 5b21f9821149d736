/* queue - the inbound and outbound mail queues in PostgreSQL (DESIGN.md rules 2 and 3).
 *
 * queue_in holds one job per accepted SMTP transaction: smtp-in inserts the message blob,
 * the job and its recipients in ONE transaction and answers 250 only after it committed.
 * queue_out holds one job per (message, remote recipient), created by the mda inside its
 * delivery transaction. Workers lease due jobs with SELECT ... FOR UPDATE SKIP LOCKED and a
 * lease expiry, so a replica that dies loses nothing: its leases run out and another
 * replica takes the jobs. A finished job is deleted in the same transaction as its effects;
 * finish and defer check the lease is still ours and return 0 when it is not, so the caller
 * rolls back instead of applying a job another replica now owns. */
#ifndef MERPATI_QUEUE_H
#define MERPATI_QUEUE_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/address.h"
#include "store/message.h"

#define QUEUE_RCPTS_MAX 1000        /* recipients per inbound job */
#define QUEUE_OWNER_MAX 128         /* lease owner name ("host:pid"), bytes */
#define QUEUE_ERROR_MAX 1024        /* last_error / last_reply kept, bytes */
#define QUEUE_HELO_MAX 255
#define QUEUE_IP_MAX 46
#define QUEUE_ENVID_MAX 100         /* RFC 3461 4.4 */
#define QUEUE_ORCPT_MAX 500         /* RFC 3461 4.2, xtext-decoded */
#define QUEUE_KEY_MAX 128           /* idempotency key, bytes */
#define QUEUE_LEASE_BATCH_MAX 100

/* DSN NOTIFY (RFC 3461 4.1); 0 means "not given" (the default: failure and delay) */
#define QUEUE_NOTIFY_SUCCESS 0x01
#define QUEUE_NOTIFY_FAILURE 0x02
#define QUEUE_NOTIFY_DELAY   0x04
#define QUEUE_NOTIFY_NEVER   0x08

/* Where an inbound job was accepted; decides relay rights and Received: text. */
enum queue_listener { QUEUE_LISTENER_MX, QUEUE_LISTENER_SUBMISSION,
		      QUEUE_LISTENER_SUBMISSIONS, QUEUE_LISTENER_LOCAL };

/* DSN RET (RFC 3461 4.3) */
enum queue_ret { QUEUE_RET_UNSET, QUEUE_RET_FULL, QUEUE_RET_HDRS };

struct queue_rcpt {
	char address[STORE_ADDRESS_SIZE];
	char orcpt[QUEUE_ORCPT_MAX + 1];  /* "" when not given */
	unsigned notify;                  /* QUEUE_NOTIFY_* */
};

/* An inbound job as smtp-in submits it, and as queue_in_lease returns it. */
struct queue_in_job {
	int64_t id;                         /* set by insert / lease */
	char sender[STORE_ADDRESS_SIZE];    /* "" for the null reverse-path <> */
	char client_ip[QUEUE_IP_MAX + 1];
	char helo[QUEUE_HELO_MAX + 1];
	int64_t auth_account_id;            /* 0: not authenticated */
	enum queue_listener listener;
	enum queue_ret ret;
	char envid[QUEUE_ENVID_MAX + 1];
	char sha256[STORE_SHA256_HEX_SIZE]; /* set by insert / lease */
	int64_t size;                       /* set by insert / lease */
	char idempotency_key[QUEUE_KEY_MAX + 1]; /* "" for none */
	int attempts;                       /* set by lease: includes this one */
	int64_t age;                        /* set by lease: seconds since it was accepted */
	size_t nrcpts;
	struct queue_rcpt *rcpts;           /* owned by the caller on insert, by the job on lease */
};

/* queue_in_insert - in ONE transaction of its own: store the message bytes (deduplicated),
 * the job and its recipients, then COMMIT. Returns 0 with job->id, sha256 and size set; if
 * a job with the same non-empty idempotency key exists, returns 0 with its id and stores
 * nothing new. -1 on error: nothing was stored and the client must get a 4xx. */
int queue_in_insert(PGconn *conn, struct queue_in_job *job, const void *msg, size_t len,
		    const char **error_r);
/* queue_in_lease - in a transaction of its own, lease up to max due jobs (next_attempt
 * passed, no live lease) for lease_seconds, oldest first; bumps their attempts. Returns the
 * number leased with *jobs_r an array to release with queue_in_jobs_free, or -1. */
int queue_in_lease(PGconn *conn, const char *owner, int lease_seconds, size_t max,
		   struct queue_in_job **jobs_r, const char **error_r);
/* queue_in_jobs_free - free an array from queue_in_lease and set *jobs to NULL */
void queue_in_jobs_free(struct queue_in_job **jobs, size_t n);
/* queue_in_finish - delete the job inside the caller's delivery transaction; 1 done,
 * 0 the lease is no longer ours (roll back), -1 error */
int queue_in_finish(PGconn *conn, int64_t id, const char *owner, const char **error_r);
/* queue_in_defer - release the lease and retry after delay_seconds, keeping error as
 * last_error; 1 done, 0 lease lost, -1 error */
int queue_in_defer(PGconn *conn, int64_t id, const char *owner, int delay_seconds,
		   const char *error, const char **error_r);

/* An outbound job: one remote recipient of one message. */
struct queue_out_job {
	int64_t id;                          /* set by insert / lease */
	char sender[STORE_ADDRESS_SIZE];     /* "" for bounces (null reverse-path) */
	char recipient[STORE_ADDRESS_SIZE];
	char domain[STORE_DOMAIN_SIZE];      /* set from recipient by insert */
	char sha256[STORE_SHA256_HEX_SIZE];  /* an existing blob */
	unsigned notify;
	char orcpt[QUEUE_ORCPT_MAX + 1];
	enum queue_ret ret;
	char envid[QUEUE_ENVID_MAX + 1];
	char idempotency_key[QUEUE_KEY_MAX + 1]; /* e.g. "in:<job>:<rcpt>"; "" for none */
	/* set by lease / listing: */
	int attempts;
	bool warned;                         /* a delay DSN was already sent */
	int64_t created;                     /* Unix seconds */
	int64_t size;
	char last_reply[QUEUE_ERROR_MAX + 1];
};

/* queue_out_insert - add an outbound job inside the caller's transaction; with a key that
 * exists already, does nothing. Returns 1 inserted, 0 duplicate key, -1 error. */
int queue_out_insert(PGconn *conn, struct queue_out_job *job, const char **error_r);
/* queue_out_lease - like queue_in_lease for outbound jobs that are due and not held */
int queue_out_lease(PGconn *conn, const char *owner, int lease_seconds, size_t max,
		    struct queue_out_job **jobs_r, const char **error_r);
/* queue_out_jobs_free - free an array from queue_out_lease and set *jobs to NULL */
void queue_out_jobs_free(struct queue_out_job **jobs);
/* queue_out_finish - delete a delivered/bounced job; 1 done, 0 lease lost, -1 error */
int queue_out_finish(PGconn *conn, int64_t id, const char *owner, const char **error_r);
/* queue_out_defer - retry after delay_seconds, record the remote reply, and set warned
 * when a delay notice was sent; 1 done, 0 lease lost, -1 error */
int queue_out_defer(PGconn *conn, int64_t id, const char *owner, int delay_seconds,
		    const char *last_reply, bool warned, const char **error_r);

/* For `merpati queue list|show|retry|delete`. */
enum queue_kind { QUEUE_IN, QUEUE_OUT };

struct queue_entry {
	enum queue_kind kind;
	int64_t id;
	char sender[STORE_ADDRESS_SIZE];
	char recipient[STORE_ADDRESS_SIZE];  /* outbound: the recipient; inbound: the first one */
	size_t nrcpts;
	int64_t size;
	int attempts;
	int64_t created;                     /* Unix seconds */
	int64_t next_attempt;
	bool leased;                         /* a live lease exists */
	bool held;
	char last_error[QUEUE_ERROR_MAX + 1];
};

/* queue_list_fn - called once per job, oldest first; non-zero stops */
typedef int queue_list_fn(const struct queue_entry *e, void *arg);
/* queue_list - every job of one queue; returns the count or -1 */
int queue_list(PGconn *conn, enum queue_kind kind, queue_list_fn *fn, void *arg,
	       const char **error_r);
/* queue_list_page - the same, at most limit jobs (< 0: all) after skipping offset */
int queue_list_page(PGconn *conn, enum queue_kind kind, int64_t limit, int64_t offset,
		    queue_list_fn *fn, void *arg, const char **error_r);
/* queue_in_rcpt_fn - one recipient of an inbound job; non-zero stops */
typedef int queue_in_rcpt_fn(int64_t job_id, const char *address, void *arg);
/* queue_in_rcpt_list - the recipients of the inbound jobs ids[0..n), by job then position,
 * those at positions below per_job; the number listed or -1 */
int queue_in_rcpt_list(PGconn *conn, const int64_t *ids, size_t n, int per_job,
		       queue_in_rcpt_fn *fn, void *arg, const char **error_r);
/* queue_show - one job; 1 found, 0 not found, -1 error */
int queue_show(PGconn *conn, enum queue_kind kind, int64_t id, struct queue_entry *out,
	       const char **error_r);
/* queue_retry - make a job due now (and un-hold it); 1 done, 0 not found, -1 error */
int queue_retry(PGconn *conn, enum queue_kind kind, int64_t id, const char **error_r);
/* queue_delete - remove a job for good; 1 done, 0 not found, -1 error */
int queue_delete(PGconn *conn, enum queue_kind kind, int64_t id, const char **error_r);

/* queue_listener_name / queue_listener_parse - "mx", "submission", "submissions", "local" */
const char *queue_listener_name(enum queue_listener l);
int queue_listener_parse(const char *s, enum queue_listener *out);

#endif
