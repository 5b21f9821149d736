/* log.c - logfmt lines on stderr, one write(2) per line so threads do not interleave */
#include "log/log.h"
#include "config/config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static const char *log_service = "merpati";
static enum log_level log_threshold = LOG_LEVEL_INFO;
static const char *const log_level_names[] = { "debug", "info", "warn", "error", NULL };

void log_init(const char *service)
{
	log_service = service;
	log_threshold = (enum log_level)config_enum("MERPATI_LOG_LEVEL", "info", log_level_names);
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	char line[4096];
	struct timeval tv;
	struct tm tm;
	va_list ap;
	int n, m;

	if (level < log_threshold)
		return;
	gettimeofday(&tv, NULL);
	gmtime_r(&tv.tv_sec, &tm);
	n = snprintf(line, sizeof(line), "ts=%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ level=%s service=%s ",
		tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
		(long)(tv.tv_usec / 1000), log_level_names[level], log_service);
	va_start(ap, fmt);
	m = vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	if (m < 0)
		m = 0;
	n += m;
	if ((size_t)n > sizeof(line) - 2)
		n = sizeof(line) - 2; /* truncated: still one line */
	line[n++] = '\n';
	if (write(STDERR_FILENO, line, (size_t)n) < 0) {
		/* nowhere left to report it */
	}
}

const char *log_quote(char buf[LOG_QUOTE_MAX], const char *s, size_t len)
{
	size_t o = 0;

	buf[o++] = '"';
	for (size_t i = 0; i < len && o < LOG_QUOTE_MAX - 6; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"' || c == '\\') {
			buf[o++] = '\\';
			buf[o++] = (char)c;
		} else if (c < 0x20 || c == 0x7f) {
			o += (size_t)snprintf(buf + o, 5, "\\x%02x", c);
		} else {
			buf[o++] = (char)c;
		}
	}
	buf[o++] = '"';
	buf[o] = '\0';
	return buf;
}
