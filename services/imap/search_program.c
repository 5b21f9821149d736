/* search_program.c - SEARCH keys (RFC 3501 6.4.4 / RFC 9051 6.4.4) into store keys.
 * \Recent is not kept by sessions, so RECENT and NEW match nothing and OLD everything. */
#include "services/imap/search_program.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

struct parse {
	const struct imap_arg *args;
	size_t n, pos;
	const struct imap_view *v;
	struct imap_arena *arena;
	struct store_search *s;
	const char *error;
	int depth;
};

/* Keys without arguments that test the flag bitmask. */
static const struct { const char *name; unsigned flag; bool set; } search_flag_keys[] = {
	{ "ANSWERED", STORE_FLAG_ANSWERED, true }, { "DELETED", STORE_FLAG_DELETED, true },
	{ "DRAFT", STORE_FLAG_DRAFT, true }, { "FLAGGED", STORE_FLAG_FLAGGED, true },
	{ "SEEN", STORE_FLAG_SEEN, true }, { "UNANSWERED", STORE_FLAG_ANSWERED, false },
	{ "UNDELETED", STORE_FLAG_DELETED, false }, { "UNDRAFT", STORE_FLAG_DRAFT, false },
	{ "UNFLAGGED", STORE_FLAG_FLAGGED, false }, { "UNSEEN", STORE_FLAG_SEEN, false },
};
/* Keys taking one string, matched as substrings. */
static const struct { const char *name; enum store_search_kind kind;
		      enum store_search_field field; } search_text_keys[] = {
	{ "BCC", STORE_SEARCH_FIELD, STORE_SEARCH_BCC }, { "CC", STORE_SEARCH_FIELD, STORE_SEARCH_CC },
	{ "FROM", STORE_SEARCH_FIELD, STORE_SEARCH_FROM },
	{ "SUBJECT", STORE_SEARCH_FIELD, STORE_SEARCH_SUBJECT },
	{ "TO", STORE_SEARCH_FIELD, STORE_SEARCH_TO }, { "BODY", STORE_SEARCH_BODY, 0 },
	{ "TEXT", STORE_SEARCH_TEXT, 0 },
};
/* Date keys: internal date or Date: header, and the comparison. */
static const struct { const char *name; bool sent; enum store_search_cmp cmp; } search_date_keys[] = {
	{ "BEFORE", false, STORE_SEARCH_BEFORE }, { "ON", false, STORE_SEARCH_ON },
	{ "SINCE", false, STORE_SEARCH_SINCE }, { "SENTBEFORE", true, STORE_SEARCH_BEFORE },
	{ "SENTON", true, STORE_SEARCH_ON }, { "SENTSINCE", true, STORE_SEARCH_SINCE },
};

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* fail - record a syntax error; returns NULL for the key parsers */
static struct store_search_key *fail(struct parse *p, const char *error)
{
	if (p->error == NULL)
		p->error = error;
	return NULL;
}

/* node - a new key, or NULL (and an error) when the program has too many */
static struct store_search_key *node(struct parse *p, enum store_search_kind kind)
{
	struct store_search_key *k = store_search_node(p->s, kind);

	return k != NULL ? k : fail(p, "too many search keys");
}

/* next_arg - the next argument, or NULL (and an error) at the end */
static const struct imap_arg *next_arg(struct parse *p)
{
	if (p->pos >= p->n) {
		fail(p, "search key lacks its argument");
		return NULL;
	}
	return &p->args[p->pos++];
}

/* next_string - the next argument as an astring without NUL, bounded */
static const char *next_string(struct parse *p)
{
	const struct imap_arg *a = next_arg(p);
	const char *s = a != NULL ? imap_arg_astring(a) : NULL;

	if (a != NULL && s == NULL)
		fail(p, "search key needs a string");
	if (s != NULL && a->len > STORE_SEARCH_VALUE_MAX)
		return (const char *)fail(p, "search string too long");
	return s;
}

