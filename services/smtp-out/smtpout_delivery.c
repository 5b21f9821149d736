/* smtpout_delivery.c - one domain's batch over SMTP (see smtpout_delivery.h) */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus/bus.h"
#include "log/log.h"
#include "net/net.h"
#include "services/smtp-out/smtp_client.h"
#include "services/smtp-out/smtp_dot.h"
#include "services/smtp-out/smtpout_delivery.h"
#include "services/smtp-out/smtpout_loop.h"
#include "services/smtp-out/smtpout_store.h"

#define TARGETS_MAX (BUS_HOSTS_MAX * 2)
#define CHUNK (64u << 10)
#define OUTPUT_HIGH (256u << 10)   /* queued body bytes before reading more from the store */

struct target {
	char host[BUS_STRING_MAX + 1];
	char addr[NET_ADDR_MAX];
};

/* dmsg - one message of the batch: the jobs that share its blob, sender and DSN envelope */
struct dmsg {
	struct smtpout_delivery *d;
	size_t n;
	struct smtp_client_rcpt rcpts[SMTP_CLIENT_RCPTS_MAX];
	struct smtpout_result res[SMTP_CLIENT_RCPTS_MAX];
	struct smtp_client_msg msg;
	bool done;
};

struct smtpout_delivery {
	struct smtpout_loop *loop;
	const struct smtpout_config *cfg;
	uint64_t id;
	char domain[STORE_DOMAIN_SIZE];
	struct queue_out_job *jobs;
	size_t njobs;
	struct dmsg *msgs;
	size_t nmsgs, cur;
	struct target targets[TARGETS_MAX];
	size_t ntargets, target;
	struct net_conn *conn;
	struct smtp_client *client;
	struct evbuffer *cmd;
	struct smtp_dot dot;
	int64_t body_off;
	uint8_t chunk[CHUNK];
	int64_t chunk_len;
	char why[QUEUE_ERROR_MAX + 1];   /* last failure, for what stays undelivered */
	int why_code;
	bool finishing;
	bool connecting;                 /* net_connect's callback has not run yet */
	bool stopping;                   /* the process is shutting down */
	unsigned pending;                /* pool jobs in flight */
	struct event *pump;              /* waits for the output to drain below OUTPUT_HIGH */
};

static void next_target(struct smtpout_delivery *d);
static void next_message(struct smtpout_delivery *d);
static void on_pump(evutil_socket_t fd, short what, void *arg);

/* same_message - jobs that can share one SMTP transaction */
static bool same_message(const struct queue_out_job *a, const struct queue_out_job *b)
{
	return strcmp(a->sha256, b->sha256) == 0 && strcmp(a->sender, b->sender) == 0 &&
	       strcmp(a->envid, b->envid) == 0 && a->ret == b->ret;
}

/* add_job - put job i into its message, starting a new one when none fits */
static void add_job(struct smtpout_delivery *d, size_t i)
{
	const struct queue_out_job *j = &d->jobs[i];
	struct dmsg *m = NULL;

	for (size_t k = 0; k < d->nmsgs && m == NULL; k++)
		if (d->msgs[k].n < SMTP_CLIENT_RCPTS_MAX && same_message(d->msgs[k].res[0].job, j))
			m = &d->msgs[k];
	if (m == NULL) {
		m = &d->msgs[d->nmsgs++];
		m->d = d;
		m->msg = (struct smtp_client_msg){ .sender = j->sender, .envid = j->envid,
			.ret = j->ret == QUEUE_RET_FULL ? 1 : j->ret == QUEUE_RET_HDRS ? 2 : 0,
			.size = (uint64_t)j->size, .rcpts = m->rcpts };
	}
	m->rcpts[m->n] = (struct smtp_client_rcpt){ .address = j->recipient, .orcpt = j->orcpt,
						    .notify = j->notify };
	m->res[m->n].job = j;
	m->n++;
	m->msg.nrcpts = m->n;
	/* RFC 6531: a non-ASCII address needs SMTPUTF8 at the server */
	for (const unsigned char *p = (const unsigned char *)j->recipient; *p; p++)
		m->msg.needs_smtputf8 |= *p >= 0x80;
	for (const unsigned char *p = (const unsigned char *)j->sender; *p; p++)
		m->msg.needs_smtputf8 |= *p >= 0x80;
}

