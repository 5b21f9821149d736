/* smtp_session.c - session lifecycle, the input loop over its modes, and action results */
#include "smtp_session_int.h"

#include <glib.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smtp_reply.h"

/* smtp_session_new - a session in command mode with the 220 greeting queued */
struct smtp_session *smtp_session_new(const struct smtp_session_config *cfg)
{
	struct smtp_session *s = calloc(1, sizeof(*s));

	if (s == NULL)
		abort();
	s->cfg = *cfg;
	snprintf(s->hostname, sizeof(s->hostname), "%s", cfg->hostname);
	s->cfg.hostname = s->hostname;
	s->tls = cfg->tls;
	s->out = evbuffer_new();
	s->body = evbuffer_new();
	if (s->out == NULL || s->body == NULL)
		abort();
	s->mode = SMTP_MODE_COMMAND;
	smtp_reply_printf(s->out, 220, NULL, "%s ESMTP Merpati", s->hostname);
	return s;
}

/* smtp_session_free - free and set *sp = NULL; the password is wiped */
void smtp_session_free(struct smtp_session **sp)
{
	struct smtp_session *s = *sp;

	if (s == NULL)
		return;
	sodium_memzero(s->auth_pass, sizeof(s->auth_pass));
	evbuffer_free(s->out);
	evbuffer_free(s->body);
	free(s->rcpts);
	free(s);
	*sp = NULL;
}

/* smtp_session_output - the replies waiting for the net layer */
struct evbuffer *smtp_session_output(struct smtp_session *s)
{
	return s->out;
}

/* smtp_session_close - a last reply, then nothing more is read */
void smtp_session_close(struct smtp_session *s, const char *reply)
{
	if (reply != NULL)
		smtp_reply_str(s->out, reply);
	s->mode = SMTP_MODE_CLOSED;
}

/* smtp_session_error - a refusal that counts towards MERPATI_SMTP_MAX_ERRORS */
void smtp_session_error(struct smtp_session *s, const char *reply)
{
	smtp_reply_str(s->out, reply);
	if (++s->errors >= s->cfg.errors_max)
		smtp_session_close(s, "421 4.7.0 Too many errors, closing connection");
}

/* smtp_session_reset_tx - back to no transaction (RFC 5321 4.1.1.5) */
void smtp_session_reset_tx(struct smtp_session *s)
{
	s->in_mail = false;
	memset(&s->mail, 0, sizeof(s->mail));
	s->rcpt_count = 0;
	s->data_started = false;
	evbuffer_drain(s->body, evbuffer_get_length(s->body));
}

/* step_command - parse and run one command line */
static enum smtp_action step_command(struct smtp_session *s, const uint8_t *in, size_t len,
				     size_t *used)
{
	struct smtp_cmd cmd;
	const char *err;
	ssize_t n = smtp_parser_line(in, len, s->cfg.line_max, &cmd, &err);

	if (n == 0)
		return SMTP_ACTION_READ;
	if (n < 0) {
		/* the bound's worth of bytes held no LF: drop them, then skip to the next LF */
		*used = smtp_parser_line_bound(s->cfg.line_max);
		s->mode = SMTP_MODE_SKIP_LINE;
		smtp_session_error(s, err);
		return SMTP_ACTION_READ;
	}
	*used = (size_t)n;
	if (s->draining && !s->in_mail && cmd.verb != SMTP_VERB_QUIT) {
		smtp_session_shutdown(s); /* RFC 5321 3.8: 421 when the service must stop */
		return SMTP_ACTION_CLOSE;
	}
	return smtp_cmd_dispatch(s, &cmd);
}

/* step_skip_line - discard input through the next LF after an endless line */
static enum smtp_action step_skip_line(struct smtp_session *s, const uint8_t *in, size_t len,
				       size_t *used)
{
	const uint8_t *lf = memchr(in, '\n', len);

	*used = lf != NULL ? (size_t)(lf - in) + 1 : len;
	if (lf != NULL && s->mode == SMTP_MODE_SKIP_LINE)
		s->mode = SMTP_MODE_COMMAND;
	return SMTP_ACTION_READ;
}

/* decode_into_body - run body bytes through the decoder straight into the body buffer
 * (decoding never lengthens, so len bytes of room are enough); keep what it yields */
static size_t decode_into_body(struct smtp_session *s, const uint8_t *in, size_t len)
{
	struct evbuffer_iovec v;
	size_t used, produced;

	if (len == 0)
		return 0;
	if (evbuffer_reserve_space(s->body, (ev_ssize_t)len, &v, 1) != 1)
		abort();
	used = smtp_data_feed(&s->data, in, len, v.iov_base, &produced);
	v.iov_len = produced;
	if (evbuffer_commit_space(s->body, &v, 1) != 0)
		abort();
	return used;
}

