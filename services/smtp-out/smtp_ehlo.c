/* smtp_ehlo.c - EHLO keywords (see smtp_ehlo.h) */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "services/smtp-out/smtp_ehlo.h"

/* keyword_is - the line's first word is kw (case-insensitive, RFC 5321 2.4) */
static bool keyword_is(const char *line, size_t n, const char *kw)
{
	size_t k = strlen(kw);

	return n >= k && strncasecmp(line, kw, k) == 0 && (n == k || line[k] == ' ');
}

/* size_param - the optional number after SIZE (RFC 1870 section 4); 0 when absent/bad */
static uint64_t size_param(const char *line, size_t n)
{
	char num[24];
	size_t len;
	char *end;
	unsigned long long v;

	if (n <= 5)
		return 0;
	len = n - 5 < sizeof(num) - 1 ? n - 5 : sizeof(num) - 1;
	memcpy(num, line + 5, len);
	num[len] = '\0';
	if (num[0] < '0' || num[0] > '9')
		return 0;
	v = strtoull(num, &end, 10);
	return *end == '\0' || *end == ' ' ? (uint64_t)v : 0;
}

void smtp_ehlo_parse(const struct smtp_reply *r, struct smtp_ehlo *out)
{
	const char *line;
	size_t i, n;

	memset(out, 0, sizeof(*out));
	for (i = 1; (line = smtp_reply_line(r, i, &n)) != NULL; i++) {
		if (keyword_is(line, n, "STARTTLS"))
			out->starttls = true;
		else if (keyword_is(line, n, "PIPELINING"))
			out->pipelining = true;
		else if (keyword_is(line, n, "DSN"))
			out->dsn = true;
		else if (keyword_is(line, n, "SMTPUTF8"))
			out->smtputf8 = true;
		else if (keyword_is(line, n, "8BITMIME"))
			out->eightbitmime = true;
		else if (keyword_is(line, n, "ENHANCEDSTATUSCODES"))
			out->enhanced = true;
		else if (keyword_is(line, n, "SIZE")) {
			out->has_size = true;
			out->size = size_param(line, n);
		}
	}
}
