/* bus_codec.c - protobuf-c pack/unpack of the wire messages, with bounds on every field */
#include "bus/bus.h"
#include "bus/bus_internal.h"
#include "log/log.h"
#include "metrics/metrics.h"

#include <stdlib.h>
#include <string.h>

void bus_count_malformed(const char *type, const char *why)
{
	metrics_counter_inc(metrics_counter("merpati_bus_malformed_total",
					    "ZeroMQ messages dropped as malformed"));
	log_warn("event=bus_malformed type=%s reason=\"%s\"", type, why);
}

void bus_count_dropped(void)
{
	metrics_counter_inc(metrics_counter("merpati_bus_dropped_total",
					    "ZeroMQ messages not sent (no peer or queue full)"));
}

/* str_ok - a decoded string within BUS_STRING_MAX (protobuf-c gives "" when absent) */
static bool str_ok(const char *s)
{
	return s != NULL && strnlen(s, BUS_STRING_MAX + 1) <= BUS_STRING_MAX;
}

/* unpack - size check, then protobuf-c; NULL and counted when malformed */
static ProtobufCMessage *unpack(const ProtobufCMessageDescriptor *d, const uint8_t *data,
				size_t len)
{
	ProtobufCMessage *m;

	if (len > BUS_MSG_MAX) {
		bus_count_malformed(d->short_name, "too large");
		return NULL;
	}
	m = protobuf_c_message_unpack(d, NULL, len, data);
	if (m == NULL)
		bus_count_malformed(d->short_name, "not a valid protobuf");
	return m;
}

/* reject - free a decoded message that broke a bound; always NULL */
static void *reject(void *msg, const char *why)
{
	ProtobufCMessage *m = msg;

	bus_count_malformed(m->descriptor->short_name, why);
	protobuf_c_message_free_unpacked(m, NULL);
	return NULL;
}

uint8_t *bus_pack(const ProtobufCMessage *msg, size_t *len_r)
{
	size_t len = protobuf_c_message_get_packed_size(msg);
	uint8_t *buf;

	if (len > BUS_MSG_MAX)
		return NULL;
	buf = malloc(len > 0 ? len : 1);
	if (buf == NULL)
		abort();
	*len_r = protobuf_c_message_pack(msg, buf);
	return buf;
}

Merpati__QueueKick *bus_unpack_queue_kick(const uint8_t *data, size_t len)
{
	Merpati__QueueKick *k = (Merpati__QueueKick *)unpack(&merpati__queue_kick__descriptor,
							     data, len);

	if (k != NULL && !str_ok(k->origin))
		return reject(k, "origin too long");
	return k;
}

Merpati__OutboundKick *bus_unpack_outbound_kick(const uint8_t *data, size_t len)
{
	Merpati__OutboundKick *k = (Merpati__OutboundKick *)unpack(
		&merpati__outbound_kick__descriptor, data, len);

	if (k != NULL && !str_ok(k->domain))
		return reject(k, "domain too long");
	return k;
}

Merpati__MxRequest *bus_unpack_mx_request(const uint8_t *data, size_t len)
{
	Merpati__MxRequest *r = (Merpati__MxRequest *)unpack(&merpati__mx_request__descriptor,
							     data, len);

	if (r != NULL && (!str_ok(r->domain) || r->domain[0] == '\0'))
		return reject(r, "domain empty or too long");
	return r;
}

/* mx_host_ok - one MxHost within its bounds */
static bool mx_host_ok(const Merpati__MxHost *h)
{
	if (!str_ok(h->host) || h->n_addresses > BUS_ADDRESSES_MAX)
		return false;
	for (size_t i = 0; i < h->n_addresses; i++)
		if (!str_ok(h->addresses[i]))
			return false;
	return true;
}

Merpati__MxReply *bus_unpack_mx_reply(const uint8_t *data, size_t len)
{
	Merpati__MxReply *r = (Merpati__MxReply *)unpack(&merpati__mx_reply__descriptor,
							 data, len);

	if (r == NULL)
		return NULL;
	if (!str_ok(r->domain) || !str_ok(r->error) || r->n_hosts > BUS_HOSTS_MAX)
		return reject(r, "field over its bound");
	if ((int)r->status < MERPATI__MX_STATUS__MX_STATUS_OK ||
	    (int)r->status > MERPATI__MX_STATUS__MX_STATUS_NO_ADDRESS)
		return reject(r, "unknown status");
	for (size_t i = 0; i < r->n_hosts; i++)
		if (!mx_host_ok(r->hosts[i]))
			return reject(r, "host over its bound");
	return r;
}

Merpati__MailboxEvent *bus_unpack_mailbox_event(const uint8_t *data, size_t len)
{
	Merpati__MailboxEvent *e = (Merpati__MailboxEvent *)unpack(
		&merpati__mailbox_event__descriptor, data, len);

	if (e == NULL)
		return NULL;
	if (!str_ok(e->origin) || e->n_uids > BUS_UIDS_MAX)
		return reject(e, "field over its bound");
	if ((int)e->kind < MERPATI__MAILBOX_EVENT_KIND__MAILBOX_EVENT_UNKNOWN ||
	    (int)e->kind > MERPATI__MAILBOX_EVENT_KIND__MAILBOX_EVENT_ACL)
		return reject(e, "unknown kind");
	return e;
}

void bus_message_free(void *msg)
{
	if (msg != NULL)
		protobuf_c_message_free_unpacked(msg, NULL);
}
