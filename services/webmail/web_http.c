/* web_http - the evhttp server: routing, one store-pool job per API call, replies. */
#include "services/webmail/web_events.h"
#include "services/webmail/web_http.h"
#include "services/webmail/web_routes.h"
#include "services/webmail/web_server.h"
#include "services/webmail/web_session.h"
#include "services/webmail/web_throttle.h"

#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "bus/bus.h"
#include "log/log.h"
#include "metrics/metrics.h"
#include "store/pool.h"

/* A call in flight: the request it answers, or NULL once the client went away. */
struct web_job {
	struct web_server *srv;
	struct evhttp_request *req;
	const struct web_route *route;
	struct web_call call;
};

void web_http_headers(struct evhttp_request *req, const char *csp)
{
	struct evkeyvalq *h = evhttp_request_get_output_headers(req);

	evhttp_add_header(h, "Content-Security-Policy",
			  csp != NULL && csp[0] != '\0' ? csp : WEB_HTTP_CSP);
	evhttp_add_header(h, "X-Content-Type-Options", "nosniff");
	evhttp_add_header(h, "Referrer-Policy", "no-referrer");
	evhttp_add_header(h, "X-Frame-Options", "DENY");
}

void web_http_send(struct evhttp_request *req, int status, const char *content_type,
		   const void *body, size_t len)
{
	struct evbuffer *buf = evbuffer_new();

	if (buf == NULL)
		abort();
	evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type", content_type);
	if (len > 0)
		evbuffer_add(buf, body, len);
	evhttp_send_reply(req, status, NULL, buf);
	evbuffer_free(buf);
}

void web_http_error(struct evhttp_request *req, int status, const char *code,
		    const char *message)
{
	json_t *j = json_pack("{s:s, s:s}", "error", code, "message", message);
	char *s = json_dumps(j, JSON_COMPACT);

	web_http_headers(req, NULL);
	evhttp_add_header(evhttp_request_get_output_headers(req), "Cache-Control", "no-store");
	web_http_send(req, status, "application/json; charset=utf-8", s, strlen(s));
	free(s);
	json_decref(j);
}

/* method_name - the request's method as text; NULL for methods the API does not use */
static const char *method_name(struct evhttp_request *req)
{
	switch (evhttp_request_get_command(req)) {
	case EVHTTP_REQ_GET: return "GET";
	case EVHTTP_REQ_HEAD: return "HEAD";
	case EVHTTP_REQ_POST: return "POST";
	case EVHTTP_REQ_PUT: return "PUT";
	case EVHTTP_REQ_PATCH: return "PATCH";
	case EVHTTP_REQ_DELETE: return "DELETE";
	default: return NULL;
	}
}

/* job_work - on a store worker: the session (and admin) check, then the route's own work */
static int job_work(PGconn *conn, void *arg, const char **error_r)
{
	struct web_job *job = arg;
	struct web_call *call = &job->call;

	if (job->route->auth != WEB_AUTH_NONE) {
		int r = web_session_check(conn, call, error_r);

		if (r <= 0)
			return r;
	}
	/* after 401 and 403 csrf (docs/WEBMAIL-API.md, "Order of checks") */
	if (job->route->auth == WEB_AUTH_ADMIN && !web_session_is_admin(call->cfg, call->address)) {
		web_call_error(call, 403, "forbidden", "administrators only");
		return 0;
	}
	return job->route->fn(conn, call, error_r);
}

/* job_reply - send what the work put into the call */
static void job_reply(struct web_job *job)
{
	struct web_call *call = &job->call;
	struct evkeyvalq *h = evhttp_request_get_output_headers(job->req);
	char num[16];

	web_http_headers(job->req, call->csp);
	evhttp_add_header(h, "Cache-Control", "private, no-store");
	if (call->set_cookie[0] != '\0')
		evhttp_add_header(h, "Set-Cookie", call->set_cookie);
	if (call->disposition[0] != '\0')
		evhttp_add_header(h, "Content-Disposition", call->disposition);
	if (call->retry_after > 0) {
		snprintf(num, sizeof(num), "%d", call->retry_after);
		evhttp_add_header(h, "Retry-After", num);
	}
	if (call->out != NULL) {
		char *s = json_dumps(call->out, JSON_COMPACT);

		web_http_send(job->req, call->status, "application/json; charset=utf-8", s,
			      strlen(s));
		free(s);
	} else {
		web_http_send(job->req, call->status,
			      call->content_type[0] != '\0' ? call->content_type :
			      "application/octet-stream", call->body, call->body_len);
	}
}

/* job_free - release a finished job */
static void job_free(struct web_job *job)
{
	json_decref(job->call.in);
	free(job->call.raw);
	json_decref(job->call.out);
	free(job->call.body);
	free(job);
}

