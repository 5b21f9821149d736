/* test_bus.c - wire messages round-trip, malformed bytes are refused and counted, endpoints
 * follow the MERPATI_* variables, and a watched socket delivers every message */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include <zmq.h>

#include "bus/bus.h"
#include "metrics/metrics.h"

static uint64_t malformed_count(void)
{
	return metrics_counter_value(metrics_counter("merpati_bus_malformed_total",
		"ZeroMQ messages dropped as malformed"));
}

static void test_queue_kick_roundtrip(void **state)
{
	Merpati__QueueKick k = MERPATI__QUEUE_KICK__INIT, *back;
	uint8_t *buf;
	size_t len;

	k.job_id = 123456789012345;
	k.origin = "smtp-in";
	buf = bus_pack(&k.base, &len);
	assert_non_null(buf);
	back = bus_unpack_queue_kick(buf, len);
	assert_non_null(back);
	assert_int_equal(back->job_id, 123456789012345);
	assert_string_equal(back->origin, "smtp-in");
	bus_message_free(back);
	free(buf);
}

static void test_mx_reply_roundtrip(void **state)
{
	Merpati__MxReply r = MERPATI__MX_REPLY__INIT, *back;
	Merpati__MxHost h = MERPATI__MX_HOST__INIT, *hosts[1] = { &h };
	char *addrs[2] = { "192.0.2.1", "2001:db8::1" };
	uint8_t *buf;
	size_t len;

	h.preference = 10;
	h.host = "mx.example.org";
	h.addresses = addrs;
	h.n_addresses = 2;
	r.request_id = 77;
	r.domain = "example.org";
	r.status = MERPATI__MX_STATUS__MX_STATUS_OK;
	r.hosts = hosts;
	r.n_hosts = 1;
	r.ttl = 300;
	buf = bus_pack(&r.base, &len);
	back = bus_unpack_mx_reply(buf, len);
	assert_non_null(back);
	assert_int_equal(back->n_hosts, 1);
	assert_string_equal(back->hosts[0]->host, "mx.example.org");
	assert_string_equal(back->hosts[0]->addresses[1], "2001:db8::1");
	assert_int_equal(back->ttl, 300);
	bus_message_free(back);
	free(buf);
}

static void test_garbage_refused(void **state)
{
	/* field 1 varint with its continuation bit set and no next byte; a length-delimited
	 * field claiming more bytes than there are; a wire type that does not exist */
	static const uint8_t truncated[] = { 0x08, 0x80 };
	static const uint8_t overlong[] = { 0x12, 0x7f, 'a', 'b' };
	static const uint8_t bad_wire[] = { 0x0f, 0x01 };
	uint64_t before = malformed_count();

	assert_null(bus_unpack_queue_kick(truncated, sizeof(truncated)));
	assert_null(bus_unpack_outbound_kick(overlong, sizeof(overlong)));
	assert_null(bus_unpack_mailbox_event(bad_wire, sizeof(bad_wire)));
	assert_null(bus_unpack_mx_reply(overlong, sizeof(overlong)));
	assert_int_equal(malformed_count(), before + 4);
}

static void test_bounds_refused(void **state)
{
	Merpati__MailboxEvent e = MERPATI__MAILBOX_EVENT__INIT;
	Merpati__MxRequest q = MERPATI__MX_REQUEST__INIT;
	uint32_t *uids = calloc(BUS_UIDS_MAX + 1, sizeof(uint32_t));
	char domain[BUS_STRING_MAX + 2];
	uint64_t before = malformed_count();
	uint8_t *buf;
	size_t len;

	e.account_id = 1;
	e.uids = uids;
	e.n_uids = BUS_UIDS_MAX + 1;              /* one over the bound */
	buf = bus_pack(&e.base, &len);
	assert_null(bus_unpack_mailbox_event(buf, len));
	free(buf);
	e.n_uids = BUS_UIDS_MAX;                  /* at the bound: fine */
	buf = bus_pack(&e.base, &len);
	bus_message_free(bus_unpack_mailbox_event(buf, len));
	free(buf);

	memset(domain, 'a', sizeof(domain) - 1);
	domain[sizeof(domain) - 1] = '\0';
	q.domain = domain;                        /* 256 bytes: longer than any domain */
	buf = bus_pack(&q.base, &len);
	assert_null(bus_unpack_mx_request(buf, len));
	free(buf);
	q.domain = "";                            /* empty: nothing to resolve */
	buf = bus_pack(&q.base, &len);
	assert_null(bus_unpack_mx_request(buf, len));
	free(buf);

	e.n_uids = 0;
	e.kind = 99;                              /* not a MailboxEventKind */
	buf = bus_pack(&e.base, &len);
	assert_null(bus_unpack_mailbox_event(buf, len));
	free(buf);
	assert_int_equal(malformed_count(), before + 4);
	free(uids);
}

