/* bus_msg.c - sending and receiving whole wire messages without blocking the loop */
#include "bus/bus.h"
#include "bus/bus_internal.h"
#include "log/log.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zmq.h>

#define BUS_PARTS_MAX 3   /* no wire message has more frames */
#define BUS_TOPIC_PREFIX "mailbox."

/* send_frames - send n frames as one message, never blocking; 0 or -1 (dropped) */
static int send_frames(void *sock, const void *const *data, const size_t *len, int n)
{
	for (int i = 0; i < n; i++) {
		int flags = ZMQ_DONTWAIT | (i + 1 < n ? ZMQ_SNDMORE : 0);
		if (zmq_send(sock, data[i], len[i], flags) < 0) {
			/* Only the first frame can fail with EAGAIN: ZeroMQ queues the rest of
			 * a message atomically once its first frame is accepted. */
			bus_count_dropped();
			return -1;
		}
	}
	return 0;
}

/* send_packed - pack msg and send it after the given leading frames */
static int send_packed(void *sock, const void *const *lead, const size_t *lead_len,
		       int n_lead, const ProtobufCMessage *msg)
{
	const void *data[BUS_PARTS_MAX];
	size_t len[BUS_PARTS_MAX], plen;
	uint8_t *buf = bus_pack(msg, &plen);
	int rc;

	if (buf == NULL) {
		log_warn("event=bus_send_error reason=\"message over BUS_MSG_MAX\"");
		bus_count_dropped();
		return -1;
	}
	for (int i = 0; i < n_lead; i++) {
		data[i] = lead[i];
		len[i] = lead_len[i];
	}
	data[n_lead] = buf;
	len[n_lead] = plen;
	rc = send_frames(sock, data, len, n_lead + 1);
	free(buf);
	return rc;
}

int bus_send(void *sock, const ProtobufCMessage *msg)
{
	return send_packed(sock, NULL, NULL, 0, msg);
}

int bus_send_queue_kick(void *push, int64_t job_id, const char *origin)
{
	Merpati__QueueKick k = MERPATI__QUEUE_KICK__INIT;

	k.job_id = job_id;
	k.origin = (char *)origin;
	return bus_send(push, &k.base);
}

int bus_send_outbound_kick(void *push, int64_t job_id, const char *domain)
{
	Merpati__OutboundKick k = MERPATI__OUTBOUND_KICK__INIT;

	k.job_id = job_id;
	k.domain = (char *)(domain != NULL ? domain : "");
	return bus_send(push, &k.base);
}

const char *bus_mailbox_topic(int64_t account_id, char buf[BUS_TOPIC_MAX])
{
	snprintf(buf, BUS_TOPIC_MAX, BUS_TOPIC_PREFIX "%" PRId64 ".", account_id);
	return buf;
}

int bus_publish_mailbox_event(void *pub, const Merpati__MailboxEvent *ev)
{
	char topic[BUS_TOPIC_MAX];
	const void *lead[1] = { bus_mailbox_topic(ev->account_id, topic) };
	size_t lead_len[1] = { strlen(topic) };

	return send_packed(pub, lead, lead_len, 1, &ev->base);
}

int bus_subscribe_account(void *sub, int64_t account_id)
{
	char topic[BUS_TOPIC_MAX];

	bus_mailbox_topic(account_id, topic);
	return zmq_setsockopt(sub, ZMQ_SUBSCRIBE, topic, strlen(topic)) == 0 ? 0 : -1;
}

int bus_unsubscribe_account(void *sub, int64_t account_id)
{
	char topic[BUS_TOPIC_MAX];

	bus_mailbox_topic(account_id, topic);
	return zmq_setsockopt(sub, ZMQ_UNSUBSCRIBE, topic, strlen(topic)) == 0 ? 0 : -1;
}

int bus_subscribe_all(void *sub)
{
	return zmq_setsockopt(sub, ZMQ_SUBSCRIBE, BUS_TOPIC_PREFIX,
			      strlen(BUS_TOPIC_PREFIX)) == 0 ? 0 : -1;
}

/* close_parts - release received frames */
static void close_parts(zmq_msg_t *parts, int n)
{
	for (int i = 0; i < n; i++)
		zmq_msg_close(&parts[i]);
}

/* recv_parts - one whole message into at most BUS_PARTS_MAX frames; the number of
 * frames, 0 when nothing is waiting, -1 when it had more frames (then it is consumed) */
