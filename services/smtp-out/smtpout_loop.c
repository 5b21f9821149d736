/* smtpout_loop.c - leasing, limits, resolver requests and hints (see smtpout_loop.h) */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bus/bus.h"
#include "log/log.h"
#include "metrics/metrics.h"
#include "queue/queue_out_reap.h"
#include "services/smtp-out/smtpout_delivery.h"
#include "services/smtp-out/smtpout_loop.h"
#include "services/smtp-out/smtpout_sched.h"

/* slot - a delivery started or waiting for a free slot; found by id, never by reply data */
struct slot {
	struct smtpout_delivery *d;
	struct event *timer;          /* resolver timeout */
	bool running;
	bool resolving;
	struct slot *next;
};

struct smtpout_loop {
	struct event_base *base;
	const struct smtpout_config *cfg;
	struct store_pool *pool;
	SSL_CTX *tls;
	void *pull, *dealer, *kick;
	struct bus_watch *w_pull, *w_dealer;
	struct event *timer;
	struct slot *slots;
	unsigned running, waiting;
	uint64_t next_id;
	bool leasing, again;
	struct queue_out_job *leased;
	int nleased;
	struct metrics_counter *m_out[3], *m_dsn;
	struct metrics_gauge *m_active;
};

static void lease(struct smtpout_loop *l);

struct event_base *smtpout_loop_base(struct smtpout_loop *l) { return l->base; }
const struct smtpout_config *smtpout_loop_config(struct smtpout_loop *l) { return l->cfg; }
struct store_pool *smtpout_loop_pool(struct smtpout_loop *l) { return l->pool; }
SSL_CTX *smtpout_loop_tls(struct smtpout_loop *l) { return l->tls; }

/* domain_running - deliveries running now for domain */
static unsigned domain_running(struct smtpout_loop *l, const char *domain)
{
	unsigned n = 0;

	for (struct slot *s = l->slots; s != NULL; s = s->next)
		n += s->running && strcmp(smtpout_delivery_domain(s->d), domain) == 0;
	return n;
}

/* start_waiting - start what the limits allow, oldest first */
static void start_waiting(struct smtpout_loop *l)
{
	for (struct slot *s = l->slots; s != NULL && l->running < l->cfg->max; s = s->next) {
		if (s->running ||
		    domain_running(l, smtpout_delivery_domain(s->d)) >= l->cfg->per_domain)
			continue;
		s->running = true;
		l->running++;
		l->waiting--;
		smtpout_delivery_start(s->d);
	}
	metrics_gauge_set(l->m_active, l->running);
}

/* find - the slot of delivery id */
static struct slot *find(struct smtpout_loop *l, uint64_t id)
{
	for (struct slot *s = l->slots; s != NULL; s = s->next)
		if (smtpout_delivery_id(s->d) == id)
			return s;
	return NULL;
}

void smtpout_loop_finished(struct smtpout_loop *l, struct smtpout_delivery *d)
{
	struct slot **pp = &l->slots, *s;

	while (*pp != NULL && (*pp)->d != d)
		pp = &(*pp)->next;
	if ((s = *pp) == NULL)
		return;
	*pp = s->next;
	l->running -= s->running;
	event_free(s->timer);
	smtpout_delivery_free(&s->d);
	free(s);
	start_waiting(l);
	lease(l);
}

/* on_resolve_timeout - the resolver did not answer in time: a temporary failure */
static void on_resolve_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct slot *s = arg;

	s->resolving = false;
	smtpout_delivery_mx(s->d, NULL);
}

int smtpout_loop_resolve(struct smtpout_loop *l, uint64_t id, const char *domain)
{
	Merpati__MxRequest req = MERPATI__MX_REQUEST__INIT;
	struct slot *s = find(l, id);
	struct timeval tv = { l->cfg->resolver_timeout, 0 };

	req.request_id = id;
	req.domain = (char *)domain;
	if (s == NULL || bus_send(l->dealer, &req.base) < 0)
		return -1;
	bus_watch_recheck(l->w_dealer);
	s->resolving = true;
	evtimer_add(s->timer, &tv);
	return 0;
}

/* on_mx - an MxReply: to the delivery that asked, if it still waits */
static void on_mx(void *sock, void *arg)
{
	struct smtpout_loop *l = arg;
	Merpati__MxReply *r = bus_recv_mx_reply(sock);
	struct slot *s;

	if (r == NULL)
		return;
	if ((s = find(l, r->request_id)) != NULL && s->resolving) {
		s->resolving = false;
		evtimer_del(s->timer);
		smtpout_delivery_mx(s->d, r);
	}
	bus_message_free(r);
}

