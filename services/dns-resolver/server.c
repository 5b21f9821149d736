/* server.c - MxRequest over the ROUTER, answered from the cache or by one shared lookup */
#include "server.h"
#include "cache.h"
#include "bus/bus.h"
#include "log/log.h"
#include "metrics/metrics.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#define WAITERS_MAX 256    /* requests waiting for one domain */

struct waiter {
	struct bus_peer peer;
	uint64_t request_id;
	struct waiter *next;
};

struct pending {
	struct server *s;
	char domain[MX_NAME_MAX];
	struct waiter *waiters;
	unsigned n_waiters;
	struct timespec started;
	struct pending *prev, *next;
};

struct server {
	struct event_base *base;
	void *router;
	struct bus_watch *watch;
	struct resolver *res;
	struct cache *cache;
	struct server_config cfg;
	struct pending *pending;
	unsigned n_pending;
	struct metrics_counter *hits, *misses;
	struct metrics_histogram *latency;
	struct metrics_gauge *entries, *in_flight;
};

/* status_name - for logs and the replies counter */
static const char *status_name(Merpati__MxStatus st)
{
	static const char *const names[] = { "ok", "nxdomain", "null_mx", "tempfail",
					     "no_address" };

	return (int)st >= 0 && (int)st <= 4 ? names[st] : "unknown";
}

/* count_reply - merpati_resolver_replies_total{status=...} */
static void count_reply(Merpati__MxStatus st)
{
	char name[METRICS_NAME_MAX];

	snprintf(name, sizeof(name), "merpati_resolver_replies_total{status=\"%s\"}",
		 status_name(st));
	metrics_counter_inc(metrics_counter(name, "MxReply messages sent, by status"));
}

/* send_reply - one reply to one requester; a requester that left is only counted */
static void send_reply(struct server *s, const struct bus_peer *peer, Merpati__MxReply *r)
{
	if (bus_router_send(s->router, peer, &r->base) < 0)
		log_info("event=reply_dropped domain=%s", r->domain);
	count_reply(r->status);
	bus_watch_recheck(s->watch);
}

/* reply_error - a reply without hosts */
static void reply_error(struct server *s, const struct bus_peer *peer, uint64_t id,
			const char *domain, Merpati__MxStatus st, const char *why)
{
	Merpati__MxReply r = MERPATI__MX_REPLY__INIT;

	r.request_id = id;
	r.domain = (char *)domain;
	r.status = st;
	r.error = (char *)why;
	send_reply(s, peer, &r);
}

/* shuffle_equal - a new random order within each run of equal preference, so answers
 * served from the cache spread the load too (RFC 5321 5.1) */
static void shuffle_equal(Merpati__MxReply *r)
{
	size_t start = 0;

	while (start < r->n_hosts) {
		size_t end = start + 1;
		while (end < r->n_hosts && r->hosts[end]->preference == r->hosts[start]->preference)
			end++;
		for (size_t i = end - 1; i > start; i--) {
			size_t j = start + randombytes_uniform((uint32_t)(i - start + 1));
			Merpati__MxHost *t = r->hosts[i];
			r->hosts[i] = r->hosts[j];
			r->hosts[j] = t;
		}
		start = end;
	}
}

/* reply_from_cache - answer from the cache with the TTL left; false on a miss */
static bool reply_from_cache(struct server *s, const struct bus_peer *peer, uint64_t id,
			     const char *domain)
{
	size_t len;
	uint32_t ttl_left;
	const uint8_t *data = cache_get(s->cache, domain, time(NULL), &len, &ttl_left);
	Merpati__MxReply *r;

	metrics_gauge_set(s->entries, (int64_t)cache_count(s->cache));
	if (data == NULL || (r = bus_unpack_mx_reply(data, len)) == NULL)
		return false;
	r->request_id = id;
	r->ttl = ttl_left;
	shuffle_equal(r);
	send_reply(s, peer, r);
	bus_message_free(r);
	return true;
}