static int recv_parts(void *sock, zmq_msg_t *parts)
{
	int n = 0, extra = 0, more = 1;

	while (more) {
		zmq_msg_t m;
		zmq_msg_init(&m);
		if (zmq_msg_recv(&m, sock, ZMQ_DONTWAIT) < 0) {
			zmq_msg_close(&m);
			close_parts(parts, n);
			return n == 0 && errno == EAGAIN ? 0 : -1;
		}
		more = zmq_msg_more(&m);
		if (n < BUS_PARTS_MAX)
			parts[n++] = m;
		else {
			zmq_msg_close(&m);
			extra++;
		}
	}
	if (extra > 0) {
		close_parts(parts, n);
		bus_count_malformed("frames", "too many frames");
		return -1;
	}
	return n;
}

/* recv_single - a one-frame message decoded with unpack_fn; NULL when none or bad */
static void *recv_single(void *sock, void *(*unpack_fn)(const uint8_t *, size_t))
{
	zmq_msg_t parts[BUS_PARTS_MAX];
	int n = recv_parts(sock, parts);
	void *msg = NULL;

	if (n <= 0)
		return NULL;
	if (n == 1)
		msg = unpack_fn(zmq_msg_data(&parts[0]), zmq_msg_size(&parts[0]));
	else
		bus_count_malformed("frames", "expected one frame");
	close_parts(parts, n);
	return msg;
}

/* Adapters from the typed unpackers to recv_single's generic signature. */
static void *unpack_queue_kick(const uint8_t *d, size_t l) { return bus_unpack_queue_kick(d, l); }
static void *unpack_outbound_kick(const uint8_t *d, size_t l) { return bus_unpack_outbound_kick(d, l); }
static void *unpack_mx_reply(const uint8_t *d, size_t l) { return bus_unpack_mx_reply(d, l); }

Merpati__QueueKick *bus_recv_queue_kick(void *pull)
{
	return recv_single(pull, unpack_queue_kick);
}

Merpati__OutboundKick *bus_recv_outbound_kick(void *pull)
{
	return recv_single(pull, unpack_outbound_kick);
}

Merpati__MxReply *bus_recv_mx_reply(void *dealer)
{
	return recv_single(dealer, unpack_mx_reply);
}

/* topic_matches - frame is exactly the topic of account_id */
static bool topic_matches(const zmq_msg_t *frame, int64_t account_id)
{
	char topic[BUS_TOPIC_MAX];
	size_t len = strlen(bus_mailbox_topic(account_id, topic));

	return zmq_msg_size((zmq_msg_t *)frame) == len &&
	       memcmp(zmq_msg_data((zmq_msg_t *)frame), topic, len) == 0;
}

Merpati__MailboxEvent *bus_recv_mailbox_event(void *sub)
{
	zmq_msg_t parts[BUS_PARTS_MAX];
	int n = recv_parts(sub, parts);
	Merpati__MailboxEvent *ev = NULL;

	if (n <= 0)
		return NULL;
	if (n != 2) {
		bus_count_malformed("frames", "mailbox event needs topic and body");
	} else {
		ev = bus_unpack_mailbox_event(zmq_msg_data(&parts[1]), zmq_msg_size(&parts[1]));
		if (ev != NULL && !topic_matches(&parts[0], ev->account_id)) {
			bus_count_malformed("frames", "topic does not match the event's account");
			bus_message_free(ev);
			ev = NULL;
		}
	}
	close_parts(parts, n);
	return ev;
}

Merpati__MxRequest *bus_router_recv_mx_request(void *router, struct bus_peer *peer_r)
{
	zmq_msg_t parts[BUS_PARTS_MAX];
	int n = recv_parts(router, parts);
	Merpati__MxRequest *req = NULL;

	if (n <= 0)
		return NULL;
	if (n != 2 || zmq_msg_size(&parts[0]) > BUS_IDENTITY_MAX) {
		bus_count_malformed("frames", "request needs identity and body");
	} else {
		peer_r->len = zmq_msg_size(&parts[0]);
		memcpy(peer_r->id, zmq_msg_data(&parts[0]), peer_r->len);
		req = bus_unpack_mx_request(zmq_msg_data(&parts[1]), zmq_msg_size(&parts[1]));
	}
	close_parts(parts, n);
	return req;
}

int bus_router_send(void *router, const struct bus_peer *peer, const ProtobufCMessage *msg)
{
	const void *lead[1] = { peer->id };
	size_t lead_len[1] = { peer->len };

	return send_packed(router, lead, lead_len, 1, msg);
}
