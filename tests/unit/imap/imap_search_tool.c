/* imap_search_tool.c - run one SEARCH key tree through lib/store for the integration tests.
 *
 *   imap-search-tool MAILBOX_ID KEY...        (MERPATI_DB)
 *
 * Keys in prefix form, one word per argument:
 *   all | and N K1..KN | or K1 K2 | not K | uids LO-HI,LO-HI.. (or "none")
 *   set FLAGS | clear FLAGS | keyword WORD | field from|to|cc|bcc|subject TEXT
 *   header NAME TEXT | body TEXT | text TEXT | size larger|smaller N | modseq N
 *   date internal|sent before|on|since YYYY-MM-DD
 * Prints the matching UIDs on one line, then "modseq N" when a MODSEQ key was used; on
 * failure "error: <message>" on stderr and exit 1. The program runs twice, as in a small
 * mailbox and as in a large one (the two plans of STORE_SEARCH_SCAN_MAX), and fails when
 * the two answers differ. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/db.h"
#include "store/imap_search.h"

struct tool {
	struct store_search s;
	char **argv;
	int argc, pos;
	struct store_search_range ranges[256];
	size_t nranges;
};

/* tool_word - the next argument, NULL at the end */
static const char *tool_word(struct tool *t)
{
	return t->pos < t->argc ? t->argv[t->pos++] : NULL;
}

/* tool_pick - index of w in words, -1 if absent */
static int tool_pick(const char *w, const char *const *words)
{
	for (int i = 0; w != NULL && words[i] != NULL; i++)
		if (strcmp(w, words[i]) == 0)
			return i;
	return -1;
}

static struct store_search_key *tool_key(struct tool *t);

/* tool_children - n keys below k */
static struct store_search_key *tool_children(struct tool *t, struct store_search_key *k, long n)
{
	for (long i = 0; i < n; i++) {
		struct store_search_key *c = tool_key(t);

		if (c == NULL)
			return NULL;
		store_search_add(k, c);
	}
	return k;
}

/* tool_uids - "LO-HI,LO-HI" into ranges kept in t */
static struct store_search_key *tool_uids(struct tool *t, struct store_search_key *k)
{
	const char *w = tool_word(t);
	char *p;

	if (w == NULL)
		return NULL;
	k->ranges = &t->ranges[t->nranges];
	for (p = (char *)w; strcmp(w, "none") != 0 && *p != '\0' && t->nranges < 256; ) {
		struct store_search_range *r = &t->ranges[t->nranges++];

		r->lo = (uint32_t)strtoul(p, &p, 10);
		r->hi = *p == '-' ? (uint32_t)strtoul(p + 1, &p, 10) : r->lo;
		k->nranges++;
		if (*p == ',')
			p++;
	}
	return k;
}

/* tool_leaf - the keys with fixed arguments */
static struct store_search_key *tool_leaf(struct tool *t, const char *w,
					  struct store_search_key *k)
{
	static const char *const fields[] = { "from", "to", "cc", "bcc", "subject", NULL };
	static const char *const cmps[] = { "before", "on", "since", "larger", "smaller", NULL };
	const char *a;

