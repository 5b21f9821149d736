/* resolver.c - MX, then A and AAAA per exchange, through libunbound's asynchronous API */
#include "resolver.h"
#include "log/log.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>
#include <unbound.h>

#define RR_CLASS_IN 1
#define RCODE_NOERROR 0
#define RCODE_NXDOMAIN 3
#define MX_RECORDS_MAX 64          /* MX records looked at before choosing hosts */
#define QUERIES_MAX (1 + 2 * RESOLVER_HOSTS_MAX)

struct lookup;

struct query {
	struct lookup *l;
	int host;                  /* index in answer.hosts, -1 for the MX query */
	int rrtype;
	int async_id;
	bool done;
};

struct lookup {
	struct resolver *r;
	char domain[MX_NAME_MAX];
	struct mx_answer ans;
	char v6[RESOLVER_HOSTS_MAX][RESOLVER_ADDRS_MAX][MX_ADDR_MAX];
	int n_v6[RESOLVER_HOSTS_MAX];
	struct query queries[QUERIES_MAX];
	int n_queries;
	int pending;
	bool addr_tempfail;
	struct event *deadline;
	resolver_done_cb cb;
	void *arg;
	struct lookup *prev, *next;
};

struct resolver {
	struct event_base *base;
	struct ub_ctx *ctx;
	struct event *ub_ev;
	int timeout;
	struct lookup *lookups;
};

struct mx_record {
	uint16_t preference;
	char name[MX_NAME_MAX];
};

static void on_answer(void *data, int err, struct ub_result *res);

/* fail - a terminal status with a reason */
static void fail(struct lookup *l, Merpati__MxStatus status, const char *why)
{
	l->ans.status = status;
	snprintf(l->ans.error, sizeof(l->ans.error), "%s", why);
}

/* use_ttl_and_security - fold one answer's TTL and DNSSEC state into the result */
static void use_ttl_and_security(struct lookup *l, const struct ub_result *res)
{
	uint32_t ttl = res->ttl > 0 ? (uint32_t)res->ttl : 0;

	if (ttl < l->ans.ttl)
		l->ans.ttl = ttl;
	l->ans.secure = l->ans.secure && res->secure;
}

/* start_query - ask libunbound; false when it refused to start */
static bool start_query(struct lookup *l, const char *name, int rrtype, int host)
{
	struct query *q = &l->queries[l->n_queries];

	if (l->n_queries == QUERIES_MAX)
		return false;
	*q = (struct query){ .l = l, .host = host, .rrtype = rrtype };
	if (ub_resolve_async(l->r->ctx, name, rrtype, RR_CLASS_IN, q, on_answer,
			     &q->async_id) != 0)
		return false;
	l->n_queries++;
	l->pending++;
	return true;
}

/* add_host - a host to resolve; its A and AAAA queries start now */
static void add_host(struct lookup *l, const char *name, uint16_t pref, bool implicit)
{
	struct mx_answer_host *h = &l->ans.hosts[l->ans.n_hosts];

	memset(h, 0, sizeof(*h));
	h->preference = pref;
	h->implicit = implicit;
	h->ttl = UINT32_MAX;
	snprintf(h->name, sizeof(h->name), "%s", name);
	if (!start_query(l, name, MX_RRTYPE_A, l->ans.n_hosts) ||
	    !start_query(l, name, MX_RRTYPE_AAAA, l->ans.n_hosts))
		l->addr_tempfail = true;
	l->ans.n_hosts++;
}

/* order_records - shuffle, then a stable sort by preference: equal preferences end up
 * in random order, spreading load as RFC 5321 5.1 asks */
static void order_records(struct mx_record *recs, int n)
{
	for (int i = n - 1; i > 0; i--) {
		int j = (int)randombytes_uniform((uint32_t)i + 1);
		struct mx_record t = recs[i];
		recs[i] = recs[j];
		recs[j] = t;
	}
	for (int i = 1; i < n; i++) {
		struct mx_record t = recs[i];
		int j = i - 1;
		while (j >= 0 && recs[j].preference > t.preference) {
			recs[j + 1] = recs[j];
			j--;
		}
		recs[j + 1] = t;
	}
}

/* parse_mx - the usable MX records of an answer; *null_mx when it is RFC 7505's "0 ." */
static int parse_mx(const struct ub_result *res, struct mx_record *recs, bool *null_mx)
{
	int n = 0, total = 0;

	*null_mx = false;
	for (int i = 0; res->data[i] != NULL && n < MX_RECORDS_MAX; i++) {
		struct mx_record r;
		total++;
		if (mx_rdata_parse((const uint8_t *)res->data[i], (size_t)res->len[i],
				   &r.preference, r.name) < 0) {
			log_warn("event=mx_malformed record=%d", i);
			continue;
		}
		if (r.name[0] == '\0') {
			*null_mx = true;   /* RFC 7505 3: "." as exchange */
			continue;
		}
		recs[n++] = r;
	}
	/* RFC 7505 3: a null MX must be alone; next to real ones it is ignored */
	*null_mx = *null_mx && total == 1;
	return n;
}

