/* admin_user - mail accounts as an administrator manages them (`merpati user`, the
 * webmail's /api/admin/users); results as admin.h describes. */
#ifndef MERPATI_STORE_ADMIN_USER_H
#define MERPATI_STORE_ADMIN_USER_H

#include <libpq-fe.h>
#include <stddef.h>
#include <stdint.h>

#include "auth/auth.h"
#include "store/account.h"
#include "store/admin.h"

/* store_admin_quota - a quota given as text ("500M", "1G", "0" for unlimited) in bytes */
enum store_admin_code store_admin_quota(const char *in, int64_t *bytes_r,
					struct store_admin_result *r);
/* store_admin_password_hash - check a new password against the policy (auth.h, with
 * MERPATI_PASSWORD_MIN_LENGTH) and hash it with argon2id into hash */
enum store_admin_code store_admin_password_hash(const char *password, size_t len,
						char hash[AUTH_HASH_SIZE],
						struct store_admin_result *r);
/* store_admin_user_check_new - address (normalised) may become an account: its domain
 * exists (NOT_FOUND) and the account does not (EXISTS) */
enum store_admin_code store_admin_user_check_new(PGconn *conn, const char *address,
						 struct store_admin_result *r);
/* store_admin_user_find - the account of address; NOT_FOUND if none */
enum store_admin_code store_admin_user_find(PGconn *conn, const char *address,
					    struct store_account *out,
					    struct store_admin_result *r);
/* store_admin_user_create - create the account address (normalised, checked with
 * store_admin_user_check_new) with its default mailboxes, in a transaction of its own
 * (never inside another); EXISTS when another creation won the race */
enum store_admin_code store_admin_user_create(PGconn *conn, const char *address,
					      const char *hash, int64_t quota, int64_t *id_r,
					      struct store_admin_result *r);
/* store_admin_user_passwd, _quota, _enabled, _remove - change or remove the account of
 * address (normalised); NOT_FOUND if none. A new password also ends the account's webmail
 * sessions. */
enum store_admin_code store_admin_user_passwd(PGconn *conn, const char *address,
					      const char *hash, struct store_admin_result *r);
enum store_admin_code store_admin_user_quota(PGconn *conn, const char *address, int64_t quota,
					     struct store_admin_result *r);
enum store_admin_code store_admin_user_enabled(PGconn *conn, const char *address, bool enabled,
					       struct store_admin_result *r);
enum store_admin_code store_admin_user_remove(PGconn *conn, const char *address,
					      struct store_admin_result *r);

#endif
