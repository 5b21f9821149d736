/* imap_server - listeners, store pool, event bus, registries and metrics of merpati-imap */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bus/bus.h"
#include "log/log.h"
#include "metrics/metrics.h"
#include "services/imap/imap_conn.h"
#include "services/imap/imap_server.h"
#include "tls/tls.h"

/* server_bucket - hash of an id into the registries */
static size_t server_bucket(int64_t id)
{
	return (size_t)((uint64_t)id * 0x9E3779B97F4A7C15ull >> 52) % IMAP_SERVER_BUCKETS;
}

/* imap_server_watch - move ic to the watcher list of mailbox_id (0: none) */
void imap_server_watch(struct imap_server *srv, struct imap_conn *ic, int64_t mailbox_id)
{
	if (ic->watch_mailbox != 0) {
		struct imap_conn **p = &srv->watchers[server_bucket(ic->watch_mailbox)];

		while (*p != NULL && *p != ic)
			p = &(*p)->watch_next;
		if (*p == ic)
			*p = ic->watch_next;
		ic->watch_next = NULL;
	}
	ic->watch_mailbox = mailbox_id;
	if (mailbox_id != 0) {
		struct imap_conn **head = &srv->watchers[server_bucket(mailbox_id)];

		ic->watch_next = *head;
		*head = ic;
	}
}

/* imap_server_user_add - count a session of account_id, up to max */
bool imap_server_user_add(struct imap_server *srv, int64_t account_id, unsigned max)
{
	struct imap_user_count **head = &srv->users[server_bucket(account_id)], *u;

	for (u = *head; u != NULL && u->account_id != account_id; u = u->next)
		;
	if (u == NULL) {
		if ((u = calloc(1, sizeof(*u))) == NULL)
			abort();
		u->account_id = account_id;
		u->next = *head;
		*head = u;
	}
	if (u->n >= max)
		return false;
	u->n++;
	return true;
}

/* imap_server_user_remove - one fewer; the entry goes with the last session */
void imap_server_user_remove(struct imap_server *srv, int64_t account_id)
{
	struct imap_user_count **p = &srv->users[server_bucket(account_id)], *u;

	while (*p != NULL && (*p)->account_id != account_id)
		p = &(*p)->next;
	if ((u = *p) == NULL)
		return;
	if (--u->n == 0) {
		*p = u->next;
		free(u);
	}
}

/* imap_server_publish - a MailboxEvent; a dropped one is only a hint lost */
void imap_server_publish(struct imap_server *srv, int64_t owner_id, int64_t mailbox_id,
			 uint32_t uidvalidity, uint64_t modseq, int kind, const uint32_t *uids,
			 size_t n)
{
	Merpati__MailboxEvent ev = MERPATI__MAILBOX_EVENT__INIT;

	ev.account_id = owner_id;
	ev.mailbox_id = mailbox_id;
	ev.uidvalidity = uidvalidity;
	ev.highest_modseq = modseq;
	ev.kind = (Merpati__MailboxEventKind)kind;
	ev.n_uids = n <= BUS_UIDS_MAX ? n : 0;
	ev.uids = (uint32_t *)uids;
	ev.origin = srv->instance;
	if (srv->events_pub == NULL || bus_publish_mailbox_event(srv->events_pub, &ev) < 0)
		log_warn("event=bus_dropped kind=%d mailbox=%lld", kind, (long long)mailbox_id);
}

/* server_on_event - one MailboxEvent: wake the sessions watching its mailbox */
static void server_on_event(void *sock, void *arg)
{
	struct imap_server *srv = arg;
	Merpati__MailboxEvent *ev = bus_recv_mailbox_event(sock);

	if (ev == NULL)
		return;
	for (struct imap_conn *ic = srv->watchers[server_bucket(ev->mailbox_id)]; ic != NULL;
	     ic = ic->watch_next)
		if (ic->watch_mailbox == ev->mailbox_id)
			imap_conn_event(ic);
	bus_message_free(ev);
}

/* server_health - /healthz: unhealthy while no store worker holds a connection */
static const char *server_health(void *arg)
{
	struct imap_server *srv = arg;

	if (srv->draining)
		return "shutting down"; /* the front proxy stops sending clients here */
	return store_pool_connected(srv->pool) > 0 ? NULL : "no database connection";
}

/* server_listen - one listener; NULL + *error_r on failure */
static struct net_listener *server_listen(struct imap_server *srv,
					  const struct config_listen *addr,
					  struct imap_listener_ctx *lc, bool implicit_tls,
					  const char **error_r)
{
	const struct imap_config *cfg = srv->cfg;
	struct net_listener_opts o = {
		.accept_cb = imap_conn_accept, .arg = lc, .tls_ctx = srv->tls_ctx,
		.implicit_tls = implicit_tls, .proxy_protocol = cfg->proxy_protocol,
		.max_conns = cfg->max_conns, .max_per_ip = cfg->max_per_ip,
		/* the session's autologout answers idleness with BYE (RFC 3501 5.4); this is
		 * the backstop for a client that stops reading */
		.write_timeout = (int)cfg->idle_timeout,
		.max_input = (size_t)cfg->session.limits.max_command + 65536,
	};

	lc->srv = srv;
	lc->implicit_tls = implicit_tls;
	return net_listener_new(srv->base, addr, &o, error_r);
}

