/* merpati-imap - IMAP4rev1 (RFC 3501) and IMAP4rev2 (RFC 9051) over the store. Read the
 * settings, start, run the loop. */
#include <event2/event.h>

#include "log/log.h"
#include "services/imap/imap_config.h"
#include "services/imap/imap_server.h"

int main(void)
{
	struct imap_config cfg;
	struct imap_server srv;
	struct event_base *base;
	const char *error = NULL;

	log_init("imap");
	imap_config_load(&cfg);
	if ((base = event_base_new()) == NULL) {
		log_error("event=start_failed error=\"libevent\"");
		return 1;
	}
	if (imap_server_start(&srv, base, &cfg, &error) < 0) {
		log_error("event=start_failed error=\"%s\"", error != NULL ? error : "unknown");
		return 1;
	}
	log_info("event=ready");
	event_base_dispatch(base);
	imap_server_stop(&srv);
	event_base_free(base);
	return 0;
}
