/* config.c - MERPATI_* environment variables with defaults and strict parsing */
#include "config/config.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

/* Default for MERPATI_DB: the socket directory of the cluster `make run` starts under ./var. */
#ifndef MERPATI_DEFAULT_DB
#define MERPATI_DEFAULT_DB "host=/tmp port=5432 dbname=merpati user=merpati"
#endif

int config_parse_duration(const char *s, long *seconds_r)
{
	char *end;
	long n, unit = 1;

	if (s == NULL || !isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	n = strtol(s, &end, 10);
	if (errno != 0 || n < 0)
		return -1;
	switch (*end) {
	case '\0': case 's': unit = 1; break;
	case 'm': unit = 60; break;
	case 'h': unit = 3600; break;
	case 'd': unit = 86400; break;
	default: return -1;
	}
	if (*end != '\0' && end[1] != '\0')
		return -1;
	if (n > LONG_MAX / unit)
		return -1;
	*seconds_r = n * unit;
	return 0;
}

int config_parse_durations(const char *s, long *out, size_t max)
{
	char buf[512], *save = NULL, *tok;
	size_t n = 0;

	if (s == NULL || strlen(s) >= sizeof(buf))
		return -1;
	strcpy(buf, s);
	for (tok = strtok_r(buf, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
		while (*tok == ' ')
			tok++;
		if (n == max || config_parse_duration(tok, &out[n]) < 0)
			return -1;
		n++;
	}
	return n == 0 ? -1 : (int)n;
}

int config_parse_size(const char *s, size_t *bytes_r)
{
	char *end;
	unsigned long long n, unit = 1;

	if (s == NULL || !isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	n = strtoull(s, &end, 10);
	if (errno != 0)
		return -1;
	switch (*end) {
	case '\0': case 'b': case 'B': break;
	case 'k': case 'K': unit = 1024ULL; break;
	case 'm': case 'M': unit = 1024ULL * 1024; break;
	case 'g': case 'G': unit = 1024ULL * 1024 * 1024; break;
	default: return -1;
	}
	if (*end != '\0' && end[1] != '\0')
		return -1;
	if (n > SIZE_MAX / unit)
		return -1;
	*bytes_r = (size_t)(n * unit);
	return 0;
}

static int copy_bounded(char *dst, size_t size, const char *src, size_t len)
{
	if (len >= size)
		return -1;
	memcpy(dst, src, len);
	dst[len] = '\0';
	return 0;
}

static int port_valid(const char *p)
{
	char *end;
	long n;

	if (!isdigit((unsigned char)*p))
		return 0;
	n = strtol(p, &end, 10);
	return *end == '\0' && n >= 0 && n <= 65535;
}

int config_parse_listen(const char *s, struct config_listen *out)
{
	const char *colon;

	if (s == NULL)
		return -1;
	if (s[0] == '[') {
		const char *close = strchr(s, ']');
		if (close == NULL || close[1] != ':')
			return -1;
		if (copy_bounded(out->host, sizeof(out->host), s + 1, (size_t)(close - s - 1)) < 0)
			return -1;
		colon = close + 1;
	} else {
		colon = strrchr(s, ':');
		if (colon == NULL)
			return -1;
		if (copy_bounded(out->host, sizeof(out->host), s, (size_t)(colon - s)) < 0)
			return -1;
		if (strchr(out->host, ':') != NULL)
			return -1; /* a bare IPv6 address needs brackets */
		if (strcmp(out->host, "*") == 0)
			out->host[0] = '\0';
	}
	if (copy_bounded(out->port, sizeof(out->port), colon + 1, strlen(colon + 1)) < 0)
		return -1;
	return port_valid(out->port) ? 0 : -1;
}

int config_parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = { "1", "true", "yes", "on", NULL };
	static const char *const no[] = { "0", "false", "no", "off", NULL };

	if (s == NULL)
		return -1;
	for (int i = 0; yes[i] != NULL; i++) {
		if (strcasecmp(s, yes[i]) == 0) { *out = true; return 0; }
		if (strcasecmp(s, no[i]) == 0) { *out = false; return 0; }
	}
	return -1;
}

void config_fail(const char *name, const char *value, const char *why)
{
	fprintf(stderr, "level=fatal event=config_error variable=%s value=\"%s\" reason=\"%s\"\n",
		name, value != NULL ? value : "", why);
	exit(2);
}

const char *config_str(const char *name, const char *def)
{
	const char *v = getenv(name);

	return v != NULL && *v != '\0' ? v : def;
}

long config_int(const char *name, long def, long min, long max)
{
	const char *v = getenv(name);
	char *end;
	long n;

	if (v == NULL || *v == '\0')
		return def;
	errno = 0;
	n = strtol(v, &end, 10);
	if (errno != 0 || end == v || *end != '\0')
		config_fail(name, v, "not an integer");
	if (n < min || n > max)
		config_fail(name, v, "out of range");
	return n;
}

long config_duration(const char *name, const char *def)
{
	const char *v = config_str(name, def);
	long secs;

	if (config_parse_duration(v, &secs) < 0)
		config_fail(name, v, "not a duration (use s, m, h or d, e.g. 15m)");
	return secs;
}

int config_durations(const char *name, const char *def, long *out, size_t max)
{
	const char *v = config_str(name, def);
	int n = config_parse_durations(v, out, max);

	if (n < 0)
		config_fail(name, v, "not a comma-separated list of durations (e.g. 15m,30m,1h)");
	return n;
}

size_t config_size(const char *name, const char *def)
{
	const char *v = config_str(name, def);
	size_t bytes;

	if (config_parse_size(v, &bytes) < 0)
		config_fail(name, v, "not a size (bytes, or with k, M or G)");
	return bytes;
}

bool config_bool(const char *name, bool def)
{
	const char *v = getenv(name);
	bool b;

	if (v == NULL || *v == '\0')
		return def;
	if (config_parse_bool(v, &b) < 0)
		config_fail(name, v, "not a boolean (true/false)");
	return b;
}

int config_enum(const char *name, const char *def, const char *const *choices)
{
	const char *v = config_str(name, def);

	for (int i = 0; choices[i] != NULL; i++)
		if (strcasecmp(v, choices[i]) == 0)
			return i;
	config_fail(name, v, "not one of the allowed values");
}

void config_listen(const char *name, const char *def, struct config_listen *out)
{
	const char *v = config_str(name, def);

	if (config_parse_listen(v, out) < 0)
		config_fail(name, v, "not a listen address (host:port, :port or [v6]:port)");
}

const char *config_db(void)
{
	return config_str("MERPATI_DB", MERPATI_DEFAULT_DB);
}

const char *config_hostname(void)
{
	static char name[256];
	const char *v = getenv("MERPATI_HOSTNAME");

	if (v != NULL && *v != '\0')
		return v;
	if (name[0] == '\0' && gethostname(name, sizeof(name) - 1) != 0)
		strcpy(name, "localhost");
	return name;
}
