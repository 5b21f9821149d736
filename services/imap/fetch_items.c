/* fetch_items.c - FETCH data items and modifiers into a plan (RFC 3501 6.4.5) */
#include "services/imap/fetch_items.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct simple_item {
	const char *name;
	unsigned flags;
};

/* RFC 3501 6.4.5, RFC 7162 3.1.4.1; the macros expand to their items */
static const struct simple_item fetch_simple[] = {
	{ "UID", FETCH_UID }, { "FLAGS", FETCH_FLAGS }, { "INTERNALDATE", FETCH_INTERNALDATE },
	{ "RFC822.SIZE", FETCH_RFC822_SIZE }, { "ENVELOPE", FETCH_ENVELOPE },
	{ "BODYSTRUCTURE", FETCH_BODYSTRUCTURE }, { "BODY", FETCH_BODY },
	{ "MODSEQ", FETCH_MODSEQ },
	{ "ALL", FETCH_FLAGS | FETCH_INTERNALDATE | FETCH_RFC822_SIZE | FETCH_ENVELOPE },
	{ "FAST", FETCH_FLAGS | FETCH_INTERNALDATE | FETCH_RFC822_SIZE },
	{ "FULL", FETCH_FLAGS | FETCH_INTERNALDATE | FETCH_RFC822_SIZE | FETCH_ENVELOPE |
		  FETCH_BODY },
};

/* items_fail - set the reason and return -1 */
static int items_fail(const char **error_r, const char *why)
{
	*error_r = why;
	return -1;
}

/* items_number - a decimal number of at most 10 digits (RFC 3501 9 number) at *p */
static int items_number(const char **p, uint64_t *v_r)
{
	const char *s = *p;
	uint64_t v = 0;
	size_t n = 0;

	while (*s >= '0' && *s <= '9' && n < 11) {
		v = v * 10 + (uint64_t)(*s++ - '0');
		n++;
	}
	if (n == 0 || n > 10 || v > UINT32_MAX)
		return -1;
	*p = s;
	*v_r = v;
	return 0;
}

/* items_names - the field names of "(A B "C")" into sec (RFC 3501 9 header-list) */
static int items_names(const char *s, const char *end, struct imap_arena *arena,
		       struct fetch_section *sec, const char **error_r)
{
	const char *start;

	if (s >= end || *s != '(' || end[-1] != ')')
		return items_fail(error_r, "HEADER.FIELDS needs a parenthesised list");
	sec->names = imap_arena_array(arena, FETCH_ITEMS_FIELDS_MAX, sizeof(char *));
	for (s++, end--; s < end;) {
		if (*s == ' ') {
			s++;
			continue;
		}
		bool quoted = *s == '"';
		start = quoted ? ++s : s;
		while (s < end && (quoted ? *s != '"' : (*s != ' ' && *s != '"')))
			s++;
		if (s == start || (quoted && s >= end) || sec->nnames == FETCH_ITEMS_FIELDS_MAX)
			return items_fail(error_r, "bad HEADER.FIELDS list");
		sec->names[sec->nnames++] = imap_arena_memdup(arena, start, (size_t)(s - start));
		s += quoted;
	}
	return sec->nnames > 0 ? 0 : items_fail(error_r, "empty HEADER.FIELDS list");
}

/* items_text - the section text after the part number: HEADER, TEXT, MIME,
 * HEADER.FIELDS[.NOT] (list) (RFC 3501 9 section-msgtext, section-text) */
static int items_text(const char *s, const char *end, struct imap_arena *arena,
		      struct fetch_section *sec, const char **error_r)
{
	size_t len = (size_t)(end - s);

	if (len == 6 && strncasecmp(s, "HEADER", 6) == 0)
		sec->text = IMAP_MSG_SECTION_HEADER;
	else if (len == 4 && strncasecmp(s, "TEXT", 4) == 0)
		sec->text = IMAP_MSG_SECTION_TEXT;
	else if (len == 4 && strncasecmp(s, "MIME", 4) == 0 && sec->part[0] != '\0')
		sec->text = IMAP_MSG_SECTION_MIME;
	else if (len > 18 && strncasecmp(s, "HEADER.FIELDS.NOT ", 18) == 0) {
		sec->text = IMAP_MSG_SECTION_HEADER;
		sec->fields = sec->fields_not = true;
		return items_names(s + 18, end, arena, sec, error_r);
	} else if (len > 14 && strncasecmp(s, "HEADER.FIELDS ", 14) == 0) {
		sec->text = IMAP_MSG_SECTION_HEADER;
		sec->fields = true;
		return items_names(s + 14, end, arena, sec, error_r);
	} else
		return items_fail(error_r, "unknown section");
	return 0;
}

