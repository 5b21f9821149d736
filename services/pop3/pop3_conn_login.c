/* pop3_conn_login.c - POP3_ACTION_LOGIN on the store pool (password, lock, snapshot), the
 * failed-login delay, and the maildrop lock's upkeep and release */
#include "services/pop3/pop3_conn_int.h"

#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "log/log.h"

/* conn_unlock_done - the lock release ended; a failure only means it expires later */
static void conn_unlock_done(int ret, const char *error, void *arg)
{
	struct pop3_conn *pc = *(void **)arg;

	pc->jobs--;
	if (ret < 0)
		log_warn("session=%s event=unlock_failed error=\"%s\" (the lock expires on its own)",
			 pc->id, error != NULL ? error : "store unavailable");
	pop3_conn_release(pc);
}

/* pop3_conn_login_delay - seconds a finished session keeps others out (RFC 2449 6.8), 0: none */
long pop3_conn_login_delay(const struct pop3_conn *pc)
{
	return pc->scfg.login_delay > 0 ? pc->scfg.login_delay : 0;
}

/* pop3_conn_unlock - give the maildrop back (QUIT without UPDATE, drop, timeout) */
void pop3_conn_unlock(struct pop3_conn *pc, int64_t account_id)
{
	pc->unlock.account_id = account_id;
	pc->unlock.login_delay = pop3_conn_login_delay(pc);
	memcpy(pc->unlock.owner, pc->owner, sizeof(pc->owner));
	if (pop3_conn_submit(pc, &pc->unlock.conn, pop3_store_unlock_work, conn_unlock_done) < 0)
		log_warn("session=%s event=unlock_failed error=\"pool queue full\"", pc->id);
}

/* conn_refresh_done - the lock upkeep ended; a lost lock makes the UPDATE state refuse */
static void conn_refresh_done(int ret, const char *error, void *arg)
{
	struct pop3_conn *pc = *(void **)arg;

	pc->jobs--;
	pc->refreshing = false;
	/* after the session ended or its UPDATE released the lock, "lost" is expected */
	if (ret >= 0 && pc->lock.held == 0 && pc->net != NULL && !pc->updating && !pc->updated)
		log_warn("session=%s event=lock_lost account=%lld", pc->id, (long long)pc->account_id);
	pop3_conn_release(pc);
}

/* pop3_conn_refresh - timer: keep the maildrop lock from expiring while the session lives */
void pop3_conn_refresh(evutil_socket_t fd, short what, void *arg)
{
	struct pop3_conn *pc = arg;

	if (pc->net == NULL || pc->refreshing || pc->updating || pc->updated)
		return;
	pc->lock.account_id = pc->account_id;
	pc->lock.lock_ttl = pc->srv->cfg->lock_ttl;
	memcpy(pc->lock.owner, pc->owner, sizeof(pc->owner));
	pc->refreshing = pop3_conn_submit(pc, &pc->lock.conn, pop3_store_refresh_work,
				     conn_refresh_done) == 0;
}

/* pop3_conn_login_finish - answer the login (after the failure delay, if any) */
void pop3_conn_login_finish(struct pop3_conn *pc)
{
	static const enum pop3_metric metric[] = {
		[POP3_LOGIN_OK] = POP3_METRIC_LOGIN_OK, [POP3_LOGIN_FAILED] = POP3_METRIC_LOGIN_FAILED,
		[POP3_LOGIN_IN_USE] = POP3_METRIC_LOGIN_IN_USE,
		[POP3_LOGIN_TEMPFAIL] = POP3_METRIC_LOGIN_TEMPFAIL,
		[POP3_LOGIN_PERMFAIL] = POP3_METRIC_LOGIN_PERMFAIL,
		[POP3_LOGIN_DELAY] = POP3_METRIC_LOGIN_DELAY,
	};
	static const char *const names[] = { "ok", "failed", "in_use", "tempfail", "permfail",
					     "login_delay" };
	enum pop3_login_result r = pc->login.result;
	char user[LOG_QUOTE_MAX];
	struct timeval tv = { pc->srv->cfg->lock_ttl / 3, 0 };
	enum pop3_action a;

	pop3_server_count(metric[r], 1);
	log_info("session=%s event=login result=%s user=%s", pc->id, names[r],
		 log_quote(user, pc->login.user, strlen(pc->login.user)));
	if (r == POP3_LOGIN_OK) {
		pc->account_id = pc->login.md->account_id;
		event_add(pc->refresh, &tv);
	}
	a = pop3_session_login_done(pc->s, r, pc->login.md);
	pc->login.md = NULL;
	pop3_conn_resume(pc, a);
}

/* conn_login_done - the login job ended: answer, after the failure delay if it failed */
static void conn_login_done(int ret, const char *error, void *arg)
{
	struct pop3_conn *pc = *(void **)arg;
	struct timeval delay = { pc->srv->cfg->auth_fail_delay, 0 };

	pc->jobs--;
	if (ret < 0) {
		/* the job set nothing better than its initial TEMPFAIL */
		log_warn("session=%s event=store_error op=login error=\"%s\"", pc->id,
			 error != NULL ? error : "store unavailable");
		pc->login.result = POP3_LOGIN_TEMPFAIL;
	}
	if (pc->net == NULL) {
		/* the client left while we worked: give back what the job took */
		if (pc->login.result == POP3_LOGIN_OK)
			pop3_conn_unlock(pc, pc->login.md->account_id);
		maildrop_free(&pc->login.md);
		pop3_conn_release(pc);
		return;
	}
	/* a wrong password is answered only after a pause, to slow guessing down */
	if (pc->login.result == POP3_LOGIN_FAILED && pc->srv->cfg->auth_fail_delay > 0) {
		pc->waiting = POP3_CONN_WAIT_LOGIN;
		event_add(pc->wait, &delay);
	} else {
		pop3_conn_login_finish(pc);
	}
}

/* pop3_conn_login_start - POP3_ACTION_LOGIN: check the password and lock the maildrop on the pool */
void pop3_conn_login_start(struct pop3_conn *pc)
{
	struct pop3_store_login *job = &pc->login;

	memset(job, 0, sizeof(*job));
	snprintf(job->user, sizeof(job->user), "%s", pop3_session_login_user(pc->s));
	snprintf(job->pass, sizeof(job->pass), "%s", pop3_session_login_pass(pc->s));
	memcpy(job->owner, pc->owner, sizeof(job->owner));
	job->lock_ttl = pc->srv->cfg->lock_ttl;
	job->max_messages = pc->srv->cfg->max_messages;
	job->result = POP3_LOGIN_TEMPFAIL;
	if (pop3_conn_submit(pc, &pc->login.conn, pop3_store_login_work, conn_login_done) < 0) {
		sodium_memzero(job->pass, sizeof(job->pass));
		pop3_conn_login_finish(pc);
	}
}
