/* web_vcard_parse - one vCard out of a buffer (RFC 6350; RFC 2426 for 3.0): lines unfolded
 * (3.2), properties split into group, name, parameters and value (3.3), text values
 * unescaped (3.4). The reverse of what web_api_contacts.c writes for GET /api/contacts.vcf. */
#include "services/webmail/web_vcard.h"

#include <stdbool.h>
#include <string.h>
#include <strings.h>

/* struct line - one logical line, unfolded into text (at most WEB_VCARD_LINE_MAX bytes) */
struct line {
	char text[WEB_VCARD_LINE_MAX + 1];
	size_t len;
	bool truncated;  /* longer than WEB_VCARD_LINE_MAX: only the start is in text */
	bool ended;      /* a line break ended it (not the end of the buffer) */
};

/* struct prop - a content line split up: pointers into a struct line */
struct prop {
	const char *name, *params, *value;
	size_t name_len, params_len, value_len;
};

/* eol_at - length of the line break at buf[i] (CRLF or a bare LF), 0 when none */
static size_t eol_at(const char *buf, size_t len, size_t i)
{
	if (buf[i] == '\n')
		return 1;
	if (buf[i] == '\r' && i + 1 < len && buf[i + 1] == '\n')
		return 2;
	return 0;
}

/* next_line - unfold the logical line at buf (RFC 6350 3.2: a line break followed by one
 * space or tab continues the line; both are removed). Returns the bytes it spans with its
 * line break (l->ended), or up to the end of buf. -1 for a NUL byte. */
static ssize_t next_line(const char *buf, size_t len, struct line *l)
{
	size_t i = 0, e;

	l->len = 0;
	l->truncated = false;
	l->ended = false;
	while (i < len) {
		if (buf[i] == '\0')
			return -1;
		if ((e = eol_at(buf, len, i)) > 0) {
			if (i + e < len && (buf[i + e] == ' ' || buf[i + e] == '\t')) {
				i += e + 1;
				continue;
			}
			i += e;
			l->ended = true;
			break;
		}
		if (l->len < WEB_VCARD_LINE_MAX)
			l->text[l->len++] = buf[i];
		else
			l->truncated = true;
		i++;
	}
	l->text[l->len] = '\0';
	return (ssize_t)i;
}

/* utf8_ok - s[0, n) is well-formed UTF-8 (RFC 3629 4) */
static bool utf8_ok(const unsigned char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		unsigned c = s[i], need, min;
		unsigned long cp;

		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			need = 1, min = 0x80, cp = c & 0x1f;
		else if (c >= 0xe0 && c <= 0xef)
			need = 2, min = 0x800, cp = c & 0x0f;
		else if (c >= 0xf0 && c <= 0xf4)
			need = 3, min = 0x10000, cp = c & 0x07;
		else
			return false;
		if (n - i <= need)
			return false;
		for (unsigned k = 1; k <= need; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += need + 1;
	}
	return true;
}

/* split_prop - [group "."] name *(";" param) ":" value (RFC 6350 3.3); a ':' or ';' inside
 * a DQUOTE'd parameter value does not count. -1 for a line without ':' or a bad name. */
static int split_prop(const struct line *l, struct prop *p)
{
	const char *s = l->text, *colon = NULL, *semi = NULL, *dot = NULL;
	bool quoted = false;

	for (size_t i = 0; i < l->len && colon == NULL; i++) {
		if (s[i] == '"')
			quoted = !quoted;
		else if (!quoted && s[i] == ':')
			colon = s + i;
		else if (!quoted && s[i] == ';' && semi == NULL)
			semi = s + i;
	}
	if (colon == NULL)
		return -1;
	p->name = s;
	p->name_len = (size_t)((semi != NULL ? semi : colon) - s);
	/* the group is only a label here: drop it */
	for (size_t i = 0; i < p->name_len; i++)
		if (p->name[i] == '.')
			dot = p->name + i;
	if (dot != NULL) {
		p->name_len -= (size_t)(dot + 1 - p->name);
		p->name = dot + 1;
	}
	if (p->name_len == 0)
		return -1;
	for (size_t i = 0; i < p->name_len; i++)
		if (!((p->name[i] >= 'A' && p->name[i] <= 'Z') || (p->name[i] >= 'a' && p->name[i] <= 'z') ||
		      (p->name[i] >= '0' && p->name[i] <= '9') || p->name[i] == '-'))
			return -1;
	p->params = semi != NULL ? semi + 1 : colon;
	p->params_len = semi != NULL ? (size_t)(colon - semi - 1) : 0;
	p->value = colon + 1;
	p->value_len = l->len - (size_t)(colon + 1 - s);
	return 0;
}

