/* pop3_config - the pop3 service's MERPATI_* settings, read once at start (README "pop3"). */
#ifndef MERPATI_POP3_CONFIG_H
#define MERPATI_POP3_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "config/config.h"
#include "services/pop3/pop3_session.h"

struct pop3_config {
	struct pop3_session_config session;
	bool listen_plain, listen_tls;      /* "off" disables a listener */
	struct config_listen plain;         /* MERPATI_POP3_LISTEN, STLS offered */
	struct config_listen tls;           /* MERPATI_POP3S_LISTEN, implicit TLS */
	long idle_timeout;                  /* seconds; RFC 1939 3 asks for >= 10 minutes */
	long auth_fail_delay;               /* seconds before a failed login is answered */
	long lock_ttl;                      /* seconds a maildrop lock lives unrefreshed */
	long shutdown_grace;                /* seconds logged-in sessions get to QUIT on SIGTERM */
	size_t max_messages;                /* messages in one maildrop snapshot */
	unsigned max_conns, max_per_ip;
	unsigned store_threads;
	bool proxy_protocol;
};

/* pop3_config_load - read the environment; exits with status 2 on a bad value */
void pop3_config_load(struct pop3_config *cfg);

#endif
