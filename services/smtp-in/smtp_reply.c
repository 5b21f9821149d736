/* smtp_reply.c - multiline replies with enhanced status codes */
#include "smtp_reply.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* reply_line - one line "CODE[-| ][ENH ]text\r\n", text sanitised and bounded */
static void reply_line(struct evbuffer *out, int code, const char *enh, const char *text,
		       size_t len, int last)
{
	char line[SMTP_REPLY_LINE_MAX];
	int n = snprintf(line, sizeof(line), "%03d%c%s%s", code, last ? ' ' : '-',
			 enh != NULL ? enh : "", enh != NULL ? " " : "");
	size_t room;

	if (n < 0 || (size_t)n >= sizeof(line) - 2)
		n = 4;
	room = sizeof(line) - 2 - (size_t)n;
	if (len > room)
		len = room;
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)text[i];
		line[n++] = ch >= 0x20 && ch < 0x7f ? (char)ch : '?';
	}
	line[n++] = '\r';
	line[n++] = '\n';
	evbuffer_add(out, line, (size_t)n);
}

/* smtp_reply - one reply, one line per '\n'-separated part of text */
void smtp_reply(struct evbuffer *out, int code, const char *enh, const char *text)
{
	const char *p = text;

	for (;;) {
		const char *nl = strchr(p, '\n');

		if (nl == NULL) {
			reply_line(out, code, enh, p, strlen(p), 1);
			return;
		}
		reply_line(out, code, enh, p, (size_t)(nl - p), 0);
		p = nl + 1;
	}
}

/* smtp_reply_printf - smtp_reply with formatted text */
void smtp_reply_printf(struct evbuffer *out, int code, const char *enh, const char *fmt, ...)
{
	char text[SMTP_REPLY_LINE_MAX * 8];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	smtp_reply(out, code, enh, text);
}

/* smtp_reply_code - the leading 3-digit code */
int smtp_reply_code(const char *reply)
{
	if (reply == NULL || !isdigit((unsigned char)reply[0]) ||
	    !isdigit((unsigned char)reply[1]) || !isdigit((unsigned char)reply[2]))
		return 0;
	return (reply[0] - '0') * 100 + (reply[1] - '0') * 10 + (reply[2] - '0');
}

/* enh_len - length of an enhanced status code "c.sss.ddd" at p (RFC 3463 2), 0 if none */
static size_t enh_len(const char *p)
{
	size_t i = 0, part = 0, digits = 0;

	for (; p[i] != '\0' && p[i] != ' '; i++) {
		if (p[i] == '.') {
			if (digits == 0 || ++part > 2)
				return 0;
			digits = 0;
		} else if (isdigit((unsigned char)p[i]) && ++digits <= 3) {
			continue;
		} else {
			return 0;
		}
	}
	return part == 2 && digits > 0 ? i : 0;
}

/* smtp_reply_str - a "CODE ENH text" string as a reply */
void smtp_reply_str(struct evbuffer *out, const char *reply)
{
	char enh[16];
	int code = smtp_reply_code(reply);
	const char *text;
	size_t elen;

	if (code == 0) {
		smtp_reply(out, 451, "4.3.0", "Internal error");
		return;
	}
	text = reply[3] == ' ' ? reply + 4 : reply + 3;
	elen = enh_len(text);
	if (elen == 0 || elen >= sizeof(enh)) {
		smtp_reply(out, code, NULL, text);
		return;
	}
	memcpy(enh, text, elen);
	enh[elen] = '\0';
	text += elen;
	if (*text == ' ')
		text++;
	smtp_reply(out, code, enh, text);
}