/* is - the property's name is `name` (case-insensitive, RFC 6350 3.3) */
static bool is(const struct prop *p, const char *name)
{
	return strlen(name) == p->name_len && strncasecmp(p->name, name, p->name_len) == 0;
}

/* contains_ci - needle occurs in s[0, n), ignoring ASCII case */
static bool contains_ci(const char *s, size_t n, const char *needle)
{
	size_t k = strlen(needle);

	for (size_t i = 0; i + k <= n; i++)
		if (strncasecmp(s + i, needle, k) == 0)
			return true;
	return false;
}

/* unescape - a text value (RFC 6350 3.4: \\ \, \; \n \N) into out (size bytes with its NUL),
 * stopping at an unescaped ';' when split is set; *used_r the input bytes read. -1 when it
 * does not fit. */
static int unescape(const char *s, size_t n, bool split, char *out, size_t size,
		    size_t *used_r)
{
	size_t i = 0, o = 0;

	for (; i < n; i++) {
		char c = s[i];

		if (split && c == ';')
			break;
		if (c == '\\' && i + 1 < n) {
			c = s[++i];
			if (c == 'n' || c == 'N')
				c = '\n';
		}
		if (o + 1 >= size)
			return -1;
		out[o++] = c;
	}
	out[o] = '\0';
	if (used_r != NULL)
		*used_r = i;
	return 0;
}

/* name_from_n - "Given Family" from N (RFC 6350 6.2.2: Family;Given;Additional;Prefix;Suffix) */
static int name_from_n(const struct prop *p, char *out, size_t size)
{
	char family[WEB_VCARD_NAME_MAX + 1], given[WEB_VCARD_NAME_MAX + 1] = "";
	size_t used = 0, n = p->value_len;
	const char *v = p->value;

	if (unescape(v, n, true, family, sizeof(family), &used) < 0)
		return -1;
	if (used < n && unescape(v + used + 1, n - used - 1, true, given, sizeof(given), NULL) < 0)
		return -1;
	if (strlen(given) + 1 + strlen(family) >= size)
		return -1;
	strcpy(out, given);
	if (given[0] != '\0' && family[0] != '\0')
		strcat(out, " ");
	strcat(out, family);
	return 0;
}

/* struct card_state - what one card has read so far */
struct card_state {
	bool fn;  /* an FN was read: N is not needed */
	char n_name[WEB_VCARD_NAME_MAX + 1];
};

/* take_note - NOTE values are joined with newlines */
static void take_note(const struct prop *p, struct web_vcard *out)
{
	size_t have = strlen(out->notes);
	char *dst = out->notes + have;
	size_t room = sizeof(out->notes) - have;

	if (have > 0) {
		if (room < 2) {
			out->problem = "NOTE longer than 4096 bytes";
			return;
		}
		*dst++ = '\n';
		room--;
	}
	if (unescape(p->value, p->value_len, false, dst, room, NULL) < 0)
		out->problem = "NOTE longer than 4096 bytes";
}

/* take_tel - the first TEL, without a "tel:" URI scheme (RFC 6350 6.4.1, RFC 3966) */
static void take_tel(const struct prop *p, struct web_vcard *out)
{
	const char *v = p->value;
	size_t n = p->value_len;

	if (out->phone[0] != '\0')
		return;
	if (n >= 4 && strncasecmp(v, "tel:", 4) == 0)
		v += 4, n -= 4;
	if (unescape(v, n, false, out->phone, sizeof(out->phone), NULL) < 0)
		out->problem = "TEL longer than 64 bytes";
}

/* take_email - one more EMAIL (RFC 6350 6.4.2) */
static void take_email(const struct prop *p, struct web_vcard *out)
{
	const char *v = p->value;
	size_t n = p->value_len;

	if (n >= 7 && strncasecmp(v, "mailto:", 7) == 0)
		v += 7, n -= 7;
	while (n > 0 && (*v == ' ' || *v == '\t'))
		v++, n--;
	while (n > 0 && (v[n - 1] == ' ' || v[n - 1] == '\t'))
		n--;
	if (n == 0)
		return;
	if (out->nemails == WEB_VCARD_EMAILS_MAX) {
		out->problem = "more than 16 EMAIL properties";
		return;
	}
	if (unescape(v, n, false, out->emails[out->nemails], WEB_VCARD_EMAIL_MAX + 1, NULL) < 0)
		out->problem = "EMAIL longer than 254 bytes";
	else
		out->nemails++;
}

