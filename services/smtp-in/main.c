/* merpati-smtp-in - the ESMTP server (RFC 5321) on the MX, submission and submissions
 * ports: reads its settings, starts the server, runs the loop. */
#include "log/log.h"
#include "service/service.h"
#include "smtp_config.h"
#include "smtp_server.h"

int main(void)
{
	struct smtp_config cfg;
	struct smtp_server srv;
	const char *error = NULL;

	log_init("smtp-in");
	smtp_config_load(&cfg);
	if (smtp_server_start(&srv, &cfg, &error) < 0) {
		log_error("event=start_failed error=\"%s\"", error != NULL ? error : "unknown");
		smtp_server_stop(&srv);
		return 1;
	}
	service_run(&srv.svc);
	smtp_server_stop(&srv);
	return 0;
}
