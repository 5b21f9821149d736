/* resolver - MX lookups with libunbound inside the libevent loop (DESIGN.md section 2).
 *
 * One lookup asks for the domain's MX records, then for the A and AAAA records of every
 * exchange, and reports one struct mx_answer:
 *   MX records        hosts sorted by preference, equal preferences shuffled (RFC 5321 5.1)
 *   no MX (NODATA)    the domain itself as the only, implicit, host (RFC 5321 5.1)
 *   "MX 0 ."          MX_STATUS_NULL_MX: the domain accepts no mail (RFC 7505 3)
 *   NXDOMAIN          MX_STATUS_NXDOMAIN, permanent
 *   SERVFAIL, timeout, DNSSEC bogus: MX_STATUS_TEMPFAIL, try later
 *   hosts without any address are dropped; none left: NO_ADDRESS (or TEMPFAIL when an
 *   address lookup failed temporarily)
 * ttl is the smallest TTL of the records used; secure is true only when every answer used
 * was DNSSEC-validated. */
#ifndef MERPATI_RESOLVER_H
#define MERPATI_RESOLVER_H

#include <stdbool.h>
#include <stdint.h>

#include <event2/event.h>

#include "mx_parse.h"
#include "proto/merpati.pb-c.h"

#define RESOLVER_HOSTS_MAX 16      /* exchanges kept per domain */
#define RESOLVER_ADDRS_MAX 8       /* addresses kept per exchange and family */

struct mx_answer_host {
	uint16_t preference;
	bool implicit;
	char name[MX_NAME_MAX];
	char addrs[2 * RESOLVER_ADDRS_MAX][MX_ADDR_MAX];
	int n_addrs;
	uint32_t ttl;
};

struct mx_answer {
	Merpati__MxStatus status;
	uint32_t ttl;
	bool secure;
	char error[128];
	struct mx_answer_host hosts[RESOLVER_HOSTS_MAX];
	int n_hosts;
};

struct resolver;

/* resolver_done_cb - the lookup finished; answer is valid during the call only */
typedef void (*resolver_done_cb)(const struct mx_answer *answer, void *arg);

/* resolver_new - a libunbound context: forwarder "ip[@port]" or NULL for full recursion
 * through the root servers; trust_anchor (a file of DS or DNSKEY records, or NULL) turns
 * DNSSEC validation on; timeout bounds each lookup. NULL + *error_r on a bad setting. */
struct resolver *resolver_new(struct event_base *base, const char *forwarder,
			      const char *trust_anchor, int timeout, const char **error_r);
/* resolver_lookup - start looking up domain (normalized); cb runs once, from the loop */
int resolver_lookup(struct resolver *r, const char *domain, resolver_done_cb cb, void *arg);
/* resolver_free - cancel everything (callbacks do not run) and free */
void resolver_free(struct resolver **r);

#endif
