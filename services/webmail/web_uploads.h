/* web_uploads - attachments uploaded from the browser, kept in PostgreSQL (table
 * webmail_uploads, db/migrations/0006) until the message naming them is sent. */
#ifndef MERPATI_WEBMAIL_WEB_UPLOADS_H
#define MERPATI_WEBMAIL_WEB_UPLOADS_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <libpq-fe.h>

#define WEB_UPLOADS_PER_MESSAGE 32  /* uploads one compose object may name */
#define WEB_UPLOAD_ID_SIZE 37       /* a uuid in text form and a NUL */
#define WEB_UPLOAD_NAME_MAX 255     /* bytes of a filename or a content type */
#define WEB_UPLOADS_MAX_AGE "1 day" /* older uploads are removed on the next insert */

struct web_upload {
	char id[WEB_UPLOAD_ID_SIZE];
	char filename[WEB_UPLOAD_NAME_MAX + 1];
	char type[WEB_UPLOAD_NAME_MAX + 1];
	char *data;  /* malloc'd */
	size_t len;
};

/* web_uploads_insert - store one upload of the account (removing uploads older than
 * WEB_UPLOADS_MAX_AGE first); 0 with id_r, -1 with *error_r */
int web_uploads_insert(PGconn *conn, int64_t account_id, const char *filename,
		       const char *type, const void *data, size_t len,
		       char id_r[WEB_UPLOAD_ID_SIZE], const char **error_r);
/* web_uploads_load - the uploads the JSON array ids names, all of the account and at most
 * max_total bytes together. 1 loaded (*n_r of them), 0 an id is not the account's or not
 * an upload, -2 over max_total, -3 ids is not an array of at most WEB_UPLOADS_PER_MESSAGE
 * strings, -1 store error */
int web_uploads_load(PGconn *conn, int64_t account_id, const json_t *ids, size_t max_total,
		     struct web_upload out[WEB_UPLOADS_PER_MESSAGE], size_t *n_r,
		     const char **error_r);
/* web_uploads_delete - remove these uploads of the account; 0 or -1 */
int web_uploads_delete(PGconn *conn, int64_t account_id, const struct web_upload *u, size_t n,
		       const char **error_r);
/* web_uploads_free - release what web_uploads_load filled */
void web_uploads_free(struct web_upload *u, size_t n);

#endif
