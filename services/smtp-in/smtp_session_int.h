/* smtp_session_int - the session's insides, shared by smtp_session.c (input modes, action
 * results) and smtp_cmd.c (the command table). Nothing else includes this. */
#ifndef MERPATI_SMTP_SESSION_INT_H
#define MERPATI_SMTP_SESSION_INT_H

#include "smtp_data.h"
#include "smtp_session.h"

#define SMTP_HELO_MAX 255

enum smtp_mode {
	SMTP_MODE_COMMAND,   /* reading command lines */
	SMTP_MODE_SKIP_LINE, /* discarding the rest of an endless line */
	SMTP_MODE_DATA,      /* reading DATA until CRLF.CRLF */
	SMTP_MODE_BDAT,      /* reading bdat_left bytes of a chunk */
	SMTP_MODE_SASL,      /* reading a SASL response line */
	SMTP_MODE_WAIT,      /* an action is out; waiting for its *_done */
	SMTP_MODE_CLOSED,
};

enum smtp_sasl_step { SMTP_SASL_NONE, SMTP_SASL_PLAIN, SMTP_SASL_LOGIN_USER, SMTP_SASL_LOGIN_PASS };

struct smtp_session {
	struct smtp_session_config cfg;
	char hostname[SMTP_ADDRESS_DOMAIN_MAX + 1];
	struct evbuffer *out;
	enum smtp_mode mode;

	/* connection state */
	char helo[SMTP_HELO_MAX + 1]; /* "" until HELO/EHLO */
	bool esmtp;
	bool tls;
	bool authenticated;
	unsigned errors;
	unsigned auth_failures;
	bool draining;                /* the server is stopping (smtp_session_drain) */

	/* AUTH in progress */
	enum smtp_sasl_step sasl;
	char auth_user[SMTP_SASL_USER_MAX + 1];
	char auth_pass[SMTP_SASL_PASS_MAX + 1];

	/* the mail transaction (RFC 5321 3.3) */
	bool in_mail;
	struct smtp_mail_args mail;
	struct smtp_rcpt_args *rcpts;
	size_t rcpt_count, rcpt_cap;
	struct smtp_rcpt_args pending_rcpt;
	struct smtp_address expn_address; /* EXPN waiting for its lookup */
	struct smtp_data data;
	bool data_started;
	struct evbuffer *body;

	/* BDAT chunk being read */
	uint64_t bdat_left;
	bool bdat_last;
	const char *bdat_refusal; /* discard the chunk, then answer this */
};

/* smtp_session_error - a refused command: reply, count it, 421 and close at the bound */
void smtp_session_error(struct smtp_session *s, const char *reply);
/* smtp_session_reset_tx - forget the mail transaction (RSET, EHLO, end of message) */
void smtp_session_reset_tx(struct smtp_session *s);
/* smtp_session_close - 421-style reply (may be NULL) and close */
void smtp_session_close(struct smtp_session *s, const char *reply);

/* smtp_cmd_dispatch - run one parsed command through its check and proceed steps */
enum smtp_action smtp_cmd_dispatch(struct smtp_session *s, const struct smtp_cmd *cmd);
/* smtp_cmd_sasl_response - one line answering a 334 challenge */
enum smtp_action smtp_cmd_sasl_response(struct smtp_session *s, const char *line, size_t len);
/* smtp_cmd_bdat_chunk_end - the chunk's bytes are all in: answer it */
enum smtp_action smtp_cmd_bdat_chunk_end(struct smtp_session *s);

#endif