/* take_version - 3.0 and 4.0 are read; 2.1 is not (quoted-printable, bare parameters) */
static int take_version(const struct prop *p, const char **error_r)
{
	if (p->value_len == 3 && (memcmp(p->value, "4.0", 3) == 0 ||
				  memcmp(p->value, "3.0", 3) == 0))
		return 0;
	*error_r = p->value_len == 3 && memcmp(p->value, "2.1", 3) == 0 ?
		"vCard 2.1 is not supported: export as vCard 3.0 or 4.0" :
		"unknown VERSION (3.0 and 4.0 are read)";
	return -1;
}

/* take_prop - one property of the card; -1 with *error_r */
static int take_prop(const struct line *l, const struct prop *p, struct card_state *st,
		     struct web_vcard *out, const char **error_r)
{
	bool kept = is(p, "FN") || is(p, "N") || is(p, "EMAIL") || is(p, "TEL") || is(p, "NOTE");

	if (contains_ci(p->params, p->params_len, "QUOTED-PRINTABLE")) {
		*error_r = "quoted-printable values (vCard 2.1) are not supported: "
			   "export as vCard 3.0 or 4.0";
		return -1;
	}
	if (is(p, "BEGIN")) {
		*error_r = "BEGIN:VCARD inside a card (nested cards are not read)";
		return -1;
	}
	if (is(p, "VERSION"))
		return take_version(p, error_r);
	if (!kept)
		return 0;
	if (l->truncated) {
		out->problem = "a property longer than 16384 bytes";
		return 0;
	}
	if (!utf8_ok((const unsigned char *)l->text, l->len)) {
		*error_r = "a value that is not UTF-8";
		return -1;
	}
	if (is(p, "FN")) {
		st->fn = true;
		if (unescape(p->value, p->value_len, false, out->name, sizeof(out->name), NULL) < 0)
			out->problem = "FN longer than 256 bytes";
	} else if (is(p, "N")) {
		if (name_from_n(p, st->n_name, sizeof(st->n_name)) < 0)
			out->problem = "N longer than 256 bytes";
	} else if (is(p, "EMAIL")) {
		take_email(p, out);
	} else if (is(p, "TEL")) {
		take_tel(p, out);
	} else {
		take_note(p, out);
	}
	return 0;
}

/* is_blank - a line of only spaces and tabs */
static bool is_blank(const struct line *l)
{
	return strspn(l->text, " \t") == l->len;
}

/* line_is - the line is `what` (case-insensitive, trailing blanks ignored) */
static bool line_is(const struct line *l, const char *what)
{
	size_t n = l->len;

	while (n > 0 && (l->text[n - 1] == ' ' || l->text[n - 1] == '\t'))
		n--;
	return n == strlen(what) && strncasecmp(l->text, what, n) == 0;
}

ssize_t web_vcard_parse(const char *buf, size_t len, struct web_vcard *out,
			const char **error_r)
{
	struct line l;
	struct card_state st = {false, ""};
	size_t pos = 0;
	ssize_t n;
	bool begun = false;

	memset(out, 0, sizeof(*out));
	while (pos < len) {
		struct prop p;

		if ((n = next_line(buf + pos, len - pos, &l)) < 0) {
			*error_r = "a NUL byte in the vCard";
			return -1;
		}
		pos += (size_t)n;
		/* a line the buffer cuts may go on, but a last END:VCARD needs no line break */
		if (!l.ended && !(begun && line_is(&l, "END:VCARD")))
			return 0;
		if (!begun) {
			if (is_blank(&l))
				continue;
			if (!line_is(&l, "BEGIN:VCARD")) {
				*error_r = "expected BEGIN:VCARD";
				return -1;
			}
			begun = true;
			continue;
		}
		if (line_is(&l, "END:VCARD")) {
			if (!st.fn)
				strcpy(out->name, st.n_name);
			return (ssize_t)pos;
		}
		if (is_blank(&l))
			continue;
		if (split_prop(&l, &p) < 0) {
			*error_r = "a line that is not NAME:value";
			return -1;
		}
		if (take_prop(&l, &p, &st, out, error_r) < 0)
			return -1;
	}
	return 0;
}