struct smtpout_delivery *smtpout_delivery_new(struct smtpout_loop *loop, uint64_t id,
					      const struct queue_out_job *const *jobs, size_t n)
{
	struct smtpout_delivery *d = calloc(1, sizeof(*d));

	if (d == NULL || (d->jobs = calloc(n, sizeof(*d->jobs))) == NULL ||
	    (d->msgs = calloc(n, sizeof(*d->msgs))) == NULL)
		abort();
	d->loop = loop;
	d->cfg = smtpout_loop_config(loop);
	d->id = id;
	d->njobs = n;
	for (size_t i = 0; i < n; i++)
		d->jobs[i] = *jobs[i];
	snprintf(d->domain, sizeof(d->domain), "%s", d->jobs[0].domain);
	for (size_t i = 0; i < n; i++)
		add_job(d, i);
	d->cmd = evbuffer_new();
	d->pump = evtimer_new(smtpout_loop_base(loop), on_pump, d);
	snprintf(d->why, sizeof(d->why), "4.4.1 no answer from any host");
	return d;
}

uint64_t smtpout_delivery_id(const struct smtpout_delivery *d)
{
	return d->id;
}

const char *smtpout_delivery_domain(const struct smtpout_delivery *d)
{
	return d->domain;
}

void smtpout_delivery_free(struct smtpout_delivery **dp)
{
	struct smtpout_delivery *d = *dp;

	if (d == NULL)
		return;
	smtp_client_free(&d->client);
	evbuffer_free(d->cmd);
	event_free(d->pump);
	free(d->msgs);
	free(d->jobs);
	free(d);
	*dp = NULL;
}

/* maybe_finished - tell the loop once nothing is left to do or pending */
static void maybe_finished(struct smtpout_delivery *d)
{
	if (d->stopping)
		return; /* the loop frees it */
	if (d->finishing && d->pending == 0 && d->conn == NULL)
		smtpout_loop_finished(d->loop, d);
}

/* apply_done - store_pool_done_fn after a message's results committed (or not) */
static void apply_done(int ret, const char *error, void *arg)
{
	struct dmsg *m = arg;
	struct smtpout_delivery *d = m->d;

	d->pending--;
	if (ret < 0)
		log_warn("event=results_not_saved domain=%s error=\"%s\"", d->domain,
			 error != NULL ? error : "database unavailable");
	for (size_t i = 0; ret >= 0 && i < m->n; i++)
		smtpout_loop_count(d->loop, (int)m->res[i].outcome);
	if (ret > 0)
		smtpout_loop_dsn_queued(d->loop);
	maybe_finished(d);
}

/* apply_work - store_pool_work_fn */
static int apply_work(PGconn *conn, void *arg, const char **error_r)
{
	struct dmsg *m = arg;

	return smtpout_store_apply(conn, m->d->cfg, m->res, m->n, error_r);
}

/* commit - hand a finished message's results to the pool */
static void commit(struct dmsg *m)
{
	m->done = true;
	if (store_pool_submit(smtpout_loop_pool(m->d->loop), apply_work, apply_done, m) == 0)
		m->d->pending++;
}

/* status_of - an RFC 3463 status for a reply without one */
static void status_of(struct smtpout_result *r, const char *enh, int code)
{
	if (enh[0] != '\0')
		snprintf(r->status, sizeof(r->status), "%s", enh);
	else
		snprintf(r->status, sizeof(r->status), "%d.0.0", code / 100 == 2 ? 2 :
			 code / 100 == 5 ? 5 : 4);
}

/* commit_replies - the message's per-recipient replies become results */
static void commit_replies(struct smtpout_delivery *d, struct dmsg *m)
{
	const struct target *t = &d->targets[d->target];
	bool dsn = smtp_client_ehlo(d->client)->dsn;

	for (size_t i = 0; i < m->n; i++) {
		struct smtpout_result *r = &m->res[i];

		r->code = m->rcpts[i].code;
		r->permanent = false;
		r->remote_dsn = dsn;
		status_of(r, m->rcpts[i].enh, r->code);
		snprintf(r->reply, sizeof(r->reply), "%s", m->rcpts[i].text);
		snprintf(r->remote_mta, sizeof(r->remote_mta), "%s", t->host);
		log_info("event=%s domain=%s job=%" PRId64 " rcpt=%s host=%s addr=%s reply=\"%.200s\"",
			 r->code / 100 == 2 ? "delivered" : r->code / 100 == 5 ? "refused" :
			 "deferred", d->domain, r->job->id, r->job->recipient, t->host, t->addr,
			 r->reply);
	}
	commit(m);
}

