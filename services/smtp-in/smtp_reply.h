/* smtp_reply - the one formatter of SMTP replies (RFC 5321 4.2, RFC 2034, RFC 3463).
 *
 * A reply is written as "CODE ENH text" where text may hold several lines separated by '\n':
 * every line but the last gets "CODE-", the last "CODE " (RFC 5321 4.2.1), and each line
 * carries the enhanced status code when one is given (RFC 2034 3). Text is cut to keep every
 * line within RFC 5321 4.5.3.1.5's 512 octets, and bytes outside printable ASCII become '?',
 * so nothing a client sent can break a reply apart. */
#ifndef MERPATI_SMTP_REPLY_H
#define MERPATI_SMTP_REPLY_H

#include <event2/buffer.h>

#define SMTP_REPLY_LINE_MAX 512 /* CRLF included */

/* smtp_reply - write a reply; enh may be NULL (greeting, HELO/EHLO answers) */
void smtp_reply(struct evbuffer *out, int code, const char *enh, const char *text);

/* smtp_reply_printf - smtp_reply with printf-style text */
void smtp_reply_printf(struct evbuffer *out, int code, const char *enh, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* smtp_reply_str - write a reply given as one string "501 5.5.4 text" (the form parsers
 * return); a string without an enhanced code is written without one */
void smtp_reply_str(struct evbuffer *out, const char *reply);

/* smtp_reply_code - the numeric code at the start of such a string, 0 if none */
int smtp_reply_code(const char *reply);

#endif
