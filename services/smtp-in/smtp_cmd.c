/* smtp_cmd.c - the command table: for each verb a check step (allowed now, on this
 * listener?) and a proceed step (do it), in the manner of OpenSMTPD's smtp_session.c.
 * Handlers write replies to the session's output and return the action for the caller. */
#include "smtp_session_int.h"

#include <glib.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "smtp_reply.h"

struct smtp_cmd_def {
	enum smtp_verb verb;
	/* check - 0 when allowed; -1 after writing the refusal */
	int (*check)(struct smtp_session *s, const struct smtp_cmd *cmd);
	enum smtp_action (*proceed)(struct smtp_session *s, const struct smtp_cmd *cmd);
};

/* refuse - write a refusal from a check step */
static int refuse(struct smtp_session *s, const char *reply)
{
	smtp_session_error(s, reply);
	return -1;
}

/* ok - a plain 250 reply */
static enum smtp_action ok(struct smtp_session *s)
{
	smtp_reply(s->out, 250, "2.0.0", "Ok");
	return SMTP_ACTION_READ;
}

/* submission - a submission port (587 or 465), where AUTH comes before MAIL */
static bool submission(const struct smtp_session *s)
{
	return s->cfg.listener != SMTP_LISTENER_MX;
}

/* auth_offered - AUTH only on submission ports, and only where passwords are safe */
static bool auth_offered(const struct smtp_session *s)
{
	return submission(s) && (s->tls || s->cfg.plaintext_auth);
}

/* ---- checks shared by several commands ---- */

static int check_none(struct smtp_session *s, const struct smtp_cmd *cmd)
{
	return 0;
}

/* check_no_args - the command takes no parameters */
static int check_no_args(struct smtp_session *s, const struct smtp_cmd *cmd)
{
	return cmd->args_len == 0 ? 0 : refuse(s, "501 5.5.4 Syntax error, no parameters allowed");
}

/* check_helo_done - a HELO or EHLO came first */
static int check_helo_done(struct smtp_session *s)
{
	return s->helo[0] != '\0' ? 0 : refuse(s, "503 5.5.1 Send HELO/EHLO first");
}

/* ---- HELO / EHLO (RFC 5321 4.1.1.1) ---- */

/* helo_name_ok - a domain or address literal; the characters of real-world host names
 * (underscores included) are tolerated, anything that could confuse a Received header is not */
static bool helo_name_ok(const char *p, size_t len)
{
	if (len == 0 || len > SMTP_HELO_MAX)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!g_ascii_isalnum(p[i]) && strchr("-._[]:", p[i]) == NULL)
			return false;
	return true;
}

/* check_helo - the client named itself with something host-like */
static int check_helo(struct smtp_session *s, const struct smtp_cmd *cmd)
{
	const char *sp = memchr(cmd->args, ' ', cmd->args_len);
	size_t len = sp != NULL ? (size_t)(sp - cmd->args) : cmd->args_len;

	/* RFC 2034 3: no enhanced codes in answers to HELO and EHLO */
	return helo_name_ok(cmd->args, len) ? 0 : refuse(s, "501 Syntax: HELO/EHLO hostname");
}

/* set_helo - remember the client's name; a new greeting resets the transaction */
static void set_helo(struct smtp_session *s, const struct smtp_cmd *cmd, bool esmtp)
{
	const char *sp = memchr(cmd->args, ' ', cmd->args_len);
	size_t len = sp != NULL ? (size_t)(sp - cmd->args) : cmd->args_len;

	memcpy(s->helo, cmd->args, len);
	s->helo[len] = '\0';
	s->esmtp = esmtp;
	smtp_session_reset_tx(s);
}

/* proceed_helo - plain SMTP: no extensions (RFC 5321 4.1.1.1) */
static enum smtp_action proceed_helo(struct smtp_session *s, const struct smtp_cmd *cmd)
{
	set_helo(s, cmd, false);
	smtp_reply_printf(s->out, 250, NULL, "%s", s->hostname);
	return SMTP_ACTION_READ;
}

