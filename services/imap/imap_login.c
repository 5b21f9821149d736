/* imap_login - password check on the store pool, bounds, and the AUTH state. */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "log/log.h"
#include "services/imap/imap_conn.h"
#include "services/imap/imap_login.h"
#include "store/account.h"

#define LOGIN_PASS_MAX 1024

struct login_job {
	char user[STORE_ADDRESS_SIZE];
	char pass[LOGIN_PASS_MAX + 1];
	size_t pass_len;
	struct store_account acct;
	int result;   /* 1 accepted, 0 refused */
};

/* login_work - on a pool thread: argon2id check (store_account_login) */
static int login_work(PGconn *conn, void *arg, const char **error_r)
{
	struct login_job *job = arg;
	int r = store_account_login(conn, job->user, job->pass, job->pass_len, &job->acct,
				    error_r);

	sodium_memzero(job->pass, sizeof(job->pass));
	if (r < 0)
		return -1;
	job->result = r;
	return 0;
}

/* imap_login_start - see imap_login.h */
enum imap_cmd_result imap_login_start(struct imap_cmd_ctx *ctx, const char *user,
				      const char *pass, size_t pass_len)
{
	struct login_job *job = imap_arena_alloc(ctx->arena, sizeof(*job));

	if (strlen(user) >= sizeof(job->user) || pass_len > LOGIN_PASS_MAX) {
		imap_reply_tagged(ctx, IMAP_NO, "AUTHENTICATIONFAILED", "Invalid credentials");
		return IMAP_CMD_DONE;
	}
	strcpy(job->user, user);
	memcpy(job->pass, pass, pass_len);
	job->pass_len = pass_len;
	ctx->state = job;
	ctx->step = IMAP_LOGIN_STEP_CHECK;
	if (imap_cmd_submit(ctx, login_work, job) < 0) {
		sodium_memzero(job->pass, sizeof(job->pass));
		imap_reply_tagged(ctx, IMAP_NO, "UNAVAILABLE", "Try again later");
		return IMAP_CMD_DONE;
	}
	return IMAP_CMD_WAIT;
}

/* login_failed - count it; wait before answering (slows password guessing) */
static enum imap_cmd_result login_failed(struct imap_cmd_ctx *ctx)
{
	struct imap_conn *ic = (struct imap_conn *)ctx->session->conn;

	ctx->step = IMAP_LOGIN_STEP_DELAY;
	if (ic == NULL || ctx->session->cfg->auth_fail_delay_ms <= 0)
		return imap_login_step(ctx);
	imap_cmd_sleep(ctx, (unsigned)ctx->session->cfg->auth_fail_delay_ms);
	return IMAP_CMD_WAIT;
}

/* login_accepted - the AUTH state, if the account has room for one more session */
static enum imap_cmd_result login_accepted(struct imap_cmd_ctx *ctx, struct login_job *job)
{
	struct imap_session *s = ctx->session;
	struct imap_conn *ic = (struct imap_conn *)s->conn;

	if (ic != NULL && !imap_server_user_add(ic->srv, job->acct.id, s->cfg->max_per_user)) {
		log_info("session=%s event=login result=limit user=%s", ic->id, job->acct.address);
		imap_reply_tagged(ctx, IMAP_NO, "LIMIT", "Too many sessions for this user");
		return IMAP_CMD_DONE;
	}
	if (ic != NULL)
		ic->user_counted = true;
	s->account_id = job->acct.id;
	snprintf(s->user, sizeof(s->user), "%s", job->acct.address);
	s->state = IMAP_STATE_AUTH;
	if (ic != NULL)
		log_info("session=%s event=login result=ok user=%s", ic->id, s->user);
	/* RFC 3501 6.2.3: the capabilities change after login, so they are sent again */
	imap_reply_tagged(ctx, IMAP_OK, imap_capability_text(s, ctx->arena), "Logged in");
	return IMAP_CMD_DONE;
}

/* imap_login_step - see imap_login.h */
enum imap_cmd_result imap_login_step(struct imap_cmd_ctx *ctx)
{
	struct login_job *job = ctx->state;
	struct imap_conn *ic = (struct imap_conn *)ctx->session->conn;

	if (ctx->step == IMAP_LOGIN_STEP_CHECK) {
		if (ctx->job_ret < 0) {
			imap_reply_tagged(ctx, IMAP_NO, "UNAVAILABLE", "Try again later");
			return IMAP_CMD_DONE;
		}
		if (job->result == 1)
			return login_accepted(ctx, job);
		if (ic != NULL)
			log_info("session=%s event=login result=failed", ic->id);
		return login_failed(ctx);
	}
	if (ic != NULL && ++ic->auth_failures >= ctx->session->cfg->max_auth_failures) {
		imap_reply_untagged(ctx->session, "BYE Too many failed logins");
		ctx->session->state = IMAP_STATE_LOGOUT;
	}
	imap_reply_tagged(ctx, IMAP_NO, "AUTHENTICATIONFAILED", "Authentication failed");
	return IMAP_CMD_DONE;
}
