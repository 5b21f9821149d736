/* web_sanitize_internal - the output buffer and attribute rules shared by web_sanitize.c
 * (the tree walk) and web_sanitize_attr.c (URLs and CSS). */
#ifndef MERPATI_WEBMAIL_WEB_SANITIZE_INTERNAL_H
#define MERPATI_WEBMAIL_WEB_SANITIZE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "services/webmail/web_sanitize.h"

struct web_sanitize_buf {
	char *p;
	size_t len, cap;
	bool full; /* WEB_SANITIZE_OUTPUT_MAX reached: the result is refused */
};

/* web_sanitize_put - append n bytes */
void web_sanitize_put(struct web_sanitize_buf *b, const char *s, size_t n);
/* web_sanitize_puts - append a C string */
void web_sanitize_puts(struct web_sanitize_buf *b, const char *s);
/* web_sanitize_escape - append s with & < > " ' as character references */
void web_sanitize_escape(struct web_sanitize_buf *b, const char *s, size_t n);

/* web_sanitize_attr - write ` name="value"` for one attribute of element tag when the
 * rules keep it (possibly rewritten); sets *remote_blocked_r when it drops a remote image */
void web_sanitize_attr(struct web_sanitize_buf *b, const char *tag, const char *name,
		       const char *value, const struct web_sanitize_opts *opts,
		       bool *remote_blocked_r);

#endif