/* job_done - on the loop thread: answer unless the client left */
static void job_done(int ret, const char *error, void *arg)
{
	struct web_job *job = arg;

	if (job->req != NULL)
		evhttp_connection_set_closecb(evhttp_request_get_connection(job->req), NULL, NULL);
	if (ret == STORE_POOL_UNAVAILABLE) {
		web_call_error(&job->call, 503, "unavailable", "the mail store is unavailable");
	} else if (ret < 0) {
		log_error("event=api_error path=%s error=\"%s\"", job->call.path,
			  error != NULL ? error : "unknown");
		web_call_error(&job->call, 500, "internal", "internal error");
	}
	if (job->call.queued_job > 0 && job->srv->kick_push != NULL &&
	    bus_send_queue_kick(job->srv->kick_push, job->call.queued_job, "webmail") < 0)
		log_warn("event=kick_failed job=%lld", (long long)job->call.queued_job);
	if (job->call.status < 300)
		web_events_publish(job->srv->events, &job->call);
	if (job->call.login_failed)
		web_throttle_fail(job->call.client_ip, job->call.in);
	if (job->req != NULL && job->call.stream && job->call.status == 200)
		web_events_attach(job->srv->events, job->req, &job->call);
	else if (job->req != NULL)
		job_reply(job);
	job_free(job);
}

/* job_client_gone - the connection closed while the job ran: do not answer it. evhttp
 * detaches a request not yet answered and leaves it to us to free. */
static void job_client_gone(struct evhttp_connection *evcon, void *arg)
{
	struct web_job *job = arg;

	if (evhttp_request_get_connection(job->req) == NULL)
		evhttp_request_free(job->req);
	job->req = NULL;
}

/* read_json - parse the request body as JSON into call->in (none: NULL); -1 after
 * answering 400/413 */
static int read_json(struct evhttp_request *req, struct web_call *call)
{
	struct evbuffer *in = evhttp_request_get_input_buffer(req);
	size_t len = evbuffer_get_length(in);
	json_error_t jerr;

	if (len == 0)
		return 0;
	if (len > WEB_JSON_MAX) {
		web_http_error(req, 413, "too_large", "request body too large");
		return -1;
	}
	call->in = json_loadb((const char *)evbuffer_pullup(in, -1), len, JSON_REJECT_DUPLICATES,
			      &jerr);
	if (call->in == NULL || !json_is_object(call->in)) {
		web_http_error(req, 400, "bad_request", "body is not a JSON object");
		return -1;
	}
	return 0;
}

/* takes_raw_body - the routes whose body is not JSON: uploads (multipart/form-data) and
 * the vCard import (text/vcard) */
static bool takes_raw_body(const struct web_route *route)
{
	return route->fn == web_api_uploads_create || route->fn == web_api_contacts_import;
}

/* read_raw - copy a body that is not JSON and its Content-Type into the call (evhttp has
 * already bounded it by MERPATI_WEBMAIL_MAX_UPLOAD and some room for the form; the route
 * applies its own bound); -1 after answering 400 */
static int read_raw(struct evhttp_request *req, struct web_call *call)
{
	struct evbuffer *in = evhttp_request_get_input_buffer(req);
	const char *type = evhttp_find_header(evhttp_request_get_input_headers(req),
					      "Content-Type");

	if (type == NULL || strlen(type) >= sizeof(call->raw_type) ||
	    strpbrk(type, "\r\n") != NULL) {
		web_http_error(req, 400, "bad_request", "a Content-Type is required");
		return -1;
	}
	strcpy(call->raw_type, type);
	call->raw_len = evbuffer_get_length(in);
	if ((call->raw = malloc(call->raw_len + 1)) == NULL)
		abort();
	evbuffer_remove(in, call->raw, call->raw_len);
	return 0;
}

/* fill_call - copy what the work needs out of the request (the worker never touches it) */
static void fill_call(struct web_server *srv, struct evhttp_request *req, const char *method,
		      const struct evhttp_uri *uri, struct web_call *call)
{
	struct evkeyvalq *h = evhttp_request_get_input_headers(req);
	const char *q = evhttp_uri_get_query(uri), *v;
	char *host = NULL;
	ev_uint16_t port;

	call->cfg = srv->cfg;
	snprintf(call->method, sizeof(call->method), "%s", method);
	snprintf(call->path, sizeof(call->path), "%s", evhttp_uri_get_path(uri));
	snprintf(call->query, sizeof(call->query), "%s", q != NULL ? q : "");
	web_session_cookie(evhttp_find_header(h, "Cookie"), call->token);
	v = evhttp_find_header(h, "X-CSRF-Token");
	if (v != NULL && strlen(v) < sizeof(call->csrf))
		strcpy(call->csrf, v);
	v = evhttp_find_header(h, "X-Forwarded-Proto");
	call->https = srv->cfg->secure_cookies || (v != NULL && strcmp(v, "https") == 0);
	evhttp_connection_get_peer(evhttp_request_get_connection(req), &host, &port);
	snprintf(call->client_ip, sizeof(call->client_ip), "%s", host != NULL ? host : "");
	call->status = 200;
}

