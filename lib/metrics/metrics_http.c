/* metrics_http.c - the admin HTTP port: GET /metrics and GET /healthz over evhttp */
#include "metrics/metrics.h"
#include "config/config.h"
#include "log/log.h"

#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#define METRICS_HTTP_TIMEOUT 10        /* seconds per request */
#define METRICS_HTTP_HEADERS_MAX 8192  /* request headers */
#define METRICS_HTTP_BODY_MAX 0        /* GET only: no request body */

static struct evhttp *metrics_http;
static struct evhttp_bound_socket *metrics_http_socket;
static metrics_health_cb metrics_health;
static void *metrics_health_arg;

void metrics_set_health(metrics_health_cb cb, void *arg)
{
	metrics_health = cb;
	metrics_health_arg = arg;
}

/* reply_text - a text/plain response with the given status */
static void reply_text(struct evhttp_request *req, int code, const char *reason,
		       struct evbuffer *body, const char *content_type)
{
	evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type", content_type);
	evhttp_send_reply(req, code, reason, body);
}

/* serve_metrics - GET /metrics: the Prometheus text exposition format 0.0.4 */
static void serve_metrics(struct evhttp_request *req)
{
	struct evbuffer *body = evbuffer_new();

	metrics_render(body);
	reply_text(req, HTTP_OK, "OK", body, "text/plain; version=0.0.4; charset=utf-8");
	evbuffer_free(body);
}

/* serve_health - GET /healthz: 200 "ok" or 503 with the health callback's reason */
static void serve_health(struct evhttp_request *req)
{
	const char *problem = metrics_health != NULL ? metrics_health(metrics_health_arg) : NULL;
	struct evbuffer *body = evbuffer_new();

	if (problem == NULL) {
		evbuffer_add_printf(body, "ok\n");
		reply_text(req, HTTP_OK, "OK", body, "text/plain; charset=utf-8");
	} else {
		evbuffer_add_printf(body, "%s\n", problem);
		reply_text(req, 503, "Service Unavailable", body, "text/plain; charset=utf-8");
	}
	evbuffer_free(body);
}

/* route - dispatch by path; anything else is 404 */
static void route(struct evhttp_request *req, void *arg)
{
	const char *path = evhttp_uri_get_path(evhttp_request_get_evhttp_uri(req));

	if (path != NULL && strcmp(path, "/metrics") == 0)
		serve_metrics(req);
	else if (path != NULL && strcmp(path, "/healthz") == 0)
		serve_health(req);
	else
		evhttp_send_error(req, HTTP_NOTFOUND, "Not Found");
}

int metrics_serve(struct event_base *base, const char *default_listen, const char **error_r)
{
	struct config_listen addr;
	long port;

	config_listen("MERPATI_ADMIN_LISTEN", default_listen, &addr);
	port = strtol(addr.port, NULL, 10);
	metrics_http = evhttp_new(base);
	if (metrics_http == NULL) {
		*error_r = "cannot create the admin HTTP server";
		return -1;
	}
	evhttp_set_allowed_methods(metrics_http, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD);
	evhttp_set_timeout(metrics_http, METRICS_HTTP_TIMEOUT);
	evhttp_set_max_headers_size(metrics_http, METRICS_HTTP_HEADERS_MAX);
	evhttp_set_max_body_size(metrics_http, METRICS_HTTP_BODY_MAX);
	evhttp_set_gencb(metrics_http, route, NULL);
	metrics_http_socket = evhttp_bind_socket_with_handle(metrics_http,
		addr.host[0] != '\0' ? addr.host : "0.0.0.0", (ev_uint16_t)port);
	if (metrics_http_socket == NULL) {
		evhttp_free(metrics_http);
		metrics_http = NULL;
		*error_r = "cannot bind the admin address (MERPATI_ADMIN_LISTEN)";
		return -1;
	}
	log_info("event=admin_listen port=%d", metrics_serve_port());
	return 0;
}

int metrics_serve_port(void)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	evutil_socket_t fd;

	if (metrics_http_socket == NULL)
		return -1;
	fd = evhttp_bound_socket_get_fd(metrics_http_socket);
	if (getsockname(fd, (struct sockaddr *)&ss, &len) != 0)
		return -1;
	if (ss.ss_family == AF_INET6)
		return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	return ntohs(((struct sockaddr_in *)&ss)->sin_port);
}

void metrics_stop(void)
{
	if (metrics_http != NULL)
		evhttp_free(metrics_http);
	metrics_http = NULL;
	metrics_http_socket = NULL;
}
