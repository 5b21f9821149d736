/* web_server - the webmail's HTTP server (docs/WEBMAIL-API.md): evhttp on the loop thread,
 * every API call run as one job on the store pool, static files from a directory. */
#ifndef MERPATI_WEBMAIL_WEB_SERVER_H
#define MERPATI_WEBMAIL_WEB_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <libpq-fe.h>

#include "config/config.h"
#include "store/address.h"

struct event_base;
struct evhttp;
struct evhttp_request;
struct store_pool;
struct web_events;

#define WEB_TOKEN_SIZE 44      /* base64url of 32 bytes and a NUL */
#define WEB_PATH_IDS_MAX 3     /* numeric path segments a route may capture */
#define WEB_JSON_MAX (1u << 20) /* bytes of a JSON request body */
#define WEB_ADMINS_MAX 4096    /* bytes of MERPATI_WEBMAIL_ADMINS */
#define WEB_CHANGES_MAX 4      /* mailboxes one call changes */
#define WEB_WATCH_MAX 64       /* shared mailboxes one event stream follows */

struct web_config {
	struct config_listen listen;
	char static_dir[4096];
	size_t max_upload;
	bool secure_cookies;
	long session_ttl;  /* seconds */
	char admins[WEB_ADMINS_MAX];
	unsigned pool_threads;
};

/* web_config_load - read the MERPATI_WEBMAIL_* settings (exit 2 on a bad value) */
void web_config_load(struct web_config *cfg);

/* One API call: filled on the loop thread, worked on by a store worker, answered on the
 * loop thread. The worker writes only into this struct. */
struct web_call {
	/* request */
	const struct web_config *cfg;
	char method[8];
	char path[1024];
	char query[2048];
	int64_t ids[WEB_PATH_IDS_MAX]; /* numeric path segments, in order */
	json_t *in;                    /* parsed JSON body, or NULL */
	char *raw;                     /* malloc'd body of an upload (not JSON), or NULL */
	size_t raw_len;
	char raw_type[256];            /* its Content-Type */
	char token[WEB_TOKEN_SIZE];    /* session cookie, "" when none */
	char csrf[WEB_TOKEN_SIZE];     /* X-CSRF-Token, "" when none */
	char client_ip[64];
	bool https;                    /* cookie gets Secure */
	/* session (set by web_session_check) */
	int64_t account_id;
	char address[STORE_ADDRESS_SIZE];
	/* response */
	int status;
	json_t *out;                   /* JSON body, or NULL when body is set */
	char *body;                    /* malloc'd non-JSON body */
	size_t body_len;
	char content_type[128];
	char disposition[512];
	char csp[256];                 /* overrides the default Content-Security-Policy */
	char set_cookie[256];
	int retry_after;               /* seconds, for 429 */
	bool login_failed;             /* for the throttle, read on the loop thread */
	int64_t queued_job;            /* a queue_in job to kick mda for (loop thread) */
	struct web_change {            /* committed changes, published as MailboxEvents */
		int64_t account_id, mailbox_id;
		int kind;              /* MERPATI__MAILBOX_EVENT_KIND__* */
	} changes[WEB_CHANGES_MAX];
	size_t nchanges;
	bool stream;                   /* GET /api/events accepted: keep the reply open */
	int64_t watch[WEB_WATCH_MAX];  /* shared mailboxes the event stream also follows */
	size_t nwatch;
};

/* web_route_fn - the work of one route on a store worker; sets call->status and
 * call->out/body. Returns 0, or -1 with *error_r for a store failure (answered 500/503). */
typedef int web_route_fn(PGconn *conn, struct web_call *call, const char **error_r);

/* web_call_error - set an error reply {"error":code,"message":message} */
void web_call_error(struct web_call *call, int status, const char *code, const char *message);
/* web_call_json - set a JSON reply (takes the reference to body) */
void web_call_json(struct web_call *call, int status, json_t *body);
/* web_call_changed - record a committed change of a mailbox for a MailboxEvent */
void web_call_changed(struct web_call *call, int64_t account_id, int64_t mailbox_id, int kind);
/* web_call_query - the value of a query parameter into buf (decoded); false when absent */
bool web_call_query(const struct web_call *call, const char *name, char *buf, size_t size);

struct web_server {
	struct event_base *base;
	struct evhttp *http;
	struct store_pool *pool;
	void *kick_push;  /* PUSH to mda's QueueKick PULL (MERPATI_MDA_ENDPOINT) */
	struct web_events *events;
	const struct web_config *cfg;
	int port;  /* bound port */
};

/* web_server_start - bind the listener and start the store pool; -1 with *error_r */
int web_server_start(struct web_server *srv, struct event_base *base,
		     const struct web_config *cfg, const char **error_r);
/* web_server_stop - free the listener and the pool */
void web_server_stop(struct web_server *srv);

#endif
