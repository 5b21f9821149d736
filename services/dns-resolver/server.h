/* server - the ROUTER side of dns-resolver: MxRequest in, MxReply out (DESIGN.md section 4).
 *
 * A request is answered from the cache when it can be; otherwise one lookup runs per domain
 * and every request waiting for that domain gets the answer. Replies keep their request_id.
 * Positive answers are cached for their TTL (at most MERPATI_DNS_MAX_TTL), negative ones
 * (NXDOMAIN, null MX, no address) for their TTL up to MERPATI_DNS_NEGATIVE_TTL, temporary
 * failures not at all. */
#ifndef MERPATI_SERVER_H
#define MERPATI_SERVER_H

#include <stddef.h>
#include <stdint.h>

#include <event2/event.h>

#include "resolver.h"

struct server_config {
	size_t cache_size;
	uint32_t max_ttl;
	uint32_t negative_ttl;
	unsigned max_lookups;      /* lookups in flight; more requests get TEMPFAIL */
};

struct server;

/* server_new - bind the ROUTER and watch it; NULL + *error_r */
struct server *server_new(struct event_base *base, struct resolver *res,
			  const struct server_config *cfg, const char **error_r);
void server_free(struct server **s);

#endif
