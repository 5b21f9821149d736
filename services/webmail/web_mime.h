/* web_mime - what the webmail shows of a stored message, parsed with GMime: the plain text,
 * the HTML part, and the attachments with IMAP section numbers (RFC 3501 6.4.5). */
#ifndef MERPATI_WEBMAIL_WEB_MIME_H
#define MERPATI_WEBMAIL_WEB_MIME_H

#include <stddef.h>

#include <jansson.h>

#define WEB_MIME_TEXT_MAX (1u << 20)  /* bytes of decoded text kept */
#define WEB_MIME_PARTS_MAX 256        /* attachments listed */
#define WEB_MIME_DEPTH_MAX 32         /* multipart nesting followed */
#define WEB_MIME_DECODE_MAX (64u << 20)  /* bytes of one decoded part */

struct web_mime {
	char *text;         /* malloc'd UTF-8 text of the first text/plain part, or NULL */
	char *html;         /* malloc'd UTF-8 of the first text/html part, or NULL */
	json_t *attachments; /* [{"part","filename","type","size","inline","content_id"}] */
};

/* web_mime_parse - parse len bytes of a message; -1 with *error_r when GMime cannot */
int web_mime_parse(const char *raw, size_t len, struct web_mime *out, const char **error_r);
/* web_mime_part - the decoded content of section `part` (e.g. "2", "1.2") or, with
 * content_id set, of the part with that Content-ID: malloc'd bytes, its type and file name.
 * 1 found, 0 not found, -1 error */
int web_mime_part(const char *raw, size_t len, const char *part, const char *content_id,
		  char **data_r, size_t *len_r, char type_r[128], char filename_r[256],
		  const char **error_r);
/* web_mime_free - release what web_mime_parse filled */
void web_mime_free(struct web_mime *m);

#endif
