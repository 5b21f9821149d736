/* smtp_address.c - RFC 5321 4.1.2 paths, with RFC 6531 (SMTPUTF8) extensions */
#include "smtp_address.h"

#include <arpa/inet.h>
#include <glib.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define LABEL_MAX 63 /* RFC 1035 2.3.4 */

static const char *const ERR_SYNTAX = "501 5.1.3 Bad address syntax";
static const char *const ERR_LOCAL_LONG = "501 5.1.3 Local part too long";
static const char *const ERR_DOMAIN_LONG = "501 5.1.3 Domain too long";
static const char *const ERR_PATH_LONG = "501 5.1.3 Path too long";
static const char *const ERR_NULL = "501 5.1.3 Null path not allowed here";
static const char *const ERR_UTF8 = "553 5.6.7 Non-ASCII address needs SMTPUTF8";

struct cursor {
	const char *s;
	size_t len;
	size_t pos;
};

/* peek - the byte under the cursor, or -1 at the end */
static int peek(const struct cursor *c)
{
	return c->pos < c->len ? (unsigned char)c->s[c->pos] : -1;
}

/* utf8_run - length of a valid UTF-8 sequence of non-ASCII characters at c, 0 if none */
static size_t utf8_run(const struct cursor *c)
{
	size_t n = 0;
	const gchar *end;

	while (c->pos + n < c->len && (unsigned char)c->s[c->pos + n] >= 0x80)
		n++;
	if (n == 0)
		return 0;
	/* A run may stop inside a character only when the input is not UTF-8. */
	if (!g_utf8_validate(c->s + c->pos, (gssize)n, &end))
		return 0;
	return n;
}

/* is_atext - RFC 5322 3.2.3 atext, ASCII part */
static bool is_atext(int ch)
{
	return ch > 0 && ch < 0x80 &&
	       (g_ascii_isalnum(ch) || strchr("!#$%&'*+-/=?^_`{|}~", ch) != NULL);
}

/* is_qtext - RFC 5321 4.1.2 qtextSMTP, ASCII part: %d32-33 / %d35-91 / %d93-126 */
static bool is_qtext(int ch)
{
	return ch >= 32 && ch <= 126 && ch != '"' && ch != '\\';
}

/* take_utf8 - copy a UTF-8 run when allowed; returns 1 if one was taken, 0 if not, -1 on
 * non-ASCII that is not allowed or not UTF-8 */
static int take_utf8(struct cursor *c, bool allow, char *out, size_t *n, size_t max,
		     bool *utf8)
{
	size_t run;

	if (peek(c) < 0x80)
		return 0;
	run = utf8_run(c);
	if (run == 0 || !allow)
		return -1;
	if (*n + run > max)
		return -1;
	memcpy(out + *n, c->s + c->pos, run);
	*n += run;
	c->pos += run;
	*utf8 = true;
	return 1;
}

/* parse_dot_string - Dot-string = Atom *("." Atom) */
static int parse_dot_string(struct cursor *c, bool allow_utf8, char *out, size_t *n,
			    bool *utf8)
{
	bool need_atom = true;

	for (;;) {
		int ch = peek(c), r;

		if (is_atext(ch)) {
			if (*n >= SMTP_ADDRESS_LOCAL_MAX)
				return -1;
			out[(*n)++] = (char)ch;
			c->pos++;
			need_atom = false;
		} else if ((r = take_utf8(c, allow_utf8, out, n, SMTP_ADDRESS_LOCAL_MAX, utf8)) != 0) {
			if (r < 0)
				return -1;
			need_atom = false;
		} else if (ch == '.' && !need_atom) {
			if (*n >= SMTP_ADDRESS_LOCAL_MAX)
				return -1;
			out[(*n)++] = '.';
			c->pos++;
			need_atom = true;
		} else {
			return need_atom ? -1 : 0;
		}
	}
}

/* parse_quoted_string - Quoted-string = DQUOTE *QcontentSMTP DQUOTE, decoded into out */
static int parse_quoted_string(struct cursor *c, bool allow_utf8, char *out, size_t *n,
			       bool *utf8)
{
	c->pos++; /* opening quote */
	for (;;) {
		int ch = peek(c), r;

		if (ch == '"') {
			c->pos++;
			return 0;
		}
		if (ch == '\\') {
			c->pos++;
			ch = peek(c);
			if (ch < 32 || ch > 126)
				return -1; /* quoted-pairSMTP = %d92 %d32-126 */
		} else if ((r = take_utf8(c, allow_utf8, out, n, SMTP_ADDRESS_LOCAL_MAX, utf8)) != 0) {
			if (r < 0)
				return -1;
			continue;
		} else if (!is_qtext(ch)) {
			return -1;
		}
		if (*n >= SMTP_ADDRESS_LOCAL_MAX)
			return -1;
		out[(*n)++] = (char)ch;
		c->pos++;
	}
}

