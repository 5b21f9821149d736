/* pop3_config.c - MERPATI_POP3_* variables with their defaults */
#include "services/pop3/pop3_config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "log/log.h"

/* config_listener - a listener address, or false when set to "off" */
static bool config_listener(const char *name, const char *def, struct config_listen *out)
{
	const char *v = config_str(name, def);

	if (strcasecmp(v, "off") == 0)
		return false;
	config_listen(name, def, out);
	return true;
}

/* config_expire - RFC 2449 6.7 EXPIRE: unset (not advertised), "never", or days */
static long config_expire(void)
{
	const char *v = config_str("MERPATI_POP3_EXPIRE", "");

	if (*v == '\0')
		return -1;
	if (strcasecmp(v, "never") == 0)
		return POP3_SESSION_EXPIRE_NEVER;
	return config_int("MERPATI_POP3_EXPIRE", 0, 0, 100000);
}

void pop3_config_load(struct pop3_config *cfg)
{
	struct pop3_session_config *s = &cfg->session;

	memset(cfg, 0, sizeof(*cfg));
	cfg->listen_plain = config_listener("MERPATI_POP3_LISTEN", ":110", &cfg->plain);
	cfg->listen_tls = config_listener("MERPATI_POP3S_LISTEN", ":995", &cfg->tls);
	s->hostname = config_hostname();
	/* RFC 2449 4: clients may send 255 octets per command line; never less */
	s->max_line = (size_t)config_int("MERPATI_POP3_MAX_LINE", 255, 255, 8192);
	s->max_sasl_line = (size_t)config_int("MERPATI_POP3_MAX_SASL_LINE", 2048, 256, 16384);
	s->max_bad_commands = (unsigned)config_int("MERPATI_POP3_MAX_BAD_COMMANDS", 10, 1, 1000);
	s->max_auth_failures = (unsigned)config_int("MERPATI_POP3_MAX_AUTH_FAILURES", 3, 1, 100);
	s->expire_days = config_expire();
	s->login_delay = config_str("MERPATI_POP3_LOGIN_DELAY", "")[0] == '\0' ? -1 :
		config_duration("MERPATI_POP3_LOGIN_DELAY", "0");
	s->stls_offered = true;
	cfg->idle_timeout = config_duration("MERPATI_POP3_IDLE_TIMEOUT", "10m");
	if (cfg->idle_timeout < 1)
		config_fail("MERPATI_POP3_IDLE_TIMEOUT", "0", "must be at least 1s");
	if (cfg->idle_timeout < 600)
		log_warn("event=config name=MERPATI_POP3_IDLE_TIMEOUT seconds=%ld "
			 "reason=\"below the 10 minutes RFC 1939 section 3 asks for\"", cfg->idle_timeout);
	cfg->auth_fail_delay = config_duration("MERPATI_POP3_AUTH_FAIL_DELAY", "2s");
	/* below docker-compose.yml's stop_grace_period (30s), after which comes SIGKILL */
	cfg->shutdown_grace = config_duration("MERPATI_SHUTDOWN_GRACE", "20s");
	cfg->lock_ttl = config_duration("MERPATI_POP3_LOCK_TTL", "60s");
	if (cfg->lock_ttl < 3)
		config_fail("MERPATI_POP3_LOCK_TTL", config_str("MERPATI_POP3_LOCK_TTL", ""),
			    "must be at least 3s");
	cfg->max_messages = (size_t)config_int("MERPATI_POP3_MAX_MESSAGES", 100000, 1, 10000000);
	cfg->max_conns = (unsigned)config_int("MERPATI_POP3_MAX_CONNECTIONS", 1000, 1, 1000000);
	cfg->max_per_ip = (unsigned)config_int("MERPATI_POP3_MAX_PER_IP", 50, 1, 1000000);
	cfg->store_threads = (unsigned)config_int("MERPATI_POP3_STORE_THREADS", 4, 1, 64);
	cfg->proxy_protocol = config_bool("MERPATI_POP3_PROXY_PROTOCOL", false);
}
