/* pop3_store.c - pool jobs: login + lock + snapshot, chunked reads, UPDATE, lock upkeep */
#include "services/pop3/pop3_store.h"

#include <string.h>

#include <sodium.h>

#include "store/account.h"
#include "store/db.h"

int pop3_store_login_work(PGconn *conn, void *arg, const char **error_r)
{
	struct pop3_store_login *job = arg;
	struct store_account acct;
	int ok = store_account_login(conn, job->user, job->pass, strlen(job->pass), &acct, error_r);
	int locked;

	sodium_memzero(job->pass, sizeof(job->pass));
	job->result = POP3_LOGIN_TEMPFAIL;
	if (ok <= 0) {
		if (ok == 0)
			job->result = POP3_LOGIN_FAILED;
		return ok;
	}
	locked = maildrop_lock(conn, acct.id, job->owner, job->lock_ttl, error_r);
	if (locked != 1) {
		if (locked >= 0)
			job->result = locked == 2 ? POP3_LOGIN_DELAY : POP3_LOGIN_IN_USE;
		return locked < 0 ? -1 : 0;
	}
	/* RFC 1939 8: the maildrop is locked first, then looked at */
	job->md = maildrop_open(conn, acct.id, job->max_messages, error_r);
	if (job->md == NULL) {
		const char *ignored;
		/* an account without an INBOX will not get one by trying again */
		bool permanent = strcmp(db_sqlstate(), "P0002") == 0;
		(void)maildrop_unlock(conn, acct.id, job->owner, 0, &ignored);
		if (!permanent)
			return -1;
		job->result = POP3_LOGIN_PERMFAIL;
		return 0;
	}
	job->result = POP3_LOGIN_OK;
	return 0;
}

int pop3_store_read_work(PGconn *conn, void *arg, const char **error_r)
{
	struct pop3_store_read *job = arg;
	ssize_t n;

	if (!job->opened) {
		job->found = maildrop_reader_open(conn, job->mailbox_id, job->uid, &job->reader,
						  job->buf, job->cap, &job->len, error_r);
		if (job->found <= 0)
			return job->found;
		job->opened = true;
		return 0;
	}
	n = maildrop_reader_read(conn, &job->reader, job->offset, job->buf, job->cap, error_r);
	if (n < 0)
		return -1;
	job->len = (size_t)n;
	return 0;
}

int pop3_store_update_work(PGconn *conn, void *arg, const char **error_r)
{
	struct pop3_store_update *job = arg;

	return maildrop_update(conn, job->md, job->owner, job->login_delay, &job->result, error_r);
}

int pop3_store_refresh_work(PGconn *conn, void *arg, const char **error_r)
{
	struct pop3_store_lock *job = arg;

	job->held = maildrop_lock_refresh(conn, job->account_id, job->owner, job->lock_ttl, error_r);
	return job->held < 0 ? -1 : 0;
}

int pop3_store_unlock_work(PGconn *conn, void *arg, const char **error_r)
{
	struct pop3_store_lock *job = arg;

	return maildrop_unlock(conn, job->account_id, job->owner, job->login_delay, error_r) < 0 ?
		-1 : 0;
}
