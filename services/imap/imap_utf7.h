/* imap_utf7 - mailbox names in modified UTF-7 (RFC 3501 5.1.3) <-> UTF-8. */
#ifndef MERPATI_IMAP_UTF7_H
#define MERPATI_IMAP_UTF7_H

#include <stddef.h>

/* imap_utf7_decode - modified UTF-7 in into UTF-8 out (size bytes); -1 when in is not
 * valid modified UTF-7 or out is too small */
int imap_utf7_decode(const char *in, char *out, size_t size);
/* imap_utf7_encode - UTF-8 in into modified UTF-7 out (size bytes); -1 when in is not
 * valid UTF-8 or out is too small */
int imap_utf7_encode(const char *in, char *out, size_t size);

#endif
