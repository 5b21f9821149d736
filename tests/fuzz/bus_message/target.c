/* Fuzz the wire decoders: any bytes from another process must decode or be refused without
 * a crash, and what decodes must re-encode to bytes that decode to the same encoding. */
#include "bus/bus.h"

#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef void *(*unpack_fn)(const uint8_t *, size_t);

static void *u_queue(const uint8_t *d, size_t l) { return bus_unpack_queue_kick(d, l); }
static void *u_outbound(const uint8_t *d, size_t l) { return bus_unpack_outbound_kick(d, l); }
static void *u_mxreq(const uint8_t *d, size_t l) { return bus_unpack_mx_request(d, l); }
static void *u_mxrep(const uint8_t *d, size_t l) { return bus_unpack_mx_reply(d, l); }
static void *u_event(const uint8_t *d, size_t l) { return bus_unpack_mailbox_event(d, l); }

/* pack_known - pack only the fields of the contract: unknown fields (a newer sender's, or
 * odd ones protobuf-c keeps, like an overlong tag of field 0) are ignored by receivers,
 * never passed on */
static uint8_t *pack_known(void *msg, size_t *len_r)
{
	ProtobufCMessage *m = msg;
	unsigned n = m->n_unknown_fields;
	uint8_t *buf;

	m->n_unknown_fields = 0;
	buf = bus_pack(m, len_r);
	m->n_unknown_fields = n;
	return buf;
}

/* check_stable - pack(unpack(x)) decodes again and packs to the same bytes */
static void check_stable(unpack_fn fn, const uint8_t *data, size_t size)
{
	void *m = fn(data, size), *again;
	uint8_t *a, *b;
	size_t alen, blen;

	if (m == NULL)
		return;
	a = pack_known(m, &alen);
	assert(a != NULL);
	again = fn(a, alen);
	assert(again != NULL);
	b = pack_known(again, &blen);
	assert(b != NULL && alen == blen && memcmp(a, b, alen) == 0);
	free(a);
	free(b);
	bus_message_free(m);
	bus_message_free(again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unpack_fn fns[] = { u_queue, u_outbound, u_mxreq, u_mxrep, u_event };

	for (size_t i = 0; i < sizeof(fns) / sizeof(fns[0]); i++)
		check_stable(fns[i], data, size);
	return 0;
}
