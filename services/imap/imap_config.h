/* imap_config - the imap service's MERPATI_IMAP_* settings, read once at start. */
#ifndef MERPATI_IMAP_CONFIG_H
#define MERPATI_IMAP_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "config/config.h"
#include "services/imap/imap_parser.h"

/* What every session reads (struct imap_session.cfg). */
struct imap_session_config {
	const char *hostname;
	struct imap_parser_limits limits;  /* MERPATI_IMAP_MAX_LINE, _MAX_LITERAL (APPENDLIMIT) */
	unsigned max_bad_commands;         /* BAD answers in a row before BYE */
	unsigned max_auth_failures;        /* failed logins before BYE */
	long auth_fail_delay_ms;           /* before a failed login is answered */
	unsigned max_per_user;             /* authenticated sessions of one account */
	long poll_interval;                /* seconds between IDLE re-reads without events */
};

struct imap_config {
	struct imap_session_config session;
	bool listen_plain, listen_tls;     /* "off" disables a listener */
	struct config_listen plain;        /* MERPATI_IMAP_LISTEN (:143), STARTTLS */
	struct config_listen tls;          /* MERPATI_IMAPS_LISTEN (:993), implicit TLS */
	long idle_timeout;                 /* seconds; RFC 3501 5.4: at least 30 minutes */
	long shutdown_grace;               /* seconds commands under way get on SIGTERM */
	unsigned max_conns, max_per_ip;
	unsigned store_threads;
	bool proxy_protocol;
};

/* imap_config_load - read the environment; exits with status 2 on a bad value */
void imap_config_load(struct imap_config *cfg);

#endif
