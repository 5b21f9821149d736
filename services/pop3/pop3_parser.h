/* pop3_parser - one POP3 command line to a verb and its arguments (RFC 1939 3, RFC 2449 4).
 *
 * Pure: no I/O, no allocation. Results point into the caller's buffer and stay valid
 * until that buffer changes. The line limit is the caller's (RFC 2449 4 sets 255 octets
 * for a command line, CRLF included); a line longer than that is an error the
 * connection does not recover from, because its end is unknown. */
#ifndef MERPATI_POP3_PARSER_H
#define MERPATI_POP3_PARSER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* RFC 2449 4: keywords are three or four characters. Arguments are bounded by the line
 * only: RFC 2449's 40 characters would refuse AUTH PLAIN initial responses (RFC 5034 4). */
#define POP3_PARSER_VERB_MAX 4
#define POP3_PARSER_ARGS_MAX 3
/* RFC 2449 4: a command line is at most 255 octets including the CRLF. */
#define POP3_PARSER_LINE_DEFAULT 255

struct pop3_arg {
	const char *s; /* not NUL-terminated */
	size_t len;
};

struct pop3_cmd {
	char verb[POP3_PARSER_VERB_MAX + 1]; /* upper case; "" when the line has no valid verb */
	struct pop3_arg args[POP3_PARSER_ARGS_MAX];
	size_t argc;
	/* everything after the verb and one space, for PASS (RFC 1939 7: the password may
	 * hold spaces) and for SASL response lines */
	struct pop3_arg rest;
	struct pop3_arg line; /* the whole line without its line ending */
	/* NULL, or why the line is not a well-formed command (no verb, control
	 * characters); the line is still consumed */
	const char *bad;
	/* NULL, or why the arguments do not split (doubled spaces, too many); commands
	 * that take the whole rest of the line ignore it */
	const char *args_bad;
};

/* pop3_parser_line - find one line of at most max_line octets with its ending.
 * Returns the octets to consume, 0 when more input is needed, -1 when the line is too
 * long. *line_len_r is the length without CRLF (a bare LF is accepted as an ending). */
ssize_t pop3_parser_line(const uint8_t *buf, size_t len, size_t max_line, size_t *line_len_r,
			 const char **error_r);

/* pop3_parser_parse - parse one command line; returns like pop3_parser_line */
ssize_t pop3_parser_parse(const uint8_t *buf, size_t len, size_t max_line, struct pop3_cmd *out,
			  const char **error_r);

/* pop3_parser_arg_equals - case-insensitive comparison of an argument with a word */
bool pop3_parser_arg_equals(const struct pop3_arg *arg, const char *word);

/* pop3_parser_arg_number - a message number or count: 1-9 digits, value in [0, 999999999];
 * -1 when the argument is not a plain decimal number */
int pop3_parser_arg_number(const struct pop3_arg *arg, long *n_r);

#endif
