/* mx-query - ask dns-resolver over a DEALER socket and print every reply on one line, for
 * tests/integration/test_resolver.py. Endpoint: MERPATI_RESOLVER_ENDPOINT.
 *
 *   mx-query DOMAIN|raw:HEX ...
 * sends one MxRequest per DOMAIN (request_id 1, 2, ...; raw:HEX sends those bytes as they are,
 * and expects no reply), then prints for each reply
 *   reply id=N domain=D status=S ttl=T secure=0|1 hosts=PREF/HOST/IMPLICIT/ADDR,ADDR;... error=E
 * and exits 0 once every domain has its reply, 1 after 20 seconds without. */
#include "bus/bus.h"
#include "log/log.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zmq.h>

#define QUERY_WAIT_MS 20000

/* print_reply - one line per reply */
static void print_reply(const Merpati__MxReply *r)
{
	printf("reply id=%" PRIu64 " domain=%s status=%d ttl=%u secure=%d hosts=", r->request_id,
	       r->domain, (int)r->status, r->ttl, (int)r->dnssec_secure);
	for (size_t i = 0; i < r->n_hosts; i++) {
		printf("%s%u/%s/%d/", i ? ";" : "", r->hosts[i]->preference, r->hosts[i]->host,
		       (int)r->hosts[i]->implicit);
		for (size_t k = 0; k < r->hosts[i]->n_addresses; k++)
			printf("%s%s", k ? "," : "", r->hosts[i]->addresses[k]);
	}
	printf(" error=%s\n", r->error[0] ? r->error : "-");
}

/* send_raw - hex to bytes, sent as one frame */
static int send_raw(void *sock, const char *hex)
{
	uint8_t buf[512];
	size_t n = strlen(hex) / 2;

	if (n > sizeof(buf))
		return -1;
	for (size_t i = 0; i < n; i++) {
		unsigned v;
		if (sscanf(hex + 2 * i, "%2x", &v) != 1)
			return -1;
		buf[i] = (uint8_t)v;
	}
	return zmq_send(sock, buf, n, 0) == (int)n ? 0 : -1;
}

int main(int argc, char **argv)
{
	const char *error = NULL;
	void *sock;
	int want = 0;

	log_init("mx-query");
	setvbuf(stdout, NULL, _IOLBF, 0);
	if ((sock = bus_socket_new(BUS_RESOLVER_DEALER, &error)) == NULL) {
		fprintf(stderr, "mx-query: %s\n", error);
		return 1;
	}
	for (int i = 1; i < argc; i++) {
		Merpati__MxRequest q = MERPATI__MX_REQUEST__INIT;
		if (strncmp(argv[i], "raw:", 4) == 0) {
			if (send_raw(sock, argv[i] + 4) < 0)
				return 1;
			continue;
		}
		q.request_id = (uint64_t)i;
		q.domain = argv[i];
		/* blocking send is fine here: a DEALER queues until the ROUTER is there */
		uint8_t *buf;
		size_t len;
		buf = bus_pack(&q.base, &len);
		if (buf == NULL || zmq_send(sock, buf, len, 0) != (int)len)
			return 1;
		free(buf);
		want++;
	}
	while (want > 0) {
		zmq_pollitem_t item = { .socket = sock, .events = ZMQ_POLLIN };
		Merpati__MxReply *r;
		if (zmq_poll(&item, 1, QUERY_WAIT_MS) <= 0) {
			printf("timeout waiting=%d\n", want);
			return 1;
		}
		if ((r = bus_recv_mx_reply(sock)) != NULL) {
			print_reply(r);
			bus_message_free(r);
			want--;
		}
	}
	bus_socket_close(&sock);
	bus_shutdown();
	return 0;
}