/* fail_rest - every undone message gets the same local result, then the delivery ends */
static void fail_rest(struct smtpout_delivery *d, bool permanent, const char *status,
		      const char *why)
{
	for (size_t k = 0; k < d->nmsgs; k++) {
		struct dmsg *m = &d->msgs[k];

		if (m->done)
			continue;
		for (size_t i = 0; i < m->n; i++) {
			struct smtpout_result *r = &m->res[i];

			r->code = permanent ? 550 : d->why_code / 100 == 4 ? d->why_code : 0;
			r->permanent = permanent;
			snprintf(r->status, sizeof(r->status), "%s", status);
			snprintf(r->reply, sizeof(r->reply), "%s", why);
			log_info("event=%s domain=%s job=%" PRId64 " rcpt=%s reason=\"%.200s\"",
				 permanent ? "failed" : "deferred", d->domain, r->job->id,
				 r->job->recipient, why);
		}
		commit(m);
	}
	d->finishing = true;
	maybe_finished(d);
}

/* flush - commands the client wrote go to the connection */
static void flush(struct smtpout_delivery *d)
{
	size_t n = evbuffer_get_length(d->cmd);

	if (n > 0 && d->conn != NULL)
		(void)net_conn_write(d->conn, evbuffer_pullup(d->cmd, -1), n);
	evbuffer_drain(d->cmd, n);
}

/* chunk_done - store_pool_done_fn: a piece of the body, dot-stuffed onto the wire */
static void chunk_done(int ret, const char *error, void *arg);

/* chunk_work - store_pool_work_fn: the next piece of the blob */
static int chunk_work(PGconn *conn, void *arg, const char **error_r)
{
	struct smtpout_delivery *d = arg;
	int64_t n = smtpout_store_chunk(conn, d->msgs[d->cur].res[0].job->sha256, d->body_off,
					d->chunk, CHUNK, error_r);

	d->chunk_len = n;
	return n < 0 ? -1 : 0;
}

/* read_chunk - ask the pool for the next piece */
static void read_chunk(struct smtpout_delivery *d)
{
	if (store_pool_submit(smtpout_loop_pool(d->loop), chunk_work, chunk_done, d) == 0)
		d->pending++;
	else if (d->conn != NULL)
		net_conn_close(d->conn);
}

/* on_pump - read the next piece once the peer has taken most of what is queued */
static void on_pump(evutil_socket_t fd, short what, void *arg)
{
	struct smtpout_delivery *d = arg;
	struct timeval tv = { 0, 20 * 1000 };

	d->pending--;
	if (d->conn == NULL || d->stopping) {
		maybe_finished(d);
		return;
	}
	if (net_conn_output_len(d->conn) > OUTPUT_HIGH) {
		d->pending++;
		evtimer_add(d->pump, &tv);
		return;
	}
	read_chunk(d);
}

static void chunk_done(int ret, const char *error, void *arg)
{
	struct smtpout_delivery *d = arg;
	struct evbuffer *b;

	d->pending--;
	if (d->conn == NULL || d->stopping) {
		maybe_finished(d);
		return;
	}
	if (ret < 0) {
		/* the message cannot be read now: drop the connection, DATA never ends */
		snprintf(d->why, sizeof(d->why), "4.3.0 message not readable: %.200s",
			 error != NULL ? error : "database unavailable");
		net_conn_close(d->conn);
		return;
	}
	b = evbuffer_new();
	smtp_dot_chunk(&d->dot, d->chunk, (size_t)d->chunk_len, b);
	d->body_off += d->chunk_len;
	if (d->chunk_len < (int64_t)CHUNK)
		smtp_dot_end(&d->dot, b);
	(void)net_conn_write(d->conn, evbuffer_pullup(b, -1), evbuffer_get_length(b));
	evbuffer_free(b);
	if (d->chunk_len < (int64_t)CHUNK) {
		smtp_client_body_sent(d->client);
		return;
	}
	d->pending++;  /* the pump counts as pending work: the delivery outlives it */
	on_pump(-1, 0, d);
}

