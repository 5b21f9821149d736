/* mda_loop.h - the mda's event loop side: QueueKick and the poll timer wake the workers;
 * after each committed batch the loop publishes MailboxEvents and PUSHes an OutboundKick.
 * ZeroMQ sockets are used on the loop thread only. */
#ifndef MERPATI_MDA_LOOP_H
#define MERPATI_MDA_LOOP_H

#include <event2/event.h>

#include "services/mda/mda.h"

struct mda_loop;

/* mda_loop_new - sockets, pool, timer and metrics on base; NULL with *error_r */
struct mda_loop *mda_loop_new(struct event_base *base, const struct mda_config *cfg,
			      const char **error_r);
/* mda_loop_free - stop the workers after their current batch, close everything */
void mda_loop_free(struct mda_loop **loop);

#endif
