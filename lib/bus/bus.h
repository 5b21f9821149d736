/* bus - ZeroMQ sockets between Merpati's services (DESIGN.md section 4).
 *
 * Every message is a hint (DESIGN.md rule 4): a sender never blocks its loop for one (a
 * kick dropped at the high-water mark is fine, the consumer also polls PostgreSQL), and a
 * receiver re-reads the truth from the store. Bytes from another process are checked:
 * malformed or oversized messages are counted (merpati_bus_malformed_total), logged and
 * dropped, never trusted.
 *
 * Sockets, by role; endpoints come from the MERPATI_* variables. A binding side keeps the
 * port of tcp://host:port and binds every address ("tcp://" "*:port"), unless its
 * MERPATI_..._BIND variable gives the bind endpoint:
 *
 *   role                   type    binds/connects  variable (default)
 *   BUS_QUEUE_KICK_PULL    PULL    bind            MERPATI_MDA_ENDPOINT (tcp://127.0.0.1:7001)
 *   BUS_QUEUE_KICK_PUSH    PUSH    connect         MERPATI_MDA_ENDPOINT
 *   BUS_OUTBOUND_KICK_PULL PULL    bind            MERPATI_SMTP_OUT_ENDPOINT (...:7002)
 *   BUS_OUTBOUND_KICK_PUSH PUSH    connect         MERPATI_SMTP_OUT_ENDPOINT
 *   BUS_RESOLVER_ROUTER    ROUTER  bind            MERPATI_RESOLVER_ENDPOINT (...:7003)
 *   BUS_RESOLVER_DEALER    DEALER  connect         MERPATI_RESOLVER_ENDPOINT
 *   BUS_EVENTS_XSUB        XSUB    bind            MERPATI_EVENTS_PUB (...:7004)
 *   BUS_EVENTS_XPUB        XPUB    bind            MERPATI_EVENTS_SUB (...:7005)
 *   BUS_EVENTS_PUB         PUB     connect         MERPATI_EVENTS_PUB
 *   BUS_EVENTS_SUB         SUB     connect         MERPATI_EVENTS_SUB
 *
 * Bind overrides: MERPATI_MDA_BIND, MERPATI_SMTP_OUT_BIND, MERPATI_RESOLVER_BIND,
 * MERPATI_EVENTS_PUB_BIND, MERPATI_EVENTS_SUB_BIND.
 *
 * Every socket gets ZMQ_MAXMSGSIZE = BUS_MSG_MAX, send/receive high-water marks and a
 * short ZMQ_LINGER.
 *
 * Wire formats: PUSH/PULL carry one frame (the protobuf). DEALER sends one frame, the
 * ROUTER sees [identity][protobuf] and replies the same way. MailboxEvents are two frames:
 * the topic "mailbox.<account_id>." then the protobuf (docs/ARCHITECTURE.md).
 *
 * Receiving inside the libevent loop:
 *
 *   static void on_kick(void *sock, void *arg)
 *   {
 *       Merpati__QueueKick *k = bus_recv_queue_kick(sock);   // one message, or NULL
 *       if (k != NULL) { ...; bus_message_free(k); }
 *   }
 *   void *pull = bus_socket_new(BUS_QUEUE_KICK_PULL, &error);
 *   struct bus_watch *w = bus_watch_new(base, pull, on_kick, state);
 */
#ifndef MERPATI_BUS_H
#define MERPATI_BUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <event2/event.h>

#include "proto/merpati.pb-c.h"

#define BUS_MSG_MAX (64 * 1024)     /* ZMQ_MAXMSGSIZE: no wire message is larger */
#define BUS_HWM 10000               /* ZMQ_SNDHWM and ZMQ_RCVHWM */
#define BUS_LINGER_MS 200           /* ZMQ_LINGER: do not hang at exit */
#define BUS_ENDPOINT_MAX 256
#define BUS_STRING_MAX 255          /* longest domain, origin, host or address accepted */
#define BUS_UIDS_MAX 1024           /* MailboxEvent.uids */
#define BUS_HOSTS_MAX 64            /* MxReply.hosts */
#define BUS_ADDRESSES_MAX 32        /* MxHost.addresses */
#define BUS_IDENTITY_MAX 255        /* ROUTER identity frame */
#define BUS_TOPIC_MAX 64

enum bus_role {
	BUS_QUEUE_KICK_PULL,
	BUS_QUEUE_KICK_PUSH,
	BUS_OUTBOUND_KICK_PULL,
	BUS_OUTBOUND_KICK_PUSH,
	BUS_RESOLVER_ROUTER,
	BUS_RESOLVER_DEALER,
	BUS_EVENTS_XSUB,
	BUS_EVENTS_XPUB,
	BUS_EVENTS_PUB,
	BUS_EVENTS_SUB,
};

