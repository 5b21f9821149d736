/* fetch_flags - flag lists of STORE and APPEND (RFC 3501 2.3.2, 9 flag-list): system flags
 * to STORE_FLAG_* bits, keywords kept as atoms. \Recent cannot be set by a client. */
#ifndef MERPATI_IMAP_FETCH_FLAGS_H
#define MERPATI_IMAP_FETCH_FLAGS_H

#include <stddef.h>

#include "services/imap/imap.h"

struct fetch_flags {
	unsigned flags;              /* STORE_FLAG_* */
	const char **keywords;       /* in the command's arena */
	size_t nkeywords;
};

/* fetch_flags_parse - a parenthesised list, or (STORE allows it) one flag alone;
 * 0, or -1 with *error_r */
int fetch_flags_parse(const struct imap_arg *a, struct imap_arena *arena,
		      struct fetch_flags *out, const char **error_r);

#endif