/* items_section - the inside of [...]: [part][.text] */
static int items_section(const char *s, const char *end, struct imap_arena *arena,
			 struct fetch_section *sec, const char **error_r)
{
	const char *p = s;

	while (p < end && ((*p >= '0' && *p <= '9') || (*p == '.' && p + 1 < end &&
							  p[1] >= '0' && p[1] <= '9')))
		p++;
	if ((size_t)(p - s) > IMAP_MSG_PART_MAX)
		return items_fail(error_r, "part number too long");
	memcpy(sec->part, s, (size_t)(p - s));
	sec->part[p - s] = '\0';
	if (!imap_msg_section_part_ok(sec->part))
		return items_fail(error_r, "bad part number");
	sec->text = IMAP_MSG_SECTION_ALL;
	if (p == end)
		return 0;
	if (sec->kind != FETCH_SECTION_BODY)
		return items_fail(error_r, "BINARY takes part numbers only"); /* RFC 3516 4.2 */
	if (p > s) {
		if (*p != '.')
			return items_fail(error_r, "bad section");
		p++;
	}
	return items_text(p, end, arena, sec, error_r);
}

/* items_partial - "<origin.count>" after the section (RFC 3501 9: count non-zero) */
static int items_partial(const char *p, struct fetch_section *sec, const char **error_r)
{
	if (*p == '\0')
		return 0;
	if (*p++ != '<' || items_number(&p, &sec->origin) < 0 || *p++ != '.' ||
	    items_number(&p, &sec->count) < 0 || sec->count == 0 || *p++ != '>' || *p != '\0')
		return items_fail(error_r, "bad <origin.count>");
	if (sec->kind == FETCH_SECTION_BINARY_SIZE)
		return items_fail(error_r, "BINARY.SIZE takes no partial");
	sec->partial = true;
	return 0;
}

/* items_prefix - BODY, BODY.PEEK, BINARY, BINARY.PEEK or BINARY.SIZE before '[' */
static int items_prefix(const char *s, size_t len, struct fetch_section *sec)
{
	static const struct { const char *name; enum fetch_section_kind kind; bool peek; }
	prefixes[] = { { "BODY", FETCH_SECTION_BODY, false }, { "BODY.PEEK", FETCH_SECTION_BODY, true },
		       { "BINARY", FETCH_SECTION_BINARY, false },
		       { "BINARY.PEEK", FETCH_SECTION_BINARY, true },
		       { "BINARY.SIZE", FETCH_SECTION_BINARY_SIZE, true } };

	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (strlen(prefixes[i].name) == len && strncasecmp(prefixes[i].name, s, len) == 0) {
			sec->kind = prefixes[i].kind;
			sec->peek = prefixes[i].peek;
			return 0;
		}
	return -1;
}

/* items_reply_name - the response's name for a section: the request's spelling without
 * .PEEK and without the count of a partial (RFC 3501 7.4.2) */
static const char *items_reply_name(struct imap_arena *arena, const struct fetch_section *sec,
				    const char *open, const char *close)
{
	static const char *const kinds[] = { "BODY", "BINARY", "BINARY.SIZE" };
	char *name = imap_arena_printf(arena, "%s%.*s", kinds[sec->kind], (int)(close - open + 1),
				       open);

	/* the section text in upper case; field names in the list as the client wrote them */
	for (char *c = strchr(name, '['); *c != '\0' && *c != '('; c++)
		if (*c >= 'a' && *c <= 'z')
			*c = (char)(*c - 'a' + 'A');
	if (sec->partial)
		name = imap_arena_printf(arena, "%s<%llu>", name, (unsigned long long)sec->origin);
	return name;
}

/* items_body - one BODY[...]-like item */
static int items_body(const char *s, struct imap_arena *arena, struct fetch_items *out,
		      const char **error_r)
{
	const char *open = strchr(s, '['), *close;
	struct fetch_section *sec;

	if (out->nsections == FETCH_ITEMS_SECTIONS_MAX)
		return items_fail(error_r, "too many body sections");
	sec = &out->sections[out->nsections];
	memset(sec, 0, sizeof(*sec));
	if (open == NULL || (close = strchr(open, ']')) == NULL ||
	    items_prefix(s, (size_t)(open - s), sec) < 0)
		return items_fail(error_r, "unknown FETCH item");
	if (items_section(open + 1, close, arena, sec, error_r) < 0 ||
	    items_partial(close + 1, sec, error_r) < 0)
		return -1;
	sec->reply_name = items_reply_name(arena, sec, open, close);
	out->sets_seen |= !sec->peek;
	out->nsections++;
	return 0;
}

