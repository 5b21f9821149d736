/* account.c - mail accounts: lookup, creation, login, forwards, may-send-as */
#include "store/account.h"
#include "store/db.h"
#include "store/db_prepared.h"
#include "store/mailbox.h"
#include "auth/auth.h"

#include <string.h>

#define ACCOUNT_COLUMNS "id, domain_id, address, quota_bytes, used_bytes, enabled, " \
			"forward_keep_copy"

/* account_normalize - canonical address, or a failure naming what is wrong */
static int account_normalize(const char *in, char out[STORE_ADDRESS_SIZE], const char **error_r)
{
	const char *why;

	if (store_address_normalize(in, out, &why) < 0)
		return db_fail("22023", error_r, "malformed address: %s", why);
	return 0;
}

/* account_from_row - fill a struct from a row starting with ACCOUNT_COLUMNS */
static void account_from_row(const PGresult *res, int row, struct store_account *a)
{
	a->id = db_get_int64(res, row, 0);
	a->domain_id = db_get_int64(res, row, 1);
	(void)db_copy_str(res, row, 2, a->address, sizeof(a->address));
	a->quota_bytes = db_get_int64(res, row, 3);
	a->used_bytes = db_get_int64(res, row, 4);
	a->enabled = db_get_bool(res, row, 5);
	a->forward_keep_copy = db_get_bool(res, row, 6);
}

/* Every login (IMAP, POP3, SMTP AUTH, the webmail) looks its account up by address: prepared once
 * per connection. */
static const struct db_stmt login_stmt = { "account_login",
	"SELECT " ACCOUNT_COLUMNS ", password_hash FROM accounts WHERE lower(address) = $1", 1 };

/* account_one - the result of a query selecting ACCOUNT_COLUMNS (then extra columns) for at
 * most one account; 1 found (row kept in *res_r when asked), 0 not found, -1 error */
static int account_one(PGresult *res, struct store_account *out, PGresult **res_r)
{
	int found;

	if (res == NULL)
		return -1;
	found = PQntuples(res) > 0;
	if (found && out != NULL)
		account_from_row(res, 0, out);
	if (found && res_r != NULL)
		*res_r = res;
	else
		PQclear(res);
	return found;
}

/* account_query_one - account_one of a query with one parameter */
static int account_query_one(PGconn *conn, const char *sql, const char *param,
			     struct store_account *out, PGresult **res_r, const char **error_r)
{
	const char *params[1] = { param };

	return account_one(db_query(conn, sql, 1, params, error_r), out, res_r);
}

int store_account_find(PGconn *conn, const char *address, struct store_account *out,
		       const char **error_r)
{
	char norm[STORE_ADDRESS_SIZE];
	const char *why;

	if (store_address_normalize(address, norm, &why) < 0)
		return 0; /* a malformed address is nobody */
	return account_query_one(conn, "SELECT " ACCOUNT_COLUMNS " FROM accounts "
				       "WHERE lower(address) = $1", norm, out, NULL, error_r);
}

int store_account_find_id(PGconn *conn, int64_t id, struct store_account *out,
			  const char **error_r)
{
	char buf[24];

	return account_query_one(conn, "SELECT " ACCOUNT_COLUMNS " FROM accounts WHERE id = $1",
				 db_int64_param(buf, id), out, NULL, error_r);
}

struct account_create {
	const char *address, *hash;
	int64_t quota, id;
};

/* account_create_tx - the account row and its default mailboxes, in one transaction */
static int account_create_tx(PGconn *conn, void *arg, const char **error_r)
{
	struct account_create *c = arg;
	char quota[24];
	const char *params[4] = { c->address, c->hash, db_int64_param(quota, c->quota),
				  store_address_domain(c->address) };
	PGresult *res;

	res = db_query(conn, "INSERT INTO accounts (domain_id, address, password_hash, quota_bytes) "
			     "SELECT id, $1, $2, $3 FROM domains WHERE lower(name) = $4 "
			     "RETURNING id", 4, params, error_r);
	if (res == NULL) {
		if (db_error_unique())
			return db_fail("23505", error_r, "account %s exists already", c->address);
		return -1;
	}
	if (PQntuples(res) == 0) {
		PQclear(res);
		return db_fail("22023", error_r, "unknown domain %s", params[3]);
	}
	c->id = db_get_int64(res, 0, 0);
	PQclear(res);
	return store_mailbox_create_defaults(conn, c->id, error_r);
}