/* step_data - DATA content until CRLF.CRLF; then refuse or ask for the store */
static enum smtp_action step_data(struct smtp_session *s, const uint8_t *in, size_t len,
				  size_t *used)
{
	const char *err;

	*used = decode_into_body(s, in, len);
	if (!smtp_data_done(&s->data))
		return SMTP_ACTION_READ;
	s->mode = SMTP_MODE_COMMAND;
	err = smtp_data_error(&s->data);
	if (err != NULL) {
		smtp_session_reset_tx(s);
		smtp_session_error(s, err);
		return SMTP_ACTION_READ;
	}
	s->mode = SMTP_MODE_WAIT;
	return SMTP_ACTION_STORE;
}

/* step_bdat - bytes of the current chunk; answer when it is complete */
static enum smtp_action step_bdat(struct smtp_session *s, const uint8_t *in, size_t len,
				  size_t *used)
{
	size_t take = len;

	if (take > s->bdat_left)
		take = (size_t)s->bdat_left;
	if (s->bdat_refusal != NULL)
		*used = take; /* RFC 3030 3: a refused chunk is still read */
	else
		*used = decode_into_body(s, in, take);
	s->bdat_left -= *used;
	if (s->bdat_left > 0)
		return SMTP_ACTION_READ;
	s->mode = SMTP_MODE_COMMAND;
	return smtp_cmd_bdat_chunk_end(s);
}

/* step_sasl - one SASL response line (RFC 4954 4) */
static enum smtp_action step_sasl(struct smtp_session *s, const uint8_t *in, size_t len,
				  size_t *used)
{
	const char *line, *err;
	size_t n;
	ssize_t r = smtp_parser_raw_line(in, len, SMTP_PARSER_AUTH_LINE_MAX, &line, &n, &err);

	if (r == 0)
		return SMTP_ACTION_READ;
	if (r < 0) {
		*used = SMTP_PARSER_AUTH_LINE_MAX;
		s->sasl = SMTP_SASL_NONE;
		s->mode = SMTP_MODE_SKIP_LINE;
		smtp_session_error(s, "500 5.5.2 Line too long");
		return SMTP_ACTION_READ;
	}
	*used = (size_t)r;
	s->mode = SMTP_MODE_COMMAND;
	if (err != NULL) {
		s->sasl = SMTP_SASL_NONE;
		smtp_session_error(s, err);
		return SMTP_ACTION_READ;
	}
	return smtp_cmd_sasl_response(s, line, n);
}

/* smtp_session_input - run the modes over the input until it runs out or an action is due */
enum smtp_action smtp_session_input(struct smtp_session *s, const uint8_t *in, size_t len,
				    size_t *consumed_r)
{
	enum smtp_action a = SMTP_ACTION_READ;
	size_t total = 0;

	while (a == SMTP_ACTION_READ) {
		size_t used = 0;
		enum smtp_mode before = s->mode;

		switch (s->mode) {
		case SMTP_MODE_COMMAND: a = step_command(s, in + total, len - total, &used); break;
		case SMTP_MODE_SKIP_LINE: a = step_skip_line(s, in + total, len - total, &used); break;
		case SMTP_MODE_DATA: a = step_data(s, in + total, len - total, &used); break;
		case SMTP_MODE_BDAT: a = step_bdat(s, in + total, len - total, &used); break;
		case SMTP_MODE_SASL: a = step_sasl(s, in + total, len - total, &used); break;
		case SMTP_MODE_WAIT: *consumed_r = total; return SMTP_ACTION_READ;
		case SMTP_MODE_CLOSED: *consumed_r = total; return SMTP_ACTION_CLOSE;
		}
		total += used;
		if (s->mode == SMTP_MODE_CLOSED)
			a = SMTP_ACTION_CLOSE;
		/* No progress and no change of mode: wait for more input. */
		if (a == SMTP_ACTION_READ && used == 0 && s->mode == before)
			break;
	}
	*consumed_r = total;
	return a;
}

/* resume - an action's result is in: back to reading commands, unless closing */
static void resume(struct smtp_session *s)
{
	if (s->mode == SMTP_MODE_WAIT)
		s->mode = SMTP_MODE_COMMAND;
}

/* is_role_account - postmaster and abuse reach every domain (RFC 5321 4.5.1, RFC 2142) */
static bool is_role_account(const char *local)
{
	return strcasecmp(local, "postmaster") == 0 || strcasecmp(local, "abuse") == 0;
}

