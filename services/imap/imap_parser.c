/* imap_parser - a recursive-descent parser over the bytes of one command (RFC 3501 9). */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "services/imap/imap_parser.h"

enum { P_OK = 0, P_NEED = 1, P_ERR = -1 };

struct pstate {
	const struct imap_parser_limits *lim;
	const uint8_t *buf;
	size_t len;
	size_t pos;
	size_t line_start;    /* where the current line (after the last literal) begins */
	struct imap_arena *arena;
	struct imap_parse_result *res;
	size_t nargs;
};

/* imap_parser_limits_default - the compiled-in bounds */
void imap_parser_limits_default(struct imap_parser_limits *lim)
{
	lim->max_line = IMAP_LINE_MAX_DEFAULT;
	lim->max_literal = IMAP_LITERAL_MAX_DEFAULT;
	lim->max_command = (uint64_t)IMAP_LITERAL_MAX_DEFAULT + 1024 * 1024;
	lim->literal_minus = false;
}

/* p_fail - refuse the command with a reason */
static int p_fail(struct pstate *ps, const char *error)
{
	ps->res->error = error;
	return P_ERR;
}

/* p_toobig - refuse the command for exceeding a bound */
static int p_toobig(struct pstate *ps, const char *error)
{
	ps->res->toobig = true;
	return p_fail(ps, error);
}

/* p_need - the input ends inside a line: wait for more unless the line is already over
 * its bound */
static int p_need(struct pstate *ps)
{
	if (ps->len - ps->line_start >= ps->lim->max_line)
		return p_toobig(ps, "line too long");
	ps->res->need = 1;
	return P_NEED;
}

/* p_is_atom_char - ATOM-CHAR plus the list wildcards and "]" (RFC 3501 9: atoms,
 * list-mailbox and astring); 8-bit octets never appear outside strings */
static bool p_is_atom_char(uint8_t c)
{
	return c > 0x20 && c < 0x7f && c != '(' && c != ')' && c != '{' && c != '"';
}

/* p_eol - CRLF (a bare LF is accepted too); P_OK with pos after it */
static int p_eol(struct pstate *ps)
{
	if (ps->pos >= ps->len)
		return p_need(ps);
	if (ps->buf[ps->pos] == '\n') {
		ps->pos++;
	} else if (ps->buf[ps->pos] == '\r') {
		if (ps->pos + 1 >= ps->len)
			return p_need(ps);
		if (ps->buf[ps->pos + 1] != '\n')
			return p_fail(ps, "CR without LF");
		ps->pos += 2;
	} else {
		return p_fail(ps, "expected end of line");
	}
	if (ps->pos - ps->line_start > ps->lim->max_line)
		return p_toobig(ps, "line too long");
	ps->line_start = ps->pos;
	return P_OK;
}

/* p_at_eol - the next octet ends the line */
static bool p_at_eol(const struct pstate *ps)
{
	return ps->buf[ps->pos] == '\r' || ps->buf[ps->pos] == '\n';
}

/* p_count_arg - one more argument, within IMAP_ARGS_MAX */
static int p_count_arg(struct pstate *ps)
{
	if (++ps->nargs > IMAP_ARGS_MAX)
		return p_toobig(ps, "too many arguments");
	return P_OK;
}

/* p_atom - atom chars; a "[" takes everything up to its "]" (FETCH section specs such as
 * BODY[HEADER.FIELDS (DATE FROM)], RFC 3501 6.4.5) */