static void test_endpoints(void **state)
{
	char ep[BUS_ENDPOINT_MAX];

	unsetenv("MERPATI_MDA_ENDPOINT");
	unsetenv("MERPATI_MDA_BIND");
	assert_int_equal(bus_endpoint(BUS_QUEUE_KICK_PUSH, ep), 0);
	assert_string_equal(ep, "tcp://127.0.0.1:7001");
	assert_int_equal(bus_endpoint(BUS_QUEUE_KICK_PULL, ep), 0);
	assert_string_equal(ep, "tcp://*:7001");
	setenv("MERPATI_MDA_ENDPOINT", "tcp://mda:17001", 1);
	assert_int_equal(bus_endpoint(BUS_QUEUE_KICK_PULL, ep), 0);
	assert_string_equal(ep, "tcp://*:17001");
	setenv("MERPATI_MDA_BIND", "tcp://127.0.0.1:17001", 1);
	assert_int_equal(bus_endpoint(BUS_QUEUE_KICK_PULL, ep), 0);
	assert_string_equal(ep, "tcp://127.0.0.1:17001");
	setenv("MERPATI_EVENTS_SUB", "ipc:///tmp/merpati-events", 1);
	assert_int_equal(bus_endpoint(BUS_EVENTS_XPUB, ep), 0);
	assert_string_equal(ep, "ipc:///tmp/merpati-events");
	setenv("MERPATI_RESOLVER_ENDPOINT", "tcp://noport", 1);
	assert_int_equal(bus_endpoint(BUS_RESOLVER_ROUTER, ep), -1);
	unsetenv("MERPATI_MDA_ENDPOINT");
	unsetenv("MERPATI_MDA_BIND");
	unsetenv("MERPATI_EVENTS_SUB");
	unsetenv("MERPATI_RESOLVER_ENDPOINT");
}

struct watch_state {
	struct event_base *base;
	int kicks;
	int want;
	int64_t last_job;
};

/* on_kick - count what arrives; stop the loop when all are in */
static void on_kick(void *sock, void *arg)
{
	struct watch_state *s = arg;
	Merpati__QueueKick *k = bus_recv_queue_kick(sock);

	if (k != NULL) {
		s->kicks++;
		s->last_job = k->job_id;
		bus_message_free(k);
	}
	if (s->kicks == s->want)
		event_base_loopbreak(s->base);
}

static void test_watch_drains_everything(void **state)
{
	const char *error = NULL;
	void *pull = bus_socket_at(BUS_QUEUE_KICK_PULL, "inproc://kick", &error);
	void *push = bus_socket_at(BUS_QUEUE_KICK_PUSH, "inproc://kick", &error);
	struct watch_state s = { .base = event_base_new(), .want = 500 };
	struct timeval limit = { 5, 0 };
	struct bus_watch *w;

	assert_non_null(pull);
	assert_non_null(push);
	/* Everything is queued before the watch exists: one edge at most, long gone. A
	 * watch that only reacted to edges would see none of these 500 + 1 messages. */
	for (int i = 1; i <= 500; i++)
		assert_int_equal(bus_send_queue_kick(push, i, "test"), 0);
	assert_int_equal(zmq_send(push, "\x08\x80", 2, 0), 2); /* malformed: skipped */
	w = bus_watch_new(s.base, pull, on_kick, &s);
	assert_non_null(w);
	event_base_loopexit(s.base, &limit);
	event_base_dispatch(s.base);
	assert_int_equal(s.kicks, 500);
	assert_int_equal(s.last_job, 500);
	bus_watch_free(&w);
	assert_null(w);
	bus_socket_close(&push);
	bus_socket_close(&pull);
	event_base_free(s.base);
}

static void test_mailbox_event_topic(void **state)
{
	const char *error = NULL;
	void *pull = bus_socket_at(BUS_QUEUE_KICK_PULL, "inproc://ev", &error);
	void *push = bus_socket_at(BUS_QUEUE_KICK_PUSH, "inproc://ev", &error);
	Merpati__MailboxEvent e = MERPATI__MAILBOX_EVENT__INIT, *back;
	uint64_t before = malformed_count();
	uint8_t *buf;
	size_t len;

	e.account_id = 42;
	e.mailbox_id = 7;
	e.highest_modseq = 99;
	e.kind = MERPATI__MAILBOX_EVENT_KIND__MAILBOX_EVENT_APPEND;
	/* the publish helper sends "mailbox.42." then the body */
	assert_int_equal(bus_publish_mailbox_event(push, &e), 0);
	back = bus_recv_mailbox_event(pull);
	assert_non_null(back);
	assert_int_equal(back->mailbox_id, 7);
	assert_int_equal(back->highest_modseq, 99);
	bus_message_free(back);
	/* a topic naming another account than the body is refused */
	buf = bus_pack(&e.base, &len);
	assert_int_equal(zmq_send(push, "mailbox.43.", 11, ZMQ_SNDMORE), 11);
	assert_int_equal(zmq_send(push, buf, len, 0), (int)len);
	assert_null(bus_recv_mailbox_event(pull));
	/* a single frame is refused; nothing waiting gives NULL without counting */
	assert_int_equal(zmq_send(push, buf, len, 0), (int)len);
	assert_null(bus_recv_mailbox_event(pull));
	assert_null(bus_recv_mailbox_event(pull));
	assert_int_equal(malformed_count(), before + 2);
	free(buf);
	bus_socket_close(&push);
	bus_socket_close(&pull);
}

static void test_topic_prefix_exact(void **state)
{
	char a[BUS_TOPIC_MAX], b[BUS_TOPIC_MAX];

	/* subscribing to account 1 must not match account 12: the trailing dot */
	bus_mailbox_topic(1, a);
	bus_mailbox_topic(12, b);
	assert_string_equal(a, "mailbox.1.");
	assert_int_not_equal(strncmp(b, a, strlen(a)), 0);
}

static int teardown_context(void **state)
{
	bus_shutdown();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_queue_kick_roundtrip),
		cmocka_unit_test(test_mx_reply_roundtrip),
		cmocka_unit_test(test_garbage_refused),
		cmocka_unit_test(test_bounds_refused),
		cmocka_unit_test(test_endpoints),
		cmocka_unit_test(test_watch_drains_everything),
		cmocka_unit_test(test_mailbox_event_topic),
		cmocka_unit_test(test_topic_prefix_exact),
	};
	return cmocka_run_group_tests(tests, NULL, teardown_context);
}