void smtpout_loop_dsn_queued(struct smtpout_loop *l)
{
	metrics_counter_inc(l->m_dsn);
	(void)bus_send_queue_kick(l->kick, 0, "smtp-out");
}

void smtpout_loop_count(struct smtpout_loop *l, int outcome)
{
	if (outcome >= 0 && outcome < 3)
		metrics_counter_inc(l->m_out[outcome]);
}

/* add_delivery - a new waiting slot for jobs[0..n) */
static void add_delivery(struct smtpout_loop *l, const struct queue_out_job *const *jobs,
			 size_t n)
{
	struct slot *s = calloc(1, sizeof(*s)), **pp = &l->slots;

	if (s == NULL)
		abort();
	s->d = smtpout_delivery_new(l, ++l->next_id, jobs, n);
	s->timer = evtimer_new(l->base, on_resolve_timeout, s);
	while (*pp != NULL)
		pp = &(*pp)->next;
	*pp = s;
	l->waiting++;
}

/* group - one delivery per destination domain of the leased jobs */
static void group(struct smtpout_loop *l, struct queue_out_job *jobs, size_t n)
{
	const struct queue_out_job **sel = calloc(n, sizeof(*sel));
	bool *taken = calloc(n, sizeof(bool));
	size_t k;

	if (sel == NULL || taken == NULL)
		abort();
	for (size_t i = 0; i < n; i++) {
		if (taken[i])
			continue;
		k = 0;
		for (size_t j = i; j < n; j++)
			if (!taken[j] && strcmp(jobs[j].domain, jobs[i].domain) == 0) {
				taken[j] = true;
				sel[k++] = &jobs[j];
			}
		add_delivery(l, sel, k);
	}
	free(sel);
	free(taken);
}

/* lease_work - store_pool_work_fn: reap expired leases, then lease due jobs */
static int lease_work(PGconn *conn, void *arg, const char **error_r)
{
	struct smtpout_loop *l = arg;
	size_t room = l->cfg->max * 4;

	if (queue_out_reap(conn, error_r) < 0)
		return -1;
	if (room > QUEUE_LEASE_BATCH_MAX)
		room = QUEUE_LEASE_BATCH_MAX;
	l->nleased = queue_out_lease(conn, l->cfg->owner, (int)l->cfg->lease, room, &l->leased,
				     error_r);
	return l->nleased < 0 ? -1 : l->nleased;
}

/* lease_done - store_pool_done_fn on the loop: group, start, and go on if more is due */
static void lease_done(int ret, const char *error, void *arg)
{
	struct smtpout_loop *l = arg;

	l->leasing = false;
	if (ret < 0) {
		log_warn("event=lease_failed error=\"%s\"", error != NULL ? error : "unavailable");
		queue_out_jobs_free(&l->leased);
		return;
	}
	for (int i = 0; i < ret; i++)
		if (strncmp(l->leased[i].last_reply, QUEUE_OUT_REAP_MARK,
			    strlen(QUEUE_OUT_REAP_MARK)) == 0)
			log_warn("event=reclaimed job=%" PRId64 " attempts=%d reason=\"an earlier "
				 "attempt's lease ran out; it may have reached the remote server\"",
				 l->leased[i].id, l->leased[i].attempts);
	if (ret > 0)
		group(l, l->leased, (size_t)ret);
	queue_out_jobs_free(&l->leased);
	start_waiting(l);
	if (ret == QUEUE_LEASE_BATCH_MAX || l->again)
		lease(l);
}

/* lease - lease more when there is room and no lease is in flight */
static void lease(struct smtpout_loop *l)
{
	if (l->leasing || l->running + l->waiting >= l->cfg->max) {
		l->again = true;
		return;
	}
	l->again = false;
	l->leasing = true;
	if (store_pool_submit(l->pool, lease_work, lease_done, l) < 0)
		l->leasing = false;
}

/* on_kick - an OutboundKick from the mda: a hint, the queue is the truth */
static void on_kick(void *sock, void *arg)
{
	Merpati__OutboundKick *k = bus_recv_outbound_kick(sock);

	if (k == NULL)
		return;
	bus_message_free(k);
	lease(arg);
}

/* on_timer - the slow poll: lost kicks, retries that became due, expired leases */
static void on_timer(evutil_socket_t fd, short what, void *arg)
{
	lease(arg);
}

