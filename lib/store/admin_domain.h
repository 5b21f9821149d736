/* admin_domain - adding, listing and removing mail domains (`merpati domain`, the
 * webmail's /api/admin/domains); results as admin.h describes. */
#ifndef MERPATI_STORE_ADMIN_DOMAIN_H
#define MERPATI_STORE_ADMIN_DOMAIN_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stdint.h>

#include "store/admin.h"
#include "store/domain.h"

/* One domain with the number of its accounts. */
struct store_admin_domain {
	int64_t id;
	char name[STORE_DOMAIN_SIZE];
	int64_t users;
};

/* store_admin_domain_find - the domain named (normalised) exists; NOT_FOUND if not */
enum store_admin_code store_admin_domain_find(PGconn *conn, const char *name,
					      struct store_domain *out,
					      struct store_admin_result *r);
/* store_admin_domain_add - add the domain given as in (validated, normalised into
 * name_r); EXISTS when it is there already */
enum store_admin_code store_admin_domain_add(PGconn *conn, const char *in,
					     char name_r[STORE_DOMAIN_SIZE], int64_t *id_r,
					     struct store_admin_result *r);
/* store_admin_domain_remove - remove the domain given as in; while it has accounts,
 * REFUSED unless force (then they go too, with their mail). *accounts_r gets how many it
 * had. Locks the domain row so no account is added meanwhile. */
enum store_admin_code store_admin_domain_remove(PGconn *conn, const char *in, bool force,
						char name_r[STORE_DOMAIN_SIZE],
						int64_t *accounts_r,
						struct store_admin_result *r);
/* store_admin_domain_by_id - the name of domain id; NOT_FOUND if none */
enum store_admin_code store_admin_domain_by_id(PGconn *conn, int64_t id,
					       char name_r[STORE_DOMAIN_SIZE],
					       struct store_admin_result *r);

/* store_admin_domain_fn - one domain of a listing; non-zero stops */
typedef int store_admin_domain_fn(const struct store_admin_domain *d, void *arg);
/* store_admin_domain_list - domains in name order with their account counts, at most
 * limit (< 0: all) after skipping offset; returns the number listed or -1 */
int store_admin_domain_list(PGconn *conn, int64_t limit, int64_t offset,
			    store_admin_domain_fn *fn, void *arg, const char **error_r);

#endif
