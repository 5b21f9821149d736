/* web_config - the webmail's MERPATI_WEBMAIL_* settings (docs/WEBMAIL-API.md, "Settings"). */
#include "services/webmail/web_server.h"

#include <stdio.h>
#include <string.h>

#ifndef MERPATI_WEBMAIL_STATIC_DEFAULT
#define MERPATI_WEBMAIL_STATIC_DEFAULT "services/webmail/static"
#endif

void web_config_load(struct web_config *cfg)
{
	const char *dir, *admins;

	memset(cfg, 0, sizeof(*cfg));
	config_listen("MERPATI_WEBMAIL_LISTEN", ":8080", &cfg->listen);
	dir = config_str("MERPATI_WEBMAIL_STATIC", MERPATI_WEBMAIL_STATIC_DEFAULT);
	if (strlen(dir) >= sizeof(cfg->static_dir))
		config_fail("MERPATI_WEBMAIL_STATIC", dir, "path too long");
	snprintf(cfg->static_dir, sizeof(cfg->static_dir), "%s", dir);
	cfg->max_upload = config_size("MERPATI_WEBMAIL_MAX_UPLOAD", "25M");
	if (cfg->max_upload > ((size_t)1 << 30))
		config_fail("MERPATI_WEBMAIL_MAX_UPLOAD", "", "at most 1G");
	cfg->secure_cookies = config_bool("MERPATI_WEBMAIL_SECURE_COOKIES", false);
	cfg->session_ttl = config_duration("MERPATI_WEBMAIL_SESSION_TTL", "12h");
	if (cfg->session_ttl < 60)
		config_fail("MERPATI_WEBMAIL_SESSION_TTL", "", "at least 60s");
	admins = config_str("MERPATI_WEBMAIL_ADMINS", "");
	if (strlen(admins) >= sizeof(cfg->admins))
		config_fail("MERPATI_WEBMAIL_ADMINS", "", "too long");
	snprintf(cfg->admins, sizeof(cfg->admins), "%s", admins);
	cfg->pool_threads = (unsigned)config_int("MERPATI_WEBMAIL_DB_THREADS", 4, 1, 64);
}
