/* forwarder.c - move whole multi-frame messages between the bus's XSUB and XPUB sockets */
#include "forwarder.h"
#include "bus/bus.h"
#include "log/log.h"
#include "metrics/metrics.h"

#include <errno.h>
#include <stdlib.h>

#include <zmq.h>

#define FORWARDER_FRAMES_MAX 8   /* a message with more frames is dropped whole */

struct forwarder {
	void *xsub;
	void *xpub;
	struct bus_watch *xsub_watch;
	struct bus_watch *xpub_watch;
	struct metrics_counter *events;
	struct metrics_counter *subscriptions;
	struct metrics_counter *dropped;
};

/* recv_message - every frame of one waiting message; the number of frames, 0 when none,
 * -1 when it had more than FORWARDER_FRAMES_MAX (it is consumed and released) */
static int recv_message(void *sock, zmq_msg_t *frames)
{
	int n = 0, more = 1;
	bool overflow = false;

	while (more) {
		zmq_msg_t m;
		zmq_msg_init(&m);
		if (zmq_msg_recv(&m, sock, ZMQ_DONTWAIT) < 0) {
			zmq_msg_close(&m);
			break;
		}
		more = zmq_msg_more(&m);
		if (n < FORWARDER_FRAMES_MAX)
			frames[n++] = m;
		else {
			zmq_msg_close(&m);
			overflow = true;
		}
	}
	if (overflow) {
		for (int i = 0; i < n; i++)
			zmq_msg_close(&frames[i]);
		return -1;
	}
	return n;
}

/* send_message - send the frames as one message without blocking; frames are released */
static int send_message(void *sock, zmq_msg_t *frames, int n)
{
	int rc = 0;

	for (int i = 0; i < n; i++) {
		int flags = ZMQ_DONTWAIT | (i + 1 < n ? ZMQ_SNDMORE : 0);
		if (rc == 0 && zmq_msg_send(&frames[i], sock, flags) < 0)
			rc = -1;
		zmq_msg_close(&frames[i]); /* after a successful send this is a no-op */
	}
	return rc;
}

/* forward - one message from src to dst, counted */
static void forward(struct forwarder *f, void *src, void *dst, struct bus_watch *dst_watch,
		    struct metrics_counter *counter)
{
	zmq_msg_t frames[FORWARDER_FRAMES_MAX];
	int n = recv_message(src, frames);

	if (n == 0)
		return;
	if (n < 0 || send_message(dst, frames, n) < 0) {
		metrics_counter_inc(f->dropped);
		return;
	}
	metrics_counter_inc(counter);
	/* Sending may have consumed the destination's ZMQ_FD edge: look at it again. */
	bus_watch_recheck(dst_watch);
}

/* on_event - a publisher's event arrived on XSUB */
static void on_event(void *sock, void *arg)
{
	struct forwarder *f = arg;

	forward(f, f->xsub, f->xpub, f->xpub_watch, f->events);
}

/* on_subscription - a subscriber (un)subscribed on XPUB */
static void on_subscription(void *sock, void *arg)
{
	struct forwarder *f = arg;

	forward(f, f->xpub, f->xsub, f->xsub_watch, f->subscriptions);
}

struct forwarder *forwarder_new(struct event_base *base, const char **error_r)
{
	struct forwarder *f = calloc(1, sizeof(*f));

	if (f == NULL)
		abort();
	f->events = metrics_counter("merpati_bus_forwarded_total{direction=\"events\"}",
				    "Messages forwarded by the bus");
	f->subscriptions = metrics_counter(
		"merpati_bus_forwarded_total{direction=\"subscriptions\"}",
		"Messages forwarded by the bus");
	f->dropped = metrics_counter("merpati_bus_forward_dropped_total",
				     "Messages the bus could not forward");
	f->xsub = bus_socket_new(BUS_EVENTS_XSUB, error_r);
	if (f->xsub != NULL)
		f->xpub = bus_socket_new(BUS_EVENTS_XPUB, error_r);
	if (f->xpub == NULL) {
		forwarder_free(&f);
		return NULL;
	}
	f->xsub_watch = bus_watch_new(base, f->xsub, on_event, f);
	f->xpub_watch = bus_watch_new(base, f->xpub, on_subscription, f);
	if (f->xsub_watch == NULL || f->xpub_watch == NULL) {
		*error_r = "cannot watch the bus sockets";
		forwarder_free(&f);
		return NULL;
	}
	return f;
}

void forwarder_free(struct forwarder **f)
{
	if (*f == NULL)
		return;
	bus_watch_free(&(*f)->xsub_watch);
	bus_watch_free(&(*f)->xpub_watch);
	bus_socket_close(&(*f)->xsub);
	bus_socket_close(&(*f)->xpub);
	free(*f);
	*f = NULL;
}