/* add_rcpt - append the pending recipient, once (a repeated RCPT is answered, not doubled) */
static void add_rcpt(struct smtp_session *s)
{
	for (size_t i = 0; i < s->rcpt_count; i++)
		if (strcmp(s->rcpts[i].to.local, s->pending_rcpt.to.local) == 0 &&
		    strcmp(s->rcpts[i].to.domain, s->pending_rcpt.to.domain) == 0)
			return;
	if (s->rcpt_count == s->rcpt_cap) {
		size_t cap = s->rcpt_cap == 0 ? 4 : s->rcpt_cap * 2;
		struct smtp_rcpt_args *r = realloc(s->rcpts, cap * sizeof(*r));

		if (r == NULL)
			abort();
		s->rcpts = r;
		s->rcpt_cap = cap;
	}
	s->rcpts[s->rcpt_count++] = s->pending_rcpt;
}

/* smtp_session_rcpt_done - answer the pending RCPT from the lookup's result */
void smtp_session_rcpt_done(struct smtp_session *s, enum smtp_rcpt_result r)
{
	resume(s);
	if (r == SMTP_RCPT_NO_SUCH_USER && is_role_account(s->pending_rcpt.to.local))
		r = SMTP_RCPT_OK;
	if (r == SMTP_RCPT_FOREIGN && s->authenticated)
		r = SMTP_RCPT_OK; /* submission: relaying for our own users */
	switch (r) {
	case SMTP_RCPT_OK:
		add_rcpt(s);
		smtp_reply(s->out, 250, "2.1.5", "Ok");
		break;
	case SMTP_RCPT_NO_SUCH_USER:
		smtp_session_error(s, "550 5.1.1 Recipient address rejected: user unknown");
		break;
	case SMTP_RCPT_FOREIGN:
		smtp_session_error(s, "554 5.7.1 Relay access denied");
		break;
	case SMTP_RCPT_TEMPFAIL:
		smtp_reply(s->out, 451, "4.3.0", "Temporary lookup failure, try again later");
		break;
	}
}

/* smtp_session_sender_done - answer the pending MAIL of an authenticated user */
void smtp_session_sender_done(struct smtp_session *s, enum smtp_check_result r)
{
	resume(s);
	if (r == SMTP_CHECK_OK) {
		s->in_mail = true;
		smtp_reply(s->out, 250, "2.1.0", "Ok");
	} else if (r == SMTP_CHECK_REFUSED) {
		memset(&s->mail, 0, sizeof(s->mail));
		smtp_session_error(s, "553 5.7.1 Sender address not owned by the authenticated user");
	} else {
		memset(&s->mail, 0, sizeof(s->mail));
		smtp_reply(s->out, 451, "4.3.0", "Temporary lookup failure, try again later");
	}
}

/* smtp_session_auth_done - answer AUTH; count failures towards the session's limit */
void smtp_session_auth_done(struct smtp_session *s, enum smtp_auth_result r)
{
	resume(s);
	sodium_memzero(s->auth_pass, sizeof(s->auth_pass));
	if (r == SMTP_AUTH_OK) {
		s->authenticated = true;
		smtp_reply(s->out, 235, "2.7.0", "Authentication successful");
		return;
	}
	s->auth_user[0] = '\0';
	if (r == SMTP_AUTH_TEMPFAIL) {
		smtp_reply(s->out, 454, "4.7.0", "Temporary authentication failure");
	} else if (r == SMTP_AUTH_LOCKED) {
		smtp_session_error(s, "454 4.7.0 Too many failed authentications, try again later");
	} else {
		smtp_session_error(s, "535 5.7.8 Authentication credentials invalid");
		if (++s->auth_failures >= s->cfg.auth_failures_max && s->mode != SMTP_MODE_CLOSED)
			smtp_session_close(s, "421 4.7.0 Too many failed authentications");
	}
}

/* smtp_session_store_done - answer the final dot / last BDAT */
void smtp_session_store_done(struct smtp_session *s, const char *queue_id)
{
	resume(s);
	/* DESIGN.md 3.2: 250 only after the commit; a failure stored nothing. */
	if (queue_id != NULL)
		smtp_reply_printf(s->out, 250, "2.0.0", "Ok: queued as %s", queue_id);
	else
		smtp_reply(s->out, 451, "4.3.0", "Temporary failure, message not stored");
	smtp_session_reset_tx(s);
}

