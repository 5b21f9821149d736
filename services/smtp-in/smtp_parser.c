/* smtp_parser.c - SMTP command lines (RFC 5321 4.1) and MAIL/RCPT parameters */
#include "smtp_parser.h"

#include <glib.h>
#include <string.h>
#include <strings.h>

static const char *const ERR_TOO_LONG = "500 5.5.2 Line too long";
static const char *const ERR_BARE = "500 5.5.2 Bare CR or LF not allowed";
static const char *const ERR_NUL = "500 5.5.2 NUL byte not allowed";
static const char *const ERR_PARAM = "501 5.5.4 Invalid parameter";
static const char *const ERR_PARAM_DUP = "501 5.5.4 Duplicate parameter";
static const char *const ERR_PARAM_UNKNOWN = "555 5.5.4 Unsupported parameter";
static const char *const ERR_MAIL_SYNTAX = "501 5.5.2 Syntax: MAIL FROM:<address>";
static const char *const ERR_RCPT_SYNTAX = "501 5.5.2 Syntax: RCPT TO:<address>";

static const struct {
	const char *name;
	enum smtp_verb verb;
} verbs[] = {
	{ "EHLO", SMTP_VERB_EHLO }, { "HELO", SMTP_VERB_HELO }, { "MAIL", SMTP_VERB_MAIL },
	{ "RCPT", SMTP_VERB_RCPT }, { "DATA", SMTP_VERB_DATA }, { "BDAT", SMTP_VERB_BDAT },
	{ "RSET", SMTP_VERB_RSET }, { "NOOP", SMTP_VERB_NOOP }, { "QUIT", SMTP_VERB_QUIT },
	{ "VRFY", SMTP_VERB_VRFY }, { "EXPN", SMTP_VERB_EXPN }, { "VERB", SMTP_VERB_VERB },
	{ "HELP", SMTP_VERB_HELP }, { "STARTTLS", SMTP_VERB_STARTTLS }, { "AUTH", SMTP_VERB_AUTH },
	/* Cross-protocol requests (a browser made to POST to port 25): refuse and hang up. */
	{ "GET", SMTP_VERB_HTTP }, { "POST", SMTP_VERB_HTTP }, { "HEAD", SMTP_VERB_HTTP },
	{ "PUT", SMTP_VERB_HTTP }, { "CONNECT", SMTP_VERB_HTTP },
};

/* smtp_parser_verb_name - the verb as written in RFC 5321 */
const char *smtp_parser_verb_name(enum smtp_verb verb)
{
	for (size_t i = 0; i < G_N_ELEMENTS(verbs); i++)
		if (verbs[i].verb == verb)
			return verbs[i].name;
	return verb == SMTP_VERB_INVALID ? "invalid" : "unknown";
}

/* smtp_parser_line_bound - the longest line any verb may have */
size_t smtp_parser_line_bound(size_t line_max)
{
	size_t ext = line_max + SMTP_PARSER_PARAM_EXTRA;

	return ext > SMTP_PARSER_AUTH_LINE_MAX ? ext : SMTP_PARSER_AUTH_LINE_MAX;
}

/* smtp_parser_raw_line - find the line end within max bytes and vet the line */
ssize_t smtp_parser_raw_line(const uint8_t *buf, size_t len, size_t max, const char **line_r,
			     size_t *line_len_r, const char **error_r)
{
	size_t scan = len < max ? len : max;
	const uint8_t *lf = memchr(buf, '\n', scan);
	size_t n;

	*error_r = NULL;
	if (lf == NULL)
		return len >= max ? -1 : 0;
	n = (size_t)(lf - buf);
	if (n == 0 || buf[n - 1] != '\r' || memchr(buf, '\r', n - 1) != NULL)
		*error_r = ERR_BARE;
	else if (memchr(buf, '\0', n) != NULL)
		*error_r = ERR_NUL;
	*line_r = (const char *)buf;
	*line_len_r = n > 0 ? n - 1 : 0;
	return (ssize_t)(n + 1);
}

/* verb_lookup - the verb of a word, case-insensitively (RFC 5321 2.4) */
static enum smtp_verb verb_lookup(const char *word, size_t len)
{
	for (size_t i = 0; i < G_N_ELEMENTS(verbs); i++)
		if (strlen(verbs[i].name) == len && strncasecmp(verbs[i].name, word, len) == 0)
			return verbs[i].verb;
	return SMTP_VERB_UNKNOWN;
}

