/* pop3_parser.c - POP3 command lines to verb and arguments, bounded (RFC 1939 3, RFC 2449 4) */
#include "services/pop3/pop3_parser.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

ssize_t pop3_parser_line(const uint8_t *buf, size_t len, size_t max_line, size_t *line_len_r,
			 const char **error_r)
{
	size_t scan = len < max_line ? len : max_line;
	const uint8_t *lf = memchr(buf, '\n', scan);

	if (lf == NULL) {
		if (len >= max_line) {
			*error_r = "line too long";
			return -1;
		}
		return 0;
	}
	*line_len_r = (size_t)(lf - buf);
	if (*line_len_r > 0 && buf[*line_len_r - 1] == '\r')
		(*line_len_r)--;
	return (ssize_t)(lf - buf) + 1;
}

/* parser_verb - copy and upper-case the keyword; false when it is not 1-4 letters */
static bool parser_verb(const char *s, size_t len, struct pop3_cmd *out)
{
	if (len == 0 || len > POP3_PARSER_VERB_MAX)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (!isalpha((unsigned char)s[i]))
			return false;
		out->verb[i] = (char)toupper((unsigned char)s[i]);
	}
	out->verb[len] = '\0';
	return true;
}

/* parser_printable - RFC 1939 3: arguments are printable ASCII; no controls or NUL */
static bool parser_printable(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c == 0x7f)
			return false;
	}
	return true;
}

/* parser_args - split the text after the verb at single spaces */
static void parser_args(const char *s, size_t len, struct pop3_cmd *out)
{
	size_t i = 0;

	while (i < len) {
		size_t start = i;
		while (i < len && s[i] != ' ')
			i++;
		if (i == start) {
			/* a leading or doubled space: RFC 1939 3 separates by one space */
			out->args_bad = "Empty argument";
			return;
		}
		if (out->argc == POP3_PARSER_ARGS_MAX) {
			out->args_bad = "Too many arguments";
			return;
		}
		out->args[out->argc].s = s + start;
		out->args[out->argc].len = i - start;
		out->argc++;
		if (i < len)
			i++;
	}
}

ssize_t pop3_parser_parse(const uint8_t *buf, size_t len, size_t max_line, struct pop3_cmd *out,
			  const char **error_r)
{
	size_t line_len, verb_len;
	ssize_t used = pop3_parser_line(buf, len, max_line, &line_len, error_r);
	const char *s = (const char *)buf;

	if (used <= 0)
		return used;
	memset(out, 0, sizeof(*out));
	out->line.s = s;
	out->line.len = line_len;
	for (verb_len = 0; verb_len < line_len && s[verb_len] != ' '; verb_len++)
		;
	if (!parser_verb(s, verb_len, out)) {
		out->verb[0] = '\0';
		out->bad = line_len == 0 ? "empty line" : "unknown command";
		return used;
	}
	if (verb_len < line_len) {
		out->rest.s = s + verb_len + 1;
		out->rest.len = line_len - verb_len - 1;
	} else {
		out->rest.s = s + line_len;
	}
	if (!parser_printable(out->rest.s, out->rest.len)) {
		out->bad = "Control characters in arguments";
		return used;
	}
	parser_args(out->rest.s, out->rest.len, out);
	return used;
}

bool pop3_parser_arg_equals(const struct pop3_arg *arg, const char *word)
{
	return arg->len == strlen(word) && strncasecmp(arg->s, word, arg->len) == 0;
}

int pop3_parser_arg_number(const struct pop3_arg *arg, long *n_r)
{
	long n = 0;

	if (arg->len == 0 || arg->len > 9)
		return -1;
	for (size_t i = 0; i < arg->len; i++) {
		if (arg->s[i] < '0' || arg->s[i] > '9')
			return -1;
		n = n * 10 + (arg->s[i] - '0');
	}
	*n_r = n;
	return 0;
}
