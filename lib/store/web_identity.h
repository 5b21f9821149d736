/* web_identity - the webmail's sending identities (table webmail_identities): addresses an
 * account may put in From, each with a display name and a plain-text signature. */
#ifndef MERPATI_STORE_WEB_IDENTITY_H
#define MERPATI_STORE_WEB_IDENTITY_H

#include <libpq-fe.h>
#include <stddef.h>
#include <stdint.h>

#define WEB_IDENTITY_MAX 20               /* identities per account */
#define WEB_IDENTITY_NAME_MAX 200         /* bytes of a display name */
#define WEB_IDENTITY_SIGNATURE_MAX 4096   /* bytes of a signature */

struct web_identity {
	int id;  /* its position in the list, 0-based */
	const char *email, *name, *signature;
};

/* web_identity_fn - one identity; non-zero stops */
typedef int web_identity_fn(const struct web_identity *ident, void *arg);

/* web_identity_list - the account's identities in order; an account that never stored any
 * has one, its own address with no name nor signature. Returns the count or -1. */
int web_identity_list(PGconn *conn, int64_t account_id, const char *own_address,
		      web_identity_fn *fn, void *arg, const char **error_r);
/* web_identity_replace - make list[0..n) the account's identities (n <= WEB_IDENTITY_MAX)
 * in one transaction; the caller has checked each address (store_account_may_send_as).
 * 0 done, -2 an address is listed twice, -1 error */
int web_identity_replace(PGconn *conn, int64_t account_id, const struct web_identity *list,
			 size_t n, const char **error_r);
/* web_identity_find - the identity whose email is `email` (case-insensitive) into name
 * (size bytes); 1 found, 0 not one of the account's identities, -1 error */
int web_identity_find(PGconn *conn, int64_t account_id, const char *own_address,
		      const char *email, char *name, size_t size, const char **error_r);

#endif