/* verb_line_max - the bound for this verb's line, CRLF included */
static size_t verb_line_max(enum smtp_verb verb, size_t line_max)
{
	if (verb == SMTP_VERB_MAIL || verb == SMTP_VERB_RCPT)
		return line_max + SMTP_PARSER_PARAM_EXTRA;
	if (verb == SMTP_VERB_AUTH)
		return SMTP_PARSER_AUTH_LINE_MAX;
	return line_max;
}

/* smtp_parser_line - one line to a verb and its arguments */
ssize_t smtp_parser_line(const uint8_t *buf, size_t len, size_t line_max,
			 struct smtp_cmd *out, const char **error_r)
{
	const char *line, *err;
	size_t n, w = 0;
	ssize_t used = smtp_parser_raw_line(buf, len, smtp_parser_line_bound(line_max), &line,
					    &n, &err);

	memset(out, 0, sizeof(*out));
	*error_r = NULL;
	if (used <= 0) {
		if (used < 0)
			*error_r = ERR_TOO_LONG;
		return used;
	}
	if (err != NULL) {
		out->error = err;
		return used;
	}
	while (w < n && line[w] != ' ')
		w++;
	out->verb = verb_lookup(line, w);
	if ((size_t)used > verb_line_max(out->verb, line_max)) {
		out->verb = SMTP_VERB_INVALID;
		out->error = ERR_TOO_LONG;
		return used;
	}
	while (w < n && line[w] == ' ')
		w++;
	while (n > w && line[n - 1] == ' ')
		n--;
	out->args = line + w;
	out->args_len = n - w;
	return used;
}

/* hexval - a hex digit's value, -1 if it is none */
static int hexval(int c)
{
	return g_ascii_xdigit_value((gchar)c);
}

/* smtp_parser_xtext_decode - xtext (RFC 3461 4) to its printable ASCII value */
int smtp_parser_xtext_decode(const char *s, size_t len, char *out, size_t size)
{
	size_t n = 0;

	for (size_t i = 0; i < len; i++) {
		int ch = (unsigned char)s[i];

		/* xchar = "!" through "~" except "+" and "=" (RFC 3461 4) */
		if (ch == '+') {
			/* hexchar is uppercase per the grammar; lowercase is tolerated */
			if (i + 2 >= len || hexval(s[i + 1]) < 0 || hexval(s[i + 2]) < 0)
				return -1;
			ch = hexval(s[i + 1]) * 16 + hexval(s[i + 2]);
			i += 2;
			if (ch < 0x20 || ch > 0x7e)
				return -1;
		} else if (ch < '!' || ch > '~' || ch == '=') {
			return -1;
		}
		if (n + 1 >= size)
			return -1;
		out[n++] = (char)ch;
	}
	if (size == 0)
		return -1;
	out[n] = '\0';
	return 0;
}

/* next_param - split "KEY[=VALUE]" off *p (space-separated, RFC 5321 4.1.2 esmtp-param) */
static int next_param(const char **p, const char *end, const char **key, size_t *klen,
		      const char **val, size_t *vlen)
{
	const char *s = *p, *e, *eq;

	while (s < end && *s == ' ')
		s++;
	if (s == end)
		return 0;
	e = memchr(s, ' ', (size_t)(end - s));
	if (e == NULL)
		e = end;
	eq = memchr(s, '=', (size_t)(e - s));
	*key = s;
	*klen = (size_t)((eq != NULL ? eq : e) - s);
	*val = eq != NULL ? eq + 1 : NULL;
	*vlen = eq != NULL ? (size_t)(e - eq - 1) : 0;
	*p = e;
	return *klen > 0 ? 1 : -1;
}

/* key_is - a parameter keyword equals name, case-insensitively */
static bool key_is(const char *key, size_t klen, const char *name)
{
	return strlen(name) == klen && strncasecmp(key, name, klen) == 0;
}

/* val_is - a parameter value equals name, case-insensitively */
static bool val_is(const char *val, size_t vlen, const char *name)
{
	return val != NULL && strlen(name) == vlen && strncasecmp(val, name, vlen) == 0;
}

/* parse_size - SIZE=digits (RFC 1870 3) */
static int parse_size(const char *val, size_t vlen, uint64_t *size)
{
	uint64_t n = 0;

	if (val == NULL || vlen == 0 || vlen > SMTP_PARSER_SIZE_DIGITS - 1)
		return -1;
	for (size_t i = 0; i < vlen; i++) {
		if (!g_ascii_isdigit(val[i]))
			return -1;
		n = n * 10 + (uint64_t)(val[i] - '0');
	}
	*size = n;
	return 0;
}

