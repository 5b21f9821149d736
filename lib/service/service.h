/* service - the shared skeleton of every Merpati daemon (DESIGN.md section 5).
 *
 * A service's main.c fills in a table of settings and callbacks; the skeleton does the
 * start-up and shutdown every daemon repeats: instance name, TLS server context, store
 * pool, one bus socket, metrics with /healthz on the admin address, plain and
 * implicit-TLS listeners, SIGINT/SIGTERM, SIGPIPE, a bounded drain, and freeing it all in
 * order.
 *
 *   static const struct service_listener ls[] = {
 *       { .name = "pop3", .addr = &cfg.plain, .enabled = true, .accept_cb = on_accept },
 *   };
 *   struct service_settings set = { .name = "pop3", .admin_listen = ":9105",
 *       .store_threads = 4, .tls = true, .bus_role = BUS_EVENTS_PUB, .bus = true,
 *       .listeners = ls, .n_listeners = 1, .live = count_live, .arg = &srv };
 *   if (service_start(&svc, &set, &error) < 0) ...
 *   service_run(&svc);
 *   service_stop(&svc);
 */
#ifndef MERPATI_SERVICE_H
#define MERPATI_SERVICE_H

#include <stdbool.h>
#include <stddef.h>

#include <event2/event.h>
#include <openssl/ssl.h>

#include "bus/bus.h"
#include "config/config.h"
#include "net/net.h"
#include "store/pool.h"

#define SERVICE_LISTENERS_MAX 8

struct service;

/* One listening address and the limits of its connections. */
struct service_listener {
	const char *name;                   /* in the event=listen log line */
	const struct config_listen *addr;
	bool enabled;                       /* false: skipped */
	bool implicit_tls;                  /* TLS from the first byte (465, 993, 995) */
	bool proxy_protocol;
	unsigned max_conns, max_per_ip;     /* 0: unlimited */
	int write_timeout;                  /* seconds, 0: none */
	net_accept_cb accept_cb;
	void *arg;
};

/* The table a service fills in. Pointers must outlive the service. */
struct service_settings {
	const char *name;                   /* short name, e.g. "pop3" */
	const char *instance_tag;           /* NULL: instance "host:pid", else "tag:host:pid" */
	const char *admin_listen;           /* default admin address; NULL: no admin server */
	const char *ready_detail;           /* logfmt fields after event=ready, or NULL */
	unsigned store_threads;             /* 0: no store pool */
	bool tls;                           /* build a TLS server context */
	bool bus;                           /* open one bus socket in bus_role */
	enum bus_role bus_role;
	const struct service_listener *listeners;
	size_t n_listeners;                 /* at most SERVICE_LISTENERS_MAX */
	/* health - /healthz: NULL when healthy, else why not; NULL callback: the store
	 * pool's connection (when there is a pool) */
	const char *(*health)(void *arg);
	/* live - how many connections still hold work at shutdown; NULL: no drain */
	unsigned (*live)(void *arg);
	/* drain - a graceful stop begins (needs live): the listeners no longer accept; say
	 * goodbye to idle sessions and let the others finish their work, which may take
	 * `grace` seconds. NULL: every connection is closed at once. */
	void (*drain)(void *arg);
	long grace;
	void *arg;                          /* passed to health and live */
};

struct service {
	const struct service_settings *set;
	struct event_base *base;
	char instance[96];                  /* "host:pid", the prefix of lock owners */
	SSL_CTX *tls_ctx;
	struct store_pool *pool;
	void *bus;                          /* the socket in set->bus_role, or NULL */
	struct net_listener *listeners[SERVICE_LISTENERS_MAX];
	struct event *sigint, *sigterm;
	unsigned signals;                   /* SIGINT/SIGTERM seen; a second one cuts the grace */
};

/* service_start - the event base, TLS context, pool, bus socket, admin server, listeners
 * and signal handlers, in that order; -1 with *error_r (call service_stop anyway) */
int service_start(struct service *svc, const struct service_settings *set,
		  const char **error_r);
/* service_run - log event=ready and run the loop until SIGINT/SIGTERM */
void service_run(struct service *svc);
/* service_stop - with a drain callback, first a graceful stop: stop accepting, /healthz
 * answers 503, drain(), and the loop runs while live() > 0, for at most grace seconds or
 * until a second signal. Then close listeners (and their connections), drain pool jobs
 * for at most 5 seconds, and free the pool, admin server, bus socket, TLS context,
 * signals and event base */
void service_stop(struct service *svc);
/* service_listener_port - the bound port of listener i, or -1 when it is not open */
int service_listener_port(const struct service *svc, size_t i);

#endif
