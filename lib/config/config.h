/* config - settings from MERPATI_* environment variables (DESIGN.md section 5-6).
 *
 * Every getter takes the variable's name and a default that works on one host. A value
 * that does not parse stops the process with one line naming the variable and exit
 * status 2: a typo in a deployment must fail loudly at start, never half-work.
 * The config_parse_* functions are the pure parsers underneath, for tests and fuzzing. */
#ifndef MERPATI_CONFIG_H
#define MERPATI_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#define CONFIG_HOST_MAX 256
#define CONFIG_PORT_MAX 16
#define CONFIG_DURATIONS_MAX 32

struct config_listen {
	char host[CONFIG_HOST_MAX]; /* "" means every address */
	char port[CONFIG_PORT_MAX];
};

/* config_parse_duration - "90", "90s", "15m", "4h", "5d" to seconds; -1 on error */
int config_parse_duration(const char *s, long *seconds_r);
/* config_parse_durations - comma-separated durations; returns count or -1 */
int config_parse_durations(const char *s, long *out, size_t max);
/* config_parse_size - "1024", "64k", "25M", "1G" to bytes; -1 on error */
int config_parse_size(const char *s, size_t *bytes_r);
/* config_parse_listen - ":25", "127.0.0.1:2525", "[::1]:143", "*:25"; -1 on error */
int config_parse_listen(const char *s, struct config_listen *out);
/* config_parse_bool - 1/0, true/false, yes/no, on/off; -1 on error */
int config_parse_bool(const char *s, bool *out);

/* Getters: environment value if set and non-empty, else the default. Exit 2 on a bad value. */
const char *config_str(const char *name, const char *def);
long config_int(const char *name, long def, long min, long max);
long config_duration(const char *name, const char *def);
int config_durations(const char *name, const char *def, long *out, size_t max);
size_t config_size(const char *name, const char *def);
bool config_bool(const char *name, bool def);
/* config_enum - value must be one of the NULL-terminated choices; returns its index */
int config_enum(const char *name, const char *def, const char *const *choices);
void config_listen(const char *name, const char *def, struct config_listen *out);

/* config_fail - report a bad setting and exit(2) */
void config_fail(const char *name, const char *value, const char *why)
	__attribute__((noreturn));

/* config_db - MERPATI_DB, defaulting to the private cluster of `make run` */
const char *config_db(void);
/* config_hostname - MERPATI_HOSTNAME, defaulting to gethostname() */
const char *config_hostname(void);

#endif