/* Context and sockets */

/* bus_context - the process's one ZeroMQ context, created on first use */
void *bus_context(void);
/* bus_shutdown - terminate the context; close every socket first */
void bus_shutdown(void);
/* bus_endpoint - the address role binds or connects to, from the environment; -1 if it
 * is too long or malformed */
int bus_endpoint(enum bus_role role, char buf[BUS_ENDPOINT_MAX]);
/* bus_socket_new - a socket for role, options set, bound or connected; NULL + *error_r */
void *bus_socket_new(enum bus_role role, const char **error_r);
/* bus_socket_at - as bus_socket_new with an explicit endpoint (tests, tools) */
void *bus_socket_at(enum bus_role role, const char *endpoint, const char **error_r);
/* bus_socket_close - zmq_close and set *sock = NULL */
void bus_socket_close(void **sock);

/* Hooking a socket into the loop. ZMQ_FD is edge-triggered: the watch calls cb while
 * ZMQ_EVENTS reports POLLIN (up to a batch, then yields to the loop and continues). cb
 * must receive exactly one whole message each call, and must not free the watch or close
 * the socket. After sending on a watched socket, call bus_watch_recheck (a send can
 * consume the edge). */
typedef void (*bus_readable_cb)(void *sock, void *arg);
struct bus_watch;
struct bus_watch *bus_watch_new(struct event_base *base, void *sock, bus_readable_cb cb,
				void *arg);
void bus_watch_recheck(struct bus_watch *w);
void bus_watch_free(struct bus_watch **w);

/* Encoding and decoding. Unpackers return NULL on malformed bytes or when a field is
 * over its bound (counted and logged); the caller frees what they return with
 * bus_message_free. */
uint8_t *bus_pack(const ProtobufCMessage *msg, size_t *len_r);
Merpati__QueueKick *bus_unpack_queue_kick(const uint8_t *data, size_t len);
Merpati__OutboundKick *bus_unpack_outbound_kick(const uint8_t *data, size_t len);
Merpati__MxRequest *bus_unpack_mx_request(const uint8_t *data, size_t len);
Merpati__MxReply *bus_unpack_mx_reply(const uint8_t *data, size_t len);
Merpati__MailboxEvent *bus_unpack_mailbox_event(const uint8_t *data, size_t len);
/* bus_message_free - free any message returned by an unpacker (NULL is fine) */
void bus_message_free(void *msg);

/* Sending: never blocks (ZMQ_DONTWAIT). 0 sent, -1 dropped (high-water mark, no peer for
 * a ROUTER identity, closed socket); drops are counted (merpati_bus_dropped_total). */
int bus_send(void *sock, const ProtobufCMessage *msg);
int bus_send_queue_kick(void *push, int64_t job_id, const char *origin);
int bus_send_outbound_kick(void *push, int64_t job_id, const char *domain);
/* bus_publish_mailbox_event - two frames: topic "mailbox.<account_id>." and ev */
int bus_publish_mailbox_event(void *pub, const Merpati__MailboxEvent *ev);
/* bus_mailbox_topic - "mailbox.<account_id>." into buf */
const char *bus_mailbox_topic(int64_t account_id, char buf[BUS_TOPIC_MAX]);
/* bus_subscribe_account / bus_unsubscribe_account - one account's events (SUB socket) */
int bus_subscribe_account(void *sub, int64_t account_id);
int bus_unsubscribe_account(void *sub, int64_t account_id);
/* bus_subscribe_all - every mailbox event */
int bus_subscribe_all(void *sub);

/* Receiving: one whole message without blocking, or NULL when nothing is waiting or the
 * message was malformed (then it is consumed and counted). */
Merpati__QueueKick *bus_recv_queue_kick(void *pull);
Merpati__OutboundKick *bus_recv_outbound_kick(void *pull);
Merpati__MxReply *bus_recv_mx_reply(void *dealer);
/* bus_recv_mailbox_event - checks the topic's account id matches the event */
Merpati__MailboxEvent *bus_recv_mailbox_event(void *sub);

/* ROUTER side of request/reply (dns-resolver). */
struct bus_peer {
	uint8_t id[BUS_IDENTITY_MAX];
	size_t len;
};
/* bus_router_recv_mx_request - one request and who sent it; NULL when none/malformed */
Merpati__MxRequest *bus_router_recv_mx_request(void *router, struct bus_peer *peer_r);
/* bus_router_send - reply to peer with msg */
int bus_router_send(void *router, const struct bus_peer *peer, const ProtobufCMessage *msg);

#endif
