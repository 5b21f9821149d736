/* merpati-smtp-out - delivers outbound jobs to remote MX hosts (DESIGN.md section 2).
 * Read the settings, start the loop, stop on SIGTERM or SIGINT. */
#include <signal.h>
#include <stdlib.h>

#include <event2/event.h>
#include <gmime/gmime.h>

#include "bus/bus.h"
#include "log/log.h"
#include "services/smtp-out/smtpout.h"
#include "services/smtp-out/smtpout_loop.h"

/* on_signal - leave the loop; leases of unfinished work run out and are retried */
static void on_signal(evutil_socket_t sig, short what, void *arg)
{
	log_info("event=stopping signal=%d", (int)sig);
	event_base_loopexit(arg, NULL);
}

int main(void)
{
	struct smtpout_config cfg;
	struct event_base *base;
	struct event *term, *intr;
	struct smtpout_loop *loop;
	const char *error = NULL;

	log_init("smtp-out");
	smtpout_config_load(&cfg);
	signal(SIGPIPE, SIG_IGN);
	g_mime_init();
	if ((base = event_base_new()) == NULL)
		return 1;
	if ((loop = smtpout_loop_new(base, &cfg, &error)) == NULL) {
		log_error("event=start_failed error=\"%s\"", error != NULL ? error : "unknown");
		return 1;
	}
	term = evsignal_new(base, SIGTERM, on_signal, base);
	intr = evsignal_new(base, SIGINT, on_signal, base);
	if (term == NULL || intr == NULL || evsignal_add(term, NULL) < 0 ||
	    evsignal_add(intr, NULL) < 0)
		return 1;
	log_info("event=ready owner=%s port=%d max=%u per_domain=%u", cfg.owner, cfg.port,
		 cfg.max, cfg.per_domain);
	event_base_dispatch(base);
	smtpout_loop_free(&loop);
	event_free(term);
	event_free(intr);
	bus_shutdown();
	event_base_free(base);
	g_mime_shutdown();
	return 0;
}
