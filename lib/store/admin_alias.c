/* admin_alias.c - adding aliases as an administrator does */
#include "store/admin_alias.h"
#include "store/admin_domain.h"
#include "store/db.h"

#include <stdio.h>
#include <string.h>

enum store_admin_code store_admin_alias_source(const char *in, char out[STORE_ADDRESS_SIZE],
					       struct store_admin_result *r)
{
	char domain[STORE_DOMAIN_SIZE];
	const char *why = NULL;

	if (in[0] != '@')
		return store_admin_address(in, NULL, out, r);
	if (store_domain_normalize(in + 1, domain, &why) < 0)
		return store_admin_fail(r, STORE_ADMIN_INVALID,
					"'%.64s' is not @ and a domain name: %s", in, why);
	if (strlen(domain) + 2 > STORE_ADDRESS_SIZE)
		return store_admin_fail(r, STORE_ADMIN_INVALID, "'%.64s' is too long", in);
	snprintf(out, STORE_ADDRESS_SIZE, "@%s", domain);
	return STORE_ADMIN_OK;
}

enum store_admin_code store_admin_alias_domain(PGconn *conn, const char *source,
					       struct store_admin_result *r)
{
	struct store_domain d;

	return store_admin_domain_find(conn, strchr(source, '@') + 1, &d, r);
}

/* alias_id - the id of source -> target: > 0, 0 when absent, -1 with *error_r */
static int64_t alias_id(PGconn *conn, const char *source, const char *target,
			const char **error_r)
{
	const char *params[2] = { source, target };
	PGresult *res = db_query(conn, "SELECT id FROM aliases WHERE lower(source) = lower($1)"
				 " AND lower(target) = lower($2)", 2, params, error_r);
	int64_t id;

	if (res == NULL)
		return -1;
	id = PQntuples(res) > 0 ? db_get_int64(res, 0, 0) : 0;
	PQclear(res);
	return id;
}

enum store_admin_code store_admin_alias_add(PGconn *conn, const char *source, const char *in,
					    char target_r[STORE_ADDRESS_SIZE], int64_t *id_r,
					    struct store_admin_result *r)
{
	const char *error = NULL;
	enum store_admin_code code;
	int64_t id;

	if ((code = store_admin_address(in, "target", target_r, r)) != STORE_ADMIN_OK)
		return code;
	if (strcmp(source, target_r) == 0)
		return store_admin_fail(r, STORE_ADMIN_INVALID, "%s cannot be an alias of itself",
					source);
	if ((id = alias_id(conn, source, target_r, &error)) < 0)
		return store_admin_db(r, error);
	if (id > 0)
		return store_admin_fail(r, STORE_ADMIN_EXISTS, "alias %s -> %s already exists", source,
					target_r);
	if (store_alias_add(conn, source, target_r, &error) < 0 ||
	    (id = alias_id(conn, source, target_r, &error)) < 0)
		return store_admin_db(r, error);
	*id_r = id;
	return STORE_ADMIN_OK;
}
