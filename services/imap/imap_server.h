/* imap_server - what every imap connection shares: configuration, TLS, the store pool,
 * the event bus (publisher and subscriber), the registry of who watches which mailbox and
 * how many sessions each account has, metrics. Built once by main.c. */
#ifndef MERPATI_IMAP_SERVER_H
#define MERPATI_IMAP_SERVER_H

#include <stdbool.h>
#include <stdint.h>

#include <event2/event.h>
#include <openssl/ssl.h>

#include "net/net.h"
#include "services/imap/imap_config.h"
#include "store/pool.h"

#define IMAP_SERVER_BUCKETS 4096

struct imap_conn;

struct imap_listener_ctx {
	struct imap_server *srv;
	bool implicit_tls;
};

/* How many sessions an account has (sessions per user). */
struct imap_user_count {
	struct imap_user_count *next;
	int64_t account_id;
	unsigned n;
};

struct imap_server {
	struct event_base *base;
	const struct imap_config *cfg;
	SSL_CTX *tls_ctx;
	struct store_pool *pool;
	void *events_pub, *events_sub;
	struct bus_watch *events_watch;
	struct net_listener *plain, *tls;
	struct imap_listener_ctx plain_ctx, tls_ctx_arg;
	char instance[96];
	struct event *sigint, *sigterm;
	unsigned signals;                  /* SIGINT/SIGTERM seen; a second one cuts the grace */
	bool draining;                     /* a graceful stop is under way */
	struct event *drain_tick;          /* watches the drain end */
	struct timeval drain_start;
	unsigned live_conns;
	struct imap_conn *conns;           /* every connection object not yet freed */
	struct imap_conn *watchers[IMAP_SERVER_BUCKETS];      /* by selected mailbox id */
	struct imap_user_count *users[IMAP_SERVER_BUCKETS];   /* by account id */
};

/* imap_server_start - TLS context, store pool, bus, listeners, admin port; -1 on error */
int imap_server_start(struct imap_server *srv, struct event_base *base,
		      const struct imap_config *cfg, const char **error_r);
/* imap_server_stop - close listeners and connections, stop the pool */
void imap_server_stop(struct imap_server *srv);

/* imap_server_watch - ic wants to hear of events on mailbox_id (0: none) */
void imap_server_watch(struct imap_server *srv, struct imap_conn *ic, int64_t mailbox_id);
/* imap_server_user_add - one more session for account_id; false (nothing counted) when
 * it already has max sessions */
bool imap_server_user_add(struct imap_server *srv, int64_t account_id, unsigned max);
/* imap_server_user_remove - one session of account_id ended */
void imap_server_user_remove(struct imap_server *srv, int64_t account_id);
/* imap_server_publish - a MailboxEvent on the bus */
void imap_server_publish(struct imap_server *srv, int64_t owner_id, int64_t mailbox_id,
			 uint32_t uidvalidity, uint64_t modseq, int kind, const uint32_t *uids,
			 size_t n);

#endif
