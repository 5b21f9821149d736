/* imap_config - MERPATI_IMAP_* variables with their defaults */
#include <string.h>
#include <strings.h>

#include "log/log.h"
#include "services/imap/imap_config.h"

/* config_listener - a listener address, or false when set to "off" */
static bool config_listener(const char *name, const char *def, struct config_listen *out)
{
	if (strcasecmp(config_str(name, def), "off") == 0)
		return false;
	config_listen(name, def, out);
	return true;
}

/* config_session - the per-session bounds */
static void config_session(struct imap_session_config *s)
{
	s->hostname = config_hostname();
	imap_parser_limits_default(&s->limits);
	/* RFC 7162 4: at least 8192 octets per command line */
	s->limits.max_line = (size_t)config_int("MERPATI_IMAP_MAX_LINE", IMAP_LINE_MAX_DEFAULT,
						8192, 16 * 1024 * 1024);
	s->limits.max_literal = config_size("MERPATI_IMAP_MAX_LITERAL", "64M");
	s->limits.max_command = s->limits.max_literal + 1024 * 1024;
	s->max_bad_commands = (unsigned)config_int("MERPATI_IMAP_MAX_BAD_COMMANDS", 20, 1, 1000);
	s->max_auth_failures = (unsigned)config_int("MERPATI_IMAP_MAX_AUTH_FAILURES", 3, 1, 100);
	s->auth_fail_delay_ms = config_duration("MERPATI_IMAP_AUTH_FAIL_DELAY", "2s") * 1000;
	s->max_per_user = (unsigned)config_int("MERPATI_IMAP_MAX_PER_USER", 50, 1, 100000);
	s->poll_interval = config_duration("MERPATI_IMAP_POLL_INTERVAL", "30s");
	if (s->poll_interval < 1)
		config_fail("MERPATI_IMAP_POLL_INTERVAL", "0", "must be at least 1s");
}

/* imap_config_load - see imap_config.h */
void imap_config_load(struct imap_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	config_session(&cfg->session);
	cfg->listen_plain = config_listener("MERPATI_IMAP_LISTEN", ":143", &cfg->plain);
	cfg->listen_tls = config_listener("MERPATI_IMAPS_LISTEN", ":993", &cfg->tls);
	/* below docker-compose.yml's stop_grace_period (30s), after which comes SIGKILL */
	cfg->shutdown_grace = config_duration("MERPATI_SHUTDOWN_GRACE", "20s");
	cfg->idle_timeout = config_duration("MERPATI_IMAP_IDLE_TIMEOUT", "30m");
	if (cfg->idle_timeout < 1)
		config_fail("MERPATI_IMAP_IDLE_TIMEOUT", "0", "must be at least 1s");
	if (cfg->idle_timeout < 1800)
		log_warn("event=config name=MERPATI_IMAP_IDLE_TIMEOUT seconds=%ld "
			 "reason=\"below the 30 minutes RFC 3501 section 5.4 asks for\"",
			 cfg->idle_timeout);
	cfg->max_conns = (unsigned)config_int("MERPATI_IMAP_MAX_CONNECTIONS", 10000, 1, 1000000);
	cfg->max_per_ip = (unsigned)config_int("MERPATI_IMAP_MAX_PER_IP", 100, 1, 1000000);
	cfg->store_threads = (unsigned)config_int("MERPATI_IMAP_STORE_THREADS", 4, 1, 64);
	cfg->proxy_protocol = config_bool("MERPATI_IMAP_PROXY_PROTOCOL", false);
}
