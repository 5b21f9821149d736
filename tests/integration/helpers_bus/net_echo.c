/* net-echo - a tiny line server on lib/net, so tests can drive listeners, TLS, STARTTLS,
 * PROXY headers, limits, timeouts and closing with real clients.
 *
 * Environment: ECHO_LISTEN (host:port), ECHO_TLS (none, starttls, implicit), ECHO_PROXY
 * (1: require a PROXY header), ECHO_MAX_PER_IP, ECHO_READ_TIMEOUT (seconds), plus the
 * usual MERPATI_TLS_*, MERPATI_STATE_DIR, MERPATI_PLAINTEXT_AUTH, MERPATI_ADMIN_LISTEN.
 *
 * Protocol: greeting "200 ready"; lines end with CRLF.
 *   STARTTLS  "220 go ahead", then TLS
 *   INFO      "250 peer=ADDR tls=0|1 secure=0|1"
 *   BIG n     n bytes of 'x' then CRLF, then the server closes (tests the flush on close)
 *   QUIT      "221 bye", then the server closes
 *   other     "250 echo LINE"
 */
#include "net/net.h"
#include "config/config.h"
#include "log/log.h"
#include "metrics/metrics.h"
#include "tls/tls.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ECHO_LINE_MAX 1000

/* on_tls - the STARTTLS handshake's outcome */
static void on_tls(struct net_conn *c, bool ok, void *arg)
{
	log_info("session=%s event=starttls ok=%d", net_conn_id(c), (int)ok);
}

/* big - n bytes then close */
static void big(struct net_conn *c, long n)
{
	char chunk[4096];

	memset(chunk, 'x', sizeof(chunk));
	for (long left = n; left > 0; left -= (long)sizeof(chunk))
		net_conn_write(c, chunk, left < (long)sizeof(chunk) ? (size_t)left : sizeof(chunk));
	net_conn_printf(c, "\r\n");
	net_conn_close(c);
}

/* command - one line; false when the connection must stop reading this buffer */
static bool command(struct net_conn *c, const char *line)
{
	const char *error;

	if (strcmp(line, "STARTTLS") == 0) {
		if (!net_conn_can_starttls(c)) {
			net_conn_printf(c, "454 TLS not available\r\n");
			return true;
		}
		net_conn_printf(c, "220 go ahead\r\n");
		if (net_conn_starttls(c, on_tls, &error) < 0)
			net_conn_close(c);
		return false; /* whatever follows in this buffer is discarded */
	}
	if (strcmp(line, "INFO") == 0) {
		net_conn_printf(c, "250 peer=%s tls=%d secure=%d\r\n", net_conn_peer(c),
				(int)net_conn_is_tls(c), (int)net_conn_is_secure(c));
	} else if (strncmp(line, "BIG ", 4) == 0) {
		big(c, strtol(line + 4, NULL, 10));
		return false;
	} else if (strcmp(line, "QUIT") == 0) {
		net_conn_printf(c, "221 bye\r\n");
		net_conn_close(c);
		return false;
	} else {
		net_conn_printf(c, "250 echo %s\r\n", line);
	}
	return true;
}

/* on_read - complete lines out of the input */
static void on_read(struct net_conn *c, void *arg)
{
	struct evbuffer *in = net_conn_input(c);
	size_t len;
	char *line;

	while ((line = evbuffer_readln(in, &len, EVBUFFER_EOL_CRLF_STRICT)) != NULL) {
		bool more = len <= ECHO_LINE_MAX && command(c, line);
		if (len > ECHO_LINE_MAX) {
			net_conn_printf(c, "500 line too long\r\n");
			net_conn_close(c);
		}
		free(line);
		if (!more)
			return;
	}
	if (evbuffer_get_length(in) > ECHO_LINE_MAX) {
		net_conn_printf(c, "500 line too long\r\n");
		net_conn_close(c);
	}
}

/* on_close - nothing to free: the session has no state of its own */
static void on_close(struct net_conn *c, enum net_close_reason reason, void *arg)
{
	log_info("session=%s event=closed reason=%d", net_conn_id(c), (int)reason);
}

/* on_accept - greet */
static void on_accept(struct net_conn *c, void *arg)
{
	net_conn_set_callbacks(c, on_read, on_close, NULL);
	net_conn_printf(c, "200 ready\r\n");
}

/* on_signal - stop the loop */
static void on_signal(evutil_socket_t sig, short what, void *arg)
{
	event_base_loopexit(arg, NULL);
}

int main(void)
{
	static const char *const modes[] = { "none", "starttls", "implicit", NULL };
	struct event_base *base = event_base_new();
	struct net_listener_opts o = { .accept_cb = on_accept };
	struct config_listen addr;
	struct net_listener *l;
	struct event *term;
	const char *error = NULL;
	int mode;

	log_init("net-echo");
	signal(SIGPIPE, SIG_IGN);
	config_listen("ECHO_LISTEN", "127.0.0.1:0", &addr);
	mode = config_enum("ECHO_TLS", "none", modes);
	o.proxy_protocol = config_bool("ECHO_PROXY", false);
	o.max_per_ip = (unsigned)config_int("ECHO_MAX_PER_IP", 0, 0, 100000);
	o.read_timeout = (int)config_int("ECHO_READ_TIMEOUT", 0, 0, 3600);
	o.implicit_tls = mode == 2;
	if (mode != 0 && (o.tls_ctx = tls_server_ctx_new(&error)) == NULL) {
		log_error("event=tls_failed reason=\"%s\"", error);
		return 1;
	}
	if ((l = net_listener_new(base, &addr, &o, &error)) == NULL ||
	    metrics_serve(base, "127.0.0.1:0", &error) < 0) {
		log_error("event=start_failed reason=\"%s\"", error);
		return 1;
	}
	term = evsignal_new(base, SIGTERM, on_signal, base);
	event_add(term, NULL);
	event_base_dispatch(base);
	event_free(term);
	net_listener_free(&l);
	metrics_stop();
	tls_ctx_free(&o.tls_ctx);
	event_base_free(base);
	return 0;
}
