/* queue_util.c - array literals, DSN parameter names, listener names */
#include "queue/queue_util.h"

#include <stdlib.h>
#include <string.h>

char *queue_util_text_array(const char *const *items, size_t n)
{
	size_t i, len = 3;
	const char *s;
	char *out, *p;

	for (i = 0; i < n; i++)
		len += 2 * strlen(items[i]) + 3;
	if ((out = malloc(len)) == NULL)
		abort();
	p = out;
	*p++ = '{';
	for (i = 0; i < n; i++) {
		if (i > 0)
			*p++ = ',';
		*p++ = '"';
		for (s = items[i]; *s; s++) {
			if (*s == '"' || *s == '\\')
				*p++ = '\\';
			*p++ = *s;
		}
		*p++ = '"';
	}
	*p++ = '}';
	*p = '\0';
	return out;
}

const char *queue_util_ret_name(enum queue_ret r)
{
	return r == QUEUE_RET_FULL ? "FULL" : r == QUEUE_RET_HDRS ? "HDRS" : NULL;
}

enum queue_ret queue_util_ret_parse(const char *s)
{
	return strcmp(s, "FULL") == 0 ? QUEUE_RET_FULL :
	       strcmp(s, "HDRS") == 0 ? QUEUE_RET_HDRS : QUEUE_RET_UNSET;
}

int queue_util_notify_ok(unsigned notify)
{
	if (notify & QUEUE_NOTIFY_NEVER)
		return notify == QUEUE_NOTIFY_NEVER;
	return (notify & ~(unsigned)(QUEUE_NOTIFY_SUCCESS | QUEUE_NOTIFY_FAILURE |
				     QUEUE_NOTIFY_DELAY)) == 0;
}

static const char *const queue_listener_names[] = {
	[QUEUE_LISTENER_MX] = "mx", [QUEUE_LISTENER_SUBMISSION] = "submission",
	[QUEUE_LISTENER_SUBMISSIONS] = "submissions", [QUEUE_LISTENER_LOCAL] = "local",
};

const char *queue_listener_name(enum queue_listener l)
{
	return (unsigned)l <= QUEUE_LISTENER_LOCAL ? queue_listener_names[l] : "mx";
}

int queue_listener_parse(const char *s, enum queue_listener *out)
{
	unsigned i;

	for (i = 0; i <= QUEUE_LISTENER_LOCAL; i++) {
		if (strcmp(s, queue_listener_names[i]) == 0) {
			*out = (enum queue_listener)i;
			return 0;
		}
	}
	return -1;
}

const char *queue_util_printable(const char *s, char buf[QUEUE_ERROR_MAX + 1])
{
	size_t i;

	if (s == NULL)
		return NULL;
	for (i = 0; s[i] != '\0' && i < QUEUE_ERROR_MAX; i++)
		buf[i] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
	buf[i] = '\0';
	return buf;
}
