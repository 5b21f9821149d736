/* smtp_ehlo - the service extensions a server lists in its EHLO reply (RFC 5321 4.1.1.1).
 * Pure: reads a parsed struct smtp_reply. */
#ifndef MERPATI_SMTPOUT_EHLO_H
#define MERPATI_SMTPOUT_EHLO_H

#include <stdbool.h>
#include <stdint.h>

#include "services/smtp-out/smtp_reply.h"

struct smtp_ehlo {
	bool starttls;      /* RFC 3207 */
	bool pipelining;    /* RFC 2920 */
	bool dsn;           /* RFC 3461 */
	bool smtputf8;      /* RFC 6531 */
	bool eightbitmime;  /* RFC 6152 */
	bool enhanced;      /* RFC 2034 */
	bool has_size;      /* RFC 1870 */
	uint64_t size;      /* 0 with has_size: no fixed limit (RFC 1870 section 4) */
};

/* smtp_ehlo_parse - the keywords of every line after the first (the greeting line) */
void smtp_ehlo_parse(const struct smtp_reply *r, struct smtp_ehlo *out);

#endif
