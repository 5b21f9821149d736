/* mda_job.c - lease, read, parse and deliver a batch of inbound jobs on a pool worker */
#include <inttypes.h>
#include <string.h>

#include <glib.h>

#include "log/log.h"
#include "mime/mime.h"
#include "store/db.h"
#include "store/message.h"
#include "services/mda/mda_deliver.h"
#include "services/mda/mda_job.h"

#define RETRY_MAX 3600 /* longest back-off after a failed delivery, seconds */

/* collect - store_message_chunk_fn: append a piece of the blob, bounded by its size */
static int collect(const void *data, size_t len, void *arg)
{
	GByteArray *buf = arg;

	if (buf->len + len > STORE_MESSAGE_MAX)
		return 1;
	g_byte_array_append(buf, data, (guint)len);
	return 0;
}

/* backoff - delay before the next try after a failure: retry, doubled per attempt */
static int backoff(const struct mda_config *cfg, int attempts)
{
	long delay = cfg->retry > 0 ? cfg->retry : 1;

	for (int i = 1; i < attempts && delay < RETRY_MAX; i++)
		delay *= 2;
	return (int)(delay < RETRY_MAX ? delay : RETRY_MAX);
}

/* defer - the delivery failed as a whole: release the job for a later try */
static void defer(PGconn *conn, const struct mda_config *cfg, const struct queue_in_job *job,
		  const char *why)
{
	const char *error;

	if (queue_in_defer(conn, job->id, cfg->owner, backoff(cfg, job->attempts), why,
			   &error) < 0)
		log_warn("event=defer_failed job=%" PRId64 " error=\"%s\"", job->id, error);
}

/* deliver_one - read the blob, parse it once, run the delivery transaction */
static void deliver_one(PGconn *conn, struct mda_batch *b, const struct queue_in_job *job)
{
	GByteArray *raw = g_byte_array_sized_new(job->size > 0 ? (guint)job->size : 1);
	struct store_message_meta smeta;
	struct mda_delivery d = { .cfg = b->cfg, .job = job, .store_meta = &smeta,
				  .result = &b->result };
	struct mime_meta meta = { 0 };
	const char *error = NULL;
	char iso[32];

	if (store_message_read_known(conn, job->sha256, job->size, 0, -1, collect, raw,
				     &error) != job->size ||
	    mime_parse((const char *)raw->data, raw->len, &meta, &error) < 0) {
		log_error("event=job_failed job=%" PRId64 " stage=read error=\"%s\"", job->id,
			  error != NULL ? error : "blob size differs");
		defer(conn, b->cfg, job, "cannot read the message");
	} else {
		d.meta = &meta;
		d.raw = raw->data;
		d.raw_len = raw->len;
		store_message_meta_from_mime(&meta, &smeta, iso);
		/* prepared outside the transaction, or it would run unprepared inside it */
		if (store_message_prepare(conn, &error) < 0 || mda_deliver(conn, &d, &error) < 0) {
			log_error("event=job_failed job=%" PRId64 " attempts=%d error=\"%s\"",
				  job->id, job->attempts, error);
			defer(conn, b->cfg, job, error);
		} else {
			log_info("event=job_done job=%" PRId64 " rcpts=%zu size=%" PRId64, job->id,
				 job->nrcpts, job->size);
		}
	}
	mime_meta_clear(&meta);
	g_byte_array_free(raw, TRUE);
}

/* mda_job_batch - lease and deliver up to cfg->batch jobs */
int mda_job_batch(PGconn *conn, void *arg, const char **error_r)
{
	struct mda_batch *b = arg;
	struct queue_in_job *jobs = NULL;
	int n;

	memset(&b->result, 0, sizeof(b->result));
	n = queue_in_lease(conn, b->cfg->owner, (int)b->cfg->lease, b->cfg->batch, &jobs, error_r);
	if (n <= 0) {
		queue_in_jobs_free(&jobs, 0); /* an empty lease may still hand back an array */
		return n;
	}
	for (int i = 0; i < n; i++)
		deliver_one(conn, b, &jobs[i]);
	b->result.jobs = (size_t)n;
	queue_in_jobs_free(&jobs, (size_t)n);
	return n;
}