/* next_message - the next undone message on this connection, or QUIT */
static void next_message(struct smtpout_delivery *d)
{
	while (d->cur < d->nmsgs && d->msgs[d->cur].done)
		d->cur++;
	if (d->cur >= d->nmsgs) {
		smtp_client_quit(d->client);
		flush(d);
		return;
	}
	if (smtp_client_send(d->client, &d->msgs[d->cur].msg) == SMTP_CLIENT_MSG_DONE) {
		commit_replies(d, &d->msgs[d->cur]);
		next_message(d);
		return;
	}
	flush(d);
}

/* on_tls - the STARTTLS handshake finished */
static void on_tls(struct net_conn *c, bool ok, void *arg)
{
	struct smtpout_delivery *d = arg;

	if (!ok) {
		snprintf(d->why, sizeof(d->why), "4.7.0 TLS handshake with %s failed",
			 d->targets[d->target].host);
		return; /* the connection closes; on_close moves on */
	}
	smtp_client_tls_done(d->client);
	flush(d);
}

/* on_event - act on one client event; -1 when the connection must end */
static int on_event(struct smtpout_delivery *d, int ev)
{
	const char *error = NULL;
	const struct target *t = &d->targets[d->target];

	switch (ev) {
	case SMTP_CLIENT_STARTTLS:
		if (net_conn_starttls_client(d->conn, smtpout_loop_tls(d->loop), t->host,
					     d->cfg->tls_verify, on_tls, &error) < 0)
			return -1;
		return 1; /* nothing more is read in clear (RFC 3207 5) */
	case SMTP_CLIENT_READY:
		next_message(d);
		return 0;
	case SMTP_CLIENT_BODY:
		smtp_dot_init(&d->dot);
		d->body_off = 0;
		read_chunk(d);
		return 0;
	case SMTP_CLIENT_MSG_DONE:
		commit_replies(d, &d->msgs[d->cur]);
		if (smtp_client_is_ready(d->client))
			next_message(d);
		return 0;
	case SMTP_CLIENT_FAILED:
		smtp_reply_summary(smtp_client_last(d->client), d->why, sizeof(d->why));
		d->why_code = smtp_client_last(d->client)->code;
		return -1;
	case SMTP_CLIENT_CLOSED:
		return -1;
	}
	return 0;
}

/* on_read - replies from the server */
static void on_read(struct net_conn *c, void *arg)
{
	struct smtpout_delivery *d = arg;
	struct evbuffer *in = net_conn_input(c);
	const char *error = NULL;
	size_t used;
	int ev, r;

	for (;;) {
		size_t len = evbuffer_get_length(in);
		const uint8_t *p = evbuffer_pullup(in, (ssize_t)len);

		if (len == 0)
			return;
		ev = smtp_client_feed(d->client, p, len, &used, &error);
		evbuffer_drain(in, used);
		if (ev < 0) {
			snprintf(d->why, sizeof(d->why), "4.5.0 protocol error from %s: %s",
				 d->targets[d->target].host, error);
			net_conn_close(c);
			return;
		}
		flush(d);
		if (ev == SMTP_CLIENT_NEED_MORE) {
			if (used == 0)
				return;
			continue; /* a reply without an event: pipelined replies may follow */
		}
		if ((r = on_event(d, ev)) != 0) {
			if (r < 0)
				net_conn_close(c);
			return;
		}
	}
}

/* on_close - the connection ended: done, or on to the next host for what is left */
static void on_close(struct net_conn *c, enum net_close_reason reason, void *arg)
{
	struct smtpout_delivery *d = arg;
	bool left = false;

	d->conn = NULL;
	smtp_client_free(&d->client);
	evbuffer_drain(d->cmd, evbuffer_get_length(d->cmd));
	if (d->stopping)
		return;
	for (size_t k = 0; k < d->nmsgs; k++)
		left |= !d->msgs[k].done;
	if (!left) {
		d->finishing = true;
		maybe_finished(d);
		return;
	}
	if (reason != NET_CLOSE_LOCAL && d->why_code == 0)
		snprintf(d->why, sizeof(d->why), "4.4.2 connection to %s lost",
			 d->targets[d->target].host);
	d->target++;
	d->cur = 0;
	next_target(d);
}

