/* admin - the outcome of an administrative operation, shared by `merpati` and the webmail's
 * /api/admin/ (admin_domain.h, admin_user.h, admin_alias.h, admin_share.h, admin_queue.h).
 *
 * Those functions validate their input and check the database the same way for both
 * callers, and return a code with a message for people; the caller turns the code into an
 * exit status (CLI: 1 for every refusal) or an HTTP status (400, 404, 409). They run inside
 * the caller's transaction unless they say otherwise. */
#ifndef MERPATI_STORE_ADMIN_H
#define MERPATI_STORE_ADMIN_H

#include "store/address.h"

#define STORE_ADMIN_MESSAGE_MAX 512

enum store_admin_code {
	STORE_ADMIN_OK = 0,
	STORE_ADMIN_INVALID,   /* a value that does not validate */
	STORE_ADMIN_NOT_FOUND, /* the domain, account, mailbox, alias or job does not exist */
	STORE_ADMIN_EXISTS,    /* it exists already */
	STORE_ADMIN_REFUSED,   /* valid, but not now (a domain that still has accounts) */
	STORE_ADMIN_DB,        /* the database failed: db_error says why */
};

struct store_admin_result {
	enum store_admin_code code;
	char message[STORE_ADMIN_MESSAGE_MAX]; /* one line for people; "" when OK */
	const char *db_error;  /* STORE_ADMIN_DB: the db_* message, valid until the next db_* call */
};

/* store_admin_fail - set code and the formatted message into r; returns code */
enum store_admin_code store_admin_fail(struct store_admin_result *r, enum store_admin_code code,
				       const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* store_admin_db - record a database failure (error from a db_* or store function) */
enum store_admin_code store_admin_db(struct store_admin_result *r, const char *error);

/* store_admin_address - normalise an address operand into out; role ("target", "owner"...)
 * or NULL names it in the message */
enum store_admin_code store_admin_address(const char *in, const char *role,
					  char out[STORE_ADDRESS_SIZE],
					  struct store_admin_result *r);
/* store_admin_domain_name - normalise a domain operand into out */
enum store_admin_code store_admin_domain_name(const char *in, char out[STORE_DOMAIN_SIZE],
					      struct store_admin_result *r);
#endif
