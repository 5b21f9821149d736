/* account - mail accounts: lookup, creation, login, and who may send as whom. */
#ifndef MERPATI_STORE_ACCOUNT_H
#define MERPATI_STORE_ACCOUNT_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stdint.h>

#include "store/address.h"

struct store_account {
	int64_t id;
	int64_t domain_id;
	char address[STORE_ADDRESS_SIZE]; /* normalised */
	int64_t quota_bytes;              /* 0: unlimited */
	int64_t used_bytes;
	bool enabled;
	bool forward_keep_copy;           /* with forwards: also deliver to this account */
};

/* store_account_find - by address (normalised here); 1 found, 0 no such account, -1 error */
int store_account_find(PGconn *conn, const char *address, struct store_account *out,
		       const char **error_r);
/* store_account_find_id - by id; 1 found, 0 no such account, -1 error */
int store_account_find_id(PGconn *conn, int64_t id, struct store_account *out,
			  const char **error_r);
/* store_account_create - create an account in an existing domain with an argon2id hash
 * from auth_hash() and its default mailboxes (mailbox.h), in one transaction of its own
 * (db_tx: not inside another). -1 when the address is malformed, its domain unknown or the
 * account already exists. */
int store_account_create(PGconn *conn, const char *address, const char *password_hash,
			 int64_t quota_bytes, int64_t *id_r, const char **error_r);
/* store_account_set_password - replace the hash; 1 changed, 0 no such account, -1 error */
int store_account_set_password(PGconn *conn, const char *address, const char *password_hash,
			       const char **error_r);
/* store_account_set_quota - 1 changed, 0 no such account, -1 error */
int store_account_set_quota(PGconn *conn, const char *address, int64_t quota_bytes,
			    const char **error_r);
/* store_account_end_sessions - log the account out of every webmail session (after a
 * password reset by an administrator); the number ended or -1 */
int store_account_end_sessions(PGconn *conn, const char *address, const char **error_r);
/* store_account_set_enabled - a disabled account cannot log in nor keep a webmail session;
 * 1 changed, 0 no such account, -1 error */
int store_account_set_enabled(PGconn *conn, const char *address, bool enabled,
			      const char **error_r);
/* store_account_remove - delete an account and its mailboxes; 1 removed, 0 not found, -1 */
int store_account_remove(PGconn *conn, const char *address, const char **error_r);

/* store_account_list_fn - called once per account in address order; non-zero stops */
typedef int store_account_list_fn(const struct store_account *a, void *arg);
/* store_account_list - accounts of one domain (NULL: all); returns the count or -1 */
int store_account_list(PGconn *conn, const char *domain, store_account_list_fn *fn, void *arg,
		       const char **error_r);
/* store_account_list_page - the same, only addresses containing match (case-insensitive;
 * NULL: every one), at most limit accounts (< 0: all) after skipping offset */
int store_account_list_page(PGconn *conn, const char *domain, const char *match, int64_t limit,
			    int64_t offset, store_account_list_fn *fn, void *arg,
			    const char **error_r);

/* store_account_login - check a password. 1: accepted, *out filled; 0: unknown address,
 * wrong password or disabled account (indistinguishable on purpose, and an unknown address
 * costs the same argon2id work as a known one); -1: database error (a temporary failure). */
int store_account_login(PGconn *conn, const char *address, const char *password,
			size_t password_len, struct store_account *out, const char **error_r);

/* store_account_may_send_as - may this account use `from` as its envelope sender or From:?
 * Yes for its own address (also with a +tag) and for an alias whose targets include it.
 * 1 yes, 0 no, -1 error. */
int store_account_may_send_as(PGconn *conn, int64_t account_id, const char *from,
			      const char **error_r);

/* store_account_forward_add / _remove - forward the account's mail to another address;
 * keep_copy sets whether the account still receives a copy (for all its forwards). */
int store_account_forward_add(PGconn *conn, const char *address, const char *target,
			      bool keep_copy, const char **error_r);
int store_account_forward_remove(PGconn *conn, const char *address, const char *target,
				 const char **error_r);

#endif