/* health - /healthz: unhealthy without any database connection */
static const char *health(void *arg)
{
	struct smtpout_loop *l = arg;

	return store_pool_connected(l->pool) > 0 ? NULL : "no database connection";
}

/* register_metrics - smtp-out's series */
static void register_metrics(struct smtpout_loop *l)
{
	static const char *const names[] = {
		"merpati_smtp_out_recipients_total{result=\"delivered\"}",
		"merpati_smtp_out_recipients_total{result=\"failed\"}",
		"merpati_smtp_out_recipients_total{result=\"deferred\"}" };

	for (int i = 0; i < 3; i++)
		l->m_out[i] = metrics_counter(names[i], "Outbound recipients by attempt result");
	l->m_dsn = metrics_counter("merpati_smtp_out_dsn_total", "Messages with DSNs queued");
	l->m_active = metrics_gauge("merpati_smtp_out_deliveries", "Deliveries running");
	metrics_set_health(health, l);
}

/* open_sockets - PULL for kicks, DEALER to the resolver, PUSH to the mda */
static int open_sockets(struct smtpout_loop *l, const char **error_r)
{
	if ((l->pull = bus_socket_new(BUS_OUTBOUND_KICK_PULL, error_r)) == NULL ||
	    (l->dealer = bus_socket_new(BUS_RESOLVER_DEALER, error_r)) == NULL ||
	    (l->kick = bus_socket_new(BUS_QUEUE_KICK_PUSH, error_r)) == NULL)
		return -1;
	l->w_pull = bus_watch_new(l->base, l->pull, on_kick, l);
	l->w_dealer = bus_watch_new(l->base, l->dealer, on_mx, l);
	return l->w_pull != NULL && l->w_dealer != NULL ? 0 : -1;
}

struct smtpout_loop *smtpout_loop_new(struct event_base *base, const struct smtpout_config *cfg,
				      const char **error_r)
{
	struct smtpout_loop *l = calloc(1, sizeof(*l));
	struct timeval tv = { cfg->poll, 0 };

	if (l == NULL)
		abort();
	l->base = base;
	l->cfg = cfg;
	register_metrics(l);
	if ((l->tls = tls_client_ctx_new(cfg->tls_verify, error_r)) == NULL ||
	    (l->pool = store_pool_new(base, cfg->db, cfg->workers, error_r)) == NULL ||
	    open_sockets(l, error_r) < 0 ||
	    metrics_serve(base, ":9103", error_r) < 0 ||
	    (l->timer = event_new(base, -1, EV_PERSIST, on_timer, l)) == NULL ||
	    event_add(l->timer, &tv) < 0) {
		smtpout_loop_free(&l);
		return NULL;
	}
	lease(l); /* jobs may be due from before a restart */
	return l;
}

/* drain - stop every delivery and let the loop close their connections (bounded by the
 * connect timeout, for connections still being made) */
static void drain(struct smtpout_loop *l)
{
	struct timespec pause = { 0, 10 * 1000 * 1000 };
	long rounds = (l->cfg->connect_timeout + 2) * 100;
	bool busy = true;

	for (struct slot *s = l->slots; s != NULL; s = s->next)
		smtpout_delivery_stop(s->d);
	store_pool_free(&l->pool);  /* pending done callbacks run; deliveries start nothing */
	while (busy && rounds-- > 0) {
		busy = false;
		for (struct slot *s = l->slots; s != NULL; s = s->next)
			busy |= smtpout_delivery_busy(s->d);
		if (busy) {
			event_base_loop(l->base, EVLOOP_NONBLOCK);
			nanosleep(&pause, NULL);
		}
	}
	while (l->slots != NULL) {
		struct slot *s = l->slots;

		l->slots = s->next;
		event_free(s->timer);
		smtpout_delivery_free(&s->d);
		free(s);
	}
}

void smtpout_loop_free(struct smtpout_loop **lp)
{
	struct smtpout_loop *l = *lp;

	if (l == NULL)
		return;
	if (l->timer != NULL)
		event_free(l->timer);
	/* unfinished deliveries are dropped: their leases run out and they are tried again */
	drain(l);
	bus_watch_free(&l->w_pull);
	bus_watch_free(&l->w_dealer);
	bus_socket_close(&l->pull);
	bus_socket_close(&l->dealer);
	bus_socket_close(&l->kick);
	tls_ctx_free(&l->tls);
	metrics_stop();
	free(l);
	*lp = NULL;
}
