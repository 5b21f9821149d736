/* pool - the store worker pool: N threads, each owning one PostgreSQL connection
 * (DESIGN.md section 5, "store" layer).
 *
 * The event loop thread submits a job: a work function that runs on a worker with that
 * worker's PGconn, and a done callback that runs back on the loop thread with the result.
 * The loop never blocks on the database. When PostgreSQL goes away, workers reconnect with
 * exponential back-off; while no worker has a connection, queued and new jobs complete at
 * once with STORE_POOL_UNAVAILABLE so a protocol can answer "try again later" (4xx / NO)
 * instead of hanging. A job whose connection broke under it also completes with
 * STORE_POOL_UNAVAILABLE; the pool never re-runs a job on its own.
 *
 *   static int work(PGconn *c, void *arg, const char **error_r) { ... return 0; }
 *   static void done(int ret, const char *error, void *arg) { ... }
 *   store_pool_submit(pool, work, done, session);
 */
#ifndef MERPATI_STORE_POOL_H
#define MERPATI_STORE_POOL_H

#include <libpq-fe.h>
#include <stddef.h>

struct event_base;
struct store_pool;

/* Result codes handed to the done callback besides the work function's own (>= 0). */
#define STORE_POOL_ERROR (-1)       /* the work function failed; error says why */
#define STORE_POOL_UNAVAILABLE (-2) /* no database connection: a temporary failure */

#define STORE_POOL_THREADS_MAX 64
#define STORE_POOL_QUEUE_MAX 10000  /* jobs waiting beyond this are refused at submit */

/* store_pool_work_fn - runs on a worker thread; >= 0 on success, -1 with *error_r on failure */
typedef int store_pool_work_fn(PGconn *conn, void *arg, const char **error_r);
/* store_pool_done_fn - runs on the loop thread; ret is the work's value or STORE_POOL_*;
 * error is NULL on success and valid only during the call */
typedef void store_pool_done_fn(int ret, const char *error, void *arg);

/* store_pool_new - start nthreads workers connecting to conninfo; the pool's completion
 * event is registered on base. Returns NULL on failure (threads or pipe could not be
 * made); an unreachable database is not a failure here: workers keep trying. */
struct store_pool *store_pool_new(struct event_base *base, const char *conninfo,
				  unsigned nthreads, const char **error_r);
/* store_pool_submit - queue a job (loop thread only). Returns 0, or -1 when the queue is
 * full or the pool is stopping; done is then never called. */
int store_pool_submit(struct store_pool *pool, store_pool_work_fn *work,
		      store_pool_done_fn *done, void *arg);
/* store_pool_connected - how many workers currently hold a working connection (for /healthz) */
unsigned store_pool_connected(struct store_pool *pool);
/* store_pool_pending - jobs queued and not yet started (for /metrics) */
size_t store_pool_pending(struct store_pool *pool);
/* store_pool_free - stop the workers after their current job; jobs still queued complete
 * with STORE_POOL_UNAVAILABLE on the loop thread before this returns. Sets *pool = NULL. */
void store_pool_free(struct store_pool **pool);

#endif
