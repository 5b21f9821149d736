/* imap_match - LIST patterns (RFC 3501 6.3.8): "*" matches any run of characters, "%"
 * any run without the hierarchy delimiter "/"; INBOX matches case-insensitively. */
#ifndef MERPATI_IMAP_MATCH_H
#define MERPATI_IMAP_MATCH_H

#include <stdbool.h>

/* imap_match - name matches pattern; bounded work (a pathological pattern fails) */
bool imap_match(const char *pattern, const char *name);

#endif