/* proceed_ehlo - the extensions, one per line (RFC 5321 4.1.1.1, RFC 1869) */
static enum smtp_action proceed_ehlo(struct smtp_session *s, const struct smtp_cmd *cmd)
{
	set_helo(s, cmd, true);
	smtp_reply_printf(s->out, 250, NULL,
			  "%s\nPIPELINING\nSIZE %zu\n8BITMIME\nBINARYMIME\nCHUNKING\nSMTPUTF8\n"
			  "ENHANCEDSTATUSCODES\nDSN%s%s",
			  s->hostname, s->cfg.message_max,
			  s->cfg.starttls_available && !s->tls ? "\nSTARTTLS" : "",
			  auth_offered(s) ? "\nAUTH PLAIN LOGIN" : "");
	return SMTP_ACTION_READ;
}

/* ---- MAIL (RFC 5321 4.1.1.2) ---- */

static int check_mail(struct smtp_session *s, const struct smtp_cmd *cmd)
{
	if (check_helo_done(s) < 0)
		return -1;
	if (s->in_mail)
		return refuse(s, "503 5.5.1 Nested MAIL command");
	/* RFC 4954 6 and RFC 6409 4.3: submission needs an authenticated user */
	if (submission(s) && !s->authenticated)
		return refuse(s, s->tls || s->cfg.plaintext_auth ?
				 "530 5.7.0 Authentication required" :
				 "530 5.7.0 Must issue a STARTTLS command first");
	return 0;
}

/* mail_esmtp_ok - extension parameters need EHLO (RFC 5321 4.1.1.2) */
static bool mail_esmtp_ok(const struct smtp_session *s, const struct smtp_mail_args *m)
{
	return s->esmtp || (!m->has_size && m->body == SMTP_BODY_NONE && !m->smtputf8 &&
			    m->ret == SMTP_RET_NONE && m->envid[0] == '\0' && !m->has_auth);
}

/* proceed_mail - parse the path and parameters; authenticated senders are checked next */
static enum smtp_action proceed_mail(struct smtp_session *s, const struct smtp_cmd *cmd)
{
	const char *err;

	if (smtp_parser_mail(cmd->args, cmd->args_len, &s->mail, &err) < 0) {
		smtp_session_error(s, err);
		return SMTP_ACTION_READ;
	}
	if (!mail_esmtp_ok(s, &s->mail)) {
		smtp_session_error(s, "555 5.5.4 Parameters need EHLO");
		return SMTP_ACTION_READ;
	}
	/* RFC 1870 6.1: a declared size over the limit is refused at once */
	if (s->mail.has_size && s->mail.size > s->cfg.message_max) {
		smtp_session_error(s, "552 5.3.4 Message size exceeds fixed maximum message size");
		return SMTP_ACTION_READ;
	}
	if (s->authenticated) {
		if (s->mail.from.is_null) {
			smtp_session_error(s, "553 5.7.1 Null sender not allowed for submission");
			return SMTP_ACTION_READ;
		}
		s->mode = SMTP_MODE_WAIT;
		return SMTP_ACTION_SENDER;
	}
	s->in_mail = true;
	smtp_reply(s->out, 250, "2.1.0", "Ok");
	return SMTP_ACTION_READ;
}

/* ---- RCPT (RFC 5321 4.1.1.3) ---- */

static int check_rcpt(struct smtp_session *s, const struct smtp_cmd *cmd)
{
	if (!s->in_mail)
		return refuse(s, "503 5.5.1 Need MAIL command");
	if (s->rcpt_count >= s->cfg.recipients_max) {
		/* RFC 5321 4.5.3.1.10: 452, the client sends the rest later */
		smtp_reply(s->out, 452, "4.5.3", "Too many recipients");
		return -1;
	}
	return 0;
}

/* proceed_rcpt - parse the path; the store decides (or <Postmaster> is taken at once) */
static enum smtp_action proceed_rcpt(struct smtp_session *s, const struct smtp_cmd *cmd)
{
	struct smtp_rcpt_args *r = &s->pending_rcpt;
	const char *err;

	if (smtp_parser_rcpt(cmd->args, cmd->args_len, s->mail.smtputf8, r, &err) < 0) {
		smtp_session_error(s, err);
		return SMTP_ACTION_READ;
	}
	if (!s->esmtp && (r->notify != 0 || r->orcpt[0] != '\0')) {
		smtp_session_error(s, "555 5.5.4 Parameters need EHLO");
		return SMTP_ACTION_READ;
	}
	if (r->to.domain[0] == '\0') {
		/* "<Postmaster>" (RFC 5321 4.1.1.3) is this host's postmaster, always taken */
		snprintf(r->to.domain, sizeof(r->to.domain), "%s", s->hostname);
		for (char *p = r->to.domain; *p != '\0'; p++)
			*p = g_ascii_tolower(*p);
		g_strlcpy(r->to.local, "postmaster", sizeof(r->to.local));
		smtp_session_rcpt_done(s, SMTP_RCPT_OK);
		return SMTP_ACTION_READ;
	}
	s->mode = SMTP_MODE_WAIT;
	return SMTP_ACTION_RCPT;
}

