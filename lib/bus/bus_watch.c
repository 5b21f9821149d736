/* bus_watch.c - a ZeroMQ socket inside the libevent loop through ZMQ_FD.
 *
 * ZMQ_FD only signals that the socket's state may have changed, and only on an edge: the
 * pending messages must be drained while ZMQ_EVENTS says ZMQ_POLLIN, or the next
 * notification never comes (zguide chapter 2, "ZMQ_FD"). */
#include "bus/bus.h"
#include "log/log.h"

#include <errno.h>
#include <stdlib.h>

#include <zmq.h>

#define BUS_WATCH_BATCH 64   /* messages per wake before yielding to other events */

struct bus_watch {
	void *sock;
	struct event *ev;
	bus_readable_cb cb;
	void *arg;
};

/* readable - whether a whole message is waiting on sock */
static bool readable(void *sock)
{
	int events = 0;
	size_t len = sizeof(events);

	if (zmq_getsockopt(sock, ZMQ_EVENTS, &events, &len) != 0)
		return false;
	return (events & ZMQ_POLLIN) != 0;
}

/* on_wake - drain up to a batch, then come back through the loop if more is waiting */
static void on_wake(evutil_socket_t fd, short what, void *arg)
{
	struct bus_watch *w = arg;

	for (int i = 0; i < BUS_WATCH_BATCH; i++) {
		if (!readable(w->sock))
			return;
		w->cb(w->sock, w->arg);
	}
	if (readable(w->sock))
		event_active(w->ev, EV_READ, 0);
}

struct bus_watch *bus_watch_new(struct event_base *base, void *sock, bus_readable_cb cb,
				void *arg)
{
	struct bus_watch *w = calloc(1, sizeof(*w));
	evutil_socket_t fd;
	size_t len = sizeof(fd);

	if (w == NULL)
		abort();
	if (zmq_getsockopt(sock, ZMQ_FD, &fd, &len) != 0) {
		log_error("event=bus_watch_error reason=\"%s\"", zmq_strerror(errno));
		free(w);
		return NULL;
	}
	w->sock = sock;
	w->cb = cb;
	w->arg = arg;
	w->ev = event_new(base, fd, EV_READ | EV_PERSIST, on_wake, w);
	if (w->ev == NULL || event_add(w->ev, NULL) != 0)
		abort();
	/* Messages that arrived before the watch existed raised no edge we could see. */
	event_active(w->ev, EV_READ, 0);
	return w;
}

void bus_watch_recheck(struct bus_watch *w)
{
	event_active(w->ev, EV_READ, 0);
}

void bus_watch_free(struct bus_watch **w)
{
	if (*w == NULL)
		return;
	event_free((*w)->ev);
	free(*w);
	*w = NULL;
}