/* add_mx_hosts - the best hosts, in order, without duplicates */
static void add_mx_hosts(struct lookup *l, struct mx_record *recs, int n)
{
	order_records(recs, n);
	for (int i = 0; i < n && l->ans.n_hosts < RESOLVER_HOSTS_MAX; i++) {
		bool dup = false;
		for (int k = 0; k < l->ans.n_hosts; k++)
			dup = dup || strcmp(l->ans.hosts[k].name, recs[i].name) == 0;
		if (!dup)
			add_host(l, recs[i].name, recs[i].preference, false);
	}
}

/* on_mx - the MX answer decides the path: terminal status, MX hosts or implicit MX */
static void on_mx(struct lookup *l, int err, const struct ub_result *res)
{
	struct mx_record recs[MX_RECORDS_MAX];
	bool null_mx;
	int n;

	if (err != 0) {
		fail(l, MERPATI__MX_STATUS__MX_STATUS_TEMPFAIL, ub_strerror(err));
		return;
	}
	if (res->bogus) {
		fail(l, MERPATI__MX_STATUS__MX_STATUS_TEMPFAIL, "DNSSEC validation failed");
		return;
	}
	use_ttl_and_security(l, res);
	if (res->rcode == RCODE_NXDOMAIN || res->nxdomain) {
		fail(l, MERPATI__MX_STATUS__MX_STATUS_NXDOMAIN, "domain does not exist");
		return;
	}
	if (res->rcode != RCODE_NOERROR) {
		fail(l, MERPATI__MX_STATUS__MX_STATUS_TEMPFAIL, "DNS server failure");
		return;
	}
	if (!res->havedata) {
		add_host(l, l->domain, 0, true);   /* RFC 5321 5.1: implicit MX */
		return;
	}
	n = parse_mx(res, recs, &null_mx);
	if (null_mx) {
		fail(l, MERPATI__MX_STATUS__MX_STATUS_NULL_MX,
		     "domain accepts no mail (null MX)");
		return;
	}
	if (n == 0) {
		fail(l, MERPATI__MX_STATUS__MX_STATUS_NO_ADDRESS, "no usable MX record");
		return;
	}
	add_mx_hosts(l, recs, n);
}

/* on_addr - A or AAAA records of one host */
static void on_addr(struct lookup *l, const struct query *q, int err,
		    const struct ub_result *res)
{
	struct mx_answer_host *h = &l->ans.hosts[q->host];

	if (err != 0 || res->bogus ||
	    (res->rcode != RCODE_NOERROR && res->rcode != RCODE_NXDOMAIN)) {
		l->addr_tempfail = true;
		return;
	}
	if (!res->havedata)
		return;
	use_ttl_and_security(l, res);
	if ((uint32_t)res->ttl < h->ttl)
		h->ttl = (uint32_t)res->ttl;
	for (int i = 0; res->data[i] != NULL; i++) {
		char *slot = q->rrtype == MX_RRTYPE_A
			? (h->n_addrs < RESOLVER_ADDRS_MAX ? h->addrs[h->n_addrs] : NULL)
			: (l->n_v6[q->host] < RESOLVER_ADDRS_MAX
			   ? l->v6[q->host][l->n_v6[q->host]] : NULL);
		if (slot == NULL)
			break;
		if (mx_addr_format(q->rrtype, (const uint8_t *)res->data[i], (size_t)res->len[i],
				   slot) < 0)
			continue;
		if (q->rrtype == MX_RRTYPE_A)
			h->n_addrs++;
		else
			l->n_v6[q->host]++;
	}
}

/* settle_hosts - IPv6 after IPv4 for each host, hosts without an address dropped */
static void settle_hosts(struct lookup *l)
{
	int kept = 0;

	for (int i = 0; i < l->ans.n_hosts; i++) {
		struct mx_answer_host *h = &l->ans.hosts[i];
		for (int k = 0; k < l->n_v6[i]; k++)
			memcpy(h->addrs[h->n_addrs++], l->v6[i][k], MX_ADDR_MAX);
		if (h->n_addrs == 0)
			continue;
		if (kept != i)
			l->ans.hosts[kept] = *h;
		kept++;
	}
	l->ans.n_hosts = kept;
	if (kept == 0 && l->addr_tempfail)
		fail(l, MERPATI__MX_STATUS__MX_STATUS_TEMPFAIL, "address lookup failed");
	else if (kept == 0)
		fail(l, MERPATI__MX_STATUS__MX_STATUS_NO_ADDRESS, "no address for any mail host");
}

/* finish - report and free the lookup */
static void finish(struct lookup *l)
{
	struct resolver *r = l->r;

	if (l->ans.status == MERPATI__MX_STATUS__MX_STATUS_OK)
		settle_hosts(l);
	else
		l->ans.n_hosts = 0;
	if (l->ans.ttl == UINT32_MAX)
		l->ans.ttl = 0;
	if (l->prev != NULL)
		l->prev->next = l->next;
	else
		r->lookups = l->next;
	if (l->next != NULL)
		l->next->prev = l->prev;
	event_free(l->deadline);
	l->cb(&l->ans, l->arg);
	free(l);
}

