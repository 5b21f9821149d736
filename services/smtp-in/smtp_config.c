/* smtp_config.c - MERPATI_SMTP_* variables with their defaults */
#include "smtp_config.h"

#include <string.h>
#include <strings.h>

static const char *const listen_vars[SMTP_LISTENER_COUNT] = {
	"MERPATI_SMTP_LISTEN", "MERPATI_SUBMISSION_LISTEN", "MERPATI_SUBMISSIONS_LISTEN",
};
static const char *const listen_defaults[SMTP_LISTENER_COUNT] = { ":25", ":587", ":465" };
static const char *const proxy_vars[SMTP_LISTENER_COUNT] = {
	"MERPATI_SMTP_PROXY_PROTOCOL", "MERPATI_SUBMISSION_PROXY_PROTOCOL",
	"MERPATI_SUBMISSIONS_PROXY_PROTOCOL",
};

/* load_listener - one listener, disabled by "off" */
static void load_listener(int i, struct smtp_config_listener *l)
{
	const char *v = config_str(listen_vars[i], listen_defaults[i]);

	l->enabled = strcasecmp(v, "off") != 0;
	if (l->enabled)
		config_listen(listen_vars[i], listen_defaults[i], &l->addr);
	l->proxy_protocol = config_bool(proxy_vars[i], false);
}

/* load_expn - MERPATI_SMTP_EXPN: off (RFC 5321 7.3: lists are not for harvesting) or auth */
static enum smtp_expn_policy load_expn(void)
{
	static const char *const choices[] = { "off", "auth", NULL };

	return config_enum("MERPATI_SMTP_EXPN", "off", choices) == 1 ? SMTP_EXPN_AUTH :
	       SMTP_EXPN_OFF;
}

/* load_session - the limits every session applies */
static void load_session(struct smtp_session_config *s)
{
	s->hostname = config_hostname();
	/* RFC 5321 4.5.3.1.4: 512 octets; the minimum keeps "MAIL FROM:<256-octet path>" */
	s->line_max = (size_t)config_int("MERPATI_SMTP_MAX_LINE", 512, 512, 8192);
	/* RFC 5322 2.1.1: 998 octets plus CRLF */
	s->text_line_max = (size_t)config_int("MERPATI_SMTP_MAX_TEXT_LINE", 1000, 1000, 1 << 20);
	s->message_max = config_size("MERPATI_SMTP_MAX_MESSAGE_SIZE", "25M");
	if (s->message_max < 1024 || s->message_max > (size_t)1 << 30)
		config_fail("MERPATI_SMTP_MAX_MESSAGE_SIZE", config_str("MERPATI_SMTP_MAX_MESSAGE_SIZE", ""),
			    "must be between 1k and 1G");
	/* RFC 5321 4.5.3.1.8: at least 100 must be accepted */
	s->recipients_max = (unsigned)config_int("MERPATI_SMTP_MAX_RECIPIENTS", 100, 1, 1000);
	s->errors_max = (unsigned)config_int("MERPATI_SMTP_MAX_ERRORS", 10, 1, 1000);
	s->auth_failures_max = (unsigned)config_int("MERPATI_SMTP_MAX_AUTH_FAILURES", 3, 1, 100);
	s->expn = load_expn();
}

/* smtp_config_load - every setting, with defaults for one host */
void smtp_config_load(struct smtp_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	for (int i = 0; i < SMTP_LISTENER_COUNT; i++)
		load_listener(i, &cfg->listeners[i]);
	load_session(&cfg->session);
	cfg->plaintext_auth = net_plaintext_auth_from_config();
	/* RFC 5321 4.5.3.2 asks for minutes; tests set seconds */
	cfg->timeout = config_duration("MERPATI_SMTP_TIMEOUT", "5m");
	if (cfg->timeout < 1)
		config_fail("MERPATI_SMTP_TIMEOUT", config_str("MERPATI_SMTP_TIMEOUT", ""),
			    "must be at least 1s");
	cfg->auth_fail_delay_ms = 1000 * config_duration("MERPATI_SMTP_AUTH_FAIL_DELAY", "2s");
	cfg->lockout_failures = (unsigned)config_int("MERPATI_SMTP_AUTH_LOCKOUT_FAILURES", 10, 1, 100000);
	cfg->lockout_window = config_duration("MERPATI_SMTP_AUTH_LOCKOUT_WINDOW", "15m");
	cfg->max_conns = (unsigned)config_int("MERPATI_SMTP_MAX_CONNECTIONS", 1000, 1, 1000000);
	cfg->max_per_ip = (unsigned)config_int("MERPATI_SMTP_MAX_CONN_PER_IP", 20, 1, 1000000);
	cfg->store_threads = (unsigned)config_int("MERPATI_SMTP_STORE_THREADS", 8, 1, 64);
	/* below docker-compose.yml's stop_grace_period (30s), after which comes SIGKILL */
	cfg->shutdown_grace = config_duration("MERPATI_SHUTDOWN_GRACE", "20s");
}