/* parse_body - BODY=7BIT / 8BITMIME (RFC 6152) / BINARYMIME (RFC 3030) */
static enum smtp_body parse_body(const char *val, size_t vlen)
{
	if (val_is(val, vlen, "7BIT"))
		return SMTP_BODY_7BIT;
	if (val_is(val, vlen, "8BITMIME"))
		return SMTP_BODY_8BITMIME;
	if (val_is(val, vlen, "BINARYMIME"))
		return SMTP_BODY_BINARYMIME;
	return SMTP_BODY_NONE;
}

/* mail_param - apply one MAIL parameter; seen guards against duplicates */
static int mail_param(struct smtp_mail_args *out, const char *key, size_t klen,
		      const char *val, size_t vlen, unsigned *seen, const char **error_r)
{
	static const char *const names[] = { "SIZE", "BODY", "SMTPUTF8", "RET", "ENVID", "AUTH" };
	char scratch[SMTP_PARSER_ORCPT_MAX + 1];
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(names) && !key_is(key, klen, names[i]); i++)
		;
	if (i == G_N_ELEMENTS(names)) {
		*error_r = ERR_PARAM_UNKNOWN;
		return -1;
	}
	if (*seen & (1u << i)) {
		*error_r = ERR_PARAM_DUP;
		return -1;
	}
	*seen |= 1u << i;
	*error_r = ERR_PARAM;
	switch (i) {
	case 0:
		out->has_size = true;
		return parse_size(val, vlen, &out->size);
	case 1:
		out->body = parse_body(val, vlen);
		return out->body == SMTP_BODY_NONE ? -1 : 0;
	case 2: /* RFC 6531 3.4: no value */
		out->smtputf8 = true;
		return val == NULL ? 0 : -1;
	case 3:
		out->ret = val_is(val, vlen, "FULL") ? SMTP_RET_FULL :
			   val_is(val, vlen, "HDRS") ? SMTP_RET_HDRS : SMTP_RET_NONE;
		return out->ret == SMTP_RET_NONE ? -1 : 0;
	case 4:
		return val == NULL || vlen == 0 ? -1 :
		       smtp_parser_xtext_decode(val, vlen, out->envid, sizeof(out->envid));
	default: /* AUTH=xtext or AUTH=<> (RFC 4954 5); recorded, never trusted */
		out->has_auth = true;
		return val == NULL || vlen == 0 ? -1 :
		       val_is(val, vlen, "<>") ? 0 :
		       smtp_parser_xtext_decode(val, vlen, scratch, sizeof(scratch));
	}
}

/* sender_error - address errors name the sender's address (RFC 3463 3.2: X.1.7) */
static const char *sender_error(const char *err)
{
	if (strncmp(err, "501 5.1.3 ", 10) != 0)
		return err;
	if (strstr(err, "Local part") != NULL)
		return "501 5.1.7 Sender local part too long";
	if (strstr(err, "Domain") != NULL)
		return "501 5.1.7 Sender domain too long";
	if (strstr(err, "Path") != NULL)
		return "501 5.1.7 Sender path too long";
	return "501 5.1.7 Bad sender address syntax";
}

/* path_start - skip "FROM:" / "TO:" and the spaces some clients put after the colon */
static const char *path_start(const char *args, size_t len, const char *prefix)
{
	size_t plen = strlen(prefix), i;

	if (len < plen || strncasecmp(args, prefix, plen) != 0)
		return NULL;
	for (i = plen; i < len && args[i] == ' '; i++)
		;
	return args + i;
}

/* smtp_parser_mail - MAIL FROM:<path> [SP esmtp-param]* (RFC 5321 4.1.1.2) */
int smtp_parser_mail(const char *args, size_t len, struct smtp_mail_args *out,
		     const char **error_r)
{
	const char *p = path_start(args, len, "FROM:"), *end = args + len, *key, *val;
	size_t klen, vlen;
	unsigned seen = 0;
	ssize_t used;
	int r;

	memset(out, 0, sizeof(*out));
	if (p == NULL) {
		*error_r = ERR_MAIL_SYNTAX;
		return -1;
	}
	used = smtp_address_parse(p, (size_t)(end - p),
				  SMTP_ADDRESS_ALLOW_NULL | SMTP_ADDRESS_ALLOW_UTF8, &out->from,
				  error_r);
	if (used < 0) {
		*error_r = sender_error(*error_r);
		return -1;
	}
	p += used;
	if (p < end && *p != ' ') {
		*error_r = ERR_MAIL_SYNTAX;
		return -1;
	}
	while ((r = next_param(&p, end, &key, &klen, &val, &vlen)) > 0)
		if (mail_param(out, key, klen, val, vlen, &seen, error_r) < 0)
			return -1;
	if (r < 0) {
		*error_r = ERR_PARAM;
		return -1;
	}
	if (out->from.utf8 && !out->smtputf8) {
		*error_r = "553 5.6.7 Non-ASCII sender needs SMTPUTF8";
		return -1;
	}
	return 0;
}

