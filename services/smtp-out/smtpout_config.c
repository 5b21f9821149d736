/* smtpout_config.c - smtp-out's MERPATI_* variables, with defaults that work on one host */
#include <stdio.h>
#include <unistd.h>

#include "services/smtp-out/smtpout.h"

/* smtpout_config_load - read the MERPATI_* variables (exit 2 on a bad value) */
void smtpout_config_load(struct smtpout_config *cfg)
{
	static const char *const verify[] = { "none", "verify", NULL };
	int n;

	cfg->db = config_db();
	cfg->hostname = config_hostname();
	snprintf(cfg->owner, sizeof(cfg->owner), "%.100s:%ld", cfg->hostname, (long)getpid());
	cfg->port = (int)config_int("MERPATI_SMTP_OUT_PORT", 25, 1, 65535);
	cfg->tls_verify = config_enum("MERPATI_SMTP_OUT_TLS_VERIFY", "none", verify) == 1 ?
			  TLS_VERIFY_PEER : TLS_VERIFY_NONE;
	cfg->max = (unsigned)config_int("MERPATI_SMTP_OUT_MAX", 32, 1, SMTPOUT_MAX_LIMIT);
	cfg->per_domain = (unsigned)config_int("MERPATI_SMTP_OUT_PER_DOMAIN", 4, 1,
					       SMTPOUT_MAX_LIMIT);
	cfg->workers = (unsigned)config_int("MERPATI_SMTP_OUT_WORKERS", 4, 1, 64);
	cfg->poll = config_duration("MERPATI_SMTP_OUT_POLL", "30s");
	cfg->lease = config_duration("MERPATI_SMTP_OUT_LEASE", "10m");
	cfg->connect_timeout = config_duration("MERPATI_SMTP_OUT_CONNECT_TIMEOUT", "30s");
	cfg->timeout = config_duration("MERPATI_SMTP_OUT_TIMEOUT", "5m");
	cfg->resolver_timeout = config_duration("MERPATI_SMTP_OUT_RESOLVER_TIMEOUT", "30s");
	n = config_durations("MERPATI_RETRY_INTERVALS", "15m,15m,30m,1h,2h,4h", cfg->intervals,
			     SMTPOUT_INTERVALS_MAX);
	cfg->nintervals = (size_t)n;
	cfg->warn_after = config_duration("MERPATI_DELAY_WARN_AFTER", "4h");
	cfg->bounce_after = config_duration("MERPATI_BOUNCE_AFTER", "5d");
	if (cfg->poll < 1)
		config_fail("MERPATI_SMTP_OUT_POLL", "0", "must be at least 1s");
	if (cfg->lease < 10)
		config_fail("MERPATI_SMTP_OUT_LEASE", "", "must be at least 10s");
	if (cfg->connect_timeout < 1 || cfg->timeout < 1 || cfg->resolver_timeout < 1)
		config_fail("MERPATI_SMTP_OUT_TIMEOUT", "0", "timeouts must be at least 1s");
	if (n < 1)
		config_fail("MERPATI_RETRY_INTERVALS", "", "needs at least one duration");
}
