/* log - one line per event, logfmt, on stderr (DESIGN.md section 5).
 *
 *   log_info("session=%s event=connect client=%s", id, addr);
 * prints
 *   ts=2026-11-22T04:30:00.123Z level=info service=smtp-in session=... event=connect ...
 *
 * Values that may hold spaces, quotes or client bytes go through log_quote(), which
 * makes one safe logfmt value of them (quoted, escaped, bounded). */
#ifndef MERPATI_LOG_H
#define MERPATI_LOG_H

#include <stddef.h>

enum log_level { LOG_LEVEL_DEBUG, LOG_LEVEL_INFO, LOG_LEVEL_WARN, LOG_LEVEL_ERROR };

/* log_init - name the service; reads MERPATI_LOG_LEVEL (debug, info, warn, error) */
void log_init(const char *service);
void log_msg(enum log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define log_debug(...) log_msg(LOG_LEVEL_DEBUG, __VA_ARGS__)
#define log_info(...) log_msg(LOG_LEVEL_INFO, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_LEVEL_WARN, __VA_ARGS__)
#define log_error(...) log_msg(LOG_LEVEL_ERROR, __VA_ARGS__)

#define LOG_QUOTE_MAX 256
/* log_quote - a quoted, escaped logfmt value of at most LOG_QUOTE_MAX bytes in buf */
const char *log_quote(char buf[LOG_QUOTE_MAX], const char *s, size_t len);

#endif
