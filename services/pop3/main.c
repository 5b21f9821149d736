/* merpati-pop3 - POP3 (RFC 1939) with CAPA (RFC 2449), STLS (RFC 2595) and SASL (RFC 5034)
 * over each user's INBOX in the store. Read the settings, start, run the loop. */
#include "log/log.h"
#include "service/service.h"
#include "services/pop3/pop3_config.h"
#include "services/pop3/pop3_server.h"

int main(void)
{
	struct pop3_config cfg;
	struct pop3_server srv;
	const char *error = NULL;

	log_init("pop3");
	pop3_config_load(&cfg);
	if (pop3_server_start(&srv, &cfg, &error) < 0) {
		log_error("event=start_failed error=\"%s\"", error != NULL ? error : "unknown");
		pop3_server_stop(&srv);
		return 1;
	}
	service_run(&srv.svc);
	pop3_server_stop(&srv);
	return 0;
}