/* ---- DATA (RFC 5321 4.1.1.4) and BDAT (RFC 3030) ---- */

static int check_data(struct smtp_session *s, const struct smtp_cmd *cmd)
{
	if (check_no_args(s, cmd) < 0)
		return -1;
	if (!s->in_mail)
		return refuse(s, "503 5.5.1 Need MAIL command");
	if (s->rcpt_count == 0)
		return refuse(s, "554 5.5.1 No valid recipients");
	if (s->mail.body == SMTP_BODY_BINARYMIME)
		return refuse(s, "503 5.5.1 BODY=BINARYMIME requires BDAT");
	if (s->data_started)
		return refuse(s, "503 5.5.1 DATA after BDAT");
	return 0;
}

/* start_body - the decoder for this transaction's content */
static void start_body(struct smtp_session *s, bool bdat)
{
	smtp_data_init(&s->data, s->cfg.message_max, s->cfg.text_line_max, bdat,
		       s->mail.body == SMTP_BODY_BINARYMIME);
	s->data_started = true;
}

/* proceed_data - 354 and read the content (RFC 5321 4.1.1.4) */
static enum smtp_action proceed_data(struct smtp_session *s, const struct smtp_cmd *cmd)
{
	start_body(s, false);
	s->mode = SMTP_MODE_DATA;
	smtp_reply(s->out, 354, NULL, "End data with <CR><LF>.<CR><LF>");
	return SMTP_ACTION_READ;
}

/* bdat_args - "chunk-size [LAST]" (RFC 3030 2) */
static int bdat_args(const struct smtp_cmd *cmd, uint64_t *size, bool *last)
{
	size_t i = 0;
	uint64_t n = 0;

	for (; i < cmd->args_len && g_ascii_isdigit(cmd->args[i]); i++) {
		if (i >= SMTP_PARSER_SIZE_DIGITS - 1)
			return -1;
		n = n * 10 + (uint64_t)(cmd->args[i] - '0');
	}
	if (i == 0)
		return -1;
	*size = n;
	*last = false;
	if (i == cmd->args_len)
		return 0;
	while (i < cmd->args_len && cmd->args[i] == ' ')
		i++;
	if (cmd->args_len - i != 4 || g_ascii_strncasecmp(cmd->args + i, "LAST", 4) != 0)
		return -1;
	*last = true;
	return 0;
}

/* bdat_refusal - why this chunk cannot be taken, or NULL */
static const char *bdat_refusal(struct smtp_session *s)
{
	if (!s->esmtp)
		return "503 5.5.1 Send EHLO first";
	if (!s->in_mail)
		return "503 5.5.1 Need MAIL command";
	if (s->rcpt_count == 0)
		return "554 5.5.1 No valid recipients";
	return NULL;
}

/* proceed_bdat - read a chunk of exactly the given size, even when it is refused */
static enum smtp_action proceed_bdat(struct smtp_session *s, const struct smtp_cmd *cmd)
{
	if (bdat_args(cmd, &s->bdat_left, &s->bdat_last) < 0) {
		/* Without a length the chunk cannot be skipped: stop here. */
		smtp_session_close(s, "501 5.5.4 Syntax: BDAT chunk-size [LAST]");
		return SMTP_ACTION_CLOSE;
	}
	s->bdat_refusal = bdat_refusal(s);
	if (s->bdat_refusal == NULL && !s->data_started)
		start_body(s, true);
	s->mode = SMTP_MODE_BDAT;
	if (s->bdat_left == 0) {
		s->mode = SMTP_MODE_COMMAND;
		return smtp_cmd_bdat_chunk_end(s);
	}
	return SMTP_ACTION_READ;
}

/* smtp_cmd_bdat_chunk_end - answer a complete chunk; the LAST one asks for the store */
enum smtp_action smtp_cmd_bdat_chunk_end(struct smtp_session *s)
{
	const char *err;

