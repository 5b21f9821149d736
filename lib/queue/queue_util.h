/* queue_util - helpers shared by queue_in.c, queue_out.c and queue_admin.c (internal) */
#ifndef MERPATI_QUEUE_UTIL_H
#define MERPATI_QUEUE_UTIL_H

#include <stddef.h>

#include "queue/queue.h"

/* queue_util_text_array - a PostgreSQL array literal of n strings, each quoted and escaped
 * in PostgreSQL's array input syntax; malloc'd */
char *queue_util_text_array(const char *const *items, size_t n);
/* queue_util_ret_name / _parse - "FULL", "HDRS" or NULL for unset */
const char *queue_util_ret_name(enum queue_ret r);
enum queue_ret queue_util_ret_parse(const char *s);
/* queue_util_notify_ok - a valid NOTIFY set: NEVER alone, or any of the others */
int queue_util_notify_ok(unsigned notify);
/* queue_util_printable - s bounded to QUEUE_ERROR_MAX bytes with every byte outside
 * printable ASCII replaced by '?': remote replies and error texts are not trusted to be
 * valid UTF-8 */
const char *queue_util_printable(const char *s, char buf[QUEUE_ERROR_MAX + 1]);

#endif
