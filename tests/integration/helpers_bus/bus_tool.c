/* bus-tool - publisher, subscriber, pusher and puller on lib/bus, for
 * tests/integration/test_bus.py. Endpoints come from the MERPATI_* variables.
 *
 *   bus-tool pull N          bind the QueueKick PULL; print "kick job=J origin=O" per kick;
 *                            after N kicks print "malformed=M" and exit 0
 *   bus-tool push ITEM...    connect PUSH and send each ITEM: a job id (a QueueKick), or
 *                            "raw:HEX" (those bytes as they are: malformed input)
 *   bus-tool sub ACCOUNT N   subscribe to ACCOUNT's mailbox events through the bus; print
 *                            "event account=A mailbox=B modseq=S kind=K" for N events, then
 *                            "malformed=M" and exit 0
 *   bus-tool pub ACCOUNT...  every 100 ms publish one event per ACCOUNT (modseq 1, 2, ...)
 *                            and one malformed event, until SIGTERM
 * Every mode that runs a loop serves /healthz on MERPATI_ADMIN_LISTEN once its socket is
 * set up, and gives up with exit 1 after 30 seconds. */
#include "bus/bus.h"
#include "log/log.h"
#include "metrics/metrics.h"

#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zmq.h>

#define TOOL_DEADLINE 30

struct tool {
	struct event_base *base;
	void *sock;
	long want;
	long got;
	int64_t accounts[16];
	int n_accounts;
	uint64_t modseq;
	int status;
};

/* malformed - the process's count of refused messages */
static uint64_t malformed(void)
{
	return metrics_counter_value(metrics_counter("merpati_bus_malformed_total",
		"ZeroMQ messages dropped as malformed"));
}

/* finish - print the malformed count and stop with status 0 */
static void finish(struct tool *t)
{
	printf("malformed=%" PRIu64 "\n", malformed());
	t->status = 0;
	event_base_loopexit(t->base, NULL);
}

/* on_kick - one QueueKick arrived (or a malformed message was consumed) */
static void on_kick(void *sock, void *arg)
{
	struct tool *t = arg;
	Merpati__QueueKick *k = bus_recv_queue_kick(sock);

	if (k == NULL)
		return;
	printf("kick job=%" PRId64 " origin=%s\n", k->job_id, k->origin);
	bus_message_free(k);
	if (++t->got == t->want)
		finish(t);
}

/* on_event - one MailboxEvent arrived */
static void on_event(void *sock, void *arg)
{
	struct tool *t = arg;
	Merpati__MailboxEvent *e = bus_recv_mailbox_event(sock);

	if (e == NULL)
		return;
	printf("event account=%" PRId64 " mailbox=%" PRId64 " modseq=%" PRIu64 " kind=%d\n",
	       e->account_id, e->mailbox_id, e->highest_modseq, (int)e->kind);
	bus_message_free(e);
	if (++t->got == t->want)
		finish(t);
}

/* publish_round - one good event per account, then one with a garbage body */
static void publish_round(evutil_socket_t fd, short what, void *arg)
{
	struct tool *t = arg;
	Merpati__MailboxEvent e = MERPATI__MAILBOX_EVENT__INIT;
	char topic[BUS_TOPIC_MAX];

	t->modseq++;
	for (int i = 0; i < t->n_accounts; i++) {
		e.account_id = t->accounts[i];
		e.mailbox_id = 100 + t->accounts[i];
		e.highest_modseq = t->modseq;
		e.kind = MERPATI__MAILBOX_EVENT_KIND__MAILBOX_EVENT_APPEND;
		e.origin = "bus-tool";
		bus_publish_mailbox_event(t->sock, &e);
		bus_mailbox_topic(t->accounts[i], topic);
		zmq_send(t->sock, topic, strlen(topic), ZMQ_SNDMORE | ZMQ_DONTWAIT);
		zmq_send(t->sock, "\x0f\xff\xff", 3, ZMQ_DONTWAIT);
	}
}

/* hex_decode - "0a1b" to bytes; -1 on a bad digit */
static ssize_t hex_decode(const char *hex, uint8_t *out, size_t cap)
{
	size_t n = strlen(hex) / 2;

	if (strlen(hex) % 2 != 0 || n > cap)
		return -1;
	for (size_t i = 0; i < n; i++) {
		unsigned v;
		if (sscanf(hex + 2 * i, "%2x", &v) != 1)
			return -1;
		out[i] = (uint8_t)v;
	}
	return (ssize_t)n;
}

