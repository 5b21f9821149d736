/* smtp_config - merpati-smtp-in's settings from MERPATI_* variables (README "smtp-in").
 *
 * Listeners: MERPATI_SMTP_LISTEN (:25, MX), MERPATI_SUBMISSION_LISTEN (:587),
 * MERPATI_SUBMISSIONS_LISTEN (:465, implicit TLS); "off" disables one. PROXY protocol per
 * listener: MERPATI_SMTP_PROXY_PROTOCOL, MERPATI_SUBMISSION_PROXY_PROTOCOL,
 * MERPATI_SUBMISSIONS_PROXY_PROTOCOL. Limits: MERPATI_SMTP_* (see smtp_config.c). */
#ifndef MERPATI_SMTP_CONFIG_H
#define MERPATI_SMTP_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "config/config.h"
#include "net/net.h"
#include "smtp_session.h"

#define SMTP_LISTENER_COUNT 3

struct smtp_config_listener {
	bool enabled;
	struct config_listen addr;
	bool proxy_protocol;
};

struct smtp_config {
	struct smtp_config_listener listeners[SMTP_LISTENER_COUNT]; /* by enum smtp_listener */
	struct smtp_session_config session;  /* limits shared by every session */
	enum net_plaintext_auth plaintext_auth;
	long timeout;                         /* seconds of client silence (RFC 5321 4.5.3.2) */
	long auth_fail_delay_ms;              /* before answering a failed AUTH */
	unsigned lockout_failures;            /* failed AUTHs per client IP ... */
	long lockout_window;                  /* ... within this many seconds lock it out */
	unsigned max_conns;
	unsigned max_per_ip;
	unsigned store_threads;
	long shutdown_grace;                  /* seconds a SIGTERM waits for transactions */
};

/* smtp_config_load - read the environment; a bad value exits with status 2 */
void smtp_config_load(struct smtp_config *cfg);

#endif
