/* web_contact - address book rows, always scoped to one account. */
#include "store/web_contact.h"

#include <stdio.h>
#include <string.h>

#include "store/db.h"

#define COLS "id, name, email, phone, notes"

/* each_row - hand every row of a COLS result to fn; returns the rows handed */
static int each_row(PGresult *res, web_contact_fn *fn, void *arg)
{
	int n = PQntuples(res);

	for (int i = 0; i < n; i++) {
		struct web_contact c = {db_get_int64(res, i, 0), db_get_str(res, i, 1),
					db_get_str(res, i, 2), db_get_str(res, i, 3),
					db_get_str(res, i, 4)};

		if (fn(&c, arg) != 0)
			return i + 1;
	}
	return n;
}

int web_contact_list(PGconn *conn, int64_t account_id, const char *q, int limit,
		     web_contact_fn *fn, void *arg, const char **error_r)
{
	static const char sql[] =
		"SELECT " COLS " FROM contacts WHERE account_id = $1 AND ($2 = '' OR "
		"  strpos(lower(name), lower($2)) > 0 OR strpos(lower(email), lower($2)) > 0) "
		"ORDER BY lower(name), lower(email) LIMIT $3";
	char id[24], lim[24];
	const char *params[3] = {db_int64_param(id, account_id), q != NULL ? q : "",
				 db_int64_param(lim, limit < 1 || limit > WEB_CONTACT_LIST_MAX ?
						WEB_CONTACT_LIST_MAX : limit)};
	PGresult *res = db_query(conn, sql, 3, params, error_r);
	int n;

	if (res == NULL)
		return -1;
	n = each_row(res, fn, arg);
	PQclear(res);
	return n;
}

int web_contact_get(PGconn *conn, int64_t account_id, int64_t id, web_contact_fn *fn,
		    void *arg, const char **error_r)
{
	char a[24], i[24];
	const char *params[2] = {db_int64_param(a, account_id), db_int64_param(i, id)};
	PGresult *res = db_query(conn, "SELECT " COLS " FROM contacts WHERE account_id = $1 "
				 "AND id = $2", 2, params, error_r);
	int n;

	if (res == NULL)
		return -1;
	n = each_row(res, fn, arg);
	PQclear(res);
	return n;
}

int web_contact_save(PGconn *conn, int64_t account_id, const struct web_contact *c,
		     int64_t *id_r, const char **error_r)
{
	static const char ins[] =
		"INSERT INTO contacts (account_id, name, email, phone, notes) "
		"SELECT $1, $3, $4, $5, $6 WHERE $2::bigint = 0 RETURNING id";
	static const char upd[] =
		"UPDATE contacts SET name = $3, email = $4, phone = $5, notes = $6, "
		"  updated = now() WHERE account_id = $1 AND id = $2 RETURNING id";
	char a[24], i[24];
	const char *params[6] = {db_int64_param(a, account_id), db_int64_param(i, c->id),
				 c->name, c->email, c->phone, c->notes};
	PGresult *res = db_query(conn, c->id == 0 ? ins : upd, 6, params, error_r);
	int n;

	if (res == NULL)
		return db_error_unique() ? -2 : -1;
	n = PQntuples(res);
	if (n == 1)
		*id_r = db_get_int64(res, 0, 0);
	PQclear(res);
	return n == 1;
}

int web_contact_merge(PGconn *conn, int64_t account_id, const struct web_contact *c,
		      const char **error_r)
{
	/* xmax is 0 in the row version an INSERT made, not in one ON CONFLICT updated */
	static const char sql[] =
		"INSERT INTO contacts AS k (account_id, name, email, phone, notes) "
		"VALUES ($1, $2, $3, $4, $5) ON CONFLICT (account_id, lower(email)) DO UPDATE SET "
		"  name = CASE WHEN EXCLUDED.name <> '' THEN EXCLUDED.name ELSE k.name END, "
		"  phone = CASE WHEN EXCLUDED.phone <> '' THEN EXCLUDED.phone ELSE k.phone END, "
		"  notes = CASE WHEN EXCLUDED.notes <> '' THEN EXCLUDED.notes ELSE k.notes END, "
		"  updated = now() "
		"RETURNING k.xmax = 0";
	char a[24];
	const char *params[5] = {db_int64_param(a, account_id), c->name, c->email, c->phone,
				 c->notes};
	PGresult *res = db_query(conn, sql, 5, params, error_r);
	int r;

	if (res == NULL)
		return -1;
	r = PQntuples(res) == 1 && db_get_bool(res, 0, 0) ? 1 : 2;
	PQclear(res);
	return r;
}

int web_contact_delete(PGconn *conn, int64_t account_id, int64_t id, const char **error_r)
{
	char a[24], i[24];
	const char *params[2] = {db_int64_param(a, account_id), db_int64_param(i, id)};
	int64_t n = db_exec(conn, "DELETE FROM contacts WHERE account_id = $1 AND id = $2", 2,
			    params, error_r);

	return n < 0 ? -1 : n > 0;
}
