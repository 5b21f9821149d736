/* web_compose - build an outgoing message with GMime from the compose object of
 * docs/WEBMAIL-API.md (RFC 5322 fields, text/plain UTF-8 body). */
#ifndef MERPATI_WEBMAIL_WEB_COMPOSE_H
#define MERPATI_WEBMAIL_WEB_COMPOSE_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "store/address.h"

#define WEB_COMPOSE_RCPTS_MAX 100     /* To + Cc + Bcc addresses */
#define WEB_COMPOSE_SUBJECT_MAX 998   /* RFC 5322 2.1.1 line limit */
#define WEB_COMPOSE_TEXT_MAX (4u << 20)

struct web_compose {
	char *with_bcc;       /* the message with its Bcc field (for Sent / Drafts), malloc'd */
	size_t with_bcc_len;
	char *wire;           /* the message without Bcc (what is sent), malloc'd */
	size_t wire_len;
	char message_id[256];
	char rcpts[WEB_COMPOSE_RCPTS_MAX][STORE_ADDRESS_SIZE]; /* envelope recipients */
	size_t nrcpts;
};

/* One file to attach (RFC 2183 attachment, base64). */
struct web_compose_file {
	const char *filename;  /* UTF-8; GMime writes it with RFC 2231 encoding when needed */
	const char *type;      /* "type/subtype"; message/rfc822 is embedded, not base64 */
	const void *data;
	size_t len;
};

/* web_compose_build - from the compose object `in`, the sender address `from` (shown with
 * from_name when that is neither NULL nor "") and the
 * files to attach (multipart/mixed when there are any); 0 with *out filled, -1 with
 * *error_r naming the bad field (a client error) */
int web_compose_build(const json_t *in, const char *from, const char *from_name,
		      const char *hostname,
		      const struct web_compose_file *files, size_t nfiles,
		      struct web_compose *out, const char **error_r);
/* web_compose_free - release what web_compose_build made */
void web_compose_free(struct web_compose *c);

#endif
