/* web_http - response headers every answer carries, and the static file handler. */
#ifndef MERPATI_WEBMAIL_WEB_HTTP_H
#define MERPATI_WEBMAIL_WEB_HTTP_H

#include <stddef.h>

struct evhttp_request;
struct web_config;

/* The page policy (docs/WEBMAIL-API.md, "Static files"). */
#define WEB_HTTP_CSP "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; " \
	"form-action 'self'"

/* web_http_headers - the strict headers: CSP (csp, or WEB_HTTP_CSP when NULL/""),
 * nosniff, no referrer */
void web_http_headers(struct evhttp_request *req, const char *csp);
/* web_http_send - send status with body of content_type (headers already added) */
void web_http_send(struct evhttp_request *req, int status, const char *content_type,
		   const void *body, size_t len);
/* web_http_error - a JSON error reply outside a call (routing, size limits) */
void web_http_error(struct evhttp_request *req, int status, const char *code,
		    const char *message);
/* web_static_serve - answer GET/HEAD of a file under cfg->static_dir */
void web_static_serve(struct evhttp_request *req, const struct web_config *cfg,
		      const char *path);
/* web_static_type - the Content-Type for a file name, by extension; NULL when not served */
const char *web_static_type(const char *name);

#endif
