/* imap_search_sql.c - a SEARCH key tree as one WHERE condition with parameters
 * (RFC 3501 6.4.4, RFC 9051 6.4.4, RFC 7162 3.1.5). Pure: no database, no client text in
 * the SQL. */
#include "store/imap_search.h"
#include "store/mailbox.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SEARCH_RANGES_MAX (1u << 20)  /* UID ranges in one key */

/* Columns of message_meta for the address and subject keys, by enum store_search_field. */
static const char *const search_field_columns[] = {
	[STORE_SEARCH_FROM] = "mt.from_addr", [STORE_SEARCH_TO] = "mt.to_addr",
	[STORE_SEARCH_CC] = "mt.cc_addr", [STORE_SEARCH_BCC] = "mt.bcc_addr",
	[STORE_SEARCH_SUBJECT] = "mt.subject",
};

/* search_emit - append formatted SQL text; -1 when the query would exceed its bound */
__attribute__((format(printf, 2, 3)))
static int search_emit(struct store_search_query *q, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(q->sql + q->len, sizeof(q->sql) - q->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(q->sql) - q->len)
		return -1;
	q->len += (size_t)n;
	return 0;
}

/* search_param - take ownership of value (malloc'd) as the next parameter; its number or -1 */
static int search_param(struct store_search_query *q, char *value)
{
	if (value == NULL)
		abort(); /* out of memory */
	if (q->nparams >= STORE_SEARCH_PARAMS_MAX) {
		free(value);
		return -1;
	}
	q->owned[q->nparams] = value;
	q->params[q->nparams] = value;
	return ++q->nparams;
}

/* search_param_printf - a formatted parameter of our own (numbers, dates) */
__attribute__((format(printf, 2, 3)))
static int search_param_printf(struct store_search_query *q, const char *fmt, ...)
{
	char buf[64];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return search_param(q, strdup(buf));
}

/* search_like - "%value%" with LIKE's \ % _ escaped, so the client's text matches literally
 * as a substring (RFC 3501 6.4.4); prefix is put before the first % unescaped-as-given */
static char *search_like(const char *prefix, const char *value)
{
	size_t plen = strlen(prefix), vlen = strlen(value);
	char *out = malloc(plen + 2 * vlen + 3), *p;

	if (out == NULL)
		abort();
	p = out;
	memcpy(p, prefix, plen);
	p += plen;
	*p++ = '%';
	for (const char *v = value; *v != '\0'; v++) {
		if (*v == '\\' || *v == '%' || *v == '_')
			*p++ = '\\';
		*p++ = *v;
	}
	*p++ = '%';
	*p = '\0';
	return out;
}

/* search_like_escape - value with LIKE's \ % _ escaped and nothing added */
static char *search_like_escape(const char *value)
{
	char *s = search_like("", value);
	size_t len = strlen(s);

	memmove(s, s + 1, len - 2); /* drop the two % */
	s[len - 2] = '\0';
	return s;
}

/* search_value_ok - a search string within bounds */
static int search_value_ok(const char *value, const char **error_r)
{
	if (value == NULL || strlen(value) > STORE_SEARCH_VALUE_MAX) {
		*error_r = "search string missing or too long";
		return -1;
	}
	return 0;
}

/* search_ranges - the UID ranges as an int8multirange literal "{[lo,hi],...}" */
static char *search_ranges(const struct store_search_range *r, size_t n)
{
	size_t cap = n * 25 + 3, len = 1;
	char *out = malloc(cap);

	if (out == NULL)
		abort();
	out[0] = '{';
	for (size_t i = 0; i < n; i++)
		len += (size_t)snprintf(out + len, cap - len, "%s[%" PRIu32 ",%" PRIu32 "]",
					i > 0 ? "," : "", r[i].lo, r[i].hi);
	snprintf(out + len, cap - len, "}");
	return out;
}

static int search_key(const struct store_search_key *k, struct store_search_query *q,
		      int depth, const char **error_r);

/* search_children - children of an AND or OR joined by op; "true"/"false" when none */
static int search_children(const struct store_search_key *k, const char *op, const char *none,
			   struct store_search_query *q, int depth, const char **error_r)
{
	if (k->child == NULL)
		return search_emit(q, "%s", none);
	if (search_emit(q, "(") < 0)
		return -1;
	for (const struct store_search_key *c = k->child; c != NULL; c = c->next)
		if ((c != k->child && search_emit(q, " %s ", op) < 0) ||
		    search_key(c, q, depth + 1, error_r) < 0)
			return -1;
	return search_emit(q, ")");
}

/* search_uids - UID (and mapped sequence sets): uid inside the multirange */
static int search_uids(const struct store_search_key *k, struct store_search_query *q,
		       const char **error_r)
{
	int n;

	if (k->nranges == 0)
		return search_emit(q, "false");
	if (k->nranges > SEARCH_RANGES_MAX) {
		*error_r = "too many ranges in a set";
		return -1;
	}
	for (size_t i = 0; i < k->nranges; i++)
		if (k->ranges[i].lo > k->ranges[i].hi) {
			*error_r = "range with its ends swapped";
			return -1;
		}
	if ((n = search_param(q, search_ranges(k->ranges, k->nranges))) < 0)
		return -1;
	return search_emit(q, "mm.uid <@ $%d::int8multirange", n);
}

