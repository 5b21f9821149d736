/* smtp_server - merpati-smtp-in's process: the three listeners, the store pool, the
 * QueueKick PUSH socket, the failed-AUTH table and metrics, on the service skeleton. */
#ifndef MERPATI_SMTP_SERVER_H
#define MERPATI_SMTP_SERVER_H

#include <openssl/ssl.h>

#include "net/net.h"
#include "service/service.h"
#include "smtp_config.h"
#include "store/pool.h"

struct smtp_server;
struct smtp_conn;

struct smtp_listener_ctx {
	struct smtp_server *srv;
	enum smtp_listener kind;
};

struct smtp_server {
	struct service svc;              /* base, TLS context, pool, QueueKick socket */
	const struct smtp_config *cfg;
	/* views into svc for the connections */
	SSL_CTX *tls_ctx;
	struct store_pool *pool;
	void *kick_push;                 /* PUSH QueueKick to MERPATI_MDA_ENDPOINT */
	struct service_listener slisteners[SMTP_LISTENER_COUNT];
	struct service_settings settings;
	struct smtp_listener_ctx lctx[SMTP_LISTENER_COUNT];
	struct smtp_conn *conns;         /* every connection still allocated (smtp_conn.c) */
	unsigned nconns;
	bool draining;                   /* SIGTERM: a graceful stop is under way */
};

enum smtp_metric {
	SMTP_METRIC_CONNECTIONS,     /* gauge */
	SMTP_METRIC_ACCEPTED,        /* messages committed */
	SMTP_METRIC_ACCEPTED_BYTES,
	SMTP_METRIC_STORE_FAILED,    /* 451 after a failed insert */
	SMTP_METRIC_RCPT_REFUSED,
	SMTP_METRIC_AUTH_OK,
	SMTP_METRIC_AUTH_FAILED,
	SMTP_METRIC_COUNT
};

/* smtp_server_count - add n to a metric (n may be negative for the gauge) */
void smtp_server_count(enum smtp_metric m, int64_t n);

/* smtp_server_start - everything up and listening; -1 with *error_r (call
 * smtp_server_stop anyway) */
int smtp_server_start(struct smtp_server *srv, const struct smtp_config *cfg,
		      const char **error_r);
/* smtp_server_stop - close listeners (and their connections), the pool and the socket */
void smtp_server_stop(struct smtp_server *srv);

#endif
