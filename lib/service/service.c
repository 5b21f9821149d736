/* service.c - start-up, loop and shutdown shared by every Merpati daemon */
#include "service/service.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log/log.h"
#include "metrics/metrics.h"
#include "tls/tls.h"

/* A drain tick of 20 ms, at most 250 of them: 5 seconds for pool jobs (lock releases,
 * queue commits) of closed connections to finish; a lock left behind would only expire,
 * but a clean stop is better. */
#define SERVICE_DRAIN_TICK_US 20000
#define SERVICE_DRAIN_TICKS 250

/* service_pool_health - /healthz when the service gives none: a store worker must hold a
 * connection */
static const char *service_pool_health(void *arg)
{
	struct service *svc = arg;

	return store_pool_connected(svc->pool) > 0 ? NULL : "no database connection";
}

/* service_on_signal - SIGINT/SIGTERM: leave the loop; service_stop does the rest */
static void service_on_signal(evutil_socket_t sig, short what, void *arg)
{
	struct service *svc = arg;

	svc->signals++;
	log_info("event=shutdown signal=%d%s", (int)sig, svc->signals > 1 ? " grace=cut" : "");
	event_base_loopexit(svc->base, NULL);
}

/* service_instance - "host:pid" (or "tag:host:pid"): unique per process, names lock owners */
static void service_instance(struct service *svc)
{
	const char *tag = svc->set->instance_tag;

	if (tag != NULL)
		snprintf(svc->instance, sizeof(svc->instance), "%.16s:%.64s:%ld", tag,
			 config_hostname(), (long)getpid());
	else
		snprintf(svc->instance, sizeof(svc->instance), "%.64s:%ld", config_hostname(),
			 (long)getpid());
}

/* service_listen - open listener i of the table (skipped when disabled); -1 with *error_r */
static int service_listen(struct service *svc, size_t i, const char **error_r)
{
	const struct service_listener *l = &svc->set->listeners[i];
	struct net_listener_opts o = {
		.accept_cb = l->accept_cb, .arg = l->arg, .tls_ctx = svc->tls_ctx,
		.implicit_tls = l->implicit_tls, .proxy_protocol = l->proxy_protocol,
		.max_conns = l->max_conns, .max_per_ip = l->max_per_ip,
		.write_timeout = l->write_timeout,
	};

	if (!l->enabled)
		return 0;
	if (l->implicit_tls && svc->tls_ctx == NULL) {
		*error_r = "implicit TLS listener without a TLS context";
		return -1;
	}
	svc->listeners[i] = net_listener_new(svc->base, l->addr, &o, error_r);
	if (svc->listeners[i] == NULL)
		return -1;
	log_info("event=listen listener=%s addr=%s:%d proxy=%s", l->name != NULL ? l->name : "-",
		 l->addr->host[0] ? l->addr->host : "*", net_listener_port(svc->listeners[i]),
		 l->proxy_protocol ? "yes" : "no");
	return 0;
}

/* service_signals - SIGINT/SIGTERM leave the loop; SIGPIPE is ignored (writes fail with
 * EPIPE instead); -1 with *error_r */
static int service_signals(struct service *svc, const char **error_r)
{
	svc->sigint = evsignal_new(svc->base, SIGINT, service_on_signal, svc);
	svc->sigterm = evsignal_new(svc->base, SIGTERM, service_on_signal, svc);
	if (svc->sigint == NULL || svc->sigterm == NULL ||
	    event_add(svc->sigint, NULL) < 0 || event_add(svc->sigterm, NULL) < 0) {
		*error_r = "signal handlers";
		return -1;
	}
	signal(SIGPIPE, SIG_IGN);
	return 0;
}

/* service_admin - metrics and /healthz on the admin address; -1 with *error_r */
static int service_admin(struct service *svc, const char **error_r)
{
	const struct service_settings *set = svc->set;

	if (set->admin_listen == NULL)
		return 0;
	if (set->health != NULL)
		metrics_set_health(set->health, set->arg);
	else if (svc->pool != NULL)
		metrics_set_health(service_pool_health, svc);
	return metrics_serve(svc->base, set->admin_listen, error_r) < 0 ? -1 : 0;
}