/* search_flags - system flags through the bitmask (RFC 3501 2.3.2) */
static int search_flags(const struct store_search_key *k, struct store_search_query *q,
			const char **error_r)
{
	int n;

	if (k->flags == 0 || (k->flags & ~(unsigned)STORE_FLAGS_ALL) != 0) {
		*error_r = "unknown flag bits";
		return -1;
	}
	if ((n = search_param_printf(q, "%u", k->flags)) < 0)
		return -1;
	if (k->kind == STORE_SEARCH_FLAGS_SET)
		return search_emit(q, "(mm.flags & $%d::smallint) = $%d::smallint", n, n);
	return search_emit(q, "(mm.flags & $%d::smallint) = 0", n);
}

/* search_keyword - KEYWORD: keywords compare case-insensitively (RFC 3501 2.3.2) */
static int search_keyword(const struct store_search_key *k, struct store_search_query *q,
			  const char **error_r)
{
	int n;

	if (search_value_ok(k->value, error_r) < 0 || (n = search_param(q, strdup(k->value))) < 0)
		return -1;
	return search_emit(q, "EXISTS (SELECT 1 FROM unnest(mm.keywords) kw "
			   "WHERE lower(kw) = lower($%d))", n);
}

/* search_text - FROM/TO/CC/BCC/SUBJECT, BODY and TEXT: case-insensitive substrings */
static int search_text(const struct store_search_key *k, struct store_search_query *q,
		       const char **error_r)
{
	int n;

	if (search_value_ok(k->value, error_r) < 0)
		return -1;
	if (k->kind == STORE_SEARCH_FIELD && (unsigned)k->field > STORE_SEARCH_SUBJECT) {
		*error_r = "unknown header field key";
		return -1;
	}
	if (k->value[0] == '\0')  /* every string contains the empty one */
		return search_emit(q, "true");
	q->uses_meta = true;
	if ((n = search_param(q, search_like("", k->value))) < 0)
		return -1;
	/* bare columns, so the trigram indexes can serve the ILIKE; a NULL (no metadata)
	 * counts as no match: NOT and the whole condition coalesce it to false. A text not
	 * yet indexed is in body_text_pending (migration 0011). */
	if (k->kind == STORE_SEARCH_BODY)
		return search_emit(q, "(mt.body_text ILIKE $%d OR mt.body_text_pending ILIKE $%d)",
				   n, n);
	if (k->kind == STORE_SEARCH_TEXT)  /* RFC 3501 6.4.4: header or body */
		return search_emit(q, "(mt.headers ILIKE $%d OR mt.body_text ILIKE $%d "
				   "OR mt.body_text_pending ILIKE $%d)", n, n, n);
	return search_emit(q, "%s ILIKE $%d", search_field_columns[k->field], n);
}

/* search_header_name_ok - a field name (RFC 5322 3.6.8: printable ASCII but ':') */
static int search_header_name_ok(const char *name, const char **error_r)
{
	if (name == NULL || *name == '\0' || strlen(name) > 256)
		goto bad;
	for (const char *p = name; *p != '\0'; p++)
		if ((unsigned char)*p <= 32 || (unsigned char)*p >= 127 || *p == ':')
			goto bad;
	return 0;
bad:
	*error_r = "malformed header field name";
	return -1;
}

/* search_header - HEADER name value: a "Name: value" line of the decoded header text whose
 * value contains the string; an empty string matches every message with the field
 * (RFC 3501 6.4.4). The whole-text ILIKE first lets the trigram index narrow the rows. */
static int search_header(const struct store_search_key *k, struct store_search_query *q,
			 const char **error_r)
{
	char *name, *line;
	int any, one;

	if (search_header_name_ok(k->name, error_r) < 0 || search_value_ok(k->value, error_r) < 0)
		return -1;
	name = search_like_escape(k->name);
	line = malloc(strlen(name) + 3);
	if (line == NULL)
		abort();
	sprintf(line, "%s: ", name);
	free(name);
	q->uses_meta = true;
	if ((one = search_param(q, search_like(line, k->value))) < 0) {
		free(line);
		return -1;
	}
	free(line);
	if ((any = search_param(q, search_like("", k->value))) < 0)
		return -1;
	return search_emit(q, "(mt.headers ILIKE $%d AND EXISTS (SELECT 1 FROM "
			   "regexp_split_to_table(mt.headers, E'\\n') hl WHERE hl ILIKE $%d))",
			   any, one);
}

/* search_date_ok - a calendar day we can print for PostgreSQL */
static int search_date_ok(const struct store_search_key *k, const char **error_r)
{
	if (k->year < 1 || k->year > 9999 || k->month < 1 || k->month > 12 || k->day < 1 ||
	    k->day > 31 || k->cmp > STORE_SEARCH_SINCE) {
		*error_r = "malformed date";
		return -1;
	}
	return 0;
}