/* search_program_date - date-day "-" date-month "-" date-year (RFC 3501 9) */
int search_program_date(const char *s, int32_t *year, int32_t *month, int32_t *day)
{
	static const char months[] = "janfebmaraprmayjunjulaugsepoctnovdec";
	static const int days[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	char mon[4];
	int d, y, used = 0;
	const char *m;

	if (strlen(s) > 11 || sscanf(s, "%2d-%3[A-Za-z]-%4d%n", &d, mon, &y, &used) != 3 ||
	    s[used] != '\0' || strlen(mon) != 3 || s[0] < '0' || s[0] > '9' ||
	    used < 10 || strlen(strchr(s, '-') + 5) != 4)
		return -1;
	for (int i = 0; i < 3; i++)
		mon[i] = (char)(mon[i] | 0x20);
	if ((m = strstr(months, mon)) == NULL || (m - months) % 3 != 0)
		return -1;
	*month = (int32_t)((m - months) / 3 + 1);
	if (d < 1 || d > days[*month - 1] || y < 1 ||
	    (*month == 2 && d == 29 && !(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0))))
		return -1;
	*day = d;
	*year = y;
	return 0;
}

/* saved_ranges - "$" (RFC 5182 2.1): the saved UIDs still in the view, as ranges */
static struct store_search_key *saved_ranges(struct parse *p)
{
	struct store_search_key *k = node(p, STORE_SEARCH_UIDS);
	struct store_search_range *r;

	if (k == NULL)
		return NULL;
	k->ranges = r = imap_arena_array(p->arena, p->v->nsaved + 1, sizeof(*r));
	for (size_t i = 0; i < p->v->nsaved; i++) {
		if (imap_view_msn(p->v, p->v->saved[i]) == 0)
			continue;
		if (k->nranges > 0 && r[k->nranges - 1].hi + 1 == p->v->saved[i])
			r[k->nranges - 1].hi = p->v->saved[i];
		else
			r[k->nranges].lo = r[k->nranges].hi = p->v->saved[i], k->nranges++;
	}
	return k;
}

/* set_ranges - a sequence set as UID ranges over the view: MSNs map to the UIDs at those
 * positions, "*" is the last message (or highest UID); numbers beyond the view match
 * nothing; "$" is the saved search result (RFC 5182) */
static struct store_search_key *set_ranges(struct parse *p, const struct imap_arg *a,
					   bool by_uid)
{
	struct imap_seqset set;
	struct store_search_key *k;
	struct store_search_range *r;
	const char *error = NULL;
	uint32_t star = by_uid ? (p->v->count > 0 ? p->v->uids[p->v->count - 1] : 0) : p->v->count;

	if (imap_seqset_parse(a, p->arena, &set, &error) < 0)
		return fail(p, error);
	if (set.saved)
		return saved_ranges(p);
	if ((k = node(p, STORE_SEARCH_UIDS)) == NULL)
		return NULL;
	k->ranges = r = imap_arena_array(p->arena, set.count + 1, sizeof(*r));
	for (size_t i = 0; i < set.count; i++) {
		uint32_t lo = set.ranges[i].lo == IMAP_SEQ_STAR ? star : set.ranges[i].lo;
		uint32_t hi = set.ranges[i].hi == IMAP_SEQ_STAR ? star : set.ranges[i].hi;

		if (lo > hi) {
			uint32_t t = lo;
			lo = hi, hi = t;
		}
		if (by_uid && set.ranges[i].hi == IMAP_SEQ_STAR && set.ranges[i].lo > star)
			lo = hi = star;  /* RFC 3501 6.4.8: n:* names the highest UID */
		if (!by_uid && hi > p->v->count)
			hi = p->v->count;
		if (lo == 0 || lo > hi)
			continue;
		r[k->nranges].lo = by_uid ? lo : p->v->uids[lo - 1];
		r[k->nranges++].hi = by_uid ? hi : p->v->uids[hi - 1];
	}
	return k;
}