/* on_connect - connected (or not) to the current target */
static void on_connect(struct net_conn *c, const char *error, void *arg)
{
	struct smtpout_delivery *d = arg;
	const struct target *t = &d->targets[d->target];

	d->connecting = false;
	if (d->stopping) {
		if (c != NULL) {
			d->conn = c;
			net_conn_set_callbacks(c, on_read, on_close, d);
			net_conn_close(c);
		}
		return;
	}
	if (c == NULL) {
		snprintf(d->why, sizeof(d->why), "4.4.1 connect to %s[%s]: %.200s", t->host,
			 t->addr, error != NULL ? error : "failed");
		d->why_code = 0;
		d->target++;
		next_target(d);
		return;
	}
	d->conn = c;
	d->why_code = 0;
	net_conn_set_callbacks(c, on_read, on_close, d);
	net_conn_set_timeouts(c, (int)d->cfg->timeout, (int)d->cfg->timeout);
	d->client = smtp_client_new(d->cfg->hostname, smtpout_loop_tls(d->loop) != NULL, d->cmd);
	log_info("event=connected domain=%s host=%s addr=%s", d->domain, t->host, t->addr);
}

/* next_target - connect to the next MX address, or give up for this attempt */
static void next_target(struct smtpout_delivery *d)
{
	const char *error = NULL;

	while (d->target < d->ntargets) {
		const struct target *t = &d->targets[d->target];

		d->connecting = true;
		if (net_connect(smtpout_loop_base(d->loop), t->addr, d->cfg->port,
				(int)d->cfg->connect_timeout, on_connect, d, &error) == 0)
			return;
		d->connecting = false;
		snprintf(d->why, sizeof(d->why), "4.4.1 connect to %s[%s]: %.200s", t->host,
			 t->addr, error != NULL ? error : "failed");
		d->target++;
	}
	fail_rest(d, false, "4.4.1", d->why);
}

/* take_hosts - the MX hosts' addresses in the resolver's order */
static void take_hosts(struct smtpout_delivery *d, const Merpati__MxReply *r)
{
	for (size_t h = 0; h < r->n_hosts; h++)
		for (size_t a = 0; a < r->hosts[h]->n_addresses && d->ntargets < TARGETS_MAX; a++) {
			struct target *t = &d->targets[d->ntargets++];

			snprintf(t->host, sizeof(t->host), "%s", r->hosts[h]->host);
			snprintf(t->addr, sizeof(t->addr), "%s", r->hosts[h]->addresses[a]);
		}
}

void smtpout_delivery_mx(struct smtpout_delivery *d, const Merpati__MxReply *r)
{
	char why[QUEUE_ERROR_MAX + 1];

	if (r == NULL) {
		fail_rest(d, false, "4.4.3", "4.4.3 no answer from the DNS resolver");
		return;
	}
	snprintf(why, sizeof(why), "%s: %.200s", d->domain, r->error != NULL ? r->error : "");
	switch (r->status) {
	case MERPATI__MX_STATUS__MX_STATUS_OK:
		take_hosts(d, r);
		next_target(d);
		return;
	case MERPATI__MX_STATUS__MX_STATUS_NXDOMAIN: /* RFC 3463 3.2: bad destination system */
		fail_rest(d, true, "5.1.2", "5.1.2 domain does not exist");
		return;
	case MERPATI__MX_STATUS__MX_STATUS_NULL_MX:  /* RFC 7505 3: 5.1.10 */
		fail_rest(d, true, "5.1.10", "5.1.10 domain accepts no mail (null MX)");
		return;
	default:
		fail_rest(d, false, "4.4.3", why);
	}
}

void smtpout_delivery_start(struct smtpout_delivery *d)
{
	if (smtpout_loop_resolve(d->loop, d->id, d->domain) < 0)
		fail_rest(d, false, "4.4.3", "4.4.3 DNS resolver unreachable");
}

void smtpout_delivery_stop(struct smtpout_delivery *d)
{
	d->stopping = true;
	if (d->conn != NULL)
		net_conn_close(d->conn);
}

bool smtpout_delivery_busy(const struct smtpout_delivery *d)
{
	return d->conn != NULL || d->connecting || d->pending > 0;
}