/* parse_subdomain - sub-domain = Let-dig [Ldh-str], or a U-label under SMTPUTF8 */
static int parse_subdomain(struct cursor *c, bool allow_utf8, char *out, size_t *n,
			   bool *utf8)
{
	size_t start = *n;
	int last = -1;

	for (;;) {
		int ch = peek(c), r;

		if (ch >= 0 && ch < 0x80 && (g_ascii_isalnum(ch) || (ch == '-' && *n > start))) {
			if (*n >= SMTP_ADDRESS_DOMAIN_MAX)
				return -1;
			out[(*n)++] = (char)g_ascii_tolower(ch);
			c->pos++;
			last = ch;
		} else if ((r = take_utf8(c, allow_utf8, out, n, SMTP_ADDRESS_DOMAIN_MAX, utf8)) != 0) {
			if (r < 0)
				return -1;
			last = 0x80;
		} else {
			break;
		}
	}
	if (*n == start || last == '-' || *n - start > LABEL_MAX)
		return -1;
	return 0;
}

/* parse_literal - address-literal: "[" IPv4 / "IPv6:" IPv6 "]" (4.1.3); general literals
 * name no address we could ever be, so they are refused */
static int parse_literal(struct cursor *c, char *out, size_t *n)
{
	const char *close = memchr(c->s + c->pos, ']', c->len - c->pos);
	char text[64], bin[16];
	size_t tlen;
	int af = AF_INET;
	const char *addr = text;

	if (close == NULL)
		return -1;
	tlen = (size_t)(close - (c->s + c->pos)) - 1;
	if (tlen == 0 || tlen >= sizeof(text))
		return -1;
	memcpy(text, c->s + c->pos + 1, tlen);
	text[tlen] = '\0';
	if (strncasecmp(text, "IPv6:", 5) == 0) {
		af = AF_INET6;
		addr = text + 5;
	}
	/* inet_pton stops at a NUL: every byte must be one an address is written with */
	if (strspn(addr, "0123456789abcdefABCDEF:.") != tlen - (size_t)(addr - text) ||
	    inet_pton(af, addr, bin) != 1)
		return -1;
	for (size_t i = 0; i < tlen + 2; i++)
		out[*n + i] = (char)g_ascii_tolower(c->s[c->pos + i]);
	*n += tlen + 2;
	c->pos += tlen + 2;
	return 0;
}

/* parse_domain - Domain / address-literal into out (lowercased, NUL-terminated) */
static int parse_domain(struct cursor *c, bool allow_utf8, bool allow_literal, char *out,
			bool *utf8)
{
	size_t n = 0;

	if (peek(c) == '[') {
		if (!allow_literal || parse_literal(c, out, &n) < 0)
			return -1;
		out[n] = '\0';
		return 0;
	}
	for (;;) {
		if (parse_subdomain(c, allow_utf8, out, &n, utf8) < 0)
			return -1;
		if (peek(c) != '.')
			break;
		if (n >= SMTP_ADDRESS_DOMAIN_MAX)
			return -1;
		out[n++] = '.';
		c->pos++;
	}
	out[n] = '\0';
	return 0;
}

/* skip_source_route - A-d-l ":" is accepted and ignored (RFC 5321 4.1.2, C.) */
static int skip_source_route(struct cursor *c, bool allow_utf8)
{
	char scratch[SMTP_ADDRESS_DOMAIN_MAX + 1];
	bool utf8 = false;

	if (peek(c) != '@')
		return 0;
	for (;;) {
		c->pos++; /* '@' */
		if (parse_domain(c, allow_utf8, false, scratch, &utf8) < 0)
			return -1;
		if (peek(c) == ':') {
			c->pos++;
			return 0;
		}
		if (peek(c) != ',')
			return -1;
		c->pos++;
		if (peek(c) != '@')
			return -1;
	}
}

/* parse_local_part - Local-part = Dot-string / Quoted-string, with the 64-octet bound */
static int parse_local_part(struct cursor *c, bool allow_utf8, struct smtp_address *out,
			    const char **error_r)
{
	size_t n = 0, start = c->pos;
	int r;

	if (peek(c) == '"')
		r = parse_quoted_string(c, allow_utf8, out->local, &n, &out->utf8);
	else
		r = parse_dot_string(c, allow_utf8, out->local, &n, &out->utf8);
	out->local[n] = '\0';
	if (c->pos - start > SMTP_ADDRESS_LOCAL_MAX || (r < 0 && n >= SMTP_ADDRESS_LOCAL_MAX)) {
		*error_r = ERR_LOCAL_LONG;
		return -1;
	}
	if (r < 0) {
		*error_r = ERR_SYNTAX;
		return -1;
	}
	return 0;
}

