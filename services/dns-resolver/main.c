/* merpati-dns-resolver - MX lookups for smtp-out over ZeroMQ, with a TTL cache (issue 6) */
#include "resolver.h"
#include "server.h"
#include "config/config.h"
#include "log/log.h"
#include "service/service.h"

#include <stdio.h>
#include <unistd.h>

#define RESOLVER_ADMIN_DEFAULT ":9104"
#define RESOLVER_ROOT_KEY "/usr/share/dns/root.key"   /* Debian's dns-root-data */

/* read_config - the server's settings from MERPATI_DNS_* (exit 2 on a bad value) */
static void read_config(struct server_config *cfg)
{
	cfg->cache_size = (size_t)config_int("MERPATI_DNS_CACHE_SIZE", 10000, 1, 10000000);
	cfg->max_ttl = (uint32_t)config_duration("MERPATI_DNS_MAX_TTL", "1d");
	cfg->negative_ttl = (uint32_t)config_duration("MERPATI_DNS_NEGATIVE_TTL", "5m");
	cfg->max_lookups = (unsigned)config_int("MERPATI_DNS_MAX_LOOKUPS", 1000, 1, 100000);
}

/* trust_anchor - MERPATI_DNS_TRUST_ANCHOR when set (it must be readable); otherwise, when
 * recursing ourselves, the root key of Debian's dns-root-data if installed. A forwarder
 * is trusted to validate, or not, unless an anchor is given explicitly. */
static const char *trust_anchor(void)
{
	const char *ta = config_str("MERPATI_DNS_TRUST_ANCHOR", NULL);

	if (ta != NULL) {
		if (access(ta, R_OK) != 0)
			config_fail("MERPATI_DNS_TRUST_ANCHOR", ta, "cannot read the file");
		return ta;
	}
	if (config_str("MERPATI_DNS_FORWARDER", NULL) == NULL &&
	    access(RESOLVER_ROOT_KEY, R_OK) == 0)
		return RESOLVER_ROOT_KEY;
	return NULL;
}

int main(void)
{
	struct service_settings set = { .name = "dns-resolver",
					.admin_listen = RESOLVER_ADMIN_DEFAULT };
	struct server_config cfg;
	struct service svc;
	struct resolver *res;
	struct server *srv = NULL;
	char detail[320];
	const char *error = NULL;

	log_init("dns-resolver");
	read_config(&cfg);
	snprintf(detail, sizeof(detail), "forwarder=%.256s",
		 config_str("MERPATI_DNS_FORWARDER", "none"));
	set.ready_detail = detail;
	if (service_start(&svc, &set, &error) < 0) {
		log_error("event=start_failed reason=\"%s\"", error != NULL ? error : "unknown");
		service_stop(&svc);
		return 1;
	}
	res = resolver_new(svc.base, config_str("MERPATI_DNS_FORWARDER", NULL), trust_anchor(),
			   (int)config_duration("MERPATI_DNS_TIMEOUT", "10s"), &error);
	if (res == NULL)
		config_fail("MERPATI_DNS_FORWARDER", config_str("MERPATI_DNS_FORWARDER", ""), error);
	if ((srv = server_new(svc.base, res, &cfg, &error)) == NULL) {
		log_error("event=start_failed reason=\"%s\"", error != NULL ? error : "unknown");
		resolver_free(&res);
		service_stop(&svc);
		return 1;
	}
	service_run(&svc);
	resolver_free(&res);   /* first: its lookups point into the server's pending list */
	server_free(&srv);
	service_stop(&svc);
	return 0;
}
