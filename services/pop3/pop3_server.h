/* pop3_server - what every pop3 connection shares: configuration, the store pool, the
 * event publisher, metrics; started through the service skeleton by main.c. */
#ifndef MERPATI_POP3_SERVER_H
#define MERPATI_POP3_SERVER_H

#include <stdbool.h>
#include <stdint.h>

#include "net/net.h"
#include "service/service.h"
#include "services/pop3/pop3_config.h"
#include "store/maildrop.h"
#include "store/pool.h"

struct pop3_conn;

struct pop3_listener_ctx {
	struct pop3_server *srv;
	bool implicit_tls;
};

struct pop3_server {
	struct service svc;                 /* base, TLS context, pool, event publisher */
	const struct pop3_config *cfg;
	struct store_pool *pool;            /* svc.pool, for the connections' jobs */
	char *instance;                     /* svc.instance: "host:pid", prefix of lock owners */
	struct service_listener listeners[2];
	struct service_settings settings;
	struct pop3_listener_ctx plain_ctx, tls_ctx_arg;
	unsigned live_conns;                /* connection objects not yet freed */
	struct pop3_conn *conns;            /* those of them still open or finishing, a list */
	bool draining;                      /* SIGTERM came: logged-in sessions may finish */
};

/* pop3_server_start - the service skeleton with pop3's table; -1 with *error_r
 * (call pop3_server_stop anyway) */
int pop3_server_start(struct pop3_server *srv, const struct pop3_config *cfg,
		      const char **error_r);
/* pop3_server_stop - close listeners and connections, drain, free everything */
void pop3_server_stop(struct pop3_server *srv);

/* What the UPDATE state tells IMAP sessions about. */
enum pop3_event { POP3_EVENT_EXPUNGE, POP3_EVENT_SEEN };

/* pop3_server_publish - a MailboxEvent (via the bus) for what the UPDATE state changed:
 * the messages marked deleted, or those retrieved and kept; a hint only (DESIGN.md rule 4) */
void pop3_server_publish(struct pop3_server *srv, const struct maildrop *md,
			 enum pop3_event what, uint64_t modseq);

/* Metrics the connections update. */
enum pop3_metric {
	POP3_METRIC_CONNECTIONS,            /* gauge */
	POP3_METRIC_LOGIN_OK,
	POP3_METRIC_LOGIN_FAILED,
	POP3_METRIC_LOGIN_IN_USE,
	POP3_METRIC_LOGIN_TEMPFAIL,
	POP3_METRIC_LOGIN_PERMFAIL,
	POP3_METRIC_LOGIN_DELAY,
	POP3_METRIC_RETR_BYTES,
	POP3_METRIC_EXPUNGED,
	POP3_METRIC_COUNT,
};
void pop3_server_count(enum pop3_metric m, int64_t n);

#endif
