/* fetch_uidset.c - UID lists as compact sequence sets (RFC 3501 9) */
#include "services/imap/fetch_uidset.h"

#include <inttypes.h>
#include <stdio.h>

char *fetch_uidset_format(struct imap_arena *arena, const uint32_t *uids, size_t n)
{
	/* each UID takes at most 10 digits and a separator */
	char *out = imap_arena_alloc(arena, n * 11 + 1), *p = out;
	size_t i = 0, j;

	while (i < n) {
		for (j = i; j + 1 < n && uids[j] != UINT32_MAX && uids[j + 1] == uids[j] + 1; j++)
			;
		if (p != out)
			*p++ = ',';
		if (j > i)
			p += sprintf(p, "%" PRIu32 ":%" PRIu32, uids[i], uids[j]);
		else
			p += sprintf(p, "%" PRIu32, uids[i]);
		i = j + 1;
	}
	*p = '\0';
	return out;
}
