/* fetch_uidset - a list of UIDs as a compact sequence set "1:3,7" (RFC 3501 9), as COPYUID
 * (RFC 4315 3) and VANISHED (RFC 7162 3.2.10) send them. Runs of consecutive ascending
 * UIDs become ranges; the order of the list is kept, which COPYUID relies on. */
#ifndef MERPATI_IMAP_FETCH_UIDSET_H
#define MERPATI_IMAP_FETCH_UIDSET_H

#include <stddef.h>
#include <stdint.h>

#include "services/imap/imap.h"

/* fetch_uidset_format - the set in arena ("" for n == 0) */
char *fetch_uidset_format(struct imap_arena *arena, const uint32_t *uids, size_t n);

#endif
