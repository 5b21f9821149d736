/* smtp_server.c - merpati-smtp-in's table for the service skeleton, and its metrics */
#include "smtp_server.h"

#include <string.h>

#include "bus/bus.h"
#include "metrics/metrics.h"
#include "smtp_conn.h"

static struct metrics_gauge *connections;
static struct metrics_counter *counters[SMTP_METRIC_COUNT];

/* server_metrics - register the service's series once */
static void server_metrics(void)
{
	static const char *const help = "SMTP messages by result";

	connections = metrics_gauge("merpati_smtp_connections", "Open SMTP connections");
	counters[SMTP_METRIC_ACCEPTED] = metrics_counter(
		"merpati_smtp_messages_total{result=\"accepted\"}", help);
	counters[SMTP_METRIC_STORE_FAILED] = metrics_counter(
		"merpati_smtp_messages_total{result=\"store_failed\"}", help);
	counters[SMTP_METRIC_ACCEPTED_BYTES] = metrics_counter(
		"merpati_smtp_accepted_bytes_total", "Octets of messages committed to the queue");
	counters[SMTP_METRIC_RCPT_REFUSED] = metrics_counter(
		"merpati_smtp_rcpt_refused_total", "RCPT commands refused or deferred");
	counters[SMTP_METRIC_AUTH_OK] = metrics_counter(
		"merpati_smtp_auth_total{result=\"ok\"}", "SMTP AUTH attempts by result");
	counters[SMTP_METRIC_AUTH_FAILED] = metrics_counter(
		"merpati_smtp_auth_total{result=\"failed\"}", "SMTP AUTH attempts by result");
}

/* smtp_server_count - bump a counter or move the connections gauge */
void smtp_server_count(enum smtp_metric m, int64_t n)
{
	if (m == SMTP_METRIC_CONNECTIONS)
		metrics_gauge_add(connections, n);
	else if (n > 0 && m < SMTP_METRIC_COUNT)
		metrics_counter_add(counters[m], (uint64_t)n);
}

/* server_listeners - the MX, submission and submissions (RFC 8314) listeners of the
 * skeleton, each with its own PROXY setting */
static void server_listeners(struct smtp_server *srv)
{
	static const char *const names[] = { "mx", "submission", "submissions" };
	const struct smtp_config *cfg = srv->cfg;

	for (int k = 0; k < SMTP_LISTENER_COUNT; k++) {
		const struct smtp_config_listener *l = &cfg->listeners[k];

		srv->lctx[k] = (struct smtp_listener_ctx){ .srv = srv, .kind = (enum smtp_listener)k };
		srv->slisteners[k] = (struct service_listener){
			.name = names[k], .addr = &l->addr, .enabled = l->enabled,
			.implicit_tls = k == SMTP_LISTENER_SUBMISSIONS,
			.proxy_protocol = l->proxy_protocol,
			.max_conns = cfg->max_conns, .max_per_ip = cfg->max_per_ip,
			/* the session's timer answers silence with 421; this catches a
			 * client that stops reading our replies */
			.write_timeout = (int)cfg->timeout,
			.accept_cb = smtp_conn_accept, .arg = &srv->lctx[k],
		};
	}
}

/* server_live - connections that still hold a session or a store job */
static unsigned server_live(void *arg)
{
	return smtp_conn_live(arg);
}

/* server_drain - the graceful stop begins */
static void server_drain(void *arg)
{
	smtp_conn_drain(arg);
}

/* smtp_server_start - the failed-AUTH table, then the skeleton with smtp-in's table */
int smtp_server_start(struct smtp_server *srv, const struct smtp_config *cfg,
		      const char **error_r)
{
	memset(srv, 0, sizeof(*srv));
	srv->cfg = cfg;
	server_metrics();
	server_listeners(srv);
	srv->settings = (struct service_settings){
		.name = "smtp-in", .admin_listen = ":9101", .store_threads = cfg->store_threads,
		.tls = true, .bus = true, .bus_role = BUS_QUEUE_KICK_PUSH,
		.listeners = srv->slisteners, .n_listeners = SMTP_LISTENER_COUNT,
		.live = server_live, .drain = server_drain, .grace = cfg->shutdown_grace,
		.arg = srv,
	};
	if (service_start(&srv->svc, &srv->settings, error_r) < 0)
		return -1;
	srv->tls_ctx = srv->svc.tls_ctx;
	srv->pool = srv->svc.pool;
	srv->kick_push = srv->svc.bus;
	return 0;
}

/* smtp_server_stop - the skeleton (listeners and their connections first), then the
 * failed-AUTH table the connections used */
void smtp_server_stop(struct smtp_server *srv)
{
	service_stop(&srv->svc);
	srv->tls_ctx = NULL;
	srv->pool = NULL;
	srv->kick_push = NULL;
}