/* api_request - route an /api/ request and submit its job */
static void api_request(struct web_server *srv, struct evhttp_request *req, const char *method,
			const struct evhttp_uri *uri)
{
	struct web_job *job = calloc(1, sizeof(*job));
	int status = 404, retry;

	if (job == NULL)
		abort();
	job->srv = srv;
	job->req = req;
	job->route = web_routes_match(method, evhttp_uri_get_path(uri), &job->call, &status);
	if (job->route == NULL) {
		web_http_error(req, status, status == 404 ? "not_found" : "method_not_allowed",
			       status == 404 ? "no such endpoint" : "method not allowed here");
		free(job);
		return;
	}
	fill_call(srv, req, method, uri, &job->call);
	if ((takes_raw_body(job->route) ? read_raw(req, &job->call) :
	     read_json(req, &job->call)) < 0) {
		job_free(job);
		return;
	}
	if (job->route->fn == web_session_login &&
	    (retry = web_throttle_check(job->call.client_ip, job->call.in)) > 0) {
		web_call_error(&job->call, 429, "throttled", "too many failed logins");
		job->call.retry_after = retry;
		job_reply(job);
		job_free(job);
		return;
	}
	if (store_pool_submit(srv->pool, job_work, job_done, job) < 0) {
		web_http_error(req, 503, "unavailable", "too busy");
		job_free(job);
		return;
	}
	evhttp_connection_set_closecb(evhttp_request_get_connection(req), job_client_gone, job);
}

/* on_request - every request: /api/ to the API, the rest to the static files */
static void on_request(struct evhttp_request *req, void *arg)
{
	struct web_server *srv = arg;
	const char *method = method_name(req);
	const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
	const char *path = uri != NULL ? evhttp_uri_get_path(uri) : NULL;

	if (method == NULL || path == NULL || path[0] != '/') {
		web_http_error(req, 405, "method_not_allowed", "method not allowed");
		return;
	}
	if (strncmp(path, "/api/", 5) == 0) {
		api_request(srv, req, method, uri);
		return;
	}
	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) {
		web_http_error(req, 405, "method_not_allowed", "method not allowed");
		return;
	}
	web_static_serve(req, srv->cfg, path);
}

int web_server_start(struct web_server *srv, struct event_base *base,
		     const struct web_config *cfg, const char **error_r)
{
	struct evhttp_bound_socket *sock;
	const char *host = cfg->listen.host[0] != '\0' ? cfg->listen.host : "::";

	memset(srv, 0, sizeof(*srv));
	srv->base = base;
	srv->cfg = cfg;
	if ((srv->pool = store_pool_new(base, config_db(), cfg->pool_threads, error_r)) == NULL)
		return -1;
	/* a lost kick only delays delivery: mda also polls the queue (DESIGN.md rule 4) */
	if ((srv->kick_push = bus_socket_new(BUS_QUEUE_KICK_PUSH, error_r)) == NULL)
		return -1;
	if ((srv->events = web_events_new(base, error_r)) == NULL)
		return -1;
	if ((srv->http = evhttp_new(base)) == NULL) {
		*error_r = "evhttp_new failed";
		return -1;
	}
	evhttp_set_max_body_size(srv->http, (ev_ssize_t)cfg->max_upload + 65536);
	evhttp_set_max_headers_size(srv->http, 16384);
	evhttp_set_timeout(srv->http, 60);
	evhttp_set_allowed_methods(srv->http, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD | EVHTTP_REQ_POST |
				   EVHTTP_REQ_PUT | EVHTTP_REQ_PATCH | EVHTTP_REQ_DELETE);
	evhttp_set_gencb(srv->http, on_request, srv);
	sock = evhttp_bind_socket_with_handle(srv->http, host,
					      (ev_uint16_t)atoi(cfg->listen.port));
	if (sock == NULL && cfg->listen.host[0] == '\0')
		sock = evhttp_bind_socket_with_handle(srv->http, "0.0.0.0",
						      (ev_uint16_t)atoi(cfg->listen.port));
	if (sock == NULL) {
		*error_r = "cannot listen on MERPATI_WEBMAIL_LISTEN";
		return -1;
	}
	return 0;
}

void web_server_stop(struct web_server *srv)
{
	web_events_free(&srv->events);
	if (srv->http != NULL)
		evhttp_free(srv->http);
	srv->http = NULL;
	store_pool_free(&srv->pool);
	bus_socket_close(&srv->kick_push);
}
