/* sort_keys - SORT criteria (RFC 5256 3) and ordering of search results by them. */
#ifndef MERPATI_IMAP_SORT_KEYS_H
#define MERPATI_IMAP_SORT_KEYS_H

#include <stdbool.h>
#include <stddef.h>

#include "services/imap/imap.h"
#include "store/imap_search.h"

#define SORT_CRITERIA_MAX 16  /* keys in one SORT program */

enum sort_key { SORT_ARRIVAL, SORT_CC, SORT_DATE, SORT_FROM, SORT_SIZE, SORT_SUBJECT, SORT_TO };

struct sort_criterion {
	enum sort_key key;
	bool reverse;
};

/* sort_keys_parse - the parenthesised sort-criteria list (RFC 5256 4) into out (room for
 * SORT_CRITERIA_MAX); -1 with *error_r when it is malformed (a BAD) */
int sort_keys_parse(const struct imap_arg *list, struct sort_criterion *out, size_t *n_r,
		    const char **error_r);
/* sort_keys_mailbox - the lower-case addr-mailbox (local part) of the first address of an
 * address list in display form ("Name <a@b>, c@d" gives "a"); "" when none (RFC 5256 3) */
void sort_keys_mailbox(const char *list, char *out, size_t size);
/* sort_keys_apply - reorder rows by the criteria; ties keep ascending UID order, which is
 * message sequence number order (RFC 5256 3). 0, or -1 when out of memory. */
int sort_keys_apply(struct store_search_row *rows, size_t n, const struct sort_criterion *c,
		    size_t nc);

#endif