/* on_answer - libunbound's callback, run from ub_process in the loop */
static void on_answer(void *data, int err, struct ub_result *res)
{
	struct query *q = data;
	struct lookup *l = q->l;

	q->done = true;
	l->pending--;
	if (q->rrtype == MX_RRTYPE_MX)
		on_mx(l, err, res);
	else
		on_addr(l, q, err, res);
	if (res != NULL)
		ub_resolve_free(res);
	if (l->pending == 0)
		finish(l);
}

/* cancel_pending - stop every query still running (their callbacks will not come) */
static void cancel_pending(struct lookup *l)
{
	for (int i = 0; i < l->n_queries; i++)
		if (!l->queries[i].done)
			ub_cancel(l->r->ctx, l->queries[i].async_id);
	l->pending = 0;
}

/* on_deadline - the lookup took too long: temporary failure */
static void on_deadline(evutil_socket_t fd, short what, void *arg)
{
	struct lookup *l = arg;

	cancel_pending(l);
	fail(l, MERPATI__MX_STATUS__MX_STATUS_TEMPFAIL, "DNS timeout");
	finish(l);
}

int resolver_lookup(struct resolver *r, const char *domain, resolver_done_cb cb, void *arg)
{
	struct lookup *l = calloc(1, sizeof(*l));
	struct timeval tv = { r->timeout, 0 };

	if (l == NULL)
		abort();
	l->r = r;
	l->cb = cb;
	l->arg = arg;
	l->ans.ttl = UINT32_MAX;
	l->ans.secure = true;
	snprintf(l->domain, sizeof(l->domain), "%s", domain);
	if (!start_query(l, domain, MX_RRTYPE_MX, -1)) {
		free(l);
		return -1;
	}
	l->deadline = evtimer_new(r->base, on_deadline, l);
	evtimer_add(l->deadline, &tv);
	l->next = r->lookups;
	if (r->lookups != NULL)
		r->lookups->prev = l;
	r->lookups = l;
	return 0;
}

/* on_ub_readable - answers are waiting in libunbound's pipe */
static void on_ub_readable(evutil_socket_t fd, short what, void *arg)
{
	struct resolver *r = arg;

	if (ub_process(r->ctx) != 0)
		log_warn("event=ub_process_error");
}

/* configure - forwarder or full recursion, and DNSSEC validation when a trust anchor is
 * given; -1 with *error_r */
static int configure(struct ub_ctx *ctx, const char *forwarder, const char *trust_anchor,
		     const char **error_r)
{
	if (ub_ctx_async(ctx, 1) != 0) {
		*error_r = "libunbound cannot run in a thread";
		return -1;
	}
	/* A forwarder on this host (tests, a local cache) must be allowed. */
	if (forwarder != NULL &&
	    (ub_ctx_set_option(ctx, "do-not-query-localhost:", "no") != 0 ||
	     ub_ctx_set_fwd(ctx, forwarder) != 0)) {
		*error_r = "MERPATI_DNS_FORWARDER is not an address (ip or ip@port)";
		return -1;
	}
	if (trust_anchor != NULL && ub_ctx_add_ta_file(ctx, trust_anchor) != 0) {
		*error_r = "cannot read the DNSSEC trust anchor (MERPATI_DNS_TRUST_ANCHOR)";
		return -1;
	}
	return 0;
}

struct resolver *resolver_new(struct event_base *base, const char *forwarder,
			      const char *trust_anchor, int timeout, const char **error_r)
{
	struct resolver *r = calloc(1, sizeof(*r));

	if (r == NULL)
		abort();
	r->base = base;
	r->timeout = timeout;
	r->ctx = ub_ctx_create();
	if (r->ctx == NULL || configure(r->ctx, forwarder, trust_anchor, error_r) < 0) {
		if (r->ctx == NULL)
			*error_r = "cannot create the libunbound context";
		resolver_free(&r);
		return NULL;
	}
	r->ub_ev = event_new(base, ub_fd(r->ctx), EV_READ | EV_PERSIST, on_ub_readable, r);
	if (r->ub_ev == NULL || event_add(r->ub_ev, NULL) != 0)
		abort();
	return r;
}

void resolver_free(struct resolver **rp)
{
	struct resolver *r = *rp;

	if (r == NULL)
		return;
	while (r->lookups != NULL) {
		struct lookup *l = r->lookups;
		r->lookups = l->next;
		cancel_pending(l);
		event_free(l->deadline);
		free(l);
	}
	if (r->ub_ev != NULL)
		event_free(r->ub_ev);
	if (r->ctx != NULL)
		ub_ctx_delete(r->ctx);
	free(r);
	*rp = NULL;
}
