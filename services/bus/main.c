/* merpati-bus - the XSUB/XPUB forwarder for mailbox events (DESIGN.md section 4) */
#include "forwarder.h"
#include "log/log.h"
#include "service/service.h"

#include <stddef.h>

#define BUS_ADMIN_DEFAULT ":9100"

int main(void)
{
	static const struct service_settings set = {
		.name = "bus", .admin_listen = BUS_ADMIN_DEFAULT,
	};
	struct service svc;
	struct forwarder *f = NULL;
	const char *error = NULL;

	log_init("bus");
	if (service_start(&svc, &set, &error) < 0 ||
	    (f = forwarder_new(svc.base, &error)) == NULL) {
		log_error("event=start_failed reason=\"%s\"", error != NULL ? error : "unknown");
		service_stop(&svc);
		return 1;
	}
	service_run(&svc);
	forwarder_free(&f);   /* its sockets close before the skeleton ends the bus context */
	service_stop(&svc);
	return 0;
}
