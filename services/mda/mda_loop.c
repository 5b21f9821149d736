/* mda_loop.c - wake-ups, worker slots and hints after commit (see mda_loop.h) */
#include <stdlib.h>
#include <string.h>

#include "bus/bus.h"
#include "log/log.h"
#include "metrics/metrics.h"
#include "store/pool.h"
#include "services/mda/mda_index.h"
#include "services/mda/mda_job.h"
#include "services/mda/mda_loop.h"

/* slot - one batch in flight on the pool at most */
struct slot {
	struct mda_loop *loop;
	struct mda_batch batch;
	bool busy;
	uint64_t gen;            /* wake generation when the batch was submitted */
};

struct mda_loop {
	struct event_base *base;
	const struct mda_config *cfg;
	struct store_pool *pool;
	void *pull, *pub, *push;
	struct bus_watch *watch;
	struct event *timer;
	uint64_t wake_gen;
	struct slot slots[MDA_WORKERS_MAX];
	struct mda_index *index;
	struct metrics_counter *m_jobs, *m_delivered, *m_outbound, *m_deferred, *m_failed;
};

static void slot_submit(struct slot *s);

/* publish - hints after a commit (DESIGN.md rule 4): one MailboxEvent per append, and an
 * OutboundKick when outbound jobs were created */
static void publish(struct mda_loop *l, const struct mda_result *r)
{
	for (size_t i = 0; i < r->nevents; i++) {
		Merpati__MailboxEvent ev = MERPATI__MAILBOX_EVENT__INIT;
		uint32_t uid = r->events[i].uid;

		ev.account_id = r->events[i].account_id;
		ev.mailbox_id = r->events[i].mailbox_id;
		ev.uidvalidity = r->events[i].uidvalidity;
		ev.highest_modseq = r->events[i].modseq;
		ev.kind = MERPATI__MAILBOX_EVENT_KIND__MAILBOX_EVENT_APPEND;
		ev.n_uids = 1;
		ev.uids = &uid;
		ev.origin = (char *)"mda";
		(void)bus_publish_mailbox_event(l->pub, &ev);
	}
	if (r->outbound > 0)
		(void)bus_send_outbound_kick(l->push, 0, "");
}

/* slot_done - store_pool_done_fn: count, publish, and go on while there is work */
static void slot_done(int ret, const char *error, void *arg)
{
	struct slot *s = arg;
	struct mda_loop *l = s->loop;
	const struct mda_result *r = &s->batch.result;

	s->busy = false;
	if (ret < 0) {
		log_warn("event=batch_failed error=\"%s\"", error != NULL ? error : "unavailable");
		return; /* the poll timer tries again */
	}
	metrics_counter_add(l->m_jobs, r->jobs);
	metrics_counter_add(l->m_delivered, r->delivered);
	metrics_counter_add(l->m_outbound, r->outbound);
	metrics_counter_add(l->m_deferred, r->deferred);
	metrics_counter_add(l->m_failed, r->failed);
	publish(l, r);
	/* a full batch may leave more; a kick during an empty lease may have been missed */
	if (ret > 0 || r->bounces > 0 || s->gen != l->wake_gen) /* bounces are new jobs */
		slot_submit(s);
	else
		mda_index_run(l->index, false); /* the queue is empty: index if all are idle */
}

/* slot_work - store_pool_work_fn on a worker thread: the slot's batch */
static int slot_work(PGconn *conn, void *arg, const char **error_r)
{
	struct slot *s = arg;

	return mda_job_batch(conn, &s->batch, error_r);
}

/* slot_submit - hand the slot's next batch to the pool */
static void slot_submit(struct slot *s)
{
	s->gen = s->loop->wake_gen;
	s->busy = true;
	if (store_pool_submit(s->loop->pool, slot_work, slot_done, s) < 0)
		s->busy = false;
}

/* deliveries_idle - mda_index_idle_fn: no delivery batch in flight */
static bool deliveries_idle(void *arg)
{
	struct mda_loop *l = arg;

	for (unsigned i = 0; i < l->cfg->workers; i++)
		if (l->slots[i].busy)
			return false;
	return true;
}

/* wake - new work may be due: start up to max idle slots. A slot busy meanwhile sees the
 * new generation when it finishes and leases again, so no wake-up is lost. */
static void wake(struct mda_loop *l, unsigned max)
{
	l->wake_gen++;
	for (unsigned i = 0; i < l->cfg->workers && max > 0; i++)
		if (!l->slots[i].busy) {
			slot_submit(&l->slots[i]);
			max--;
		}
}