/* server_drain_tick - leave the loop once every connection is gone or the grace is over */
static void server_drain_tick(evutil_socket_t fd, short what, void *arg)
{
	struct imap_server *srv = arg;
	struct timeval now, spent;

	(void)fd, (void)what;
	evutil_gettimeofday(&now, NULL);
	evutil_timersub(&now, &srv->drain_start, &spent);
	if (srv->live_conns > 0 && spent.tv_sec < srv->cfg->shutdown_grace)
		return;
	log_info("event=drained live=%u", srv->live_conns);
	event_base_loopexit(srv->base, NULL);
}

/* server_drain_begin - the graceful stop: no new connections (the kernel's backlog is
 * taken and closed, so the front proxy tries another replica), BYE to every session at
 * its next command boundary, and at most MERPATI_SHUTDOWN_GRACE for commands under way */
static void server_drain_begin(struct imap_server *srv)
{
	struct timeval tick = { 0, 50000 };
	struct imap_conn *ic, *next;

	srv->draining = true;
	net_listener_stop_accepting(srv->plain);
	net_listener_stop_accepting(srv->tls);
	for (ic = srv->conns; ic != NULL; ic = next) {
		next = ic->next;
		imap_session_drain(ic);
	}
	log_info("event=drain live=%u grace=%ld", srv->live_conns, srv->cfg->shutdown_grace);
	evutil_gettimeofday(&srv->drain_start, NULL);
	srv->drain_tick = event_new(srv->base, -1, EV_PERSIST, server_drain_tick, srv);
	if (srv->drain_tick == NULL || event_add(srv->drain_tick, &tick) < 0)
		event_base_loopexit(srv->base, NULL);
}

/* server_signal - SIGINT/SIGTERM: a graceful stop; a second signal cuts it short */
static void server_signal(evutil_socket_t sig, short what, void *arg)
{
	struct imap_server *srv = arg;

	(void)what;
	srv->signals++;
	log_info("event=shutdown signal=%d%s", (int)sig, srv->signals > 1 ? " grace=cut" : "");
	if (srv->signals > 1)
		event_base_loopexit(srv->base, NULL);
	else
		server_drain_begin(srv);
}

/* server_bus - the publisher and the subscriber to every mailbox event */
static int server_bus(struct imap_server *srv, const char **error_r)
{
	if ((srv->events_pub = bus_socket_new(BUS_EVENTS_PUB, error_r)) == NULL)
		return -1;
	if ((srv->events_sub = bus_socket_new(BUS_EVENTS_SUB, error_r)) == NULL)
		return -1;
	if (bus_subscribe_all(srv->events_sub) < 0) {
		*error_r = "cannot subscribe to mailbox events";
		return -1;
	}
	srv->events_watch = bus_watch_new(srv->base, srv->events_sub, server_on_event, srv);
	return srv->events_watch != NULL ? 0 : -1;
}

/* imap_server_start - see imap_server.h */
int imap_server_start(struct imap_server *srv, struct event_base *base,
		      const struct imap_config *cfg, const char **error_r)
{
	memset(srv, 0, sizeof(*srv));
	srv->base = base;
	srv->cfg = cfg;
	snprintf(srv->instance, sizeof(srv->instance), "imap:%.64s:%ld", config_hostname(),
		 (long)getpid());
	if ((srv->tls_ctx = tls_server_ctx_new(error_r)) == NULL)
		return -1;
	srv->pool = store_pool_new(base, config_db(), cfg->store_threads, error_r);
	if (srv->pool == NULL || server_bus(srv, error_r) < 0)
		return -1;
	metrics_set_health(server_health, srv);
	if (metrics_serve(base, ":9106", error_r) < 0)
		return -1;
	if (cfg->listen_plain &&
	    (srv->plain = server_listen(srv, &cfg->plain, &srv->plain_ctx, false, error_r)) == NULL)
		return -1;
	if (cfg->listen_tls &&
	    (srv->tls = server_listen(srv, &cfg->tls, &srv->tls_ctx_arg, true, error_r)) == NULL)
		return -1;
	srv->sigint = evsignal_new(base, SIGINT, server_signal, srv);
	srv->sigterm = evsignal_new(base, SIGTERM, server_signal, srv);
	if (srv->sigint == NULL || srv->sigterm == NULL)
		abort();
	event_add(srv->sigint, NULL);
	event_add(srv->sigterm, NULL);
	signal(SIGPIPE, SIG_IGN);
	return 0;
}

/* server_drain - let jobs of closed connections finish, at most 5 seconds */
static void server_drain(struct imap_server *srv)
{
	struct timeval tick = { 0, 20000 };

	for (int i = 0; i < 250 && srv->live_conns > 0; i++) {
		event_base_loopexit(srv->base, &tick);
		event_base_dispatch(srv->base);
	}
}

/* imap_server_stop - see imap_server.h */
void imap_server_stop(struct imap_server *srv)
{
	net_listener_free(&srv->plain);
	net_listener_free(&srv->tls);
	server_drain(srv);
	store_pool_free(&srv->pool);
	metrics_stop();
	bus_watch_free(&srv->events_watch);
	bus_socket_close(&srv->events_sub);
	bus_socket_close(&srv->events_pub);
	bus_shutdown();
	tls_ctx_free(&srv->tls_ctx);
	if (srv->sigint != NULL)
		event_free(srv->sigint);
	if (srv->sigterm != NULL)
		event_free(srv->sigterm);
	if (srv->drain_tick != NULL)
		event_free(srv->drain_tick);
}
