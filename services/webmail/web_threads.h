/* web_threads - the thread root of each message of a list page (threads=1), by the
 * THREAD=REFERENCES algorithm of RFC 5256 (lib/thread), over a bounded window. */
#ifndef MERPATI_WEBMAIL_WEB_THREADS_H
#define MERPATI_WEBMAIL_WEB_THREADS_H

#include <libpq-fe.h>
#include <stddef.h>
#include <stdint.h>

/* Messages threaded per request: the mailbox's newest WEB_THREADS_WINDOW by UID plus the
 * page's own (at most 200). A reply whose original is older than the window is its own
 * root. Bounded so a mailbox of 100k messages costs the same as one of 5000. */
#define WEB_THREADS_WINDOW 5000
/* bytes of References read per message: its last ones, the nearest ancestors */
#define WEB_THREADS_REFS_MAX 4096

/* web_threads_roots - roots_r[i] is the UID of the root of page[i]'s thread (the earliest
 * message when the root is a missing message); 0 ok, -1 store error */
int web_threads_roots(PGconn *conn, int64_t mailbox_id, const uint32_t *page, size_t n,
		      uint32_t *roots_r, const char **error_r);

#endif
