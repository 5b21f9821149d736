/* web_events - live updates: MailboxEvents from the bus to Server-Sent Event streams
 * (GET /api/events, docs/WEBMAIL-API.md), and publishing the webmail's own changes. */
#ifndef MERPATI_WEBMAIL_WEB_EVENTS_H
#define MERPATI_WEBMAIL_WEB_EVENTS_H

#include "services/webmail/web_server.h"

#define WEB_EVENTS_STREAMS_MAX 10000 /* open streams per process */
#define WEB_EVENTS_PING 25           /* seconds between keep-alive comments */

/* web_events_new - the PUB and SUB sockets and the ping timer; NULL with *error_r */
struct web_events *web_events_new(struct event_base *base, const char **error_r);
/* web_events_attach - start the event stream on req for a call that passed the session
 * check (answers 503 itself when too many streams are open) */
void web_events_attach(struct web_events *ev, struct evhttp_request *req,
		       const struct web_call *call);
/* web_events_publish - a MailboxEvent for each change of the call (after its commit) */
void web_events_publish(struct web_events *ev, const struct web_call *call);
/* web_events_free - close every stream and the sockets; sets *ev = NULL */
void web_events_free(struct web_events **ev);

#endif