	if (s->bdat_refusal != NULL) {
		smtp_session_error(s, s->bdat_refusal);
		s->bdat_refusal = NULL;
		return SMTP_ACTION_READ;
	}
	err = s->bdat_last ? smtp_data_error_final(&s->data) : smtp_data_error(&s->data);
	if (err != NULL) {
		/* RFC 3030 2: a failed chunk fails the transaction */
		smtp_session_reset_tx(s);
		smtp_session_error(s, err);
		return SMTP_ACTION_READ;
	}
	if (!s->bdat_last) {
		smtp_reply_printf(s->out, 250, "2.0.0", "%llu octets received",
				  (unsigned long long)s->data.size);
		return SMTP_ACTION_READ;
	}
	s->mode = SMTP_MODE_WAIT;
	return SMTP_ACTION_STORE;
}

/* ---- RSET, NOOP, QUIT, VRFY, EXPN, VERB, HELP (RFC 5321 4.1.1.5-10) ---- */

static enum smtp_action proceed_rset(struct smtp_session *s, const struct smtp_cmd *cmd)
{
	smtp_session_reset_tx(s);
	return ok(s);
}

/* proceed_noop - 250 and nothing else (RFC 5321 4.1.1.9) */
static enum smtp_action proceed_noop(struct smtp_session *s, const struct smtp_cmd *cmd)
{
	return ok(s);
}

/* proceed_quit - 221 and close (RFC 5321 4.1.1.10) */
static enum smtp_action proceed_quit(struct smtp_session *s, const struct smtp_cmd *cmd)
{
	smtp_session_close(s, "221 2.0.0 Bye");
	return SMTP_ACTION_CLOSE;
}

/* check_vrfy - VRFY needs an argument */
static int check_vrfy(struct smtp_session *s, const struct smtp_cmd *cmd)
{
	return cmd->args_len > 0 ? 0 : refuse(s, "501 5.5.4 Syntax: VRFY address");
}

/* proceed_vrfy - 252: neither confirm nor deny */
static enum smtp_action proceed_vrfy(struct smtp_session *s, const struct smtp_cmd *cmd)
{
	/* RFC 5321 3.5.3: 252 discloses nothing about our users */
	smtp_reply(s->out, 252, "2.5.0", "Cannot VRFY user, but will accept message and attempt delivery");
	return SMTP_ACTION_READ;
}

/* check_expn - EXPN per MERPATI_SMTP_EXPN; unavailable answers as if not implemented
 * (RFC 5321 7.3: sites may disable EXPN for security reasons) */
static int check_expn(struct smtp_session *s, const struct smtp_cmd *cmd)
{
	if (s->cfg.expn == SMTP_EXPN_OFF || !s->authenticated)
		return refuse(s, "502 5.5.1 Command not implemented");
	return cmd->args_len > 0 ? 0 : refuse(s, "501 5.5.4 Syntax: EXPN address");
}

/* proceed_expn - the list's address, with or without angle brackets; we serve several
 * domains, so a bare list name (RFC 5321 3.5.2 allows one) cannot be resolved */
static enum smtp_action proceed_expn(struct smtp_session *s, const struct smtp_cmd *cmd)
{
	char path[SMTP_ADDRESS_PATH_MAX + 3];
	const char *err;
	ssize_t n;
	int len;

	if (cmd->args[0] == '<')
		len = snprintf(path, sizeof(path), "%.*s", (int)cmd->args_len, cmd->args);
	else
		len = snprintf(path, sizeof(path), "<%.*s>", (int)cmd->args_len, cmd->args);
	if (len < 0 || (size_t)len >= sizeof(path)) {
		smtp_session_error(s, "501 5.1.3 Address too long");
		return SMTP_ACTION_READ;
	}
	n = smtp_address_parse(path, (size_t)len, SMTP_ADDRESS_ALLOW_UTF8, &s->expn_address, &err);
	if (n != len || s->expn_address.domain[0] == '\0') {
		smtp_session_error(s, "501 5.5.4 Syntax: EXPN address");
		return SMTP_ACTION_READ;
	}
	/* RFC 5321 3.5.2 lets a server answer for a single mailbox with "a list containing
	 * one name" or with an error saying it is not a list. The session is authenticated,
	 * so the truth costs nothing: an account answers 250 with its own address, not 252
	 * (3.5.3's "cannot verify", which would be false here) nor 550 (which would read as
	 * "no such address"). An account's forwards are its owner's business and stay out. */
	s->mode = SMTP_MODE_WAIT;
	return SMTP_ACTION_EXPN;
}

