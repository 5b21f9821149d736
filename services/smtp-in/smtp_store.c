/* smtp_store.c - RCPT lookups, AUTH, sender checks and the queue insert on the store pool */
#include "smtp_store.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "store/account.h"
#include "store/alias.h"
#include "store/auth_failures.h"
#include "store/domain.h"
#include "store/recipient.h"

struct rcpt_job {
	char address[SMTP_ADDRESS_PATH_MAX + 1];
	char domain[SMTP_ADDRESS_DOMAIN_MAX + 1];
	enum smtp_rcpt_result result;
	smtp_store_rcpt_cb *cb;
	void *arg;
};

/* rcpt_work - classify the address; an address the store cannot hold (quoted local part,
 * odd characters) is still "unknown user" in our domains and "foreign" elsewhere */
static int rcpt_work(PGconn *conn, void *arg, const char **error_r)
{
	struct rcpt_job *j = arg;
	enum store_recipient_kind kind;
	struct store_domain d;
	char norm[STORE_ADDRESS_SIZE];
	const char *why;
	int found;

	if (j->domain[0] == '[') {
		j->result = SMTP_RCPT_FOREIGN; /* an address literal is never one of our domains */
		return 0;
	}
	if (store_address_normalize(j->address, norm, &why) == 0) {
		if (store_recipient_lookup(conn, norm, &kind, error_r) < 0)
			return -1;
		j->result = kind == STORE_RECIPIENT_LOCAL ? SMTP_RCPT_OK :
			    kind == STORE_RECIPIENT_LOCAL_UNKNOWN ? SMTP_RCPT_NO_SUCH_USER :
			    SMTP_RCPT_FOREIGN;
		return 0;
	}
	found = store_domain_find(conn, j->domain, &d, error_r);
	if (found < 0)
		return -1;
	j->result = found > 0 ? SMTP_RCPT_NO_SUCH_USER : SMTP_RCPT_FOREIGN;
	return 0;
}

/* rcpt_done - on the loop: map the outcome, hand it over, free the job */
static void rcpt_done(int ret, const char *error, void *arg)
{
	struct rcpt_job *j = arg;

	j->cb(ret < 0 ? SMTP_RCPT_TEMPFAIL : j->result, j->arg);
	free(j);
}

/* smtp_store_rcpt - queue a RCPT lookup */
int smtp_store_rcpt(struct store_pool *pool, const struct smtp_address *to,
		    smtp_store_rcpt_cb *cb, void *arg)
{
	struct rcpt_job *j = calloc(1, sizeof(*j));

	if (j == NULL)
		abort();
	if (smtp_address_mailbox(to, j->address, sizeof(j->address)) < 0) {
		free(j);
		return -1;
	}
	memcpy(j->domain, to->domain, sizeof(j->domain));
	j->cb = cb;
	j->arg = arg;
	if (store_pool_submit(pool, rcpt_work, rcpt_done, j) < 0) {
		free(j);
		return -1;
	}
	return 0;
}

struct login_job {
	char user[SMTP_SASL_USER_MAX + 1];
	char password[SMTP_SASL_PASS_MAX + 1];
	char client[STORE_AUTH_CLIENT_MAX + 1];
	unsigned max_failures;
	long window;
	int64_t account_id;
	char address[STORE_ADDRESS_SIZE];
	smtp_store_login_cb *cb;
	void *arg;
};

#define LOGIN_LOCKED 2 /* login_work's answer for a client locked out */

/* login_work - on a worker: the lockout, store_account_login, the count; then wipe the
 * password. 1 ok, 0 refused, LOGIN_LOCKED, -1 store error */
static int login_work(PGconn *conn, void *arg, const char **error_r)
{
	struct login_job *j = arg;
	struct store_account a;
	int r = store_auth_locked(conn, j->client, j->max_failures, j->window, error_r);

	if (r == 0)
		r = store_account_login(conn, j->user, j->password, strlen(j->password), &a,
					error_r);
	else if (r > 0)
		r = LOGIN_LOCKED;
	sodium_memzero(j->password, sizeof(j->password));
	if (r == 1) {
		j->account_id = a.id;
		memcpy(j->address, a.address, sizeof(j->address));
		if (store_auth_succeeded(conn, j->client, error_r) < 0)
			return -1;
	} else if (r == 0 && store_auth_failed(conn, j->client, j->window, error_r) < 0) {
		return -1;
	}
	return r;
}

/* login_done - on the loop: map the outcome, hand it over, free the job */
static void login_done(int ret, const char *error, void *arg)
{
	struct login_job *j = arg;
	enum smtp_auth_result r = ret == LOGIN_LOCKED ? SMTP_AUTH_LOCKED : ret > 0 ? SMTP_AUTH_OK :
				  ret == 0 ? SMTP_AUTH_FAILED : SMTP_AUTH_TEMPFAIL;

	sodium_memzero(j->password, sizeof(j->password));
	j->cb(r, j->account_id, j->address, j->arg);
	free(j);
}

/* smtp_store_login - queue a password check */
int smtp_store_login(struct store_pool *pool, const char *user, const char *password,
		     const struct smtp_store_lockout *lockout, smtp_store_login_cb *cb, void *arg)
{
	struct login_job *j = calloc(1, sizeof(*j));

	if (j == NULL)
		abort();
	if (strlen(user) >= sizeof(j->user) || strlen(password) >= sizeof(j->password) ||
	    strlen(lockout->client) >= sizeof(j->client)) {
		free(j);
		return -1;
	}
	strcpy(j->user, user);
	strcpy(j->password, password);
	strcpy(j->client, lockout->client);
	j->max_failures = lockout->failures;
	j->window = lockout->window;
	j->cb = cb;
	j->arg = arg;
	if (store_pool_submit(pool, login_work, login_done, j) < 0) {
		sodium_memzero(j->password, sizeof(j->password));
		free(j);
		return -1;
	}
	return 0;
}

