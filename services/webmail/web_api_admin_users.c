/* web_api_admin_users - GET/POST /api/admin/users, PATCH/DELETE /api/admin/users/{id}:
 * what `merpati user list|add|passwd|quota|remove` do (lib/store/admin_user.c), and
 * enabling or disabling an account. */
#include "services/webmail/web_api_admin.h"

#include <string.h>

#include "store/admin_user.h"

/* user_json - the user object of docs/WEBMAIL-API.md */
static json_t *user_json(const struct store_account *a)
{
	return json_pack("{s:I, s:s, s:I, s:I, s:b}", "id", (json_int_t)a->id, "address",
			 a->address, "quota", (json_int_t)a->quota_bytes, "used",
			 (json_int_t)a->used_bytes, "enabled", a->enabled);
}

/* append_user - store_account_list_fn adding to a JSON array */
static int append_user(const struct store_account *a, void *arg)
{
	json_array_append_new(arg, user_json(a));
	return 0;
}

/* list_users - web_api_admin_lister over store_account_list_page */
static int list_users(PGconn *conn, const char *domain, const char *match, int64_t limit,
		      int64_t offset, json_t *arr, const char **error_r)
{
	return store_account_list_page(conn, domain, match, limit, offset, append_user, arr,
				       error_r);
}

int web_api_admin_users_list(PGconn *conn, struct web_call *call, const char **error_r)
{
	return web_api_admin_list_by_domain(conn, call, "users", list_users, error_r);
}

/* user_quota - the optional "quota": bytes (0: unlimited) or a size text like "500M", as
 * `merpati user --quota` takes; false after a 400 */
static bool user_quota(struct web_call *call, int64_t *quota_r, bool *given_r)
{
	const json_t *v = json_object_get(call->in, "quota");
	struct store_admin_result r;

	*given_r = v != NULL;
	if (v == NULL)
		return true;
	if (json_is_integer(v) && json_integer_value(v) >= 0) {
		*quota_r = json_integer_value(v);
		return true;
	}
	if (json_is_string(v) && json_string_length(v) <= 32 &&
	    store_admin_quota(json_string_value(v), quota_r, &r) == STORE_ADMIN_OK)
		return true;
	web_call_error(call, 400, "bad_request",
		       "quota must be bytes (0 for unlimited) or a size such as 500M or 1G");
	return false;
}

/* user_password_hash - check and hash the "password" member; false after a 400 */
static bool user_password_hash(struct web_call *call, char hash[AUTH_HASH_SIZE])
{
	const json_t *v = json_object_get(call->in, "password");
	struct store_admin_result r;

	if (!json_is_string(v)) {
		web_call_error(call, 400, "bad_request", "password must be a string");
		return false;
	}
	if (store_admin_password_hash(json_string_value(v), json_string_length(v), hash, &r) !=
	    STORE_ADMIN_OK) {
		web_api_admin_refuse(call, &r);
		return false;
	}
	return true;
}

/* user_answer - answer with the account id as stored now */
static int user_answer(PGconn *conn, struct web_call *call, int64_t id, int status,
		       const char **error_r)
{
	struct store_account a;
	int found = store_account_find_id(conn, id, &a, error_r);

	if (found < 0)
		return -1;
	if (found == 0)
		web_call_error(call, 404, "not_found", "no such user");
	else
		web_call_json(call, status, json_pack("{s:o}", "user", user_json(&a)));
	return 0;
}

int web_api_admin_users_create(PGconn *conn, struct web_call *call, const char **error_r)
{
	const char *in = web_api_admin_string(call, "address", STORE_ADDRESS_MAX);
	char address[STORE_ADDRESS_SIZE], hash[AUTH_HASH_SIZE];
	struct store_admin_result r;
	int64_t quota = 0, id = 0;
	bool given;

	if (in == NULL || !user_quota(call, &quota, &given))
		return 0;
	/* as `merpati user add`: the address, then the database, then the password (hashing
	 * is the costly step) */
	if (store_admin_address(in, NULL, address, &r) != STORE_ADMIN_OK ||
	    store_admin_user_check_new(conn, address, &r) != STORE_ADMIN_OK)
		return web_api_admin_fail(call, &r, error_r);
	if (!user_password_hash(call, hash))
		return 0;
	if (store_admin_user_create(conn, address, hash, quota, &id, &r) != STORE_ADMIN_OK)
		return web_api_admin_fail(call, &r, error_r);
	return user_answer(conn, call, id, 201, error_r);
}

struct user_change {
	const char *address;
	const char *hash;     /* NULL: keep the password */
	bool set_quota, set_enabled, enabled;
	int64_t quota;
};

/* user_change_tx - web_api_admin_tx_fn: the changes of a PATCH, together */
static enum store_admin_code user_change_tx(PGconn *conn, void *arg,
					    struct store_admin_result *r)
{
	struct user_change *c = arg;
	enum store_admin_code code = STORE_ADMIN_OK;

	if (c->hash != NULL)
		code = store_admin_user_passwd(conn, c->address, c->hash, r);
	if (code == STORE_ADMIN_OK && c->set_quota)
		code = store_admin_user_quota(conn, c->address, c->quota, r);
	if (code == STORE_ADMIN_OK && c->set_enabled)
		code = store_admin_user_enabled(conn, c->address, c->enabled, r);
	return code;
}

int web_api_admin_users_update(PGconn *conn, struct web_call *call, const char **error_r)
{
	const json_t *enabled = json_object_get(call->in, "enabled");
	struct user_change c = { .set_enabled = enabled != NULL };
	char hash[AUTH_HASH_SIZE];
	struct store_admin_result r;
	struct store_account a;
	int found, ret;

	if (enabled != NULL && !json_is_boolean(enabled)) {
		web_call_error(call, 400, "bad_request", "enabled must be true or false");
		return 0;
	}
	c.enabled = json_is_true(enabled);
	if (!user_quota(call, &c.quota, &c.set_quota))
		return 0;
	if ((found = store_account_find_id(conn, call->ids[0], &a, error_r)) < 0)
		return -1;
	if (found == 0) {
		web_call_error(call, 404, "not_found", "no such user");
		return 0;
	}
	if (json_object_get(call->in, "password") != NULL) {
		if (!user_password_hash(call, hash))
			return 0;
		c.hash = hash;
	}
	c.address = a.address;
	if ((ret = web_api_admin_tx(conn, user_change_tx, &c, &r, error_r)) < 0)
		return -1;
	if (ret == 0) {
		web_api_admin_refuse(call, &r);
		return 0;
	}
	return user_answer(conn, call, a.id, 200, error_r);
}

int web_api_admin_users_delete(PGconn *conn, struct web_call *call, const char **error_r)
{
	struct store_admin_result r;
	struct store_account a;
	int found = store_account_find_id(conn, call->ids[0], &a, error_r);

	if (found < 0)
		return -1;
	if (found == 0) {
		web_call_error(call, 404, "not_found", "no such user");
		return 0;
	}
	if (store_admin_user_remove(conn, a.address, &r) != STORE_ADMIN_OK)
		return web_api_admin_fail(call, &r, error_r);
	web_call_json(call, 200, json_object());
	return 0;
}