static int p_atom(struct pstate *ps, struct imap_arg *a)
{
	size_t start = ps->pos;

	while (ps->pos < ps->len && p_is_atom_char(ps->buf[ps->pos])) {
		if (ps->buf[ps->pos++] != '[')
			continue;
		while (ps->pos < ps->len && ps->buf[ps->pos] != ']') {
			uint8_t c = ps->buf[ps->pos++];

			if (c < 0x20 || c >= 0x7f)
				return p_fail(ps, "bad octet in section");
		}
		if (ps->pos >= ps->len)
			return p_need(ps);
		ps->pos++;
	}
	if (ps->pos >= ps->len)
		return p_need(ps);
	if (ps->pos == start)
		return p_fail(ps, ps->buf[start] >= 0x80 ? "8-bit octet outside a string" :
			      "unexpected character");
	a->len = ps->pos - start;
	a->str = imap_arena_memdup(ps->arena, ps->buf + start, a->len);
	a->type = a->len == 3 && strncasecmp(a->str, "NIL", 3) == 0 ? IMAP_ARG_NIL :
		IMAP_ARG_ATOM;
	return P_OK;
}

/* p_quoted - a quoted string with \" and \\ escapes (RFC 3501 9 quoted); 8-bit octets are
 * kept (UTF-8 under UTF8=ACCEPT and IMAP4rev2) */
static int p_quoted(struct pstate *ps, struct imap_arg *a)
{
	size_t start = ++ps->pos, n = 0;
	char *out;

	for (;;) {
		if (ps->pos >= ps->len)
			return p_need(ps);
		uint8_t c = ps->buf[ps->pos];

		if (c == '"')
			break;
		if (c == '\r' || c == '\n' || c == '\0')
			return p_fail(ps, "CR, LF or NUL in a quoted string");
		if (c == '\\') {
			if (ps->pos + 1 >= ps->len)
				return p_need(ps);
			c = ps->buf[ps->pos + 1];
			if (c != '"' && c != '\\')
				return p_fail(ps, "bad escape in a quoted string");
			ps->pos++;
		}
		ps->pos++;
		n++;
	}
	out = imap_arena_alloc_raw(ps->arena, n + 1);
	for (size_t i = start, j = 0; i < ps->pos; i++) {
		if (ps->buf[i] == '\\')
			i++;
		out[j++] = (char)ps->buf[i];
	}
	out[n] = '\0';
	ps->pos++;
	a->type = IMAP_ARG_STRING;
	a->str = out;
	a->len = n;
	return P_OK;
}

/* p_literal_header - "{" number ["+"] "}" CRLF (RFC 3501 9, RFC 7888 3) */
static int p_literal_header(struct pstate *ps, uint64_t *n_r, bool *nonsync_r)
{
	uint64_t n = 0;
	size_t digits = 0;
	int r;

	ps->pos++;
	while (ps->pos < ps->len && isdigit(ps->buf[ps->pos])) {
		if (++digits > 19)
			return p_toobig(ps, "literal too big");
		n = n * 10 + (uint64_t)(ps->buf[ps->pos++] - '0');
	}
	if (ps->pos >= ps->len || (ps->buf[ps->pos] == '+' && ps->pos + 1 >= ps->len))
		return p_need(ps);
	if (digits == 0)
		return p_fail(ps, "literal without a length");
	*nonsync_r = ps->buf[ps->pos] == '+';
	if (*nonsync_r)
		ps->pos++;
	if (ps->buf[ps->pos] != '}')
		return p_fail(ps, "bad literal");
	ps->pos++;
	if ((r = p_eol(ps)) != P_OK)
		return r;
	*n_r = n;
	return P_OK;
}

/* p_literal_refuse - a literal over a bound: the client sends {n+} data anyway, so it is
 * skipped with the rest of its line; a {n} literal was never sent */
static int p_literal_refuse(struct pstate *ps, uint64_t n, bool nonsync, const char *why)
{
	ps->res->skip = ps->pos;
	if (nonsync) {
		ps->res->skip_bytes = n;
		ps->res->skip_line = true;
	}
	return p_toobig(ps, why);
}

/* p_literal - a literal or literal8; waits for its data, asking for "+ " when the
 * literal is synchronising (RFC 3501 7.5) */
