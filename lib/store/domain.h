/* domain - the mail domains Merpati receives for. */
#ifndef MERPATI_STORE_DOMAIN_H
#define MERPATI_STORE_DOMAIN_H

#include <libpq-fe.h>
#include <stdint.h>

#include "store/address.h"

struct store_domain {
	int64_t id;
	char name[STORE_DOMAIN_SIZE];
	int64_t admin_account_id; /* receives postmaster@ and abuse@; 0 when unset */
};

/* store_domain_add - add a domain (normalised here); -1 if malformed or already present */
int store_domain_add(PGconn *conn, const char *name, int64_t *id_r, const char **error_r);
/* store_domain_find - 1 found, 0 not ours, -1 error */
int store_domain_find(PGconn *conn, const char *name, struct store_domain *out,
		      const char **error_r);
/* store_domain_set_admin - who receives postmaster@/abuse@ mail of the domain */
int store_domain_set_admin(PGconn *conn, int64_t domain_id, int64_t account_id,
			   const char **error_r);
/* store_domain_remove - remove a domain and, by cascade, its accounts, aliases and mail;
 * 1 removed, 0 not found, -1 error */
int store_domain_remove(PGconn *conn, const char *name, const char **error_r);

/* store_domain_list_fn - called once per domain, in name order; non-zero stops the listing */
typedef int store_domain_list_fn(const struct store_domain *d, void *arg);
/* store_domain_list - every domain in name order; returns the count or -1 */
int store_domain_list(PGconn *conn, store_domain_list_fn *fn, void *arg, const char **error_r);

#endif
