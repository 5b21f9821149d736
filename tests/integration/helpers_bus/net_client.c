/* net-client - lib/net's outgoing side (what smtp-out uses) against net-echo, for
 * tests/integration/test_bus.py.
 *
 *   net-client ADDR PORT none|opportunistic|verify [SNI]
 * connects, reads the greeting, then (unless "none") sends STARTTLS and starts TLS as the
 * client with that verification policy, sends INFO and QUIT, and prints every line it
 * gets plus "tls=ok", "tls=failed", "connect=failed REASON" or "closed". Exit status 0
 * when the conversation ended with "221 bye", else 1. */
#include "net/net.h"
#include "log/log.h"
#include "tls/tls.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct client {
	struct event_base *base;
	SSL_CTX *ctx;
	const char *mode;
	const char *sni;
	bool bye;
};

/* on_tls - handshake result: continue in TLS or report the failure */
static void on_tls(struct net_conn *c, bool ok, void *arg)
{
	printf("tls=%s\n", ok ? "ok" : "failed");
	if (ok)
		net_conn_printf(c, "INFO\r\nQUIT\r\n");
}

/* on_line - react to one line from the server */
static void on_line(struct client *cl, struct net_conn *c, const char *line)
{
	const char *error;

	printf("%s\n", line);
	if (strcmp(line, "200 ready") == 0 && strcmp(cl->mode, "none") == 0)
		net_conn_printf(c, "INFO\r\nQUIT\r\n");
	else if (strcmp(line, "200 ready") == 0)
		net_conn_printf(c, "STARTTLS\r\n");
	else if (strcmp(line, "220 go ahead") == 0 &&
		 net_conn_starttls_client(c, cl->ctx, cl->sni, strcmp(cl->mode, "verify") == 0
					  ? TLS_VERIFY_PEER : TLS_VERIFY_NONE, on_tls, &error) < 0)
		printf("starttls=%s\n", error);
	else if (strcmp(line, "221 bye") == 0)
		cl->bye = true;
}

/* on_read - split lines */
static void on_read(struct net_conn *c, void *arg)
{
	struct client *cl = arg;
	char *line;
	size_t len;

	while ((line = evbuffer_readln(net_conn_input(c), &len, EVBUFFER_EOL_CRLF)) != NULL) {
		on_line(cl, c, line);
		free(line);
	}
}

/* on_close - the end of the conversation */
static void on_close(struct net_conn *c, enum net_close_reason reason, void *arg)
{
	struct client *cl = arg;

	printf("closed reason=%d\n", (int)reason);
	event_base_loopexit(cl->base, NULL);
}

/* on_connect - connected (or not) */
static void on_connect(struct net_conn *c, const char *error, void *arg)
{
	struct client *cl = arg;

	if (c == NULL) {
		printf("connect=failed %s\n", error);
		event_base_loopexit(cl->base, NULL);
		return;
	}
	net_conn_set_timeouts(c, 10, 10);
	net_conn_set_callbacks(c, on_read, on_close, cl);
}

int main(int argc, char **argv)
{
	struct client cl = { .base = event_base_new() };
	const char *error = NULL;

	log_init("net-client");
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 4)
		return 2;
	cl.mode = argv[3];
	cl.sni = argc > 4 ? argv[4] : argv[1];
	cl.ctx = tls_client_ctx_new(strcmp(cl.mode, "verify") == 0 ? TLS_VERIFY_PEER
				    : TLS_VERIFY_NONE, &error);
	if (cl.ctx == NULL ||
	    net_connect(cl.base, argv[1], atoi(argv[2]), 5, on_connect, &cl, &error) < 0) {
		printf("connect=failed %s\n", error);
		return 1;
	}
	event_base_dispatch(cl.base);
	tls_ctx_free(&cl.ctx);
	event_base_free(cl.base);
	return cl.bye ? 0 : 1;
}
