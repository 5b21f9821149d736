/* auth_failures.c - failed logins per client in the store (auth_failures.h) */
#include "store/auth_failures.h"
#include "store/db.h"
#include "store/db_prepared.h"

#include <stdio.h>
#include <string.h>

static const struct db_stmt locked_stmt = {
	"auth_locked",
	"SELECT failures >= $2::integer FROM auth_failures WHERE client = $1 "
	"AND first_at > now() - $3::bigint * interval '1 second'", 3 };

/* The upsert starts a new window when the stored one is over; the same statement removes
 * other clients' rows whose window is long over, so the table stays small. */
static const struct db_stmt failed_stmt = {
	"auth_failed",
	"WITH old AS (DELETE FROM auth_failures WHERE client <> $1 "
	"  AND first_at < now() - $2::bigint * interval '2 seconds') "
	"INSERT INTO auth_failures AS f (client, failures) VALUES ($1, 1) "
	"ON CONFLICT (client) DO UPDATE SET "
	"  failures = CASE WHEN f.first_at > now() - $2::bigint * interval '1 second' "
	"                  THEN f.failures + 1 ELSE 1 END, "
	"  first_at = CASE WHEN f.first_at > now() - $2::bigint * interval '1 second' "
	"                  THEN f.first_at ELSE now() END "
	"RETURNING failures", 2 };

static const struct db_stmt succeeded_stmt = {
	"auth_succeeded", "DELETE FROM auth_failures WHERE client = $1", 1 };

/* client_ok - a key that fits the column */
static int client_ok(const char *client, const char **error_r)
{
	size_t n = strlen(client);

	if (n == 0 || n > STORE_AUTH_CLIENT_MAX)
		return db_fail("22023", error_r, "client key of %zu bytes", n);
	return 0;
}

int store_auth_locked(PGconn *conn, const char *client, unsigned max, long window,
		      const char **error_r)
{
	char m[24], w[24];
	const char *params[3] = { client, db_int64_param(m, max), db_int64_param(w, window) };
	PGresult *res;
	int locked;

	if (client_ok(client, error_r) < 0)
		return -1;
	if ((res = db_query_prepared(conn, &locked_stmt, params, error_r)) == NULL)
		return -1;
	locked = PQntuples(res) == 1 && strcmp(PQgetvalue(res, 0, 0), "t") == 0;
	PQclear(res);
	return locked;
}

int store_auth_failed(PGconn *conn, const char *client, long window, const char **error_r)
{
	char w[24];
	const char *params[2] = { client, db_int64_param(w, window) };
	PGresult *res;
	int n;

	if (client_ok(client, error_r) < 0)
		return -1;
	if ((res = db_query_prepared(conn, &failed_stmt, params, error_r)) == NULL)
		return -1;
	n = (int)db_get_int64(res, 0, 0);
	PQclear(res);
	return n;
}

int store_auth_succeeded(PGconn *conn, const char *client, const char **error_r)
{
	const char *params[1] = { client };
	PGresult *res;

	if (client_ok(client, error_r) < 0)
		return -1;
	if ((res = db_query_prepared(conn, &succeeded_stmt, params, error_r)) == NULL)
		return -1;
	PQclear(res);
	return 0;
}