/* cache_ttl - how long an answer may be reused (and the TTL its reply carries) */
static uint32_t cache_ttl(const struct server_config *cfg, const struct mx_answer *a)
{
	switch (a->status) {
	case MERPATI__MX_STATUS__MX_STATUS_OK:
		return a->ttl < cfg->max_ttl ? a->ttl : cfg->max_ttl;
	case MERPATI__MX_STATUS__MX_STATUS_NXDOMAIN:
	case MERPATI__MX_STATUS__MX_STATUS_NULL_MX:
	case MERPATI__MX_STATUS__MX_STATUS_NO_ADDRESS:
		return a->ttl < cfg->negative_ttl ? a->ttl : cfg->negative_ttl;
	default:
		return 0;   /* a temporary failure is asked again next time */
	}
}

/* elapsed - seconds since t */
static double elapsed(const struct timespec *t)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t->tv_sec) + (double)(now.tv_nsec - t->tv_nsec) / 1e9;
}

/* free_pending - out of the list, then freed with its waiters */
static void free_pending(struct server *s, struct pending *p)
{
	if (p->prev != NULL)
		p->prev->next = p->next;
	else
		s->pending = p->next;
	if (p->next != NULL)
		p->next->prev = p->prev;
	while (p->waiters != NULL) {
		struct waiter *w = p->waiters;
		p->waiters = w->next;
		free(w);
	}
	s->n_pending--;
	metrics_gauge_set(s->in_flight, s->n_pending);
	free(p);
}

/* answer_all - the same answer to every waiter, each with its own request_id and its own
 * order of equal preferences */
static void answer_all(struct server *s, struct pending *p, Merpati__MxReply *r)
{
	for (struct waiter *w = p->waiters; w != NULL; w = w->next) {
		r->request_id = w->request_id;
		shuffle_equal(r);
		send_reply(s, &w->peer, r);
	}
}

/* on_done - a lookup finished: build the reply, cache it, answer everyone waiting */
static void on_done(const struct mx_answer *a, void *arg)
{
	struct pending *p = arg;
	struct server *s = p->s;
	Merpati__MxReply r = MERPATI__MX_REPLY__INIT;
	Merpati__MxHost hosts[RESOLVER_HOSTS_MAX], *hp[RESOLVER_HOSTS_MAX];
	char *addrs[RESOLVER_HOSTS_MAX][2 * RESOLVER_ADDRS_MAX];
	uint8_t *packed;
	size_t len;

	r.domain = p->domain;
	r.status = a->status;
	r.ttl = cache_ttl(&s->cfg, a);   /* what we vouch for: capped, 0 for a failure */
	r.dnssec_secure = a->secure;
	r.error = (char *)a->error;
	for (int i = 0; i < a->n_hosts; i++) {
		merpati__mx_host__init(&hosts[i]);
		hosts[i].preference = a->hosts[i].preference;
		hosts[i].host = (char *)a->hosts[i].name;
		hosts[i].implicit = a->hosts[i].implicit;
		hosts[i].ttl = a->hosts[i].ttl;
		for (int k = 0; k < a->hosts[i].n_addrs; k++)
			addrs[i][k] = (char *)a->hosts[i].addrs[k];
		hosts[i].addresses = addrs[i];
		hosts[i].n_addresses = (size_t)a->hosts[i].n_addrs;
		hp[i] = &hosts[i];
	}
	r.hosts = hp;
	r.n_hosts = (size_t)a->n_hosts;
	if ((packed = bus_pack(&r.base, &len)) != NULL) {
		cache_put(s->cache, p->domain, packed, len, r.ttl, time(NULL));
		free(packed);
	}
	metrics_gauge_set(s->entries, (int64_t)cache_count(s->cache));
	metrics_histogram_observe(s->latency, elapsed(&p->started));
	log_info("event=lookup domain=%s status=%s hosts=%d ttl=%u secure=%d ms=%.1f", p->domain,
		 status_name(a->status), a->n_hosts, a->ttl, (int)a->secure,
		 elapsed(&p->started) * 1000);
	answer_all(s, p, &r);
	free_pending(s, p);
}

/* add_waiter - remember who asked */
static void add_waiter(struct pending *p, const struct bus_peer *peer, uint64_t id)
{
	struct waiter *w = calloc(1, sizeof(*w));

	if (w == NULL)
		abort();
	w->peer = *peer;
	w->request_id = id;
	w->next = p->waiters;
	p->waiters = w;
	p->n_waiters++;
}

