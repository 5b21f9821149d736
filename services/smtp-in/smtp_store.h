/* smtp_store - smtp-in's stubs for the store: each runs one lib/store or lib/queue call on
 * the worker pool and hands the answer back on the loop thread, mapped to what the session
 * understands. A database that is down is always a temporary failure, never a refusal. */
#ifndef MERPATI_SMTP_STORE_H
#define MERPATI_SMTP_STORE_H

#include <stdint.h>

#include "queue/queue.h"
#include "smtp_session.h"
#include "store/pool.h"

typedef void smtp_store_rcpt_cb(enum smtp_rcpt_result r, void *arg);
/* on success, account_id and address are the account's (address is its canonical form) */
typedef void smtp_store_login_cb(enum smtp_auth_result r, int64_t account_id,
				 const char *address, void *arg);
typedef void smtp_store_sender_cb(enum smtp_check_result r, void *arg);
/* members[0..n) are mailboxes, valid during the call only */
typedef void smtp_store_expn_cb(enum smtp_expn_result r, const char *const *members, size_t n,
				bool truncated, void *arg);
/* id > 0: committed as that queue_in job; -1: nothing stored */
typedef void smtp_store_insert_cb(int64_t id, const char *error, void *arg);

/* smtp_store_rcpt - RCPT check of a "local@domain" address (RFC 5321 4.1.1.3) */
int smtp_store_rcpt(struct store_pool *pool, const struct smtp_address *to,
		    smtp_store_rcpt_cb *cb, void *arg);
/* What a login counts failures against (lib/store/auth_failures.h): the client's key,
 * locked out after `failures` within `window` seconds. */
struct smtp_store_lockout {
	const char *client;
	unsigned failures;
	long window;
};
/* smtp_store_login - password check, unless the client is locked out (SMTP_AUTH_LOCKED, the
 * password not checked); failures are counted, a success forgets them. The password is
 * copied and wiped after use. */
int smtp_store_login(struct store_pool *pool, const char *user, const char *password,
		     const struct smtp_store_lockout *lockout, smtp_store_login_cb *cb, void *arg);
/* smtp_store_sender - may this account use `from` as the envelope sender? */
int smtp_store_sender(struct store_pool *pool, int64_t account_id, const struct smtp_address *from,
		      smtp_store_sender_cb *cb, void *arg);
/* smtp_store_expn - EXPN of an address: an alias's targets or the account (RFC 5321 3.5.2) */
int smtp_store_expn(struct store_pool *pool, const struct smtp_address *a, smtp_store_expn_cb *cb,
		    void *arg);
/* smtp_store_insert - queue_in_insert of job and msg (both must stay valid until cb) */
int smtp_store_insert(struct store_pool *pool, struct queue_in_job *job, const void *msg,
		      size_t len, smtp_store_insert_cb *cb, void *arg);

#endif
