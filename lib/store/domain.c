/* domain.c - the mail domains Merpati receives for */
#include "store/domain.h"
#include "store/db.h"

#include <stdbool.h>
#include <string.h>

#define DOMAIN_COLUMNS "id, name, coalesce(admin_account_id, 0)"

/* domain_normalize - canonical name, or a failure naming what is wrong */
static int domain_normalize(const char *in, char out[STORE_DOMAIN_SIZE], const char **error_r)
{
	const char *why;

	if (store_domain_normalize(in, out, &why) < 0)
		return db_fail("22023", error_r, "malformed domain name: %s", why);
	return 0;
}

/* domain_from_row - fill a struct from a row of DOMAIN_COLUMNS */
static void domain_from_row(const PGresult *res, int row, struct store_domain *d)
{
	d->id = db_get_int64(res, row, 0);
	(void)db_copy_str(res, row, 1, d->name, sizeof(d->name));
	d->admin_account_id = db_get_int64(res, row, 2);
}

int store_domain_add(PGconn *conn, const char *name, int64_t *id_r, const char **error_r)
{
	char norm[STORE_DOMAIN_SIZE];
	const char *params[1] = { norm };
	PGresult *res;

	if (domain_normalize(name, norm, error_r) < 0)
		return -1;
	res = db_query(conn, "INSERT INTO domains (name) VALUES ($1) RETURNING id", 1, params,
		       error_r);
	if (res == NULL) {
		if (db_error_unique())
			return db_fail("23505", error_r, "domain %s exists already", norm);
		return -1;
	}
	if (id_r != NULL)
		*id_r = db_get_int64(res, 0, 0);
	PQclear(res);
	return 0;
}

int store_domain_find(PGconn *conn, const char *name, struct store_domain *out,
		      const char **error_r)
{
	char norm[STORE_DOMAIN_SIZE];
	const char *params[1] = { norm }, *why;
	PGresult *res;
	int found;

	if (store_domain_normalize(name, norm, &why) < 0)
		return 0; /* a malformed name is not one of ours */
	res = db_query(conn, "SELECT " DOMAIN_COLUMNS " FROM domains WHERE lower(name) = $1",
		       1, params, error_r);
	if (res == NULL)
		return -1;
	found = PQntuples(res) > 0;
	if (found && out != NULL)
		domain_from_row(res, 0, out);
	PQclear(res);
	return found;
}

int store_domain_set_admin(PGconn *conn, int64_t domain_id, int64_t account_id,
			   const char **error_r)
{
	char b1[24], b2[24];
	const char *params[2] = { db_int64_param(b1, domain_id),
				  account_id > 0 ? db_int64_param(b2, account_id) : NULL };

	return (int)db_exec(conn, "UPDATE domains SET admin_account_id = $2 WHERE id = $1",
			    2, params, error_r);
}

int store_domain_remove(PGconn *conn, const char *name, const char **error_r)
{
	char norm[STORE_DOMAIN_SIZE];
	const char *params[1] = { norm };

	if (domain_normalize(name, norm, error_r) < 0)
		return -1;
	return (int)db_exec(conn, "DELETE FROM domains WHERE lower(name) = $1", 1, params, error_r);
}

int store_domain_list(PGconn *conn, store_domain_list_fn *fn, void *arg, const char **error_r)
{
	struct store_domain d;
	PGresult *res;
	int i, n;

	res = db_query(conn, "SELECT " DOMAIN_COLUMNS " FROM domains ORDER BY name", 0, NULL,
		       error_r);
	if (res == NULL)
		return -1;
	n = PQntuples(res);
	for (i = 0; i < n; i++) {
		domain_from_row(res, i, &d);
		if (fn(&d, arg) != 0)
			break;
	}
	PQclear(res);
	return n;
}