int store_account_create(PGconn *conn, const char *address, const char *password_hash,
			 int64_t quota_bytes, int64_t *id_r, const char **error_r)
{
	char norm[STORE_ADDRESS_SIZE];
	struct account_create c = { norm, password_hash, quota_bytes, 0 };

	if (account_normalize(address, norm, error_r) < 0)
		return -1;
	if (quota_bytes < 0)
		return db_fail("22023", error_r, "quota must not be negative");
	if (db_tx(conn, account_create_tx, &c, error_r) < 0)
		return -1;
	if (id_r != NULL)
		*id_r = c.id;
	return 0;
}

/* account_update - run an UPDATE/DELETE keyed by address ($1) with one more parameter */
static int account_update(PGconn *conn, const char *sql, const char *address, const char *p2,
			  const char **error_r)
{
	char norm[STORE_ADDRESS_SIZE];
	const char *params[2] = { norm, p2 };

	if (account_normalize(address, norm, error_r) < 0)
		return -1;
	return (int)db_exec(conn, sql, p2 != NULL ? 2 : 1, params, error_r);
}

int store_account_set_password(PGconn *conn, const char *address, const char *password_hash,
			       const char **error_r)
{
	return account_update(conn, "UPDATE accounts SET password_hash = $2 "
				    "WHERE lower(address) = $1", address, password_hash, error_r);
}

int store_account_end_sessions(PGconn *conn, const char *address, const char **error_r)
{
	return account_update(conn, "DELETE FROM webmail_sessions s USING accounts a "
				    "WHERE a.id = s.account_id AND lower(a.address) = $1",
			      address, NULL, error_r);
}

int store_account_set_quota(PGconn *conn, const char *address, int64_t quota_bytes,
			    const char **error_r)
{
	char buf[24];

	if (quota_bytes < 0)
		return db_fail("22023", error_r, "quota must not be negative");
	return account_update(conn, "UPDATE accounts SET quota_bytes = $2 "
				    "WHERE lower(address) = $1", address,
			      db_int64_param(buf, quota_bytes), error_r);
}

int store_account_set_enabled(PGconn *conn, const char *address, bool enabled,
			      const char **error_r)
{
	return account_update(conn, "UPDATE accounts SET enabled = $2 "
				    "WHERE lower(address) = $1", address,
			      enabled ? "true" : "false", error_r);
}

int store_account_remove(PGconn *conn, const char *address, const char **error_r)
{
	return account_update(conn, "DELETE FROM accounts WHERE lower(address) = $1", address,
			      NULL, error_r);
}

int store_account_list(PGconn *conn, const char *domain, store_account_list_fn *fn, void *arg,
		       const char **error_r)
{
	return store_account_list_page(conn, domain, NULL, -1, 0, fn, arg, error_r);
}

int store_account_list_page(PGconn *conn, const char *domain, const char *match, int64_t limit,
			    int64_t offset, store_account_list_fn *fn, void *arg,
			    const char **error_r)
{
	char norm[STORE_DOMAIN_SIZE], page[2][24];
	const char *params[4] = { NULL, NULL, NULL, match }, *why;
	struct store_account a;
	PGresult *res;
	int i, n;

	if (domain != NULL) {
		if (store_domain_normalize(domain, norm, &why) < 0)
			return db_fail("22023", error_r, "malformed domain name: %s", why);
		params[0] = norm;
	}
	db_page_params(page, limit, offset, params + 1);
	res = db_query(conn, "SELECT a.id, a.domain_id, a.address, a.quota_bytes, a.used_bytes, "
			     "a.enabled, a.forward_keep_copy FROM accounts a JOIN domains d "
			     "ON d.id = a.domain_id WHERE ($1::text IS NULL OR lower(d.name) = $1) "
			     "AND ($4::text IS NULL OR strpos(lower(a.address), lower($4)) > 0) "
			     "ORDER BY a.address LIMIT $2::bigint OFFSET $3::bigint", 4, params,
		       error_r);
	if (res == NULL)
		return -1;
	n = PQntuples(res);
	for (i = 0; i < n; i++) {
		account_from_row(res, i, &a);
		if (fn(&a, arg) != 0)
			break;
	}
	PQclear(res);
	return n;
}