static int p_literal(struct pstate *ps, struct imap_arg *a, bool literal8)
{
	uint64_t n;
	bool nonsync;
	int r;

	if ((r = p_literal_header(ps, &n, &nonsync)) != P_OK)
		return r;
	if (n > ps->lim->max_literal)
		return p_literal_refuse(ps, n, nonsync, "literal too big");
	if (nonsync && ps->lim->literal_minus && n > IMAP_NONSYNC_LITERAL_MAX)
		return p_literal_refuse(ps, n, nonsync, "non-synchronising literal over 4096 "
					"octets (RFC 7888 5)");
	if ((uint64_t)ps->pos + n > ps->lim->max_command)
		return p_literal_refuse(ps, n, nonsync, "command too big");
	if (ps->len - ps->pos < n) {
		ps->res->need = (size_t)(n - (ps->len - ps->pos));
		ps->res->continuation = !nonsync;
		ps->res->literal_at = ps->pos;
		return P_NEED;
	}
	a->type = IMAP_ARG_LITERAL;
	a->literal8 = literal8;
	a->len = (size_t)n;
	a->str = imap_arena_memdup(ps->arena, ps->buf + ps->pos, a->len);
	ps->pos += a->len;
	ps->line_start = ps->pos;
	return P_OK;
}

static int p_args(struct pstate *ps, bool in_list, int depth, struct imap_arg **list_r,
		  size_t *count_r);

/* p_arg - one argument of any kind */
static int p_arg(struct pstate *ps, struct imap_arg *a, int depth)
{
	int r;

	if ((r = p_count_arg(ps)) != P_OK)
		return r;
	switch (ps->buf[ps->pos]) {
	case '(':
		if (depth >= IMAP_DEPTH_MAX)
			return p_toobig(ps, "lists nested too deep");
		ps->pos++;
		a->type = IMAP_ARG_LIST;
		return p_args(ps, true, depth + 1, &a->list, &a->count);
	case '"':
		return p_quoted(ps, a);
	case '{':
		return p_literal(ps, a, false);
	case '~':
		if (ps->pos + 1 >= ps->len)
			return p_need(ps);
		if (ps->buf[ps->pos + 1] == '{') {
			ps->pos++;
			return p_literal(ps, a, true);
		}
		return p_atom(ps, a);
	default:
		return p_atom(ps, a);
	}
}

/* p_push - append one zeroed element to a growing array in the arena */
static struct imap_arg *p_push(struct pstate *ps, struct imap_arg **list, size_t *count,
			       size_t *cap)
{
	if (*count == *cap) {
		size_t ncap = *cap == 0 ? 4 : *cap * 2;
		struct imap_arg *n = imap_arena_array(ps->arena, ncap, sizeof(*n));

		if (*count > 0)
			memcpy(n, *list, *count * sizeof(*n));
		*list = n;
		*cap = ncap;
	}
	return &(*list)[(*count)++];
}

/* p_args - SP-separated arguments up to ")" (in a list) or the end of the line */
static int p_args(struct pstate *ps, bool in_list, int depth, struct imap_arg **list_r,
		  size_t *count_r)
{
	struct imap_arg *list = NULL;
	size_t count = 0, cap = 0;
	int r;

	for (;;) {
		if (ps->pos >= ps->len)
			return p_need(ps);
		if (in_list && ps->buf[ps->pos] == ')') {
			ps->pos++;
			break;
		}
		if (!in_list && p_at_eol(ps))
			break;
		if (count > 0 || !in_list) {
			if (ps->buf[ps->pos] != ' ')
				return p_fail(ps, "expected a space between arguments");
			if (++ps->pos >= ps->len)
				return p_need(ps);
		}
		if (ps->buf[ps->pos] == ' ' || p_at_eol(ps) || ps->buf[ps->pos] == ')')
			return p_fail(ps, "missing argument");
		if ((r = p_arg(ps, p_push(ps, &list, &count, &cap), depth)) != P_OK)
			return r;
	}
	*list_r = list;
	*count_r = count;
	return P_OK;
}

