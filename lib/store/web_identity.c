/* web_identity - sending identities, always scoped to one account. */
#include "store/web_identity.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "store/db.h"

int web_identity_list(PGconn *conn, int64_t account_id, const char *own_address,
		      web_identity_fn *fn, void *arg, const char **error_r)
{
	char a[24];
	const char *params[1] = {db_int64_param(a, account_id)};
	PGresult *res = db_query(conn, "SELECT email, name, signature FROM webmail_identities "
				 "WHERE account_id = $1 ORDER BY position", 1, params, error_r);
	int n;

	if (res == NULL)
		return -1;
	n = PQntuples(res);
	if (n == 0) {
		struct web_identity own = {0, own_address, "", ""};

		PQclear(res);
		fn(&own, arg);
		return 1;
	}
	for (int i = 0; i < n; i++) {
		struct web_identity ident = {i, db_get_str(res, i, 0), db_get_str(res, i, 1),
					     db_get_str(res, i, 2)};

		if (fn(&ident, arg) != 0) {
			n = i + 1;
			break;
		}
	}
	PQclear(res);
	return n;
}

struct replace {
	int64_t account_id;
	const struct web_identity *list;
	size_t n;
};

/* replace_tx - db_tx body: delete the old list, insert the new one in order */
static int replace_tx(PGconn *conn, void *arg, const char **error_r)
{
	const struct replace *r = arg;
	char a[24], pos[24];
	const char *del[1] = {db_int64_param(a, r->account_id)};

	if (db_exec(conn, "DELETE FROM webmail_identities WHERE account_id = $1", 1, del,
		    error_r) < 0)
		return -1;
	for (size_t i = 0; i < r->n; i++) {
		const char *params[5] = {a, db_int64_param(pos, (int64_t)i), r->list[i].email,
					 r->list[i].name, r->list[i].signature};

		if (db_exec(conn, "INSERT INTO webmail_identities (account_id, position, email, "
			    "name, signature) VALUES ($1, $2, $3, $4, $5)", 5, params,
			    error_r) < 0)
			return -1;
	}
	return 0;
}

int web_identity_replace(PGconn *conn, int64_t account_id, const struct web_identity *list,
			 size_t n, const char **error_r)
{
	struct replace r = {account_id, list, n};

	if (n > WEB_IDENTITY_MAX)
		return db_fail("22023", error_r, "more than %d identities", WEB_IDENTITY_MAX);
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < i; j++)
			if (strcasecmp(list[i].email, list[j].email) == 0)
				return -2;
	return db_tx(conn, replace_tx, &r, error_r) < 0 ? -1 : 0;
}

/* find_one - web_identity_fn: the identity whose email matches, its name copied */
struct find {
	const char *email;
	char *name;
	size_t size;
	int found;
};

static int find_one(const struct web_identity *ident, void *arg)
{
	struct find *f = arg;

	if (strcasecmp(ident->email, f->email) != 0)
		return 0;
	snprintf(f->name, f->size, "%s", ident->name);
	f->found = 1;
	return 1;
}

int web_identity_find(PGconn *conn, int64_t account_id, const char *own_address,
		      const char *email, char *name, size_t size, const char **error_r)
{
	struct find f = {email, name, size, 0};

	if (web_identity_list(conn, account_id, own_address, find_one, &f, error_r) < 0)
		return -1;
	return f.found;
}