/* on_kick - a QueueKick from smtp-in or the webmail: a hint, the queue is the truth */
static void on_kick(void *sock, void *arg)
{
	Merpati__QueueKick *k = bus_recv_queue_kick(sock);

	if (k == NULL)
		return;
	bus_message_free(k);
	/* a kick announces one job, which one slot leases: a burst of kicks starts more
	 * slots one by one, and a single message does not send every slot to an empty lease */
	wake(arg, 1);
}

/* on_timer - the slow poll that makes a lost kick cost a delay, never a message; and
 * one index batch even when the deliveries never stop (mda_index.h) */
static void on_timer(evutil_socket_t fd, short what, void *arg)
{
	struct mda_loop *l = arg;

	wake(l, l->cfg->workers);
	mda_index_run(l->index, true);
}

/* health - /healthz: unhealthy without any database connection */
static const char *health(void *arg)
{
	struct mda_loop *l = arg;

	return store_pool_connected(l->pool) > 0 ? NULL : "no database connection";
}

/* register_metrics - the mda's counters */
static void register_metrics(struct mda_loop *l)
{
	l->m_jobs = metrics_counter("merpati_mda_jobs_total", "Inbound jobs leased and processed");
	l->m_delivered = metrics_counter("merpati_mda_deliveries_total{result=\"delivered\"}",
					 "Mailbox appends and recipient outcomes");
	l->m_deferred = metrics_counter("merpati_mda_deliveries_total{result=\"deferred\"}",
					"Mailbox appends and recipient outcomes");
	l->m_failed = metrics_counter("merpati_mda_deliveries_total{result=\"failed\"}",
				      "Mailbox appends and recipient outcomes");
	l->m_outbound = metrics_counter("merpati_mda_outbound_jobs_total",
					"Outbound jobs created for remote targets");
	metrics_set_health(health, l);
}

/* open_sockets - PULL for kicks, PUB for events, PUSH for outbound kicks */
static int open_sockets(struct mda_loop *l, const char **error_r)
{
	if ((l->pull = bus_socket_new(BUS_QUEUE_KICK_PULL, error_r)) == NULL ||
	    (l->pub = bus_socket_new(BUS_EVENTS_PUB, error_r)) == NULL ||
	    (l->push = bus_socket_new(BUS_OUTBOUND_KICK_PUSH, error_r)) == NULL)
		return -1;
	l->watch = bus_watch_new(l->base, l->pull, on_kick, l);
	return l->watch != NULL ? 0 : -1;
}

/* mda_loop_new - sockets, pool, timer and metrics on base */
struct mda_loop *mda_loop_new(struct event_base *base, const struct mda_config *cfg,
			      const char **error_r)
{
	struct mda_loop *l = calloc(1, sizeof(*l));
	struct timeval tv = { cfg->poll, 0 };

	if (l == NULL)
		abort();
	l->base = base;
	l->cfg = cfg;
	for (unsigned i = 0; i < MDA_WORKERS_MAX; i++) {
		l->slots[i].loop = l;
		l->slots[i].batch.cfg = cfg;
	}
	register_metrics(l);
	if ((l->pool = store_pool_new(base, cfg->db, cfg->workers, error_r)) == NULL ||
	    (l->index = mda_index_new(l->pool, cfg->index_batch, deliveries_idle, l)) == NULL ||
	    open_sockets(l, error_r) < 0 ||
	    metrics_serve(base, ":9102", error_r) < 0 ||
	    (l->timer = event_new(base, -1, EV_PERSIST, on_timer, l)) == NULL ||
	    event_add(l->timer, &tv) < 0) {
		mda_loop_free(&l);
		return NULL;
	}
	wake(l, cfg->workers); /* jobs may be waiting from before a restart */
	return l;
}

/* mda_loop_free - stop the workers after their current batch, close everything */
void mda_loop_free(struct mda_loop **lp)
{
	struct mda_loop *l = *lp;

	if (l == NULL)
		return;
	if (l->timer != NULL)
		event_free(l->timer);
	mda_index_stop(l->index);
	store_pool_free(&l->pool); /* runs the pending done callbacks: they may publish */
	mda_index_free(&l->index);
	bus_watch_free(&l->watch);
	bus_socket_close(&l->pull);
	bus_socket_close(&l->pub);
	bus_socket_close(&l->push);
	metrics_stop();
	free(l);
	*lp = NULL;
}
