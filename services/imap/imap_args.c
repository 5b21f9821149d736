/* imap_args - reading parsed arguments: astrings, numbers, sequence sets (RFC 3501 9). */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "services/imap/imap.h"

/* imap_arg_is_astring - atom, quoted or literal (RFC 3501 9 astring) */
bool imap_arg_is_astring(const struct imap_arg *a)
{
	return a->type == IMAP_ARG_ATOM || a->type == IMAP_ARG_STRING ||
		(a->type == IMAP_ARG_LITERAL && !a->literal8);
}

/* imap_arg_astring - the text, refusing NUL octets (RFC 3501 9 CHAR8 excludes NUL) */
const char *imap_arg_astring(const struct imap_arg *a)
{
	if (a->type == IMAP_ARG_NIL)
		return "NIL";  /* NIL is also an atom where an astring is wanted */
	if (!imap_arg_is_astring(a) || memchr(a->str, '\0', a->len) != NULL)
		return NULL;
	return a->str;
}

/* imap_arg_atom_is - case-insensitive atom comparison */
bool imap_arg_atom_is(const struct imap_arg *a, const char *word)
{
	return (a->type == IMAP_ARG_ATOM || a->type == IMAP_ARG_NIL) &&
		strcasecmp(a->str, word) == 0;
}

/* args_number - digits of s[0..len) up to max */
static int args_number(const char *s, size_t len, uint64_t max, uint64_t *value_r)
{
	uint64_t v = 0;

	if (len == 0 || len > 20)
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		if (v > (UINT64_MAX - 9) / 10)
			return -1;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v > max)
		return -1;
	*value_r = v;
	return 0;
}

/* imap_arg_number - a number atom (RFC 3501 9 number) */
int imap_arg_number(const struct imap_arg *a, uint64_t max, uint64_t *value_r)
{
	if (a->type != IMAP_ARG_ATOM)
		return -1;
	return args_number(a->str, a->len, max, value_r);
}

/* args_seq_number - nz-number or "*" (RFC 3501 9 seq-number) */
static int args_seq_number(const char *s, size_t len, uint32_t *n_r)
{
	uint64_t v;

	if (len == 1 && s[0] == '*') {
		*n_r = IMAP_SEQ_STAR;
		return 0;
	}
	if (s[0] == '0' || args_number(s, len, UINT32_MAX - 1, &v) < 0)
		return -1;
	*n_r = (uint32_t)v;
	return 0;
}

/* imap_seqset_parse - comma-separated seq-number or seq-range (RFC 3501 9 sequence-set) */
int imap_seqset_parse(const struct imap_arg *a, struct imap_arena *arena,
		      struct imap_seqset *out, const char **error_r)
{
	size_t n = 1;

	memset(out, 0, sizeof(*out));
	if (a->type != IMAP_ARG_ATOM) {
		*error_r = "expected a sequence set";
		return -1;
	}
	if (strcmp(a->str, "$") == 0) {
		out->saved = true;
		return 0;
	}
	for (size_t i = 0; i < a->len; i++)
		n += a->str[i] == ',';
	out->ranges = imap_arena_array(arena, n, sizeof(*out->ranges));
	for (const char *p = a->str; ; ) {
		const char *comma = strchr(p, ','), *end = comma != NULL ? comma : p + strlen(p);
		const char *colon = memchr(p, ':', (size_t)(end - p));
		struct imap_seq_range *r = &out->ranges[out->count++];

		if (colon == NULL ? args_seq_number(p, (size_t)(end - p), &r->lo) < 0 :
		    args_seq_number(p, (size_t)(colon - p), &r->lo) < 0 ||
		    args_seq_number(colon + 1, (size_t)(end - colon - 1), &r->hi) < 0) {
			*error_r = "bad sequence set";
			return -1;
		}
		if (colon == NULL)
			r->hi = r->lo;
		if (comma == NULL)
			break;
		p = comma + 1;
	}
	return 0;
}

/* imap_seqset_contains - n in any range; "*" is star (RFC 3501 9: a:b equals b:a) */
bool imap_seqset_contains(const struct imap_seqset *set, uint32_t n, uint32_t star)
{
	for (size_t i = 0; i < set->count; i++) {
		uint32_t lo = set->ranges[i].lo == IMAP_SEQ_STAR ? star : set->ranges[i].lo;
		uint32_t hi = set->ranges[i].hi == IMAP_SEQ_STAR ? star : set->ranges[i].hi;

		if (lo > hi) {
			uint32_t t = lo;

			lo = hi;
			hi = t;
		}
		if (n >= lo && n <= hi)
			return true;
	}
	return false;
}