/* proceed_not_available - VERB: 502 (RFC 5321 3.5.3) */
static enum smtp_action proceed_not_available(struct smtp_session *s,
					      const struct smtp_cmd *cmd)
{
	smtp_session_error(s, "502 5.5.1 Command not implemented");
	return SMTP_ACTION_READ;
}

/* proceed_help - 214 with the command list (RFC 5321 4.1.1.8) */
static enum smtp_action proceed_help(struct smtp_session *s, const struct smtp_cmd *cmd)
{
	bool expn = s->cfg.expn != SMTP_EXPN_OFF && s->authenticated; /* as check_expn */

	smtp_reply(s->out, 214, "2.0.0",
		   expn ? "Commands: EHLO HELO MAIL RCPT DATA BDAT RSET NOOP QUIT VRFY EXPN HELP "
			  "STARTTLS AUTH\nSee RFC 5321"
			: "Commands: EHLO HELO MAIL RCPT DATA BDAT RSET NOOP QUIT VRFY HELP STARTTLS "
			  "AUTH\nSee RFC 5321");
	return SMTP_ACTION_READ;
}

/* proceed_http - hang up on a request of another protocol */
static enum smtp_action proceed_http(struct smtp_session *s, const struct smtp_cmd *cmd)
{
	smtp_session_close(s, NULL); /* another protocol: say nothing it could parse */
	return SMTP_ACTION_CLOSE;
}

/* ---- STARTTLS (RFC 3207) ---- */

static int check_starttls(struct smtp_session *s, const struct smtp_cmd *cmd)
{
	if (check_no_args(s, cmd) < 0)
		return -1;
	if (s->tls)
		return refuse(s, "503 5.5.1 TLS already active");
	if (!s->cfg.starttls_available)
		return refuse(s, "454 4.7.0 TLS not available");
	return 0;
}

/* proceed_starttls - 220 and hand over to the TLS handshake (RFC 3207 4) */
static enum smtp_action proceed_starttls(struct smtp_session *s, const struct smtp_cmd *cmd)
{
	smtp_reply(s->out, 220, "2.0.0", "Ready to start TLS");
	s->mode = SMTP_MODE_WAIT;
	return SMTP_ACTION_STARTTLS;
}

/* ---- AUTH PLAIN / LOGIN (RFC 4954, RFC 4616) ---- */

static int check_auth(struct smtp_session *s, const struct smtp_cmd *cmd)
{
	if (!submission(s))
		return refuse(s, "502 5.5.1 AUTH not available on this port");
	if (!s->esmtp)
		return refuse(s, "503 5.5.1 Send EHLO first");
	if (s->authenticated)
		return refuse(s, "503 5.5.1 Already authenticated");
	if (s->in_mail)
		return refuse(s, "503 5.5.1 AUTH not allowed during a mail transaction");
	if (!auth_offered(s))
		return refuse(s, "538 5.7.11 Encryption required for requested authentication mechanism");
	return 0;
}

/* want_check - a complete user/password pair: ask the caller to check it */
static enum smtp_action want_check(struct smtp_session *s)
{
	s->sasl = SMTP_SASL_NONE;
	s->mode = SMTP_MODE_WAIT;
	return SMTP_ACTION_AUTH;
}

/* sasl_failed - a malformed or cancelled exchange */
static enum smtp_action sasl_failed(struct smtp_session *s, const char *reply)
{
	s->sasl = SMTP_SASL_NONE;
	s->auth_user[0] = '\0';
	sodium_memzero(s->auth_pass, sizeof(s->auth_pass));
	smtp_session_error(s, reply);
	return SMTP_ACTION_READ;
}

/* challenge - a 334 and wait for the response line */
static enum smtp_action challenge(struct smtp_session *s, enum smtp_sasl_step step,
				  const char *text)
{
	s->sasl = step;
	s->mode = SMTP_MODE_SASL;
	smtp_reply(s->out, 334, NULL, text);
	return SMTP_ACTION_READ;
}

/* smtp_cmd_sasl_response - the next step of PLAIN or LOGIN with one response line */
enum smtp_action smtp_cmd_sasl_response(struct smtp_session *s, const char *line, size_t len)
{
	const char *err;

