/* web_events - one SUB socket for every mailbox event, fanned out to the streams whose
 * account owns the mailbox or follows it as a shared one. */
#include "services/webmail/web_events.h"
#include "services/webmail/web_http.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>

#include "bus/bus.h"
#include "log/log.h"
#include "metrics/metrics.h"

struct stream {
	struct web_events *owner;
	struct evhttp_request *req;
	int64_t account_id;
	int64_t watch[WEB_WATCH_MAX];
	size_t nwatch;
	struct stream *prev, *next;
};

struct web_events {
	void *pub, *sub;
	struct bus_watch *watch;
	struct event *ping;
	struct stream *streams;
	size_t nstreams;
	struct metrics_gauge *open;
};

static const char *const kinds[] = {"unknown", "append", "expunge", "flags", "create",
				    "delete", "rename", "subscribe", "acl"};

/* stream_wants - the stream's account owns the mailbox or follows it */
static bool stream_wants(const struct stream *s, const Merpati__MailboxEvent *ev)
{
	if (s->account_id == ev->account_id)
		return true;
	for (size_t i = 0; i < s->nwatch; i++)
		if (s->watch[i] == ev->mailbox_id)
			return true;
	return false;
}

/* stream_send - one chunk of text to a stream */
static void stream_send(struct stream *s, const char *text, size_t len)
{
	struct evbuffer *b = evbuffer_new();

	if (b == NULL)
		abort();
	evbuffer_add(b, text, len);
	evhttp_send_reply_chunk(s->req, b);
	evbuffer_free(b);
}

/* on_event - one MailboxEvent from the bus, as an SSE "mailbox" event (HTML Living
 * Standard 9.2.6: "event:" and "data:" lines, a blank line ends it) */
static void on_event(void *sock, void *arg)
{
	struct web_events *ev = arg;
	Merpati__MailboxEvent *m = bus_recv_mailbox_event(sock);
	char text[256];
	int n;

	if (m == NULL)
		return;
	n = snprintf(text, sizeof(text),
		     "event: mailbox\ndata: {\"folder\":%lld,\"kind\":\"%s\",\"uidvalidity\":%u,"
		     "\"highestmodseq\":%llu}\n\n", (long long)m->mailbox_id,
		     (unsigned)m->kind < sizeof(kinds) / sizeof(kinds[0]) ? kinds[m->kind] :
		     "unknown", m->uidvalidity, (unsigned long long)m->highest_modseq);
	for (struct stream *s = ev->streams; s != NULL; s = s->next)
		if (stream_wants(s, m))
			stream_send(s, text, (size_t)n);
	bus_message_free(m);
}

/* on_ping - a comment line keeps proxies from closing idle streams */
static void on_ping(evutil_socket_t fd, short what, void *arg)
{
	struct web_events *ev = arg;

	for (struct stream *s = ev->streams; s != NULL; s = s->next)
		stream_send(s, ": ping\n\n", 8);
}

/* stream_unlink - take s out of the list and free it */
static void stream_unlink(struct stream *s)
{
	struct web_events *ev = s->owner;

	if (s->prev != NULL)
		s->prev->next = s->next;
	else
		ev->streams = s->next;
	if (s->next != NULL)
		s->next->prev = s->prev;
	ev->nstreams--;
	metrics_gauge_add(ev->open, -1);
	free(s);
}

/* on_close - the browser went away. evhttp detaches a request whose reply is still open
 * from the failed connection and leaves it to us to free. */
static void on_close(struct evhttp_connection *evcon, void *arg)
{
	struct stream *s = arg;

	if (evhttp_request_get_connection(s->req) == NULL)
		evhttp_request_free(s->req);
	stream_unlink(s);
}

struct web_events *web_events_new(struct event_base *base, const char **error_r)
{
	struct web_events *ev = calloc(1, sizeof(*ev));
	struct timeval tv = {WEB_EVENTS_PING, 0};

	if (ev == NULL)
		abort();
	ev->open = metrics_gauge("merpati_webmail_event_streams", "Open Server-Sent Event streams");
	if ((ev->pub = bus_socket_new(BUS_EVENTS_PUB, error_r)) == NULL ||
	    (ev->sub = bus_socket_new(BUS_EVENTS_SUB, error_r)) == NULL ||
	    bus_subscribe_all(ev->sub) < 0 ||
	    (ev->watch = bus_watch_new(base, ev->sub, on_event, ev)) == NULL ||
	    (ev->ping = event_new(base, -1, EV_PERSIST, on_ping, ev)) == NULL ||
	    event_add(ev->ping, &tv) < 0) {
		if (*error_r == NULL)
			*error_r = "cannot subscribe to mailbox events";
		web_events_free(&ev);
		return NULL;
	}
	return ev;
}

void web_events_attach(struct web_events *ev, struct evhttp_request *req,
		       const struct web_call *call)
{
	struct evkeyvalq *h = evhttp_request_get_output_headers(req);
	struct stream *s;

	if (ev->nstreams >= WEB_EVENTS_STREAMS_MAX) {
		web_http_error(req, 503, "unavailable", "too many event streams");
		return;
	}
	if ((s = calloc(1, sizeof(*s))) == NULL)
		abort();
	s->owner = ev;
	s->req = req;
	s->account_id = call->account_id;
	memcpy(s->watch, call->watch, call->nwatch * sizeof(call->watch[0]));
	s->nwatch = call->nwatch;
	s->next = ev->streams;
	if (ev->streams != NULL)
		ev->streams->prev = s;
	ev->streams = s;
	ev->nstreams++;
	metrics_gauge_add(ev->open, 1);
	web_http_headers(req, NULL);
	evhttp_add_header(h, "Content-Type", "text/event-stream; charset=utf-8");
	evhttp_add_header(h, "Cache-Control", "no-store");
	evhttp_send_reply_start(req, 200, "OK");
	evhttp_connection_set_closecb(evhttp_request_get_connection(req), on_close, s);
	stream_send(s, ": ready\n\n", 9);
}

void web_events_publish(struct web_events *ev, const struct web_call *call)
{
	for (size_t i = 0; i < call->nchanges; i++) {
		Merpati__MailboxEvent m = MERPATI__MAILBOX_EVENT__INIT;

		m.account_id = call->changes[i].account_id;
		m.mailbox_id = call->changes[i].mailbox_id;
		m.kind = call->changes[i].kind;
		m.origin = (char *)"webmail";
		if (bus_publish_mailbox_event(ev->pub, &m) < 0)
			log_warn("event=publish_dropped mailbox=%lld", (long long)m.mailbox_id);
	}
}

void web_events_free(struct web_events **evp)
{
	struct web_events *ev = *evp;

	if (ev == NULL)
		return;
	while (ev->streams != NULL) {
		struct stream *s = ev->streams;

		evhttp_connection_set_closecb(evhttp_request_get_connection(s->req), NULL, NULL);
		evhttp_send_reply_end(s->req);
		stream_unlink(s);
	}
	if (ev->ping != NULL)
		event_free(ev->ping);
	bus_watch_free(&ev->watch);
	bus_socket_close(&ev->sub);
	bus_socket_close(&ev->pub);
	free(ev);
	*evp = NULL;
}
