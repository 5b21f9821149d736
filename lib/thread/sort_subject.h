/* sort_subject - the base subject of RFC 5256 2.1, used by SORT SUBJECT and by both
 * THREAD algorithms: "Re: [list] Fwd: Lunch (fwd)" and "lunch" sort and thread together. */
#ifndef MERPATI_THREAD_SORT_SUBJECT_H
#define MERPATI_THREAD_SORT_SUBJECT_H

#include <stdbool.h>
#include <stddef.h>

#define SORT_SUBJECT_MAX 4096  /* bytes of a subject considered; the rest is ignored */

/* sort_subject_base - the base subject of a decoded UTF-8 subject, in out (size bytes,
 * at least 1), with ASCII letters in lower case so that strcmp() is the i;ascii-casemap
 * comparison RFC 5256 3 asks for. *reply_r (may be NULL) is set when a "Re:"/"Fwd:" leader,
 * a "(fwd)" trailer or a "[fwd: ...]" wrapper was removed (RFC 5256 2.1 steps 2-6, used by
 * THREAD=REFERENCES 5.B). Returns the length of out. */
size_t sort_subject_base(const char *subject, char *out, size_t size, bool *reply_r);

#endif