int service_start(struct service *svc, const struct service_settings *set,
		  const char **error_r)
{
	memset(svc, 0, sizeof(*svc));
	svc->set = set;
	service_instance(svc);
	if (set->n_listeners > SERVICE_LISTENERS_MAX) {
		*error_r = "too many listeners";
		return -1;
	}
	if ((svc->base = event_base_new()) == NULL) {
		*error_r = "libevent";
		return -1;
	}
	if (set->tls && (svc->tls_ctx = tls_server_ctx_new(error_r)) == NULL)
		return -1;
	if (set->store_threads > 0 &&
	    (svc->pool = store_pool_new(svc->base, config_db(), set->store_threads,
					error_r)) == NULL)
		return -1;
	if (set->bus && (svc->bus = bus_socket_new(set->bus_role, error_r)) == NULL)
		return -1;
	if (service_admin(svc, error_r) < 0)
		return -1;
	for (size_t i = 0; i < set->n_listeners; i++)
		if (service_listen(svc, i, error_r) < 0)
			return -1;
	return service_signals(svc, error_r);
}

void service_run(struct service *svc)
{
	if (svc->set->ready_detail != NULL)
		log_info("event=ready %s", svc->set->ready_detail);
	else
		log_info("event=ready");
	event_base_dispatch(svc->base);
}

/* service_drain - run the loop in short ticks while the service reports live
 * connections, for a bounded time */
static void service_drain(struct service *svc)
{
	struct timeval tick = { 0, SERVICE_DRAIN_TICK_US };

	if (svc->set->live == NULL || svc->base == NULL)
		return;
	for (int i = 0; i < SERVICE_DRAIN_TICKS && svc->set->live(svc->set->arg) > 0; i++) {
		event_base_loopexit(svc->base, &tick);
		event_base_dispatch(svc->base);
	}
}

/* service_stopping_health - /healthz while draining: a proxy in front stops sending */
static const char *service_stopping_health(void *arg)
{
	return "shutting down";
}

/* service_graceful - stop accepting, tell the service, and run the loop while its
 * connections still hold work, within the grace period */
static void service_graceful(struct service *svc)
{
	const struct service_settings *set = svc->set;
	struct timeval tick = { 0, SERVICE_DRAIN_TICK_US };
	struct timespec start, now;

	for (size_t i = 0; i < SERVICE_LISTENERS_MAX; i++)
		net_listener_stop_accepting(svc->listeners[i]);
	metrics_set_health(service_stopping_health, NULL);
	set->drain(set->arg);
	log_info("event=drain live=%u grace=%ld", set->live(set->arg), set->grace);
	clock_gettime(CLOCK_MONOTONIC, &start);
	while (set->live(set->arg) > 0 && svc->signals < 2) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		if ((now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000 >=
		    set->grace * 1000)
			break;
		event_base_loopexit(svc->base, &tick);
		event_base_dispatch(svc->base);
	}
	log_info("event=drained live=%u", set->live(set->arg));
}

void service_stop(struct service *svc)
{
	if (svc->set != NULL && svc->set->drain != NULL && svc->set->live != NULL &&
	    svc->base != NULL)
		service_graceful(svc);
	/* listeners first: closing them closes every connection, whose close callbacks
	 * queue their last pool jobs; jobs still queued after the drain complete (as
	 * unavailable) while the pool stops */
	for (size_t i = 0; i < SERVICE_LISTENERS_MAX; i++)
		net_listener_free(&svc->listeners[i]);
	service_drain(svc);
	store_pool_free(&svc->pool);
	metrics_stop();
	bus_socket_close(&svc->bus);
	bus_shutdown();
	tls_ctx_free(&svc->tls_ctx);
	if (svc->sigint != NULL)
		event_free(svc->sigint);
	if (svc->sigterm != NULL)
		event_free(svc->sigterm);
	svc->sigint = svc->sigterm = NULL;
	if (svc->base != NULL)
		event_base_free(svc->base);
	svc->base = NULL;
}

int service_listener_port(const struct service *svc, size_t i)
{
	if (i >= SERVICE_LISTENERS_MAX || svc->listeners[i] == NULL)
		return -1;
	return net_listener_port(svc->listeners[i]);
}