	if (len == 1 && line[0] == '*') /* RFC 4954 4: the client cancels */
		return sasl_failed(s, "501 5.7.0 Authentication cancelled");
	switch (s->sasl) {
	case SMTP_SASL_PLAIN:
		if (smtp_sasl_plain(line, len, s->auth_user, s->auth_pass, &err) < 0)
			return sasl_failed(s, err);
		return want_check(s);
	case SMTP_SASL_LOGIN_USER:
		if (smtp_sasl_login_field(line, len, s->auth_user, sizeof(s->auth_user), &err) < 0)
			return sasl_failed(s, err);
		if (s->auth_user[0] == '\0') /* found by the smtp_command fuzz target */
			return sasl_failed(s, "501 5.5.2 Empty user name");
		return challenge(s, SMTP_SASL_LOGIN_PASS, "UGFzc3dvcmQ6"); /* "Password:" */
	case SMTP_SASL_LOGIN_PASS:
		if (smtp_sasl_login_field(line, len, s->auth_pass, sizeof(s->auth_pass), &err) < 0)
			return sasl_failed(s, err);
		return want_check(s);
	case SMTP_SASL_NONE:
		break;
	}
	return sasl_failed(s, "503 5.5.1 No authentication in progress");
}

/* proceed_auth - AUTH mechanism [initial-response] (RFC 4954 4) */
static enum smtp_action proceed_auth(struct smtp_session *s, const struct smtp_cmd *cmd)
{
	const char *sp = memchr(cmd->args, ' ', cmd->args_len), *ir = NULL;
	size_t mlen = sp != NULL ? (size_t)(sp - cmd->args) : cmd->args_len, irlen = 0;

	if (sp != NULL) {
		ir = sp + 1;
		irlen = cmd->args_len - mlen - 1;
	}
	if (mlen == 5 && g_ascii_strncasecmp(cmd->args, "PLAIN", 5) == 0) {
		if (ir == NULL)
			return challenge(s, SMTP_SASL_PLAIN, "");
		s->sasl = SMTP_SASL_PLAIN;
		return smtp_cmd_sasl_response(s, ir, irlen);
	}
	if (mlen == 5 && g_ascii_strncasecmp(cmd->args, "LOGIN", 5) == 0) {
		if (ir == NULL)
			return challenge(s, SMTP_SASL_LOGIN_USER, "VXNlcm5hbWU6"); /* "Username:" */
		s->sasl = SMTP_SASL_LOGIN_USER;
		return smtp_cmd_sasl_response(s, ir, irlen);
	}
	smtp_session_error(s, "504 5.5.4 Unrecognized authentication type");
	return SMTP_ACTION_READ;
}

/* ---- the table ---- */

static const struct smtp_cmd_def commands[] = {
	{ SMTP_VERB_EHLO, check_helo, proceed_ehlo },
	{ SMTP_VERB_HELO, check_helo, proceed_helo },
	{ SMTP_VERB_MAIL, check_mail, proceed_mail },
	{ SMTP_VERB_RCPT, check_rcpt, proceed_rcpt },
	{ SMTP_VERB_DATA, check_data, proceed_data },
	{ SMTP_VERB_BDAT, check_none, proceed_bdat },
	{ SMTP_VERB_RSET, check_no_args, proceed_rset },
	{ SMTP_VERB_NOOP, check_none, proceed_noop },
	{ SMTP_VERB_QUIT, check_no_args, proceed_quit },
	{ SMTP_VERB_VRFY, check_vrfy, proceed_vrfy },
	{ SMTP_VERB_EXPN, check_expn, proceed_expn },
	{ SMTP_VERB_VERB, check_none, proceed_not_available },
	{ SMTP_VERB_HELP, check_none, proceed_help },
	{ SMTP_VERB_STARTTLS, check_starttls, proceed_starttls },
	{ SMTP_VERB_AUTH, check_auth, proceed_auth },
	{ SMTP_VERB_HTTP, check_none, proceed_http },
};

/* smtp_cmd_dispatch - find the verb in the table, check, proceed */
enum smtp_action smtp_cmd_dispatch(struct smtp_session *s, const struct smtp_cmd *cmd)
{
	if (cmd->verb == SMTP_VERB_INVALID) {
		smtp_session_error(s, cmd->error);
		return SMTP_ACTION_READ;
	}
	for (size_t i = 0; i < G_N_ELEMENTS(commands); i++) {
		if (commands[i].verb != cmd->verb)
			continue;
		if (commands[i].check(s, cmd) < 0)
			return SMTP_ACTION_READ;
		return commands[i].proceed(s, cmd);
	}
	smtp_session_error(s, "500 5.5.2 Command unrecognized");
	return SMTP_ACTION_READ;
}