/* push - send each item, then give ZeroMQ time to deliver before exiting */
static int push(int argc, char **argv)
{
	const char *error = NULL;
	void *sock = bus_socket_new(BUS_QUEUE_KICK_PUSH, &error);
	uint8_t raw[1024];
	int failed = 0;

	if (sock == NULL) {
		fprintf(stderr, "push: %s\n", error);
		return 1;
	}
	usleep(200 * 1000); /* let the connection come up: a PUSH without a peer drops */
	for (int i = 0; i < argc; i++) {
		ssize_t n;
		if (strncmp(argv[i], "raw:", 4) == 0) {
			n = hex_decode(argv[i] + 4, raw, sizeof(raw));
			failed |= n < 0 || zmq_send(sock, raw, (size_t)n, 0) != (int)n;
		} else {
			failed |= bus_send_queue_kick(sock, strtoll(argv[i], NULL, 10), "bus-tool");
		}
	}
	usleep(200 * 1000);
	bus_socket_close(&sock);
	bus_shutdown();
	return failed ? 1 : 0;
}

/* on_deadline - the test waited long enough */
static void on_deadline(evutil_socket_t fd, short what, void *arg)
{
	struct tool *t = arg;

	printf("deadline got=%ld\n", t->got);
	event_base_loopexit(t->base, NULL);
}

/* on_term - SIGTERM ends a publisher normally */
static void on_term(evutil_socket_t fd, short what, void *arg)
{
	struct tool *t = arg;

	t->status = 0;
	event_base_loopexit(t->base, NULL);
}

/* setup - the socket for the mode, with its watch or its timer */
static int setup(struct tool *t, const char *mode, char **args, int n_args)
{
	const char *error = NULL;
	struct timeval every = { 0, 100 * 1000 };

	if (strcmp(mode, "pull") == 0 && n_args == 1) {
		t->want = strtol(args[0], NULL, 10);
		t->sock = bus_socket_new(BUS_QUEUE_KICK_PULL, &error);
		return t->sock != NULL && bus_watch_new(t->base, t->sock, on_kick, t) ? 0 : -1;
	}
	if (strcmp(mode, "sub") == 0 && n_args == 2) {
		t->want = strtol(args[1], NULL, 10);
		t->sock = bus_socket_new(BUS_EVENTS_SUB, &error);
		return t->sock != NULL && bus_subscribe_account(t->sock, strtoll(args[0], NULL, 10))
			== 0 && bus_watch_new(t->base, t->sock, on_event, t) ? 0 : -1;
	}
	if (strcmp(mode, "pub") == 0 && n_args >= 1 && n_args <= 16) {
		struct event *tick;
		for (int i = 0; i < n_args; i++)
			t->accounts[t->n_accounts++] = strtoll(args[i], NULL, 10);
		t->sock = bus_socket_new(BUS_EVENTS_PUB, &error);
		tick = event_new(t->base, -1, EV_PERSIST, publish_round, t);
		return t->sock != NULL && event_add(tick, &every) == 0 ? 0 : -1;
	}
	return -1;
}

int main(int argc, char **argv)
{
	struct tool t = { .status = 1 };
	struct timeval deadline = { TOOL_DEADLINE, 0 };
	const char *error = NULL;

	log_init("bus-tool");
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc >= 2 && strcmp(argv[1], "push") == 0)
		return push(argc - 2, argv + 2);
	t.base = event_base_new();
	if (argc < 3 || setup(&t, argv[1], argv + 2, argc - 2) < 0) {
		fprintf(stderr, "usage: bus-tool pull N | push ITEM... | sub ACCOUNT N | pub ACCOUNT...\n");
		return 2;
	}
	if (metrics_serve(t.base, "127.0.0.1:0", &error) < 0)
		return 1;
	event_base_once(t.base, -1, EV_TIMEOUT, on_deadline, &t, &deadline);
	event_add(evsignal_new(t.base, SIGTERM, on_term, &t), NULL);
	event_base_dispatch(t.base);
	fflush(stdout);
	_exit(t.status); /* sockets and watches die with the process */
}
