/* smtp_reply.c - parse and format SMTP replies (see smtp_reply.h) */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "services/smtp-out/smtp_reply.h"

/* line_end - offset of the LF ending the line starting at buf, -1 when not within max;
 * *more_r set when the buffer simply ends first */
static ssize_t line_end(const uint8_t *buf, size_t len, bool *more_r)
{
	size_t lim = len < SMTP_REPLY_LINE_MAX ? len : SMTP_REPLY_LINE_MAX;
	const uint8_t *lf = lim > 0 ? memchr(buf, '\n', lim) : NULL;

	*more_r = lf == NULL && len < SMTP_REPLY_LINE_MAX;
	return lf != NULL ? lf - buf : -1;
}

/* code_ok - three digits, 2-5 then 0-5 then a digit (RFC 5321 4.2) */
static int code_of(const uint8_t *p)
{
	if (p[0] < '2' || p[0] > '5' || p[1] < '0' || p[1] > '5' || p[2] < '0' || p[2] > '9')
		return -1;
	return (p[0] - '0') * 100 + (p[1] - '0') * 10 + (p[2] - '0');
}

/* text_ok - reply text: no NUL, no CR or LF inside (RFC 5321 4.2 textstring, with UTF-8) */
static bool text_ok(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] == 0 || p[i] == '\r' || p[i] == '\n')
			return false;
	return true;
}

/* digits - how many ASCII digits start s, up to max+1 */
static size_t digits(const char *s, size_t len, size_t max)
{
	size_t i = 0;

	while (i < len && i <= max && s[i] >= '0' && s[i] <= '9')
		i++;
	return i;
}

/* smtp_reply_enh_parse - RFC 3463 section 2: class "." subject "." detail, subject and
 * detail 1-3 digits without leading zeros beyond one, followed by a space or the end */
size_t smtp_reply_enh_parse(const char *s, size_t len)
{
	size_t n, pos = 2;

	if (len < 5 || (s[0] != '2' && s[0] != '4' && s[0] != '5') || s[1] != '.')
		return 0;
	for (int part = 0; part < 2; part++) {
		n = digits(s + pos, len - pos, 3);
		if (n == 0 || n > 3 || (n > 1 && s[pos] == '0'))
			return 0;
		pos += n;
		if (part == 0) {
			if (pos >= len || s[pos] != '.')
				return 0;
			pos++;
		}
	}
	return pos == len || s[pos] == ' ' ? pos : 0;
}

/* add_line - append one line's text to out */
static int add_line(struct smtp_reply *out, const uint8_t *p, size_t n, const char **error_r)
{
	size_t need = n + (out->nlines > 0);

	if (out->nlines >= SMTP_REPLY_LINES_MAX || out->text_len + need >= SMTP_REPLY_TEXT_MAX) {
		*error_r = "reply too long";
		return -1;
	}
	if (out->nlines > 0)
		out->text[out->text_len++] = '\n';
	memcpy(out->text + out->text_len, p, n);
	out->text_len += n;
	out->text[out->text_len] = '\0';
	out->nlines++;
	return 0;
}

/* take_enh - the enhanced code of the first line when its class matches the reply */
static void take_enh(struct smtp_reply *out)
{
	size_t first = strcspn(out->text, "\n");
	size_t n = smtp_reply_enh_parse(out->text, first);

	out->enh[0] = '\0';
	if (n > 0 && n < SMTP_REPLY_ENH_MAX && out->text[0] - '0' == out->code / 100)
		snprintf(out->enh, sizeof(out->enh), "%.*s", (int)n, out->text);
}

/* parse_line - one line at buf of length n (CR/LF excluded); 1 last line, 0 more follow */
static int parse_line(const uint8_t *buf, size_t n, struct smtp_reply *out, const char **error_r)
{
	int code;

	if (n < 3 || (code = code_of(buf)) < 0 || (n > 3 && buf[3] != ' ' && buf[3] != '-')) {
		*error_r = "malformed reply line";
		return -1;
	}
	if (out->nlines > 0 && code != out->code) {
		*error_r = "reply code changes between lines"; /* RFC 5321 4.2.1 */
		return -1;
	}
	out->code = code;
	if (!text_ok(buf + 4, n > 4 ? n - 4 : 0)) {
		*error_r = "control character in reply";
		return -1;
	}
	if (add_line(out, buf + 4, n > 4 ? n - 4 : 0, error_r) < 0)
		return -1;
	return n == 3 || buf[3] == ' ';
}

ssize_t smtp_reply_parse(const uint8_t *buf, size_t len, struct smtp_reply *out,
			 const char **error_r)
{
	size_t pos = 0, n;
	ssize_t end;
	bool more;
	int last;

	memset(out, 0, offsetof(struct smtp_reply, text));
	out->text[0] = '\0';
	if (len == 0)
		return 0; /* buf may be NULL then (an empty evbuffer's pullup) */
	for (;;) {
		if ((end = line_end(buf + pos, len - pos, &more)) < 0) {
			if (more)
				return 0;
			*error_r = "reply line too long";
			return -1;
		}
		n = (size_t)end;
		if (n > 0 && buf[pos + n - 1] == '\r')
			n--; /* a bare LF is accepted from servers (RFC 5321 4.1.1.4 is for them) */
		if ((last = parse_line(buf + pos, n, out, error_r)) < 0)
			return -1;
		pos += (size_t)end + 1;
		if (last) {
			take_enh(out);
			return (ssize_t)pos;
		}
	}
}

ssize_t smtp_reply_format(const struct smtp_reply *r, char *buf, size_t size)
{
	size_t pos = 0, i, n;
	const char *line;
	int w;

	for (i = 0; (line = smtp_reply_line(r, i, &n)) != NULL; i++) {
		w = snprintf(buf + pos, size - pos, "%03d%c%.*s\r\n", r->code,
			     i + 1 < r->nlines ? '-' : ' ', (int)n, line);
		if (w < 0 || (size_t)w >= size - pos)
			return -1;
		pos += (size_t)w;
	}
	return (ssize_t)pos;
}

const char *smtp_reply_line(const struct smtp_reply *r, size_t n, size_t *len_r)
{
	const char *p = r->text, *nl;

	if (n >= r->nlines)
		return NULL;
	while (n-- > 0)
		p = strchr(p, '\n') + 1;
	nl = strchr(p, '\n');
	*len_r = nl != NULL ? (size_t)(nl - p) : strlen(p);
	return p;
}

const char *smtp_reply_summary(const struct smtp_reply *r, char *buf, size_t size)
{
	size_t n = 0;
	const char *line = smtp_reply_line(r, 0, &n);

	snprintf(buf, size, "%03d %.*s", r->code, (int)n, line != NULL ? line : "");
	return buf;
}
