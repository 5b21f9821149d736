/* admin_user.c - mail accounts as an administrator manages them */
#include "store/admin_user.h"
#include "store/admin_domain.h"
#include "store/db.h"
#include "config/config.h"

enum store_admin_code store_admin_quota(const char *in, int64_t *bytes_r,
					struct store_admin_result *r)
{
	size_t bytes;

	if (config_parse_size(in, &bytes) < 0 || bytes > (size_t)INT64_MAX)
		return store_admin_fail(r, STORE_ADMIN_INVALID,
					"quota '%.64s' is not a size (e.g. 500M or 1G; 0 for unlimited)",
					in);
	*bytes_r = (int64_t)bytes;
	return STORE_ADMIN_OK;
}

enum store_admin_code store_admin_password_hash(const char *password, size_t len,
						char hash[AUTH_HASH_SIZE],
						struct store_admin_result *r)
{
	const char *error = NULL;

	if (auth_password_check(password, len, &error) < 0)
		return store_admin_fail(r, STORE_ADMIN_INVALID, "%s", error);
	if (auth_hash(password, len, hash, &error) < 0)
		return store_admin_fail(r, STORE_ADMIN_INVALID, "cannot hash the password: %s", error);
	return STORE_ADMIN_OK;
}

enum store_admin_code store_admin_user_find(PGconn *conn, const char *address,
					    struct store_account *out,
					    struct store_admin_result *r)
{
	const char *error = NULL;
	int found = store_account_find(conn, address, out, &error);

	if (found < 0)
		return store_admin_db(r, error);
	if (found == 0)
		return store_admin_fail(r, STORE_ADMIN_NOT_FOUND, "user %s does not exist", address);
	return STORE_ADMIN_OK;
}

enum store_admin_code store_admin_user_check_new(PGconn *conn, const char *address,
						 struct store_admin_result *r)
{
	struct store_domain d;
	struct store_account a;
	enum store_admin_code code;

	if ((code = store_admin_domain_find(conn, store_address_domain(address), &d, r)) != 0)
		return code;
	code = store_admin_user_find(conn, address, &a, r);
	if (code == STORE_ADMIN_OK)
		return store_admin_fail(r, STORE_ADMIN_EXISTS, "user %s already exists", address);
	return code == STORE_ADMIN_NOT_FOUND ? STORE_ADMIN_OK : code;
}

enum store_admin_code store_admin_user_create(PGconn *conn, const char *address,
					      const char *hash, int64_t quota, int64_t *id_r,
					      struct store_admin_result *r)
{
	const char *error = NULL;

	if (store_account_create(conn, address, hash, quota, id_r, &error) == 0)
		return STORE_ADMIN_OK;
	if (db_error_unique())
		return store_admin_fail(r, STORE_ADMIN_EXISTS, "user %s already exists", address);
	return store_admin_db(r, error);
}

/* user_changed - the outcome of a store_account_* change: 1 done, 0 no such account */
static enum store_admin_code user_changed(int changed, const char *address, const char *error,
					  struct store_admin_result *r)
{
	if (changed < 0)
		return store_admin_db(r, error);
	if (changed == 0)
		return store_admin_fail(r, STORE_ADMIN_NOT_FOUND, "user %s does not exist", address);
	return STORE_ADMIN_OK;
}

enum store_admin_code store_admin_user_passwd(PGconn *conn, const char *address,
					      const char *hash, struct store_admin_result *r)
{
	const char *error = NULL;
	int changed = store_account_set_password(conn, address, hash, &error);

	/* whoever knew the old password is logged out of the webmail too */
	if (changed > 0 && store_account_end_sessions(conn, address, &error) < 0)
		changed = -1;
	return user_changed(changed, address, error, r);
}

enum store_admin_code store_admin_user_quota(PGconn *conn, const char *address, int64_t quota,
					     struct store_admin_result *r)
{
	const char *error = NULL;
	int changed = store_account_set_quota(conn, address, quota, &error);

	return user_changed(changed, address, error, r);
}

enum store_admin_code store_admin_user_enabled(PGconn *conn, const char *address, bool enabled,
					       struct store_admin_result *r)
{
	const char *error = NULL;
	int changed = store_account_set_enabled(conn, address, enabled, &error);

	return user_changed(changed, address, error, r);
}

enum store_admin_code store_admin_user_remove(PGconn *conn, const char *address,
					      struct store_admin_result *r)
{
	const char *error = NULL;
	int changed = store_account_remove(conn, address, &error);

	return user_changed(changed, address, error, r);
}