/* items_rfc822 - RFC822, RFC822.HEADER, RFC822.TEXT: BODY[], BODY.PEEK[HEADER], BODY[TEXT]
 * under their own names (RFC 3501 6.4.5) */
static int items_rfc822(const char *s, struct fetch_items *out, const char **error_r)
{
	static const struct { const char *name; enum imap_msg_section_text text; bool peek; }
	forms[] = { { "RFC822", IMAP_MSG_SECTION_ALL, false },
		    { "RFC822.HEADER", IMAP_MSG_SECTION_HEADER, true },
		    { "RFC822.TEXT", IMAP_MSG_SECTION_TEXT, false } };

	for (size_t i = 0; i < 3; i++) {
		if (strcasecmp(s, forms[i].name) != 0)
			continue;
		if (out->nsections == FETCH_ITEMS_SECTIONS_MAX)
			return items_fail(error_r, "too many body sections");
		struct fetch_section *sec = &out->sections[out->nsections++];
		memset(sec, 0, sizeof(*sec));
		sec->reply_name = forms[i].name;
		sec->text = forms[i].text;
		sec->peek = forms[i].peek;
		out->sets_seen |= !sec->peek;
		return 0;
	}
	return 1;
}

/* items_one - one item of the list */
static int items_one(const struct imap_arg *a, struct imap_arena *arena, struct fetch_items *out,
		     const char **error_r)
{
	int r;

	if (a->type != IMAP_ARG_ATOM)
		return items_fail(error_r, "FETCH items are atoms");
	for (size_t i = 0; i < sizeof(fetch_simple) / sizeof(fetch_simple[0]); i++)
		if (strcasecmp(a->str, fetch_simple[i].name) == 0) {
			out->flags |= fetch_simple[i].flags;
			return 0;
		}
	if ((r = items_rfc822(a->str, out, error_r)) <= 0)
		return r;
	return items_body(a->str, arena, out, error_r);
}

/* items_modifiers - (CHANGEDSINCE n [VANISHED]) (RFC 7162 3.1.4.1, 3.2.6) */
static int items_modifiers(const struct imap_arg *m, struct fetch_items *out,
			   const char **error_r)
{
	if (m->type != IMAP_ARG_LIST)
		return items_fail(error_r, "FETCH modifiers must be a list");
	for (size_t i = 0; i < m->count; i++) {
		const struct imap_arg *a = &m->list[i];

		if (imap_arg_atom_is(a, "CHANGEDSINCE") && i + 1 < m->count) {
			if (imap_arg_number(&m->list[++i], INT64_MAX, &out->changedsince) < 0 ||
			    out->changedsince == 0)
				return items_fail(error_r, "CHANGEDSINCE needs a mod-sequence");
		} else if (imap_arg_atom_is(a, "VANISHED")) {
			out->vanished = true;
		} else {
			return items_fail(error_r, "unknown FETCH modifier");
		}
	}
	if (out->vanished && out->changedsince == 0) /* RFC 7162 3.2.6 */
		return items_fail(error_r, "VANISHED needs CHANGEDSINCE");
	if (out->changedsince > 0)
		out->flags |= FETCH_MODSEQ;
	return 0;
}

int fetch_items_parse(const struct imap_arg *items, const struct imap_arg *modifiers,
		      struct imap_arena *arena, struct fetch_items *out, const char **error_r)
{
	memset(out, 0, sizeof(*out));
	out->sections = imap_arena_array(arena, FETCH_ITEMS_SECTIONS_MAX, sizeof(*out->sections));
	if (items->type == IMAP_ARG_LIST) {
		if (items->count == 0)
			return items_fail(error_r, "empty FETCH item list");
		for (size_t i = 0; i < items->count; i++)
			if (items_one(&items->list[i], arena, out, error_r) < 0)
				return -1;
	} else if (items_one(items, arena, out, error_r) < 0) {
		return -1;
	}
	if (modifiers != NULL && items_modifiers(modifiers, out, error_r) < 0)
		return -1;
	return 0;
}
