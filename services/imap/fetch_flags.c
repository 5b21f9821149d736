/* fetch_flags.c - flag lists of STORE and APPEND (RFC 3501 9 flag-list) */
#include "services/imap/fetch_flags.h"

#include <string.h>
#include <strings.h>

static const struct { const char *name; unsigned bit; } flags_system[] = {
	{ "\\Seen", STORE_FLAG_SEEN }, { "\\Answered", STORE_FLAG_ANSWERED },
	{ "\\Flagged", STORE_FLAG_FLAGGED }, { "\\Deleted", STORE_FLAG_DELETED },
	{ "\\Draft", STORE_FLAG_DRAFT },
};

/* flags_keyword_ok - an atom (RFC 3501 9 flag-keyword) within the store's bounds */
static bool flags_keyword_ok(const char *k)
{
	size_t len = strlen(k);

	if (len == 0 || len > STORE_MAILBOX_KEYWORD_MAX)
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)k[i];
		if (c <= 0x20 || c >= 0x7f || strchr("(){%*\"\\]", c) != NULL)
			return false;
	}
	return true;
}

/* flags_one - add one flag or keyword */
static int flags_one(const struct imap_arg *a, struct fetch_flags *out, const char **error_r)
{
	if (a->type != IMAP_ARG_ATOM) {
		*error_r = "flags are atoms";
		return -1;
	}
	if (a->str[0] == '\\') {
		for (size_t i = 0; i < sizeof(flags_system) / sizeof(flags_system[0]); i++)
			if (strcasecmp(a->str, flags_system[i].name) == 0) {
				out->flags |= flags_system[i].bit;
				return 0;
			}
		*error_r = "unknown system flag"; /* includes \Recent (RFC 3501 2.3.2) */
		return -1;
	}
	if (!flags_keyword_ok(a->str)) {
		*error_r = "bad keyword";
		return -1;
	}
	for (size_t i = 0; i < out->nkeywords; i++)
		if (strcasecmp(out->keywords[i], a->str) == 0)
			return 0;
	if (out->nkeywords == STORE_MAILBOX_KEYWORDS_MAX) {
		*error_r = "too many keywords";
		return -1;
	}
	out->keywords[out->nkeywords++] = a->str;
	return 0;
}

int fetch_flags_parse(const struct imap_arg *a, struct imap_arena *arena,
		      struct fetch_flags *out, const char **error_r)
{
	memset(out, 0, sizeof(*out));
	out->keywords = imap_arena_array(arena, STORE_MAILBOX_KEYWORDS_MAX, sizeof(char *));
	if (a->type != IMAP_ARG_LIST)
		return flags_one(a, out, error_r);
	for (size_t i = 0; i < a->count; i++)
		if (flags_one(&a->list[i], out, error_r) < 0)
			return -1;
	return 0;
}
