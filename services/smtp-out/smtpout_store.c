/* smtpout_store.c - results and blob reads on pool workers (see smtpout_store.h) */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log/log.h"
#include "queue/queue_out_dsn.h"
#include "dsn/dsn.h"
#include "services/smtp-out/smtpout_store.h"
#include "store/db.h"

/* one prepared DSN per result */
struct apply {
	const struct smtpout_config *cfg;
	struct smtpout_result *res;
	size_t n;
	struct smtpout_sched_out *dec;
	uint8_t **dsn;
	size_t *dsn_len;
};

/* collect - store_message_chunk_fn into a bounded buffer */
struct collect {
	uint8_t *buf;
	size_t len, cap;
};

static int collect_fn(const void *data, size_t len, void *arg)
{
	struct collect *c = arg;
	size_t take = len < c->cap - c->len ? len : c->cap - c->len;

	memcpy(c->buf + c->len, data, take);
	c->len += take;
	return c->len == c->cap;
}

int64_t smtpout_store_chunk(PGconn *conn, const char *sha256, int64_t offset, uint8_t *buf,
			    size_t cap, const char **error_r)
{
	struct collect c = { buf, 0, cap };

	if (store_message_read(conn, sha256, offset, (int64_t)cap, collect_fn, &c, error_r) < 0)
		return -1;
	return (int64_t)c.len;
}

/* decide - the schedule's answer for result r */
static void decide(const struct smtpout_config *cfg, const struct smtpout_result *r,
		   struct smtpout_sched_out *out)
{
	struct smtpout_sched_in in = {
		.code = r->code, .permanent = r->permanent, .attempts = r->job->attempts,
		.age = (int64_t)time(NULL) - r->job->created, .warned = r->job->warned,
		.null_sender = r->job->sender[0] == '\0', .notify = r->job->notify,
		.remote_dsn = r->remote_dsn };

	smtpout_sched_decide(&in, cfg->intervals, cfg->nintervals, cfg->warn_after,
			     cfg->bounce_after, out);
}

/* build_dsn - read what the DSN quotes of the original, then build it (outside the tx) */
static uint8_t *build_dsn(PGconn *conn, const struct smtpout_config *cfg,
			  const struct smtpout_result *r, enum dsn_kind kind,
			  size_t *len_r, const char **error_r)
{
	const struct queue_out_job *j = r->job;
	bool full = j->ret == QUEUE_RET_FULL && j->size <= (int64_t)DSN_ORIGINAL_MAX;
	size_t cap = full ? (size_t)j->size : DSN_HEADERS_MAX;
	uint8_t *orig = malloc(cap > 0 ? cap : 1), *out;
	int64_t got;
	struct dsn_in in = {
		.kind = kind, .reporting_mta = cfg->hostname, .to = j->sender, .envid = j->envid,
		.arrival = (time_t)j->created, .recipient = j->recipient, .orcpt = j->orcpt,
		.status = r->status, .remote_mta = r->remote_mta, .diagnostic = r->reply,
		.retry_until = (time_t)(j->created + cfg->bounce_after), .full = full };

	if (orig == NULL)
		abort();
	if ((got = smtpout_store_chunk(conn, j->sha256, 0, orig, cap, error_r)) < 0) {
		free(orig);
		return NULL;
	}
	in.original = orig;
	in.original_len = (size_t)got;
	out = dsn_build(&in, len_r);
	free(orig);
	if (out == NULL)
		*error_r = "DSN could not be built";
	return out;
}

/* apply_one - finish or defer one job, and queue its DSN */
static int apply_one(PGconn *conn, struct apply *a, size_t i, const char **error_r)
{
	struct smtpout_result *r = &a->res[i];
	const struct smtpout_sched_out *d = &a->dec[i];
	char key[QUEUE_KEY_MAX + 1];
	int64_t id;
	int ok;

	if (d->outcome == SMTPOUT_DEFERRED)
		ok = queue_out_defer(conn, r->job->id, a->cfg->owner, (int)d->delay, r->reply,
				     d->warned, error_r);
	else
		ok = queue_out_finish(conn, r->job->id, a->cfg->owner, error_r);
	if (ok <= 0) {
		if (ok == 0)
			*error_r = "lease lost";
		return -1;
	}
	r->outcome = d->outcome;
	if (a->dsn[i] == NULL)
		return 0;
	snprintf(key, sizeof(key), "dsn:%" PRId64 ":%d:%d", r->job->id, r->job->attempts,
		 (int)d->dsn);
	ok = queue_out_dsn_insert(conn, r->job->sender, a->dsn[i], a->dsn_len[i], key, &id,
				  error_r);
	r->dsn_queued = ok > 0;
	return ok < 0 ? -1 : ok;
}

/* apply_tx - db_tx_fn: every result of the message, all or nothing */
static int apply_tx(PGconn *conn, void *arg, const char **error_r)
{
	struct apply *a = arg;
	int r, dsns = 0;

	for (size_t i = 0; i < a->n; i++) {
		if ((r = apply_one(conn, a, i, error_r)) < 0)
			return -1;
		dsns += r;
	}
	return dsns;
}

/* prepare - decisions and DSN bytes before the transaction opens */
static int prepare(PGconn *conn, struct apply *a, const char **error_r)
{
	for (size_t i = 0; i < a->n; i++) {
		decide(a->cfg, &a->res[i], &a->dec[i]);
		if (a->dec[i].dsn == DSN_NONE)
			continue;
		a->dsn[i] = build_dsn(conn, a->cfg, &a->res[i], a->dec[i].dsn, &a->dsn_len[i],
				      error_r);
		if (a->dsn[i] == NULL)
			return -1;
	}
	return 0;
}

int smtpout_store_apply(PGconn *conn, const struct smtpout_config *cfg,
			struct smtpout_result *res, size_t n, const char **error_r)
{
	struct apply a = { cfg, res, n, calloc(n, sizeof(*a.dec)), calloc(n, sizeof(uint8_t *)),
			   calloc(n, sizeof(size_t)) };
	int ret = -1;

	if (a.dec == NULL || a.dsn == NULL || a.dsn_len == NULL)
		abort();
	if (prepare(conn, &a, error_r) == 0)
		ret = db_tx(conn, apply_tx, &a, error_r);
	for (size_t i = 0; i < n; i++)
		free(a.dsn[i]);
	free(a.dsn);
	free(a.dsn_len);
	free(a.dec);
	return ret;
}
