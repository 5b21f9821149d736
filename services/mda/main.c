/* merpati-mda - delivers inbound jobs into mailboxes (DESIGN.md section 2). Read the
 * settings, start the loop on the service skeleton, stop cleanly on SIGTERM or SIGINT.
 * The mda's pool, sockets and admin port live in mda_loop: its pool's last callbacks
 * publish on its sockets, so they stop together there. */
#include <stdio.h>

#include "log/log.h"
#include "queue/queue.h"
#include "service/service.h"
#include "services/mda/mda.h"
#include "services/mda/mda_loop.h"

int main(void)
{
	struct service_settings set = { .name = "mda" };
	struct mda_config cfg;
	struct service svc;
	struct mda_loop *loop;
	char detail[QUEUE_OWNER_MAX + 80];
	const char *error = NULL;

	log_init("mda");
	mda_config_load(&cfg);
	snprintf(detail, sizeof(detail), "owner=%s workers=%u poll=%ld lease=%ld", cfg.owner,
		 cfg.workers, cfg.poll, cfg.lease);
	set.ready_detail = detail;
	if (service_start(&svc, &set, &error) < 0 ||
	    (loop = mda_loop_new(svc.base, &cfg, &error)) == NULL) {
		log_error("event=start_failed error=\"%s\"", error != NULL ? error : "unknown");
		service_stop(&svc);
		return 1;
	}
	service_run(&svc);
	mda_loop_free(&loop);   /* workers finish their current batch */
	service_stop(&svc);
	return 0;
}