/* parse_notify - NOTIFY=NEVER or a list of SUCCESS, FAILURE, DELAY (RFC 3461 4.1) */
static int parse_notify(const char *val, size_t vlen, unsigned *notify)
{
	const char *p = val, *end;

	if (val == NULL || vlen == 0)
		return -1; /* NOTIFY needs a value */
	end = val + vlen;
	while (p < end) {
		const char *c = memchr(p, ',', (size_t)(end - p));
		size_t n = (size_t)((c != NULL ? c : end) - p);
		unsigned bit = val_is(p, n, "NEVER") ? SMTP_NOTIFY_NEVER :
			       val_is(p, n, "SUCCESS") ? SMTP_NOTIFY_SUCCESS :
			       val_is(p, n, "FAILURE") ? SMTP_NOTIFY_FAILURE :
			       val_is(p, n, "DELAY") ? SMTP_NOTIFY_DELAY : 0;

		if (bit == 0 || (*notify & bit))
			return -1;
		*notify |= bit;
		if (c == NULL)
			break;
		p = c + 1;
		if (p == end)
			return -1;
	}
	/* NEVER stands alone */
	return (*notify & SMTP_NOTIFY_NEVER) && *notify != SMTP_NOTIFY_NEVER ? -1 : 0;
}

/* parse_orcpt - ORCPT=addr-type;xtext (RFC 3461 4.2), addr-type an atom */
static int parse_orcpt(const char *val, size_t vlen, char *out, size_t size)
{
	const char *semi = val != NULL ? memchr(val, ';', vlen) : NULL;
	size_t tlen;

	if (semi == NULL || semi == val || (size_t)(semi - val) + 2 > vlen)
		return -1;
	tlen = (size_t)(semi - val);
	for (size_t i = 0; i < tlen; i++)
		if (!g_ascii_isalnum(val[i]) && val[i] != '-')
			return -1;
	if (tlen + 1 >= size)
		return -1;
	memcpy(out, val, tlen + 1);
	return smtp_parser_xtext_decode(semi + 1, vlen - tlen - 1, out + tlen + 1,
					size - tlen - 1);
}

/* rcpt_param - apply one RCPT parameter */
static int rcpt_param(struct smtp_rcpt_args *out, const char *key, size_t klen,
		      const char *val, size_t vlen, unsigned *seen, const char **error_r)
{
	unsigned bit = key_is(key, klen, "NOTIFY") ? 1 : key_is(key, klen, "ORCPT") ? 2 : 0;

	if (bit == 0) {
		*error_r = ERR_PARAM_UNKNOWN;
		return -1;
	}
	if (*seen & bit) {
		*error_r = ERR_PARAM_DUP;
		return -1;
	}
	*seen |= bit;
	*error_r = ERR_PARAM;
	if (bit == 1)
		return parse_notify(val, vlen, &out->notify);
	return parse_orcpt(val, vlen, out->orcpt, sizeof(out->orcpt));
}

/* smtp_parser_rcpt - RCPT TO:<path> [SP esmtp-param]* (RFC 5321 4.1.1.3) */
int smtp_parser_rcpt(const char *args, size_t len, bool smtputf8, struct smtp_rcpt_args *out,
		     const char **error_r)
{
	const char *p = path_start(args, len, "TO:"), *end = args + len, *key, *val;
	unsigned flags = SMTP_ADDRESS_ALLOW_POSTMASTER, seen = 0;
	size_t klen, vlen;
	ssize_t used;
	int r;

	memset(out, 0, sizeof(*out));
	if (p == NULL) {
		*error_r = ERR_RCPT_SYNTAX;
		return -1;
	}
	if (smtputf8)
		flags |= SMTP_ADDRESS_ALLOW_UTF8;
	used = smtp_address_parse(p, (size_t)(end - p), flags, &out->to, error_r);
	if (used < 0)
		return -1;
	p += used;
	if (p < end && *p != ' ') {
		*error_r = ERR_RCPT_SYNTAX;
		return -1;
	}
	while ((r = next_param(&p, end, &key, &klen, &val, &vlen)) > 0)
		if (rcpt_param(out, key, klen, val, vlen, &seen, error_r) < 0)
			return -1;
	if (r < 0) {
		*error_r = ERR_PARAM;
		return -1;
	}
	return 0;
}