static struct store_search_key *parse_key(struct parse *p);

/* parse_and - every key of args as the children of an AND (a parenthesised list, or the
 * whole program) */
static struct store_search_key *parse_and(struct parse *p, const struct imap_arg *args,
					  size_t n)
{
	struct parse sub = *p;
	struct store_search_key *k = node(p, STORE_SEARCH_AND), *c;

	if (k == NULL || n == 0)
		return k != NULL ? fail(p, "empty search key list") : NULL;
	sub.args = args, sub.n = n, sub.pos = 0, sub.depth = p->depth + 1;
	while (sub.pos < sub.n) {
		if ((c = parse_key(&sub)) == NULL) {
			p->error = sub.error;
			return NULL;
		}
		store_search_add(k, c);
	}
	return k;
}

/* parse_logic - NOT key, OR key key */
static struct store_search_key *parse_logic(struct parse *p, bool is_not)
{
	struct store_search_key *k = node(p, is_not ? STORE_SEARCH_NOT : STORE_SEARCH_OR), *c;

	if (k == NULL)
		return NULL;
	p->depth++;
	for (int i = 0; i < (is_not ? 1 : 2); i++) {
		if ((c = parse_key(p)) == NULL)
			return NULL;
		store_search_add(k, c);
	}
	p->depth--;
	return k;
}

/* parse_modseq - MODSEQ [entry-name entry-type-req] mod-sequence-valzer (RFC 7162 3.1.5);
 * the entry names per-flag modseqs, which are not kept: the message's modseq serves */
static struct store_search_key *parse_modseq(struct parse *p)
{
	const struct imap_arg *a = next_arg(p);
	struct store_search_key *k;
	uint64_t v;

	if (a != NULL && a->type == IMAP_ARG_STRING) {
		const struct imap_arg *type = next_arg(p);

		if (type == NULL || !(imap_arg_atom_is(type, "priv") ||
				      imap_arg_atom_is(type, "shared") || imap_arg_atom_is(type, "all")))
			return fail(p, "MODSEQ entry type must be priv, shared or all");
		a = next_arg(p);
	}
	if (a == NULL || imap_arg_number(a, INT64_MAX, &v) < 0)
		return fail(p, "MODSEQ needs a mod-sequence");
	if ((k = node(p, STORE_SEARCH_MODSEQ)) != NULL)
		k->number = v;
	return k;
}

/* parse_table_key - the keys of the tables above; NULL with no error when w is none */
static struct store_search_key *parse_table_key(struct parse *p, const char *w)
{
	struct store_search_key *k;
	const char *s;

	for (size_t i = 0; i < N_OF(search_flag_keys); i++)
		if (strcasecmp(w, search_flag_keys[i].name) == 0) {
			k = node(p, search_flag_keys[i].set ? STORE_SEARCH_FLAGS_SET
							    : STORE_SEARCH_FLAGS_CLEAR);
			if (k != NULL)
				k->flags = search_flag_keys[i].flag;
			return k;
		}
	for (size_t i = 0; i < N_OF(search_text_keys); i++)
		if (strcasecmp(w, search_text_keys[i].name) == 0) {
			if ((s = next_string(p)) == NULL || (k = node(p, search_text_keys[i].kind)) == NULL)
				return NULL;
			k->field = search_text_keys[i].field;
			k->value = s;
			return k;
		}
	for (size_t i = 0; i < N_OF(search_date_keys); i++)
		if (strcasecmp(w, search_date_keys[i].name) == 0) {
			if ((s = next_string(p)) == NULL || (k = node(p, STORE_SEARCH_DATE)) == NULL)
				return NULL;
			if (search_program_date(s, &k->year, &k->month, &k->day) < 0)
				return fail(p, "malformed date (expected d-Mon-yyyy)");
			k->sent = search_date_keys[i].sent;
			k->cmp = search_date_keys[i].cmp;
			return k;
		}
	return NULL;
}

