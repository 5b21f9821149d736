/* admin_domain.c - adding, listing and removing mail domains */
#include "store/admin_domain.h"
#include "store/db.h"

#include <stdio.h>

enum store_admin_code store_admin_domain_find(PGconn *conn, const char *name,
					      struct store_domain *out,
					      struct store_admin_result *r)
{
	const char *error = NULL;
	int found = store_domain_find(conn, name, out, &error);

	if (found < 0)
		return store_admin_db(r, error);
	if (found == 0)
		return store_admin_fail(r, STORE_ADMIN_NOT_FOUND, "domain %s does not exist", name);
	return STORE_ADMIN_OK;
}

enum store_admin_code store_admin_domain_add(PGconn *conn, const char *in,
					     char name_r[STORE_DOMAIN_SIZE], int64_t *id_r,
					     struct store_admin_result *r)
{
	struct store_domain d;
	const char *error = NULL;
	enum store_admin_code code;

	if ((code = store_admin_domain_name(in, name_r, r)) != STORE_ADMIN_OK)
		return code;
	code = store_admin_domain_find(conn, name_r, &d, r);
	if (code == STORE_ADMIN_OK)
		return store_admin_fail(r, STORE_ADMIN_EXISTS, "domain %s already exists", name_r);
	if (code != STORE_ADMIN_NOT_FOUND)
		return code;
	if (store_domain_add(conn, name_r, id_r, &error) < 0)
		return store_admin_db(r, error);
	return STORE_ADMIN_OK;
}

/* domain_accounts - lock the domain row against new accounts and count its accounts;
 * -1 with *error_r. FOR UPDATE conflicts with the KEY SHARE lock an account insert takes. */
static int64_t domain_accounts(PGconn *conn, int64_t domain_id, const char **error_r)
{
	char id[24];
	const char *params[1] = { db_int64_param(id, domain_id) };
	PGresult *res;
	int64_t n;

	if (db_exec(conn, "SELECT 1 FROM domains WHERE id = $1 FOR UPDATE", 1, params,
		    error_r) < 0)
		return -1;
	res = db_query(conn, "SELECT count(*) FROM accounts WHERE domain_id = $1", 1, params,
		       error_r);
	if (res == NULL)
		return -1;
	n = db_get_int64(res, 0, 0);
	PQclear(res);
	return n;
}

enum store_admin_code store_admin_domain_remove(PGconn *conn, const char *in, bool force,
						char name_r[STORE_DOMAIN_SIZE],
						int64_t *accounts_r,
						struct store_admin_result *r)
{
	struct store_domain d;
	const char *error = NULL;
	enum store_admin_code code;
	int64_t accounts;

	*accounts_r = 0;
	if ((code = store_admin_domain_name(in, name_r, r)) != STORE_ADMIN_OK ||
	    (code = store_admin_domain_find(conn, name_r, &d, r)) != STORE_ADMIN_OK)
		return code;
	if ((accounts = domain_accounts(conn, d.id, &error)) < 0)
		return store_admin_db(r, error);
	*accounts_r = accounts;
	if (accounts > 0 && !force)
		return store_admin_fail(r, STORE_ADMIN_REFUSED, "domain %s still has %lld account%s",
					name_r, (long long)accounts, accounts == 1 ? "" : "s");
	if (store_domain_remove(conn, name_r, &error) < 0)
		return store_admin_db(r, error);
	return STORE_ADMIN_OK;
}

enum store_admin_code store_admin_domain_by_id(PGconn *conn, int64_t id,
					       char name_r[STORE_DOMAIN_SIZE],
					       struct store_admin_result *r)
{
	char buf[24];
	const char *params[1] = { db_int64_param(buf, id) }, *error = NULL;
	PGresult *res = db_query(conn, "SELECT name FROM domains WHERE id = $1", 1, params, &error);
	int found;

	if (res == NULL)
		return store_admin_db(r, error);
	found = PQntuples(res) > 0 && db_copy_str(res, 0, 0, name_r, STORE_DOMAIN_SIZE) == 0;
	PQclear(res);
	if (!found)
		return store_admin_fail(r, STORE_ADMIN_NOT_FOUND, "no domain %lld", (long long)id);
	return STORE_ADMIN_OK;
}

int store_admin_domain_list(PGconn *conn, int64_t limit, int64_t offset,
			    store_admin_domain_fn *fn, void *arg, const char **error_r)
{
	char page[2][24];
	const char *params[2];
	struct store_admin_domain d;
	PGresult *res;
	int i, n;

	db_page_params(page, limit, offset, params);
	res = db_query(conn, "SELECT d.id, d.name, (SELECT count(*) FROM accounts a "
			     "WHERE a.domain_id = d.id) FROM domains d ORDER BY d.name "
			     "LIMIT $1::bigint OFFSET $2::bigint", 2, params, error_r);
	if (res == NULL)
		return -1;
	n = PQntuples(res);
	for (i = 0; i < n; i++) {
		d.id = db_get_int64(res, i, 0);
		(void)db_copy_str(res, i, 1, d.name, sizeof(d.name));
		d.users = db_get_int64(res, i, 2);
		if (fn(&d, arg) != 0)
			break;
	}
	PQclear(res);
	return n;
}