/* smtp_session_tls_started - the handshake is done: start over under TLS */
void smtp_session_tls_started(struct smtp_session *s)
{
	resume(s);
	/* RFC 3207 4.2: forget everything learnt before TLS */
	s->tls = true;
	s->helo[0] = '\0';
	s->esmtp = false;
	s->authenticated = false;
	s->auth_user[0] = '\0';
	smtp_session_reset_tx(s);
}

/* smtp_session_expn_done - answer EXPN (RFC 5321 3.5.2): one line per member */
void smtp_session_expn_done(struct smtp_session *s, enum smtp_expn_result r,
			    const char *const *members, size_t n, bool truncated)
{
	GString *text;

	resume(s);
	if (r == SMTP_EXPN_TEMPFAIL) {
		smtp_reply(s->out, 451, "4.3.0", "Temporary lookup failure, try again later");
		return;
	}
	if (r == SMTP_EXPN_UNKNOWN || n == 0) {
		smtp_session_error(s, "550 5.1.1 Mailbox or list unknown");
		return;
	}
	/* an account answers as "a list containing one name" (RFC 5321 3.5.2): see
	 * proceed_expn for why not 252 */
	text = g_string_new(NULL);
	for (size_t i = 0; i < n && i < SMTP_EXPN_MEMBERS_MAX; i++)
		g_string_append_printf(text, "%s<%s>", i > 0 ? "\n" : "", members[i]);
	if (truncated || n > SMTP_EXPN_MEMBERS_MAX)
		g_string_append_printf(text, "\nList cut at %d members", SMTP_EXPN_MEMBERS_MAX);
	smtp_reply(s->out, 250, "2.1.5", text->str);
	g_string_free(text, TRUE);
}

/* smtp_session_timeout - 421 4.4.2 and close */
void smtp_session_timeout(struct smtp_session *s)
{
	smtp_reply_printf(s->out, 421, "4.4.2", "%s Timeout, closing connection", s->hostname);
	s->mode = SMTP_MODE_CLOSED;
}

/* smtp_session_shutdown - 421 4.3.2 and close */
void smtp_session_shutdown(struct smtp_session *s)
{
	smtp_reply_printf(s->out, 421, "4.3.2", "%s Service shutting down", s->hostname);
	s->mode = SMTP_MODE_CLOSED;
}

/* smtp_session_drain - from now on, 421 at the first command outside a transaction */
bool smtp_session_drain(struct smtp_session *s)
{
	s->draining = true;
	return s->mode == SMTP_MODE_COMMAND && !s->in_mail;
}

/* smtp_session_rcpt - the recipient waiting for its lookup */
const struct smtp_rcpt_args *smtp_session_rcpt(const struct smtp_session *s)
{
	return &s->pending_rcpt;
}

/* smtp_session_expn_address - the address EXPN asks about */
const struct smtp_address *smtp_session_expn_address(const struct smtp_session *s)
{
	return &s->expn_address;
}

/* smtp_session_mail - the MAIL FROM arguments of the transaction */
const struct smtp_mail_args *smtp_session_mail(const struct smtp_session *s)
{
	return &s->mail;
}

/* smtp_session_envelope - sender, recipients and body for the store */
void smtp_session_envelope(const struct smtp_session *s, struct smtp_envelope *env_r)
{
	env_r->mail = &s->mail;
	env_r->rcpts = s->rcpts;
	env_r->rcpt_count = s->rcpt_count;
	env_r->body = s->body;
}

/* smtp_session_auth_user - the SASL user name, NULL if none */
const char *smtp_session_auth_user(const struct smtp_session *s)
{
	return s->auth_user[0] != '\0' ? s->auth_user : NULL;
}

/* smtp_session_auth_password - the SASL password until smtp_session_auth_done */
const char *smtp_session_auth_password(const struct smtp_session *s)
{
	return s->auth_pass;
}

/* smtp_session_helo - the name given with HELO/EHLO, "" before */
const char *smtp_session_helo(const struct smtp_session *s)
{
	return s->helo;
}

/* smtp_session_esmtp - the client said EHLO */
bool smtp_session_esmtp(const struct smtp_session *s)
{
	return s->esmtp;
}

/* smtp_session_tls - TLS is active */
bool smtp_session_tls(const struct smtp_session *s)
{
	return s->tls;
}

/* smtp_session_authenticated - AUTH succeeded */
bool smtp_session_authenticated(const struct smtp_session *s)
{
	return s->authenticated;
}

/* smtp_session_closed - the session will read nothing more */
bool smtp_session_closed(const struct smtp_session *s)
{
	return s->mode == SMTP_MODE_CLOSED;
}
