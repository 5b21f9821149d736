/* smtp_parser - one SMTP command line to a verb and its arguments; MAIL and RCPT parameters.
 *
 * Pure: no I/O, no allocation, no globals. Results point into the input buffer.
 *
 * Line rules (decided here, for every command line and SASL response):
 * - A line ends with CRLF (RFC 5321 2.3.8). A bare LF, a bare CR or a NUL inside a line makes
 *   the whole line an error (500 5.5.2), consumed through its LF: lenient line endings are
 *   what SMTP smuggling feeds on, and no conforming client sends them.
 * - Length bounds (RFC 5321 4.5.3.1.4): `line_max` (default 512, CRLF included) for most
 *   commands; MAIL and RCPT may be SMTP_PARSER_PARAM_EXTRA longer for extension parameters
 *   (RFC 5321 4.5.3.1.4, RFC 1870, RFC 3461); AUTH lines up to SMTP_PARSER_AUTH_LINE_MAX
 *   (RFC 4954 4). A line longer than its bound is an error (500 5.5.2); when no LF shows up
 *   within the largest bound, smtp_parser_line returns -1 and the caller discards input
 *   through the next LF. */
#ifndef MERPATI_SMTP_PARSER_H
#define MERPATI_SMTP_PARSER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "smtp_address.h"

#define SMTP_PARSER_LINE_DEFAULT 512
#define SMTP_PARSER_PARAM_EXTRA 1024
#define SMTP_PARSER_AUTH_LINE_MAX 12288
#define SMTP_PARSER_ENVID_MAX 100  /* RFC 3461 4.4 */
#define SMTP_PARSER_ORCPT_MAX 500  /* RFC 3461 4.2 */
#define SMTP_PARSER_SIZE_DIGITS 20

enum smtp_verb {
	SMTP_VERB_INVALID = 0, /* the line is an error: see smtp_cmd.error */
	SMTP_VERB_UNKNOWN,
	SMTP_VERB_EHLO, SMTP_VERB_HELO, SMTP_VERB_MAIL, SMTP_VERB_RCPT, SMTP_VERB_DATA,
	SMTP_VERB_BDAT, SMTP_VERB_RSET, SMTP_VERB_NOOP, SMTP_VERB_QUIT, SMTP_VERB_VRFY,
	SMTP_VERB_EXPN, SMTP_VERB_VERB, SMTP_VERB_HELP, SMTP_VERB_STARTTLS, SMTP_VERB_AUTH,
	SMTP_VERB_HTTP, /* GET, POST, CONNECT ...: another protocol talking to us */
	SMTP_VERB_COUNT
};

struct smtp_cmd {
	enum smtp_verb verb;
	const char *args; /* after the verb and its spaces; trailing spaces removed */
	size_t args_len;
	const char *error; /* reply text when verb is SMTP_VERB_INVALID */
};

enum smtp_body { SMTP_BODY_NONE, SMTP_BODY_7BIT, SMTP_BODY_8BITMIME, SMTP_BODY_BINARYMIME };
enum smtp_ret { SMTP_RET_NONE, SMTP_RET_FULL, SMTP_RET_HDRS };

/* NOTIFY= (RFC 3461 4.1) */
#define SMTP_NOTIFY_NEVER 0x1
#define SMTP_NOTIFY_SUCCESS 0x2
#define SMTP_NOTIFY_FAILURE 0x4
#define SMTP_NOTIFY_DELAY 0x8

struct smtp_mail_args {
	struct smtp_address from;
	bool has_size;
	uint64_t size;
	enum smtp_body body;
	bool smtputf8;
	enum smtp_ret ret;
	char envid[SMTP_PARSER_ENVID_MAX + 1]; /* xtext-decoded, printable ASCII */
	bool has_auth;                         /* AUTH= given (RFC 4954 5); not trusted */
};

struct smtp_rcpt_args {
	struct smtp_address to;
	unsigned notify;                       /* SMTP_NOTIFY_* bits, 0 when not given */
	char orcpt[SMTP_PARSER_ORCPT_MAX + 1]; /* "addr-type;address", xtext-decoded */
};

/* smtp_parser_line_bound - the largest line any command may have for this line_max */
size_t smtp_parser_line_bound(size_t line_max);

/* smtp_parser_raw_line - one CRLF-terminated line of at most `max` bytes (CRLF included):
 * bytes consumed with *line_r and *line_len_r set (CRLF removed) or *error_r set for a bad line;
 * 0 for need more; -1 when `max` bytes went by without LF */
ssize_t smtp_parser_raw_line(const uint8_t *buf, size_t len, size_t max, const char **line_r,
			     size_t *line_len_r, const char **error_r);

/* smtp_parser_line - one command line: bytes consumed (out filled; verb INVALID on a bad
 * line), 0 for need more, -1 for an endless line (see above) */
ssize_t smtp_parser_line(const uint8_t *buf, size_t len, size_t line_max,
			 struct smtp_cmd *out, const char **error_r);

/* smtp_parser_mail - "FROM:<path> [params]" of MAIL; -1 with a reply text in *error_r */
int smtp_parser_mail(const char *args, size_t len, struct smtp_mail_args *out,
		     const char **error_r);

/* smtp_parser_rcpt - "TO:<path> [params]" of RCPT; non-ASCII only when smtputf8 */
int smtp_parser_rcpt(const char *args, size_t len, bool smtputf8, struct smtp_rcpt_args *out,
		     const char **error_r);

/* smtp_parser_xtext_decode - RFC 3461 4 xtext to printable ASCII in out (NUL-terminated);
 * -1 on bad xtext, non-printable result or overflow */
int smtp_parser_xtext_decode(const char *s, size_t len, char *out, size_t size);

/* smtp_parser_verb_name - the verb's name, for logs */
const char *smtp_parser_verb_name(enum smtp_verb verb);

#endif