/* p_word - the tag or a command name into out (at most max octets); tags may not hold
 * "+" (RFC 3501 9 tag) */
static int p_word(struct pstate *ps, char *out, size_t max, bool tag)
{
	size_t start = ps->pos, n;

	while (ps->pos < ps->len && p_is_atom_char(ps->buf[ps->pos]) &&
	       !(tag && ps->buf[ps->pos] == '+') && ps->pos - start <= max)
		ps->pos++;
	n = ps->pos - start;
	if (n > max)
		return p_fail(ps, tag ? "tag too long" : "command name too long");
	if (ps->pos >= ps->len)
		return p_need(ps);
	if (n == 0)
		return p_fail(ps, tag ? "missing tag" : "missing command name");
	memcpy(out, ps->buf + start, n);
	out[n] = '\0';
	return P_OK;
}

/* p_name - the command name, upper-cased, and the UID prefix (RFC 3501 6.4.8) */
static int p_name(struct pstate *ps, struct imap_command *cmd)
{
	int r;

	if (ps->buf[ps->pos] != ' ')
		return p_fail(ps, "missing command name");
	ps->pos++;
	if ((r = p_word(ps, cmd->name, IMAP_COMMAND_NAME_MAX, false)) != P_OK)
		return r;
	for (char *p = cmd->name; *p != '\0'; p++)
		*p = (char)toupper((unsigned char)*p);
	if (strcmp(cmd->name, "UID") != 0)
		return P_OK;
	cmd->uid = true;
	if (ps->buf[ps->pos] != ' ')
		return p_fail(ps, "UID without a command");
	ps->pos++;
	if ((r = p_word(ps, cmd->name, IMAP_COMMAND_NAME_MAX, false)) != P_OK)
		return r;
	for (char *p = cmd->name; *p != '\0'; p++)
		*p = (char)toupper((unsigned char)*p);
	return P_OK;
}

/* p_command - tag SP name [SP args] CRLF */
static int p_command(struct pstate *ps, struct imap_command *cmd)
{
	int r;

	if (p_at_eol(ps))
		return p_fail(ps, "empty command line");
	if ((r = p_word(ps, cmd->tag, IMAP_TAG_MAX, true)) != P_OK)
		return r;
	memcpy(ps->res->tag, cmd->tag, sizeof(cmd->tag));
	if ((r = p_name(ps, cmd)) != P_OK)
		return r;
	if ((r = p_args(ps, false, 0, &cmd->args, &cmd->nargs)) != P_OK)
		return r;
	return p_eol(ps);
}

/* p_skip - after a refusal: through the end of the current line when it is here, else
 * everything and the rest of the line as it comes */
static void p_skip(struct pstate *ps)
{
	const uint8_t *lf;
	size_t from = ps->pos < ps->len ? ps->pos : ps->len;

	if (ps->res->skip > 0)
		return;
	lf = memchr(ps->buf + from, '\n', ps->len - from);
	if (lf != NULL) {
		ps->res->skip = (size_t)(lf - ps->buf) + 1;
		return;
	}
	ps->res->skip = ps->len;
	ps->res->skip_line = true;
}

/* imap_parser_parse - see imap_parser.h */
ssize_t imap_parser_parse(const struct imap_parser_limits *lim, const uint8_t *buf, size_t len,
			  struct imap_arena *arena, struct imap_command *cmd,
			  struct imap_parse_result *res)
{
	struct pstate ps = { .lim = lim, .buf = buf, .len = len, .arena = arena, .res = res };
	int r;