	if (strcmp(w, "set") == 0 || strcmp(w, "clear") == 0) {
		k->kind = w[0] == 's' ? STORE_SEARCH_FLAGS_SET : STORE_SEARCH_FLAGS_CLEAR;
		k->flags = (unsigned)strtoul((a = tool_word(t)) != NULL ? a : "0", NULL, 10);
	} else if (strcmp(w, "keyword") == 0 || strcmp(w, "body") == 0 || strcmp(w, "text") == 0) {
		k->kind = w[0] == 'k' ? STORE_SEARCH_KEYWORD : w[0] == 'b' ? STORE_SEARCH_BODY
									  : STORE_SEARCH_TEXT;
		k->value = tool_word(t);
	} else if (strcmp(w, "field") == 0) {
		k->kind = STORE_SEARCH_FIELD;
		k->field = (enum store_search_field)tool_pick(tool_word(t), fields);
		k->value = tool_word(t);
	} else if (strcmp(w, "header") == 0) {
		k->kind = STORE_SEARCH_HEADER;
		k->name = tool_word(t);
		k->value = tool_word(t);
	} else if (strcmp(w, "size") == 0 || strcmp(w, "modseq") == 0) {
		k->kind = w[0] == 's' ? STORE_SEARCH_SIZE : STORE_SEARCH_MODSEQ;
		if (k->kind == STORE_SEARCH_SIZE)
			k->cmp = (enum store_search_cmp)tool_pick(tool_word(t), cmps);
		k->number = strtoull((a = tool_word(t)) != NULL ? a : "0", NULL, 10);
	} else if (strcmp(w, "date") == 0) {
		k->kind = STORE_SEARCH_DATE;
		k->sent = (a = tool_word(t)) != NULL && strcmp(a, "sent") == 0;
		k->cmp = (enum store_search_cmp)tool_pick(tool_word(t), cmps);
		if ((a = tool_word(t)) == NULL ||
		    sscanf(a, "%d-%d-%d", &k->year, &k->month, &k->day) != 3)
			return NULL;
	} else {
		return NULL;
	}
	return k;
}

/* tool_key - one key from the words */
static struct store_search_key *tool_key(struct tool *t)
{
	const char *w = tool_word(t);
	struct store_search_key *k;

	if (w == NULL || (k = store_search_node(&t->s, STORE_SEARCH_ALL)) == NULL)
		return NULL;
	if (strcmp(w, "all") == 0)
		return k;
	if (strcmp(w, "and") == 0) {
		const char *n = tool_word(t);

		k->kind = STORE_SEARCH_AND;
		return tool_children(t, k, n != NULL ? strtol(n, NULL, 10) : 0);
	}
	if (strcmp(w, "or") == 0 || strcmp(w, "not") == 0) {
		k->kind = w[0] == 'o' ? STORE_SEARCH_OR : STORE_SEARCH_NOT;
		return tool_children(t, k, w[0] == 'o' ? 2 : 1);
	}
	if (strcmp(w, "uids") == 0) {
		k->kind = STORE_SEARCH_UIDS;
		return tool_uids(t, k);
	}
	return tool_leaf(t, w, k);
}

/* tool_same - the two results have the same UIDs and highest modseq */
static bool tool_same(const struct store_search_result *a, const struct store_search_result *b)
{
	if (a->n != b->n || a->highest_modseq != b->highest_modseq)
		return false;
	for (size_t i = 0; i < a->n; i++)
		if (a->rows[i].uid != b->rows[i].uid)
			return false;
	return true;
}

int main(int argc, char **argv)
{
	static struct tool t;
	struct store_search_result r = { 0 }, large = { 0 };
	struct store_search_key *root;
	bool same;
	const char *error = NULL, *db = getenv("MERPATI_DB");
	PGconn *conn;

	if (argc < 3) {
		fprintf(stderr, "usage: imap-search-tool MAILBOX_ID KEY...\n");
		return 2;
	}
	t.argv = argv + 2;
	t.argc = argc - 2;
	if ((root = tool_key(&t)) == NULL || t.pos != t.argc) {
		fprintf(stderr, "error: malformed key program\n");
		return 1;
	}
	if ((conn = db_connect(db != NULL ? db : "", &error)) == NULL ||
	    store_search_run(conn, strtoll(argv[1], NULL, 10), 0, root, true, &r, &error) < 0 ||
	    store_search_run(conn, strtoll(argv[1], NULL, 10), UINT32_MAX, root, true, &large,
			     &error) < 0) {
		fprintf(stderr, "error: %s\n", error);
		store_search_result_clear(&r);
		db_close(&conn);
		return 1;
	}
	same = tool_same(&r, &large);
	store_search_result_clear(&large);
	for (size_t i = 0; i < r.n; i++)
		printf("%s%" PRIu32, i > 0 ? " " : "", r.rows[i].uid);
	printf("\nmodseq %" PRIu64 "\n", r.highest_modseq);
	store_search_result_clear(&r);
	db_close(&conn);
	if (!same)
		fprintf(stderr, "error: the small and the large mailbox plans disagree\n");
	return same ? 0 : 1;
}
