/* Fuzz the configuration value parsers: no crash, and accepted values are in range. */
#include "config/config.h"

#include <assert.h>
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char s[600];
	long secs, list[CONFIG_DURATIONS_MAX];
	size_t bytes;
	bool b;
	struct config_listen l;

	if (size >= sizeof(s))
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (config_parse_duration(s, &secs) == 0)
		assert(secs >= 0);
	(void)config_parse_durations(s, list, CONFIG_DURATIONS_MAX);
	(void)config_parse_size(s, &bytes);
	(void)config_parse_bool(s, &b);
	if (config_parse_listen(s, &l) == 0)
		assert(strlen(l.host) < sizeof(l.host) && strlen(l.port) < sizeof(l.port));
	return 0;
}
