/* smtp_reply - a bounded parser of SMTP replies as a client reads them (RFC 5321 4.2).
 *
 * A reply is one or more lines "CODE-text" ... "CODE text" (RFC 5321 4.2.1); every line
 * must carry the same code. An enhanced status code (RFC 3463, announced by RFC 2034
 * ENHANCEDSTATUSCODES) at the start of the first line is taken apart when its class matches
 * the reply's first digit. Pure: no I/O, no allocation; the result is copied out of the
 * input so the caller may drain it.
 *
 *   ssize_t n = smtp_reply_parse(buf, len, &r, &error);  // >0 consumed, 0 need more, -1 bad
 */
#ifndef MERPATI_SMTPOUT_REPLY_H
#define MERPATI_SMTPOUT_REPLY_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define SMTP_REPLY_LINE_MAX 1024   /* RFC 5321 4.5.3.1.5 says 512; real servers go beyond */
#define SMTP_REPLY_LINES_MAX 100   /* an EHLO reply with every extension fits easily */
#define SMTP_REPLY_TEXT_MAX 8192   /* every line's text, joined by '\n' */
#define SMTP_REPLY_ENH_MAX 12      /* "5.123.123" and a NUL */

struct smtp_reply {
	int code;                        /* 200 ... 559 */
	char enh[SMTP_REPLY_ENH_MAX];    /* "5.1.1" or "" */
	size_t nlines;
	size_t text_len;
	char text[SMTP_REPLY_TEXT_MAX];  /* lines after "CODE-", joined by '\n', NUL-ended */
};

/* smtp_reply_parse - one whole reply from buf: bytes consumed, 0 when the last line has
 * not arrived yet, -1 with *error_r on a malformed or oversized reply */
ssize_t smtp_reply_parse(const uint8_t *buf, size_t len, struct smtp_reply *out,
			 const char **error_r);
/* smtp_reply_format - the reply as wire lines ending in CRLF into buf; the length, or -1
 * when it does not fit */
ssize_t smtp_reply_format(const struct smtp_reply *r, char *buf, size_t size);
/* smtp_reply_enh_parse - an RFC 3463 code "c.sss.ddd" at the start of s: its length, 0 if
 * there is none */
size_t smtp_reply_enh_parse(const char *s, size_t len);
/* smtp_reply_line - the n-th text line (no newline) and its length; NULL past the end */
const char *smtp_reply_line(const struct smtp_reply *r, size_t n, size_t *len_r);
/* smtp_reply_summary - "550 5.1.1 text" of the first line, bounded, for logs and DSNs */
const char *smtp_reply_summary(const struct smtp_reply *r, char *buf, size_t size);

#endif