/* parse_mailbox - Mailbox, or the bare "Postmaster" of RFC 5321 4.1.1.3 */
static int parse_mailbox(struct cursor *c, unsigned flags, struct smtp_address *out,
			 const char **error_r)
{
	bool allow_utf8 = (flags & SMTP_ADDRESS_ALLOW_UTF8) != 0;
	size_t start;

	if (parse_local_part(c, allow_utf8, out, error_r) < 0)
		return -1;
	if (peek(c) == '>' && (flags & SMTP_ADDRESS_ALLOW_POSTMASTER) &&
	    strcasecmp(out->local, "postmaster") == 0 && !out->utf8)
		return 0;
	if (peek(c) != '@') {
		*error_r = ERR_SYNTAX;
		return -1;
	}
	start = ++c->pos;
	if (parse_domain(c, allow_utf8, true, out->domain, &out->utf8) < 0) {
		*error_r = c->pos - start >= SMTP_ADDRESS_DOMAIN_MAX ? ERR_DOMAIN_LONG : ERR_SYNTAX;
		return -1;
	}
	return 0;
}

/* smtp_address_parse - the path at the start of s (RFC 5321 4.1.2) */
ssize_t smtp_address_parse(const char *s, size_t len, unsigned flags,
			   struct smtp_address *out, const char **error_r)
{
	struct cursor c = { s, len, 0 };

	memset(out, 0, sizeof(*out));
	if (peek(&c) != '<') {
		*error_r = ERR_SYNTAX;
		return -1;
	}
	c.pos++;
	if (peek(&c) == '>') {
		if (!(flags & SMTP_ADDRESS_ALLOW_NULL)) {
			*error_r = ERR_NULL;
			return -1;
		}
		out->is_null = true;
		return 2;
	}
	if (skip_source_route(&c, true) < 0) {
		*error_r = ERR_SYNTAX;
		return -1;
	}
	if (parse_mailbox(&c, flags | SMTP_ADDRESS_ALLOW_UTF8, out, error_r) < 0)
		return -1;
	if (peek(&c) != '>') {
		*error_r = ERR_SYNTAX;
		return -1;
	}
	c.pos++;
	if (c.pos > SMTP_ADDRESS_PATH_MAX) {
		*error_r = ERR_PATH_LONG;
		return -1;
	}
	/* Non-ASCII is parsed always, so the reply can say why it is refused (RFC 6531 3.5). */
	if (out->utf8 && !(flags & SMTP_ADDRESS_ALLOW_UTF8)) {
		*error_r = ERR_UTF8;
		return -1;
	}
	return (ssize_t)c.pos;
}

/* smtp_address_parse_domain - a whole string that must be a domain or address literal */
int smtp_address_parse_domain(const char *s, size_t len, bool allow_utf8,
			      char out[SMTP_ADDRESS_DOMAIN_MAX + 1])
{
	struct cursor c = { s, len, 0 };
	bool utf8 = false;

	if (parse_domain(&c, allow_utf8, true, out, &utf8) < 0 || c.pos != len)
		return -1;
	return 0;
}

/* local_is_dot_string - whether the decoded local part can be written without quotes */
static bool local_is_dot_string(const char *local)
{
	bool need_atom = true;

	for (const char *p = local; *p != '\0'; p++) {
		unsigned char ch = (unsigned char)*p;

		if (is_atext(ch) || ch >= 0x80)
			need_atom = false;
		else if (ch == '.' && !need_atom)
			need_atom = true;
		else
			return false;
	}
	return !need_atom;
}

/* write_local - the local part in wire form: as is, or quoted with '"' and '\' escaped */
static int write_local(const char *local, char *buf, size_t size)
{
	size_t n = 0;

	if (local_is_dot_string(local))
		return snprintf(buf, size, "%s", local) < (int)size ? (int)strlen(local) : -1;
	if (size < 3)
		return -1;
	buf[n++] = '"';
	for (const char *p = local; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\') {
			if (n + 1 >= size)
				return -1;
			buf[n++] = '\\';
		}
		if (n + 1 >= size)
			return -1;
		buf[n++] = *p;
	}
	if (n + 2 > size)
		return -1;
	buf[n++] = '"';
	buf[n] = '\0';
	return (int)n;
}

/* smtp_address_mailbox - "local@domain", the local part re-quoted when needed */
int smtp_address_mailbox(const struct smtp_address *a, char *buf, size_t size)
{
	int n;

	if (size == 0)
		return -1;
	buf[0] = '\0';
	if (a->is_null)
		return 0;
	n = write_local(a->local, buf, size);
	if (n < 0)
		return -1;
	if (a->domain[0] == '\0')
		return n;
	if ((size_t)n + 1 + strlen(a->domain) + 1 > size)
		return -1;
	buf[n] = '@';
	strcpy(buf + n + 1, a->domain);
	return n + 1 + (int)strlen(a->domain);
}

/* smtp_address_format - the path in angle brackets */
int smtp_address_format(const struct smtp_address *a, char *buf, size_t size)
{
	int n;

	if (size < 3)
		return -1;
	buf[0] = '<';
	n = smtp_address_mailbox(a, buf + 1, size - 2);
	if (n < 0)
		return -1;
	buf[n + 1] = '>';
	buf[n + 2] = '\0';
	return n + 2;
}