	memset(res, 0, sizeof(*res));
	memset(cmd, 0, sizeof(*cmd));
	if (len == 0) {
		res->need = 1;
		return 0;
	}
	r = p_command(&ps, cmd);
	if (r == P_OK)
		return (ssize_t)ps.pos;
	if (r == P_NEED)
		return 0;
	if (!res->toobig && memchr(buf + (ps.pos < len ? ps.pos : len), '\n',
				   len - (ps.pos < len ? ps.pos : len)) == NULL &&
	    len - ps.line_start < lim->max_line) {
		/* a syntax error is answered once its whole line is here, so the skip
		 * ends exactly at its end */
		memset(res, 0, sizeof(*res));
		res->need = 1;
		return 0;
	}
	p_skip(&ps);
	return -1;
}

/* w_quotable - may be written as a quoted string */
static bool w_quotable(const struct imap_arg *a)
{
	for (size_t i = 0; i < a->len; i++)
		if (a->str[i] == '\r' || a->str[i] == '\n' || a->str[i] == '\0')
			return false;
	return true;
}

/* w_put - append n octets to the output, growing it in the arena */
static void w_put(struct imap_arena *arena, char **buf, size_t *len, size_t *cap,
		  const char *data, size_t n)
{
	if (*len + n + 1 > *cap) {
		size_t ncap = (*cap == 0 ? 256 : *cap);
		char *nb;

		while (ncap < *len + n + 1)
			ncap *= 2;
		nb = imap_arena_alloc_raw(arena, ncap);
		if (*len > 0)
			memcpy(nb, *buf, *len);
		*buf = nb;
		*cap = ncap;
	}
	memcpy(*buf + *len, data, n);
	*len += n;
	(*buf)[*len] = '\0';
}

/* w_arg - one argument in wire form */
static void w_arg(const struct imap_arg *a, struct imap_arena *arena, char **buf, size_t *len,
		  size_t *cap)
{
	switch (a->type) {
	case IMAP_ARG_ATOM:
		w_put(arena, buf, len, cap, a->str, a->len);
		break;
	case IMAP_ARG_NIL:
		w_put(arena, buf, len, cap, "NIL", 3);
		break;
	case IMAP_ARG_LIST:
		w_put(arena, buf, len, cap, "(", 1);
		for (size_t i = 0; i < a->count; i++) {
			if (i > 0)
				w_put(arena, buf, len, cap, " ", 1);
			w_arg(&a->list[i], arena, buf, len, cap);
		}
		w_put(arena, buf, len, cap, ")", 1);
		break;
	case IMAP_ARG_STRING:
	case IMAP_ARG_LITERAL:
		if (a->type == IMAP_ARG_STRING && w_quotable(a)) {
			w_put(arena, buf, len, cap, "\"", 1);
			for (size_t i = 0; i < a->len; i++) {
				if (a->str[i] == '"' || a->str[i] == '\\')
					w_put(arena, buf, len, cap, "\\", 1);
				w_put(arena, buf, len, cap, a->str + i, 1);
			}
			w_put(arena, buf, len, cap, "\"", 1);
			break;
		}
		const char *h = imap_arena_printf(arena, "%s{%zu+}\r\n", a->literal8 ? "~" : "",
						  a->len);
		w_put(arena, buf, len, cap, h, strlen(h));
		w_put(arena, buf, len, cap, a->str, a->len);
		break;
	}
}

/* imap_parser_write - see imap_parser.h */
char *imap_parser_write(const struct imap_command *cmd, struct imap_arena *arena, size_t *len_r)
{
	char *buf = NULL;
	size_t len = 0, cap = 0;

	w_put(arena, &buf, &len, &cap, cmd->tag, strlen(cmd->tag));
	if (cmd->uid)
		w_put(arena, &buf, &len, &cap, " UID", 4);
	w_put(arena, &buf, &len, &cap, " ", 1);
	w_put(arena, &buf, &len, &cap, cmd->name, strlen(cmd->name));
	for (size_t i = 0; i < cmd->nargs; i++) {
		w_put(arena, &buf, &len, &cap, " ", 1);
		w_arg(&cmd->args[i], arena, &buf, &len, &cap);
	}
	w_put(arena, &buf, &len, &cap, "\r\n", 2);
	*len_r = len;
	return buf;
}