int store_account_login(PGconn *conn, const char *address, const char *password,
			size_t password_len, struct store_account *out, const char **error_r)
{
	char norm[STORE_ADDRESS_SIZE];
	struct store_account a;
	const char *why;
	PGresult *res = NULL;
	int found, ok;

	if (store_address_normalize(address, norm, &why) < 0)
		return auth_verify_dummy(password, password_len);
	found = account_one(db_query_prepared(conn, &login_stmt, (const char *const[]){ norm },
					      error_r), &a, &res);
	if (found < 0)
		return -1;
	if (found == 0)
		return auth_verify_dummy(password, password_len);
	ok = auth_verify(db_get_str(res, 0, 7), password, password_len);
	PQclear(res);
	/* a disabled account costs the same work and answers the same as a wrong password */
	if (!ok || !a.enabled)
		return 0;
	if (out != NULL)
		*out = a;
	return 1;
}

int store_account_may_send_as(PGconn *conn, int64_t account_id, const char *from,
			      const char **error_r)
{
	char norm[STORE_ADDRESS_SIZE], base[STORE_ADDRESS_SIZE], tag[STORE_ADDRESS_LOCAL_MAX + 1];
	char id[24];
	const char *params[3] = { db_int64_param(id, account_id), norm, base }, *why;
	PGresult *res;
	int yes;

	if (store_address_normalize(from, norm, &why) < 0)
		return 0;
	(void)store_address_split_plus(norm, base, tag);
	/* own address (with or without +tag), or an alias source with this account as target */
	res = db_query(conn, "SELECT EXISTS (SELECT 1 FROM accounts a WHERE a.id = $1 AND "
			     "(lower(a.address) IN ($2, $3) OR EXISTS (SELECT 1 FROM aliases s "
			     "WHERE lower(s.source) IN ($2, $3) AND lower(s.target) = lower(a.address))))",
		       3, params, error_r);
	if (res == NULL)
		return -1;
	yes = db_get_bool(res, 0, 0);
	PQclear(res);
	return yes ? 1 : 0;
}

int store_account_forward_add(PGconn *conn, const char *address, const char *target,
			      bool keep_copy, const char **error_r)
{
	char norm[STORE_ADDRESS_SIZE], dst[STORE_ADDRESS_SIZE];
	const char *params[3] = { norm, dst, keep_copy ? "true" : "false" };
	int64_t n;

	if (account_normalize(address, norm, error_r) < 0 ||
	    account_normalize(target, dst, error_r) < 0)
		return -1;
	if (strcmp(norm, dst) == 0)
		return db_fail("22023", error_r, "an account cannot forward to itself");
	n = db_exec(conn, "WITH a AS (UPDATE accounts SET forward_keep_copy = $3 "
			  "WHERE lower(address) = $1 RETURNING id) "
			  "INSERT INTO forwards (account_id, target) SELECT id, $2 FROM a",
		    3, params, error_r);
	if (n < 0 && db_error_unique())
		return db_fail("23505", error_r, "forward %s -> %s exists already", norm, dst);
	if (n == 0)
		return db_fail("22023", error_r, "no account %s", norm);
	return n < 0 ? -1 : 0;
}

int store_account_forward_remove(PGconn *conn, const char *address, const char *target,
				 const char **error_r)
{
	char norm[STORE_ADDRESS_SIZE], dst[STORE_ADDRESS_SIZE];
	const char *params[2] = { norm, dst };

	if (account_normalize(address, norm, error_r) < 0 ||
	    account_normalize(target, dst, error_r) < 0)
		return -1;
	return (int)db_exec(conn, "DELETE FROM forwards f USING accounts a WHERE f.account_id = a.id "
				  "AND lower(a.address) = $1 AND lower(f.target) = $2",
			    2, params, error_r);
}