/* parse_args_key - HEADER, KEYWORD/UNKEYWORD, LARGER/SMALLER, UID */
static struct store_search_key *parse_args_key(struct parse *p, const char *w)
{
	struct store_search_key *k, *n;
	const struct imap_arg *a;
	uint64_t v;

	if (strcasecmp(w, "HEADER") == 0) {
		const char *name = next_string(p), *value = name != NULL ? next_string(p) : NULL;

		if (value == NULL || (k = node(p, STORE_SEARCH_HEADER)) == NULL)
			return NULL;
		k->name = name, k->value = value;
		return k;
	}
	if (strcasecmp(w, "KEYWORD") == 0 || strcasecmp(w, "UNKEYWORD") == 0) {
		if ((a = next_arg(p)) == NULL || a->type != IMAP_ARG_ATOM)
			return fail(p, "KEYWORD needs a flag keyword");
		if ((k = node(p, STORE_SEARCH_KEYWORD)) == NULL)
			return NULL;
		k->value = a->str;
		if (w[0] == 'K' || w[0] == 'k')
			return k;
		if ((n = node(p, STORE_SEARCH_NOT)) != NULL)
			store_search_add(n, k);
		return n;
	}
	if (strcasecmp(w, "LARGER") == 0 || strcasecmp(w, "SMALLER") == 0) {
		if ((a = next_arg(p)) == NULL || imap_arg_number(a, INT64_MAX, &v) < 0)
			return fail(p, "LARGER/SMALLER need a number");
		if ((k = node(p, STORE_SEARCH_SIZE)) != NULL) {
			k->number = v;
			k->cmp = w[0] == 'L' || w[0] == 'l' ? STORE_SEARCH_LARGER : STORE_SEARCH_SMALLER;
		}
		return k;
	}
	if (strcasecmp(w, "UID") == 0)
		return (a = next_arg(p)) != NULL ? set_ranges(p, a, true) : NULL;
	if (strcasecmp(w, "MODSEQ") == 0)
		return parse_modseq(p);
	return NULL;
}

/* recent_ranges - the messages \Recent in this session (RFC 3501 2.3.2.1), as UID ranges */
static struct store_search_key *recent_ranges(struct parse *p)
{
	struct store_search_key *k = node(p, STORE_SEARCH_UIDS);
	struct store_search_range *r;

	if (k == NULL)
		return NULL;
	k->ranges = r = imap_arena_array(p->arena, p->v->nrecent + 1, sizeof(*r));
	for (uint32_t m = 1; m <= p->v->count && k->nranges < p->v->nrecent; m++) {
		if (!imap_view_is_recent(p->v, m))
			continue;
		if (k->nranges > 0 && imap_view_is_recent(p->v, m - 1))
			r[k->nranges - 1].hi = p->v->uids[m - 1];
		else
			r[k->nranges].lo = r[k->nranges].hi = p->v->uids[m - 1], k->nranges++;
	}
	return k;
}

/* parse_recent - RECENT, NEW (RECENT UNSEEN) and OLD (NOT RECENT), RFC 3501 6.4.4 */
static struct store_search_key *parse_recent(struct parse *p, const char *w)
{
	struct store_search_key *k, *c;
	bool old = strcasecmp(w, "OLD") == 0, new = strcasecmp(w, "NEW") == 0;

	if (!old && !new && strcasecmp(w, "RECENT") != 0)
		return NULL;
	if ((c = recent_ranges(p)) == NULL)
		return NULL;
	if (!old && !new)
		return c;
	if ((k = node(p, old ? STORE_SEARCH_NOT : STORE_SEARCH_AND)) == NULL)
		return NULL;
	store_search_add(k, c);
	if (new) {
		if ((c = parse_table_key(p, "UNSEEN")) == NULL)
			return NULL;
		store_search_add(k, c);
	}
	return k;
}