/* search_date - BEFORE/ON/SINCE on the internal date, SENT* on the Date: header, both as
 * UTC calendar days "disregarding time and timezone" (RFC 3501 6.4.4); a message without
 * a usable Date: header uses its internal date. */
static int search_date(const struct store_search_key *k, struct store_search_query *q,
		       const char **error_r)
{
	static const char *const ops[] = { [STORE_SEARCH_BEFORE] = "<", [STORE_SEARCH_ON] = "=",
					   [STORE_SEARCH_SINCE] = ">=" };
	int n;

	if (search_date_ok(k, error_r) < 0)
		return -1;
	n = search_param_printf(q, "%04d-%02d-%02d", (int)k->year, (int)k->month, (int)k->day);
	if (n < 0)
		return -1;
	q->uses_meta |= k->sent;
	return search_emit(q, "(%s AT TIME ZONE 'UTC')::date %s $%d::date",
			   k->sent ? "coalesce(mt.sent_date, mm.internal_date)" : "mm.internal_date",
			   ops[k->cmp], n);
}

/* search_number - LARGER/SMALLER on RFC822.SIZE, MODSEQ on the message's modseq */
static int search_number(const struct store_search_key *k, struct store_search_query *q,
			 const char **error_r)
{
	int n;

	if (k->number > INT64_MAX) {
		*error_r = "number out of range";
		return -1;
	}
	if ((n = search_param_printf(q, "%" PRIu64, k->number)) < 0)
		return -1;
	if (k->kind == STORE_SEARCH_MODSEQ) {
		q->uses_modseq = true;
		return search_emit(q, "mm.modseq >= $%d::bigint", n);
	}
	if (k->cmp != STORE_SEARCH_LARGER && k->cmp != STORE_SEARCH_SMALLER) {
		*error_r = "size key without a comparison";
		return -1;
	}
	return search_emit(q, "mm.size %s $%d::bigint", k->cmp == STORE_SEARCH_LARGER ? ">" : "<", n);
}

/* search_not_or - NOT with one child, OR with exactly two */
static int search_not_or(const struct store_search_key *k, struct store_search_query *q,
			 int depth, const char **error_r)
{
	size_t n = 0;

	for (const struct store_search_key *c = k->child; c != NULL; c = c->next)
		n++;
	if (n != (k->kind == STORE_SEARCH_NOT ? 1u : 2u)) {
		*error_r = k->kind == STORE_SEARCH_NOT ? "NOT takes one key" : "OR takes two keys";
		return -1;
	}
	if (k->kind == STORE_SEARCH_OR)
		return search_children(k, "OR", "false", q, depth, error_r);
	/* a NULL from a comparison must not turn NOT into "unknown": coalesce to false first */
	if (search_emit(q, "NOT coalesce(") < 0 || search_key(k->child, q, depth + 1, error_r) < 0)
		return -1;
	return search_emit(q, ", false)");
}

/* search_key - one key and what is below it */
static int search_key(const struct store_search_key *k, struct store_search_query *q,
		      int depth, const char **error_r)
{
	if (depth > STORE_SEARCH_DEPTH_MAX) {
		*error_r = "search keys nested too deep";
		return -1;
	}
	switch (k->kind) {
	case STORE_SEARCH_ALL: return search_emit(q, "true");
	case STORE_SEARCH_AND: return search_children(k, "AND", "true", q, depth, error_r);
	case STORE_SEARCH_OR:
	case STORE_SEARCH_NOT: return search_not_or(k, q, depth, error_r);
	case STORE_SEARCH_UIDS: return search_uids(k, q, error_r);
	case STORE_SEARCH_FLAGS_SET:
	case STORE_SEARCH_FLAGS_CLEAR: return search_flags(k, q, error_r);
	case STORE_SEARCH_KEYWORD: return search_keyword(k, q, error_r);
	case STORE_SEARCH_FIELD:
	case STORE_SEARCH_BODY:
	case STORE_SEARCH_TEXT: return search_text(k, q, error_r);
	case STORE_SEARCH_HEADER: return search_header(k, q, error_r);
	case STORE_SEARCH_DATE: return search_date(k, q, error_r);
	case STORE_SEARCH_SIZE:
	case STORE_SEARCH_MODSEQ: return search_number(k, q, error_r);
	}
	*error_r = "unknown search key";
	return -1;
}

/* store_search_sql_where - the condition into q; parameter $1 is left for the mailbox */
int store_search_sql_where(const struct store_search_key *key, struct store_search_query *q,
			   const char **error_r)
{
	q->len = 0;
	q->sql[0] = '\0';
	q->nparams = 1;
	q->params[0] = NULL;
	q->owned[0] = NULL;
	q->uses_modseq = false;
	q->uses_meta = false;
	*error_r = "search program too large"; /* unless a key says what else is wrong */
	return search_key(key, q, 0, error_r);
}

/* store_search_query_clear - free the parameters we allocated */
void store_search_query_clear(struct store_search_query *q)
{
	for (int i = 0; i < q->nparams; i++) {
		free(q->owned[i]);
		q->owned[i] = NULL;
	}
	q->nparams = 0;
	q->len = 0;
}
