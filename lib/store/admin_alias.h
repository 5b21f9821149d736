/* admin_alias - adding aliases as an administrator does (`merpati alias`, the webmail's
 * /api/admin/aliases); results as admin.h describes. */
#ifndef MERPATI_STORE_ADMIN_ALIAS_H
#define MERPATI_STORE_ADMIN_ALIAS_H

#include <libpq-fe.h>

#include "store/admin.h"
#include "store/alias.h"

/* store_admin_alias_source - normalise a SOURCE ("user@domain", or "@domain" for the
 * domain's catch-all) into out */
enum store_admin_code store_admin_alias_source(const char *in, char out[STORE_ADDRESS_SIZE],
					       struct store_admin_result *r);
/* store_admin_alias_domain - the domain of a normalised source is ours (NOT_FOUND if not) */
enum store_admin_code store_admin_alias_domain(PGconn *conn, const char *source,
					       struct store_admin_result *r);
/* store_admin_alias_add - add source (normalised, its domain checked) -> the target given
 * as in (normalised into target_r); INVALID for a bad target or an alias of itself,
 * EXISTS when it is there. *id_r gets the new row's id. */
enum store_admin_code store_admin_alias_add(PGconn *conn, const char *source, const char *in,
					    char target_r[STORE_ADDRESS_SIZE], int64_t *id_r,
					    struct store_admin_result *r);

#endif
