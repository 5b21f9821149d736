/* merpati-webmail - the webmail's HTTP service: a JSON API under /api/ and the browser UI's
 * static files (docs/WEBMAIL-API.md). Read the settings, start, run the loop. */
#include <signal.h>
#include <stdlib.h>

#include <event2/event.h>
#include <gmime/gmime.h>

#include "auth/auth.h"
#include "log/log.h"
#include "metrics/metrics.h"
#include "services/webmail/web_server.h"

/* on_signal - stop the loop on SIGTERM/SIGINT */
static void on_signal(evutil_socket_t fd, short what, void *arg)
{
	event_base_loopbreak(arg);
}

int main(void)
{
	struct web_config cfg;
	struct web_server srv;
	struct event_base *base;
	struct event *sigterm, *sigint;
	const char *error = NULL;

	log_init("webmail");
	web_config_load(&cfg);
	signal(SIGPIPE, SIG_IGN);
	g_mime_init();
	if (auth_init() < 0 || (base = event_base_new()) == NULL) {
		log_error("event=start_failed error=\"libevent or libsodium\"");
		return 1;
	}
	if (web_server_start(&srv, base, &cfg, &error) < 0 ||
	    metrics_serve(base, ":9107", &error) < 0) {
		log_error("event=start_failed error=\"%s\"", error != NULL ? error : "unknown");
		return 1;
	}
	sigterm = evsignal_new(base, SIGTERM, on_signal, base);
	sigint = evsignal_new(base, SIGINT, on_signal, base);
	event_add(sigterm, NULL);
	event_add(sigint, NULL);
	log_info("event=ready");
	event_base_dispatch(base);
	log_info("event=stop");
	event_free(sigterm);
	event_free(sigint);
	metrics_stop();
	web_server_stop(&srv);
	event_base_free(base);
	g_mime_shutdown();
	return 0;
}
