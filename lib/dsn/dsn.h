/* dsn - delivery status notifications (RFC 3464) built with GMime: a
 * multipart/report; report-type=delivery-status with a human-readable part, the
 * message/delivery-status fields, and the original message (RET=FULL) or its header
 * (text/rfc822-headers). The DSN is sent with the null reverse-path by the caller, so it
 * is never answered by another one (RFC 3461 section 2). */
#ifndef MERPATI_DSN_H
#define MERPATI_DSN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* What a DSN reports (RFC 3464 2.3.3 Action); NONE: no notice is due */
enum dsn_kind { DSN_NONE, DSN_FAILED, DSN_DELAYED, DSN_RELAYED };

#define DSN_ORIGINAL_MAX (10u << 20) /* RET=FULL beyond this returns headers only */
#define DSN_HEADERS_MAX (64u << 10)  /* header bytes quoted at most */

struct dsn_in {
	enum dsn_kind kind;     /* FAILED, DELAYED or RELAYED */
	const char *reporting_mta;      /* our host name */
	const char *to;                 /* the original sender */
	const char *envid;              /* "" when none */
	time_t arrival;
	const char *recipient;
	const char *orcpt;              /* "rfc822;x@y" or "" */
	const char *status;             /* "5.1.1" */
	const char *remote_mta;         /* "" when none answered */
	const char *diagnostic;         /* the remote reply, or "" */
	time_t retry_until;             /* for delayed */
	bool full;                      /* include the whole original (RET=FULL) */
	const uint8_t *original;        /* the original bytes (or at least its header) */
	size_t original_len;
};

/* dsn_build - the DSN as CRLF-ended bytes (malloc'd, *len_r set); NULL on error */
uint8_t *dsn_build(const struct dsn_in *in, size_t *len_r);
/* dsn_header_len - bytes of the original's header section, blank line included */
size_t dsn_header_len(const uint8_t *msg, size_t len);

#endif
