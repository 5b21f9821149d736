/* pop3_store - the pop3 service's database work, as store pool jobs (lib/store/pool.h).
 *
 * Each job struct carries its inputs and outputs; its work function runs on a worker
 * thread with that worker's connection and touches nothing else. The job struct is the
 * pool's arg; `conn` leads the way back to whoever submitted it, for the done callback. */
#ifndef MERPATI_POP3_STORE_H
#define MERPATI_POP3_STORE_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "services/pop3/pop3_session.h"
#include "store/maildrop.h"

/* Check a password, lock the maildrop and snapshot it (RFC 1939 7 PASS). */
struct pop3_store_login {
	void *conn;             /* the submitter's, untouched by the work */
	char user[POP3_SESSION_USER_MAX + 1];
	char pass[POP3_SESSION_PASS_MAX + 1];
	char owner[MAILDROP_OWNER_MAX];
	long lock_ttl;
	size_t max_messages;
	long login_delay;       /* seconds, 0: none; for releasing after a failed open */
	enum pop3_login_result result;
	struct maildrop *md;    /* on POP3_LOGIN_OK, for the session to take */
};
int pop3_store_login_work(PGconn *conn, void *arg, const char **error_r);

/* Read the next chunk of a message for RETR/TOP (the first call also finds it). */
struct pop3_store_read {
	void *conn;             /* the submitter's, untouched by the work */
	int64_t mailbox_id;
	uint32_t uid;
	bool opened;
	int found;              /* after the first call: 1 found, 0 expunged meanwhile */
	struct maildrop_reader reader;
	uint64_t offset;        /* octets delivered so far */
	uint8_t *buf;
	size_t cap;
	size_t len;             /* octets in buf from the last call; 0 at the end */
};
int pop3_store_read_work(PGconn *conn, void *arg, const char **error_r);

/* The UPDATE state: remove what DELE marked, \Seen what RETR sent, release the lock, in
 * one transaction. */
struct pop3_store_update {
	void *conn;             /* the submitter's, untouched by the work */
	const struct maildrop *md;  /* the session's; the connection outlives the job */
	char owner[MAILDROP_OWNER_MAX];
	long login_delay;
	struct maildrop_update_result result;
};
int pop3_store_update_work(PGconn *conn, void *arg, const char **error_r);

/* Keep the lock alive, or let it go. */
struct pop3_store_lock {
	void *conn;             /* the submitter's, untouched by the work */
	int64_t account_id;
	char owner[MAILDROP_OWNER_MAX];
	long lock_ttl;
	long login_delay;       /* unlock: RFC 2449 LOGIN-DELAY seconds to keep, 0: none */
	int held;               /* refresh: 1 still ours, 0 lost */
};
int pop3_store_refresh_work(PGconn *conn, void *arg, const char **error_r);
int pop3_store_unlock_work(PGconn *conn, void *arg, const char **error_r);

#endif
