/* imap_reply - response formatting (RFC 3501 7, 9) onto the session's output. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "services/imap/imap.h"
#include "services/imap/imap_conn.h"

#define REPLY_LINE_MAX 8192  /* one formatted piece; longer ones are built piecewise */

/* reply_vprintf - format into a stack buffer, or the heap when it does not fit */
static void reply_vprintf(struct imap_session *s, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

static void reply_vprintf(struct imap_session *s, const char *fmt, va_list ap)
{
	char buf[REPLY_LINE_MAX];
	va_list ap2;
	int n;

	va_copy(ap2, ap);
	n = vsnprintf(buf, sizeof(buf), fmt, ap2);
	va_end(ap2);
	if (n < 0)
		abort();
	if ((size_t)n < sizeof(buf)) {
		imap_reply_raw(s, buf, (size_t)n);
		return;
	}
	char *p = malloc((size_t)n + 1);

	if (p == NULL)
		abort();
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	imap_reply_raw(s, p, (size_t)n);
	free(p);
}

/* imap_reply_raw - hand bytes to the output */
void imap_reply_raw(struct imap_session *s, const void *data, size_t len)
{
	if (len > 0)
		s->out.write(s->out.ctx, data, len);
}

/* imap_reply_crlf - end a line */
void imap_reply_crlf(struct imap_session *s)
{
	imap_reply_raw(s, "\r\n", 2);
}

/* imap_reply_printf - formatted text */
void imap_reply_printf(struct imap_session *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	reply_vprintf(s, fmt, ap);
	va_end(ap);
}

/* imap_reply_untagged - "* " line (RFC 3501 2.2.2) */
void imap_reply_untagged(struct imap_session *s, const char *fmt, ...)
{
	va_list ap;

	imap_reply_raw(s, "* ", 2);
	va_start(ap, fmt);
	reply_vprintf(s, fmt, ap);
	va_end(ap);
	imap_reply_crlf(s);
}

/* imap_reply_tagged - the command's completion (RFC 3501 7.1), held by the session until
 * the changes of other sessions are reported */
void imap_reply_tagged(struct imap_cmd_ctx *ctx, enum imap_status st, const char *code,
		       const char *fmt, ...)
{
	static const char *const names[] = { "OK", "NO", "BAD" };
	va_list ap;
	char *text, *line;

	va_start(ap, fmt);
	text = imap_arena_vprintf(ctx->arena, fmt, ap);
	va_end(ap);
	line = imap_arena_printf(ctx->arena, "%s %s %s%s%s%s\r\n",
				 ctx->cmd->tag[0] != '\0' ? ctx->cmd->tag : "*", names[st],
				 code != NULL ? "[" : "", code != NULL ? code : "",
				 code != NULL ? "] " : "", text);
	imap_session_tagged(ctx, line, strlen(line));
}

/* imap_reply_literal_begin - "{n}\r\n" or "~{n}\r\n" (RFC 3516 4.2) */
void imap_reply_literal_begin(struct imap_session *s, uint64_t len, bool literal8)
{
	imap_reply_printf(s, "%s{%llu}\r\n", literal8 ? "~" : "", (unsigned long long)len);
}

/* imap_reply_literal - a whole literal */
void imap_reply_literal(struct imap_session *s, const void *data, size_t len, bool literal8)
{
	imap_reply_literal_begin(s, len, literal8);
	imap_reply_raw(s, data, len);
}

/* reply_quotable - data may be a quoted string: no CR, LF or NUL, and short (RFC 3501 9
 * quoted); 8-bit is fine in UTF-8 sessions only, so the caller decides about that */
static bool reply_quotable(const char *data, size_t len, bool utf8)
{
	if (len > 1024)
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)data[i];

		if (c == '\0' || c == '\r' || c == '\n' || (c >= 0x80 && !utf8))
			return false;
	}
	return true;
}

/* imap_reply_string - quoted with \ before " and \, else a literal */
void imap_reply_string(struct imap_session *s, const char *data, size_t len)
{
	bool utf8 = (s->enabled & (IMAP_ENABLED_UTF8 | IMAP_ENABLED_REV2)) != 0;
	size_t start = 0;

	if (!reply_quotable(data, len, utf8)) {
		imap_reply_literal(s, data, len, false);
		return;
	}
	imap_reply_raw(s, "\"", 1);
	for (size_t i = 0; i < len; i++) {
		if (data[i] == '"' || data[i] == '\\') {
			imap_reply_raw(s, data + start, i - start);
			imap_reply_raw(s, "\\", 1);
			start = i;
		}
	}
	imap_reply_raw(s, data + start, len - start);
	imap_reply_raw(s, "\"", 1);
}

/* imap_reply_nstring - NIL or a string */
void imap_reply_nstring(struct imap_session *s, const char *str)
{
	if (str == NULL)
		imap_reply_raw(s, "NIL", 3);
	else
		imap_reply_string(s, str, strlen(str));
}

/* reply_is_atom - str is a non-empty atom other than NIL (RFC 3501 9 ATOM-CHAR, plus "]"
 * which astring allows) */
static bool reply_is_atom(const char *str)
{
	if (str[0] == '\0' || strcasecmp(str, "NIL") == 0)
		return false;
	for (const char *p = str; *p != '\0'; p++) {
		unsigned char c = (unsigned char)*p;

		if (c <= 0x20 || c >= 0x7f || strchr("(){%*\"\\", c) != NULL)
			return false;
	}
	return true;
}

/* imap_reply_astring - atom or string */
void imap_reply_astring(struct imap_session *s, const char *str)
{
	if (reply_is_atom(str))
		imap_reply_raw(s, str, strlen(str));
	else
		imap_reply_string(s, str, strlen(str));
}

/* imap_reply_flags - a flag list (RFC 3501 2.3.2) */
void imap_reply_flags(struct imap_session *s, unsigned flags, const char *const *keywords,
		      size_t nkeywords)
{
	static const struct { unsigned bit; const char *name; } sys[] = {
		{ STORE_FLAG_SEEN, "\\Seen" }, { STORE_FLAG_ANSWERED, "\\Answered" },
		{ STORE_FLAG_FLAGGED, "\\Flagged" }, { STORE_FLAG_DELETED, "\\Deleted" },
		{ STORE_FLAG_DRAFT, "\\Draft" }, { IMAP_FLAG_RECENT, "\\Recent" },
	};
	const char *sep = "";

	imap_reply_raw(s, "(", 1);
	for (size_t i = 0; i < sizeof(sys) / sizeof(sys[0]); i++) {
		if (flags & sys[i].bit) {
			imap_reply_printf(s, "%s%s", sep, sys[i].name);
			sep = " ";
		}
	}
	for (size_t i = 0; i < nkeywords; i++) {
		imap_reply_printf(s, "%s%s", sep, keywords[i]);
		sep = " ";
	}
	imap_reply_raw(s, ")", 1);
}
