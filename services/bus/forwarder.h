/* forwarder - the XSUB/XPUB proxy of mailbox events, run inside the libevent loop.
 *
 * Publishers connect PUB sockets to the XSUB side (MERPATI_EVENTS_PUB), subscribers connect
 * SUB sockets to the XPUB side (MERPATI_EVENTS_SUB). Events flow XSUB -> XPUB, and
 * subscriptions flow back XPUB -> XSUB so publishers only send what someone wants. Frames are
 * forwarded as they are: the forwarder never decodes, and a slow subscriber loses events at
 * its high-water mark rather than stalling the others (DESIGN.md rule 4: events are hints). */
#ifndef MERPATI_FORWARDER_H
#define MERPATI_FORWARDER_H

#include <event2/event.h>

struct forwarder;

/* forwarder_new - bind both sides from the environment and watch them; NULL + *error_r */
struct forwarder *forwarder_new(struct event_base *base, const char **error_r);
/* forwarder_free - stop watching and close both sockets */
void forwarder_free(struct forwarder **f);

#endif