/* parse_key - one search-key */
static struct store_search_key *parse_key(struct parse *p)
{
	const struct imap_arg *a = next_arg(p);
	struct store_search_key *k;
	const char *w;

	if (a == NULL)
		return NULL;
	if (p->depth >= STORE_SEARCH_DEPTH_MAX)
		return fail(p, "search keys nested too deep");
	if (a->type == IMAP_ARG_LIST)
		return parse_and(p, a->list, a->count);
	if (a->type != IMAP_ARG_ATOM)
		return fail(p, "expected a search key");
	w = a->str;
	if ((w[0] >= '0' && w[0] <= '9') || w[0] == '*' || w[0] == '$')
		return set_ranges(p, a, false);
	if (strcasecmp(w, "ALL") == 0)
		return node(p, STORE_SEARCH_ALL);
	if (strcasecmp(w, "NOT") == 0 || strcasecmp(w, "OR") == 0)
		return parse_logic(p, w[0] == 'N' || w[0] == 'n');
	if ((k = parse_recent(p, w)) != NULL || p->error != NULL)
		return k;
	if ((k = parse_table_key(p, w)) != NULL || p->error != NULL)
		return k;
	if ((k = parse_args_key(p, w)) != NULL || p->error != NULL)
		return k;
	return fail(p, "unknown search key");
}

/* parse_return - RETURN (options) of RFC 4731 3.1; "RETURN ()" means ALL */
static int parse_return(struct parse *p, struct search_program *out)
{
	static const char *const names[] = { "MIN", "MAX", "ALL", "COUNT", "SAVE" };
	const struct imap_arg *a = next_arg(p);

	if (a == NULL || a->type != IMAP_ARG_LIST) {
		fail(p, "RETURN needs a list of options");
		return -1;
	}
	out->esearch = true;
	for (size_t i = 0; i < a->count; i++) {
		size_t j = 0;

		while (j < N_OF(names) && !imap_arg_atom_is(&a->list[i], names[j]))
			j++;
		if (j == N_OF(names)) {
			fail(p, "unknown RETURN option");
			return -1;
		}
		out->ret |= 1u << j;
	}
	if (out->ret == 0)
		out->ret = SEARCH_RETURN_ALL;
	return 0;
}

/* parse_charset - CHARSET name: UTF-8 and its subset US-ASCII are understood */
static int parse_charset(struct parse *p, const char **code_r)
{
	const char *cs = next_string(p);

	if (cs == NULL)
		return -1;
	if (strcasecmp(cs, "UTF-8") != 0 && strcasecmp(cs, "US-ASCII") != 0) {
		fail(p, "unsupported charset");
		*code_r = SEARCH_BADCHARSET;
		return -1;
	}
	return 0;
}

/* search_program_parse - the whole program */
int search_program_parse(const struct imap_arg *args, size_t nargs,
			 enum search_program_form form, const struct imap_view *v,
			 struct imap_arena *arena, struct search_program *out,
			 const char **error_r, const char **code_r)
{
	struct parse p = { args, nargs, 0, v, arena, &out->s, NULL, 0 };

	*code_r = NULL;
	if (form == SEARCH_FORM_SEARCH && p.n > 0 && imap_arg_atom_is(&args[0], "RETURN")) {
		p.pos++;
		if (parse_return(&p, out) < 0)
			goto bad;
	}
	if (form == SEARCH_FORM_SORTED ||
	    (p.pos < p.n && imap_arg_atom_is(&args[p.pos], "CHARSET"))) {
		p.pos += form == SEARCH_FORM_SEARCH;
		if (parse_charset(&p, code_r) < 0)
			goto bad;
	}
	/* "SEARCH" alone has no arguments at all: args may be NULL, and NULL + 0 is undefined */
	if ((out->root = parse_and(&p, p.pos < p.n ? &args[p.pos] : NULL, p.n - p.pos)) == NULL)
		goto bad;
	return 0;
bad:
	*error_r = p.error != NULL ? p.error : "malformed search program";
	return -1;
}
