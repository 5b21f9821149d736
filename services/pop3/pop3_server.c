/* pop3_server.c - merpati-pop3's table for the service skeleton, its metrics and events */
#include "services/pop3/pop3_server.h"

#include <string.h>

#include "bus/bus.h"
#include "log/log.h"
#include "metrics/metrics.h"
#include "services/pop3/pop3_conn.h"

static struct metrics_counter *server_counters[POP3_METRIC_COUNT];
static struct metrics_gauge *server_connections;

/* server_metrics - register the service's series once */
static void server_metrics(void)
{
	server_connections = metrics_gauge("merpati_pop3_connections", "Open POP3 connections");
	server_counters[POP3_METRIC_LOGIN_OK] = metrics_counter(
		"merpati_pop3_logins_total{result=\"ok\"}", "POP3 login attempts by result");
	server_counters[POP3_METRIC_LOGIN_FAILED] = metrics_counter(
		"merpati_pop3_logins_total{result=\"failed\"}", "POP3 login attempts by result");
	server_counters[POP3_METRIC_LOGIN_IN_USE] = metrics_counter(
		"merpati_pop3_logins_total{result=\"in_use\"}", "POP3 login attempts by result");
	server_counters[POP3_METRIC_LOGIN_TEMPFAIL] = metrics_counter(
		"merpati_pop3_logins_total{result=\"tempfail\"}", "POP3 login attempts by result");
	server_counters[POP3_METRIC_LOGIN_PERMFAIL] = metrics_counter(
		"merpati_pop3_logins_total{result=\"permfail\"}", "POP3 login attempts by result");
	server_counters[POP3_METRIC_LOGIN_DELAY] = metrics_counter(
		"merpati_pop3_logins_total{result=\"login_delay\"}", "POP3 login attempts by result");
	server_counters[POP3_METRIC_RETR_BYTES] = metrics_counter(
		"merpati_pop3_retr_bytes_total", "Stored message octets sent by RETR and TOP");
	server_counters[POP3_METRIC_EXPUNGED] = metrics_counter(
		"merpati_pop3_expunged_total", "Messages removed in the UPDATE state");
}

void pop3_server_count(enum pop3_metric m, int64_t n)
{
	if (m == POP3_METRIC_CONNECTIONS)
		metrics_gauge_add(server_connections, n);
	else if (n > 0)
		metrics_counter_add(server_counters[m], (uint64_t)n);
}

void pop3_server_publish(struct pop3_server *srv, const struct maildrop *md,
			 enum pop3_event what, uint64_t modseq)
{
	Merpati__MailboxEvent ev = MERPATI__MAILBOX_EVENT__INIT;
	uint32_t uids[BUS_UIDS_MAX];
	size_t n = 0;

	for (size_t i = 0; i < md->count && n < BUS_UIDS_MAX; i++)
		if (what == POP3_EVENT_EXPUNGE ? md->msgs[i].deleted :
		    md->msgs[i].retrieved && !md->msgs[i].deleted)
			uids[n++] = md->msgs[i].uid;
	ev.account_id = md->account_id;
	ev.mailbox_id = md->mailbox_id;
	ev.uidvalidity = md->uidvalidity;
	ev.highest_modseq = modseq;
	ev.kind = what == POP3_EVENT_EXPUNGE ? MERPATI__MAILBOX_EVENT_KIND__MAILBOX_EVENT_EXPUNGE :
		MERPATI__MAILBOX_EVENT_KIND__MAILBOX_EVENT_FLAGS;
	/* more than fit: an empty list tells subscribers to re-read the mailbox */
	ev.n_uids = n == BUS_UIDS_MAX ? 0 : n;
	ev.uids = uids;
	ev.origin = srv->instance;
	if (srv->svc.bus == NULL || bus_publish_mailbox_event(srv->svc.bus, &ev) < 0)
		log_warn("event=bus_dropped kind=%d account=%lld", (int)ev.kind,
			 (long long)md->account_id);
}

/* server_listeners - the plain and implicit-TLS (RFC 8314) listeners of the skeleton */
static void server_listeners(struct pop3_server *srv)
{
	const struct pop3_config *cfg = srv->cfg;

	srv->plain_ctx = (struct pop3_listener_ctx){ .srv = srv, .implicit_tls = false };
	srv->tls_ctx_arg = (struct pop3_listener_ctx){ .srv = srv, .implicit_tls = true };
	for (int i = 0; i < 2; i++)
		srv->listeners[i] = (struct service_listener){
			.name = i == 0 ? "pop3" : "pop3s",
			.addr = i == 0 ? &cfg->plain : &cfg->tls,
			.enabled = i == 0 ? cfg->listen_plain : cfg->listen_tls,
			.implicit_tls = i == 1, .proxy_protocol = cfg->proxy_protocol,
			.max_conns = cfg->max_conns, .max_per_ip = cfg->max_per_ip,
			/* the session's own timer answers idleness with -ERR (RFC 1939 3);
			 * this is the net layer's backstop for a client that stops reading */
			.write_timeout = (int)cfg->idle_timeout,
			.accept_cb = pop3_conn_accept,
			.arg = i == 0 ? &srv->plain_ctx : &srv->tls_ctx_arg,
		};
}

/* server_live - connection objects not yet freed: their lock releases are still queued */
static unsigned server_live(void *arg)
{
	struct pop3_server *srv = arg;

	return srv->live_conns;
}

/* server_drain - the graceful stop begins: sessions not logged in are told to come back
 * later; logged-in ones may go on to QUIT, so that what they deleted is deleted (RFC 1939 6)
 * and a client that downloaded the mail does not fetch it again from another replica */
static void server_drain(void *arg)
{
	pop3_conn_drain(arg);
}

int pop3_server_start(struct pop3_server *srv, const struct pop3_config *cfg,
		      const char **error_r)
{
	memset(srv, 0, sizeof(*srv));
	srv->cfg = cfg;
	server_metrics();
	server_listeners(srv);
	srv->settings = (struct service_settings){
		.name = "pop3", .admin_listen = ":9105", .store_threads = cfg->store_threads,
		.tls = true, .bus = true, .bus_role = BUS_EVENTS_PUB,
		.listeners = srv->listeners, .n_listeners = 2,
		.live = server_live, .drain = server_drain, .grace = cfg->shutdown_grace,
		.arg = srv,
	};
	if (service_start(&srv->svc, &srv->settings, error_r) < 0)
		return -1;
	srv->pool = srv->svc.pool;
	srv->instance = srv->svc.instance;
	return 0;
}

void pop3_server_stop(struct pop3_server *srv)
{
	service_stop(&srv->svc);
	srv->pool = NULL;
}
