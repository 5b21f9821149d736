/* sort_keys.c - SORT criteria and the comparison RFC 5256 3 defines: strings compare by
 * i;ascii-casemap, dates fall back to the internal date, ties go by sequence number. */
#include "services/imap/sort_keys.h"
#include "thread/sort_subject.h"

#include <gmime/gmime.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define SORT_TEXT_MAX 256  /* bytes of an address key kept for comparing */

static const char *const sort_key_names[] = {
	[SORT_ARRIVAL] = "ARRIVAL", [SORT_CC] = "CC", [SORT_DATE] = "DATE", [SORT_FROM] = "FROM",
	[SORT_SIZE] = "SIZE", [SORT_SUBJECT] = "SUBJECT", [SORT_TO] = "TO",
};

/* sort_atom - the text of an atom argument, NULL for anything else */
static const char *sort_atom(const struct imap_arg *a)
{
	return a->type == IMAP_ARG_ATOM ? a->str : NULL;
}

/* sort_keys_parse - sort-criterion *(SP sort-criterion), each ["REVERSE" SP] sort-key */
int sort_keys_parse(const struct imap_arg *list, struct sort_criterion *out, size_t *n_r,
		    const char **error_r)
{
	size_t n = 0;
	bool reverse = false;

	*error_r = "sort criteria must be a non-empty list";
	if (list->type != IMAP_ARG_LIST || list->count == 0)
		return -1;
	for (size_t i = 0; i < list->count; i++) {
		const char *w = sort_atom(&list->list[i]);
		size_t k;

		if (w != NULL && strcasecmp(w, "REVERSE") == 0 && !reverse) {
			reverse = true;
			continue;
		}
		for (k = 0; w != NULL && k < sizeof(sort_key_names) / sizeof(*sort_key_names); k++)
			if (strcasecmp(w, sort_key_names[k]) == 0)
				break;
		if (w == NULL || k == sizeof(sort_key_names) / sizeof(*sort_key_names) ||
		    n >= SORT_CRITERIA_MAX) {
			*error_r = n >= SORT_CRITERIA_MAX ? "too many sort criteria" : "unknown sort key";
			return -1;
		}
		out[n].key = (enum sort_key)k;
		out[n++].reverse = reverse;
		reverse = false;
	}
	if (reverse) {
		*error_r = "REVERSE without a sort key";
		return -1;
	}
	*n_r = n;
	return 0;
}

static pthread_once_t sort_gmime_once = PTHREAD_ONCE_INIT;

/* sort_gmime_init - GMime's tables before the first address is parsed (counted by GMime,
 * so sharing them with lib/mime is fine) */
static void sort_gmime_init(void)
{
	g_mime_init();
}

/* sort_keys_mailbox - parsed with GMime, never by hand */
void sort_keys_mailbox(const char *list, char *out, size_t size)
{
	InternetAddressList *l;
	int n;

	pthread_once(&sort_gmime_once, sort_gmime_init);
	l = list != NULL && *list != '\0' ? internet_address_list_parse(NULL, list) : NULL;
	n = l != NULL ? internet_address_list_length(l) : 0;

	out[0] = '\0';
	for (int i = 0; i < n; i++) {
		InternetAddress *ia = internet_address_list_get_address(l, i);
		const char *addr, *at;
		size_t len;

		if (!INTERNET_ADDRESS_IS_MAILBOX(ia))
			continue;
		addr = internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(ia));
		at = addr != NULL ? strrchr(addr, '@') : NULL;
		len = addr == NULL ? 0 : at != NULL ? (size_t)(at - addr) : strlen(addr);
		len = len < size - 1 ? len : size - 1;
		for (size_t j = 0; j < len; j++)
			out[j] = (char)g_ascii_tolower(addr[j]);
		out[len] = '\0';
		break;
	}
	if (l != NULL)
		g_object_unref(l);
}

/* One row with its string keys computed once. */
struct sort_item {
	struct store_search_row row;
	char *subject, *from, *to, *cc;  /* only those the criteria use; NULL otherwise */
};

/* sort_cmp_int - -1, 0 or 1 */
static int sort_cmp_int(int64_t a, int64_t b)
{
	return a < b ? -1 : a > b;
}

/* sort_cmp_one - compare by one key */
static int sort_cmp_one(const struct sort_item *a, const struct sort_item *b, enum sort_key k)
{
	switch (k) {
	case SORT_ARRIVAL: return sort_cmp_int(a->row.internal_date, b->row.internal_date);
	case SORT_DATE: return sort_cmp_int(a->row.sent_date, b->row.sent_date);
	case SORT_SIZE: return sort_cmp_int(a->row.size, b->row.size);
	case SORT_SUBJECT: return strcmp(a->subject, b->subject);
	case SORT_FROM: return strcmp(a->from, b->from);
	case SORT_TO: return strcmp(a->to, b->to);
	case SORT_CC: return strcmp(a->cc, b->cc);
	}
	return 0;
}

struct sort_program {
	const struct sort_criterion *c;
	size_t n;
};

/* sort_cmp - every criterion in turn, then the sequence number (UID order) */
static int sort_cmp(const void *x, const void *y, void *arg)
{
	const struct sort_item *a = x, *b = y;
	const struct sort_program *p = arg;

	for (size_t i = 0; i < p->n; i++) {
		int r = sort_cmp_one(a, b, p->c[i].key);

		if (r != 0)
			return p->c[i].reverse ? -r : r;
	}
	return sort_cmp_int(a->row.uid, b->row.uid);
}

/* sort_address_key - the addr-mailbox of a list, allocated */
static char *sort_address_key(const char *list)
{
	char buf[SORT_TEXT_MAX], *s;

	sort_keys_mailbox(list, buf, sizeof(buf));
	if ((s = strdup(buf)) == NULL)
		abort(); /* out of memory */
	return s;
}

/* sort_item_fill - the string keys of one row that the criteria use */
static void sort_item_fill(struct sort_item *it, const struct store_search_row *r,
			   const struct sort_program *p)
{
	it->row = *r;
	for (size_t i = 0; i < p->n; i++) {
		enum sort_key k = p->c[i].key;

		if (k == SORT_SUBJECT && it->subject == NULL) {
			size_t len = strlen(r->subject) + 1;

			if ((it->subject = malloc(len)) == NULL)
				abort(); /* out of memory */
			sort_subject_base(r->subject, it->subject, len, NULL);
		} else if (k == SORT_FROM && it->from == NULL) {
			it->from = sort_address_key(r->from);
		} else if (k == SORT_TO && it->to == NULL) {
			it->to = sort_address_key(r->to);
		} else if (k == SORT_CC && it->cc == NULL) {
			it->cc = sort_address_key(r->cc);
		}
	}
}

/* sort_keys_apply - compute keys, qsort, write the rows back in order */
int sort_keys_apply(struct store_search_row *rows, size_t n, const struct sort_criterion *c,
		    size_t nc)
{
	struct sort_program p = { c, nc };
	struct sort_item *items = calloc(n > 0 ? n : 1, sizeof(*items));

	if (items == NULL)
		return -1;
	for (size_t i = 0; i < n; i++)
		sort_item_fill(&items[i], &rows[i], &p);
	qsort_r(items, n, sizeof(*items), sort_cmp, &p);
	for (size_t i = 0; i < n; i++) {
		rows[i] = items[i].row;
		free(items[i].subject);
		free(items[i].from);
		free(items[i].to);
		free(items[i].cc);
	}
	free(items);
	return 0;
}
