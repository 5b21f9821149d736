/* web_contact - the address book (table contacts): one row per address of a contact. */
#ifndef MERPATI_STORE_WEB_CONTACT_H
#define MERPATI_STORE_WEB_CONTACT_H

#include <libpq-fe.h>
#include <stdint.h>

#define WEB_CONTACT_NAME_MAX 256
#define WEB_CONTACT_EMAIL_MAX 254
#define WEB_CONTACT_PHONE_MAX 64
#define WEB_CONTACT_NOTES_MAX 4096
#define WEB_CONTACT_LIST_MAX 5000  /* rows one listing returns */

struct web_contact {
	int64_t id;
	const char *name, *email, *phone, *notes; /* valid during the callback / call */
};

/* web_contact_fn - one contact; non-zero stops */
typedef int web_contact_fn(const struct web_contact *c, void *arg);

/* web_contact_list - the account's contacts whose name or email contains q (NULL or "":
 * all), case-insensitively, by name then email, at most limit; returns the count or -1 */
int web_contact_list(PGconn *conn, int64_t account_id, const char *q, int limit,
		     web_contact_fn *fn, void *arg, const char **error_r);
/* web_contact_get - one contact by id; 1 found, 0 not the account's, -1 error */
int web_contact_get(PGconn *conn, int64_t account_id, int64_t id, web_contact_fn *fn,
		    void *arg, const char **error_r);
/* web_contact_save - insert (c->id 0) or update the account's contact; *id_r its id.
 * 1 saved, 0 no such contact (update), -2 the address is already in the book, -1 error */
int web_contact_save(PGconn *conn, int64_t account_id, const struct web_contact *c,
		     int64_t *id_r, const char **error_r);
/* web_contact_merge - insert c (c->id is ignored), or when its address is in the book
 * already (case-insensitive), replace that row's name, phone and notes with those of c
 * that are not "". 1 created, 2 updated, -1 error */
int web_contact_merge(PGconn *conn, int64_t account_id, const struct web_contact *c,
		      const char **error_r);
/* web_contact_delete - 1 deleted, 0 not the account's, -1 error */
int web_contact_delete(PGconn *conn, int64_t account_id, int64_t id, const char **error_r);

#endif