/* find_pending - the lookup in flight for domain, if any */
static struct pending *find_pending(struct server *s, const char *domain)
{
	for (struct pending *p = s->pending; p != NULL; p = p->next)
		if (strcmp(p->domain, domain) == 0)
			return p;
	return NULL;
}

/* start_lookup - a new lookup for domain with its first waiter */
static void start_lookup(struct server *s, const struct bus_peer *peer, uint64_t id,
			 const char *domain)
{
	struct pending *p = calloc(1, sizeof(*p));

	if (p == NULL)
		abort();
	p->s = s;
	snprintf(p->domain, sizeof(p->domain), "%s", domain);
	clock_gettime(CLOCK_MONOTONIC, &p->started);
	add_waiter(p, peer, id);
	p->next = s->pending;
	if (s->pending != NULL)
		s->pending->prev = p;
	s->pending = p;
	s->n_pending++;
	metrics_gauge_set(s->in_flight, s->n_pending);
	if (resolver_lookup(s->res, domain, on_done, p) < 0) {
		reply_error(s, peer, id, domain, MERPATI__MX_STATUS__MX_STATUS_TEMPFAIL,
			    "resolver cannot start a lookup");
		free_pending(s, p);
	}
}

/* handle - one valid request */
static void handle(struct server *s, const struct bus_peer *peer, uint64_t id,
		   const char *domain)
{
	struct pending *p;

	if (reply_from_cache(s, peer, id, domain)) {
		metrics_counter_inc(s->hits);
		return;
	}
	metrics_counter_inc(s->misses);
	if ((p = find_pending(s, domain)) != NULL && p->n_waiters < WAITERS_MAX)
		add_waiter(p, peer, id);
	else if (p != NULL || s->n_pending >= s->cfg.max_lookups)
		reply_error(s, peer, id, domain, MERPATI__MX_STATUS__MX_STATUS_TEMPFAIL,
			    "resolver busy");
	else
		start_lookup(s, peer, id, domain);
}

/* on_request - the ROUTER has a message */
static void on_request(void *sock, void *arg)
{
	struct server *s = arg;
	struct bus_peer peer;
	Merpati__MxRequest *req = bus_router_recv_mx_request(sock, &peer);
	char domain[MX_NAME_MAX];

	if (req == NULL)
		return;   /* malformed: counted and logged by lib/bus */
	if (mx_domain_normalize(req->domain, domain) < 0)
		reply_error(s, &peer, req->request_id, "", MERPATI__MX_STATUS__MX_STATUS_NXDOMAIN,
			    "not a valid domain name");
	else
		handle(s, &peer, req->request_id, domain);
	bus_message_free(req);
}

struct server *server_new(struct event_base *base, struct resolver *res,
			  const struct server_config *cfg, const char **error_r)
{
	struct server *s = calloc(1, sizeof(*s));

	if (s == NULL)
		abort();
	s->base = base;
	s->res = res;
	s->cfg = *cfg;
	s->cache = cache_new(cfg->cache_size);
	s->hits = metrics_counter("merpati_resolver_cache_hits_total",
				  "MX requests answered from the cache");
	s->misses = metrics_counter("merpati_resolver_cache_misses_total",
				    "MX requests that needed a lookup");
	s->latency = metrics_histogram("merpati_resolver_lookup_seconds",
				       "Time to resolve a domain's mail hosts", NULL, 0);
	s->entries = metrics_gauge("merpati_resolver_cache_entries", "Domains in the cache");
	s->in_flight = metrics_gauge("merpati_resolver_lookups_in_flight", "Lookups running");
	s->router = bus_socket_new(BUS_RESOLVER_ROUTER, error_r);
	if (s->router == NULL || (s->watch = bus_watch_new(base, s->router, on_request, s)) == NULL) {
		if (s->router != NULL)
			*error_r = "cannot watch the ROUTER socket";
		server_free(&s);
		return NULL;
	}
	return s;
}

void server_free(struct server **sp)
{
	struct server *s = *sp;

	if (s == NULL)
		return;
	while (s->pending != NULL)
		free_pending(s, s->pending);
	bus_watch_free(&s->watch);
	bus_socket_close(&s->router);
	cache_free(&s->cache);
	free(s);
	*sp = NULL;
}