struct sender_job {
	int64_t account_id;
	char from[SMTP_ADDRESS_PATH_MAX + 1];
	smtp_store_sender_cb *cb;
	void *arg;
};

/* sender_work - on a worker: store_account_may_send_as */
static int sender_work(PGconn *conn, void *arg, const char **error_r)
{
	struct sender_job *j = arg;

	return store_account_may_send_as(conn, j->account_id, j->from, error_r);
}

/* sender_done - on the loop: map the outcome, hand it over, free the job */
static void sender_done(int ret, const char *error, void *arg)
{
	struct sender_job *j = arg;

	j->cb(ret > 0 ? SMTP_CHECK_OK : ret == 0 ? SMTP_CHECK_REFUSED : SMTP_CHECK_TEMPFAIL,
	      j->arg);
	free(j);
}

/* smtp_store_sender - queue a may-send-as check */
int smtp_store_sender(struct store_pool *pool, int64_t account_id, const struct smtp_address *from,
		      smtp_store_sender_cb *cb, void *arg)
{
	struct sender_job *j = calloc(1, sizeof(*j));

	if (j == NULL)
		abort();
	if (smtp_address_mailbox(from, j->from, sizeof(j->from)) < 0) {
		free(j);
		return -1;
	}
	j->account_id = account_id;
	j->cb = cb;
	j->arg = arg;
	if (store_pool_submit(pool, sender_work, sender_done, j) < 0) {
		free(j);
		return -1;
	}
	return 0;
}

struct expn_job {
	char address[SMTP_ADDRESS_PATH_MAX + 1];
	struct store_alias_members m;
	smtp_store_expn_cb *cb;
	void *arg;
};

/* expn_work - on a worker: store_alias_members; an address the store cannot hold is
 * nobody's */
static int expn_work(PGconn *conn, void *arg, const char **error_r)
{
	struct expn_job *j = arg;
	char norm[STORE_ADDRESS_SIZE];
	const char *why;

	if (store_address_normalize(j->address, norm, &why) < 0)
		return 0; /* m.kind stays UNKNOWN */
	return store_alias_members(conn, norm, &j->m, error_r);
}

/* expn_done - on the loop: the members as the session wants them, then free the job */
static void expn_done(int ret, const char *error, void *arg)
{
	struct expn_job *j = arg;
	const char *members[STORE_ALIAS_MEMBERS_MAX];
	enum smtp_expn_result r = ret < 0 ? SMTP_EXPN_TEMPFAIL :
				  j->m.kind == STORE_ALIAS_MEMBERS_LIST ? SMTP_EXPN_LIST :
				  j->m.kind == STORE_ALIAS_MEMBERS_ACCOUNT ? SMTP_EXPN_ACCOUNT :
				  SMTP_EXPN_UNKNOWN;

	for (size_t i = 0; i < j->m.count; i++)
		members[i] = j->m.members[i];
	j->cb(r, members, ret < 0 ? 0 : j->m.count, j->m.truncated, j->arg);
	free(j);
}

/* smtp_store_expn - queue an EXPN lookup */
int smtp_store_expn(struct store_pool *pool, const struct smtp_address *a, smtp_store_expn_cb *cb,
		    void *arg)
{
	struct expn_job *j = calloc(1, sizeof(*j));

	if (j == NULL)
		abort();
	if (smtp_address_mailbox(a, j->address, sizeof(j->address)) < 0) {
		free(j);
		return -1;
	}
	j->cb = cb;
	j->arg = arg;
	if (store_pool_submit(pool, expn_work, expn_done, j) < 0) {
		free(j);
		return -1;
	}
	return 0;
}

struct insert_job {
	struct queue_in_job *job;
	const void *msg;
	size_t len;
	smtp_store_insert_cb *cb;
	void *arg;
};

/* insert_work - on a worker: queue_in_insert, its own transaction */
static int insert_work(PGconn *conn, void *arg, const char **error_r)
{
	struct insert_job *j = arg;

	return queue_in_insert(conn, j->job, j->msg, j->len, error_r);
}

/* insert_done - on the loop: the job id when committed, else -1 */
static void insert_done(int ret, const char *error, void *arg)
{
	struct insert_job *j = arg;

	/* DESIGN.md rule 2: only a committed insert (ret 0) is a success */
	j->cb(ret == 0 && j->job->id > 0 ? j->job->id : -1,
	      error != NULL ? error : ret == STORE_POOL_UNAVAILABLE ? "no database connection" : NULL,
	      j->arg);
	free(j);
}

/* smtp_store_insert - queue the insert of one message and its envelope */
int smtp_store_insert(struct store_pool *pool, struct queue_in_job *job, const void *msg,
		      size_t len, smtp_store_insert_cb *cb, void *arg)
{
	struct insert_job *j = calloc(1, sizeof(*j));

	if (j == NULL)
		abort();
	j->job = job;
	j->msg = msg;
	j->len = len;
	j->cb = cb;
	j->arg = arg;
	if (store_pool_submit(pool, insert_work, insert_done, j) < 0) {
		free(j);
		return -1;
	}
	return 0;
}
