/* pop3_session - one POP3 connection's protocol state: bytes in, responses and actions out.
 *
 * RFC 1939's AUTHORIZATION, TRANSACTION and UPDATE states as a table of commands, each
 * with a check (allowed now?) and a proceed step (pop3_commands.c, pop3_auth.c). Pure:
 * no sockets, no database, no clock. Responses go to a struct pop3_output. Whatever needs
 * the outside world becomes an action the caller carries out, then reports back:
 *
 *   POP3_ACTION_LOGIN   check pop3_session_login_user/_pass, lock and snapshot the
 *                       maildrop, then pop3_session_login_done()
 *   POP3_ACTION_STLS    discard ALL unread plaintext (a command pipelined after STLS
 *                       must never be read as if it came over TLS: the STARTTLS
 *                       injection of CVE-2011-0411), run the TLS handshake, then
 *                       pop3_session_tls_done() (RFC 2595 4)
 *   POP3_ACTION_RETR    stream message pop3_session_retr_uid(): pop3_session_retr_begin(),
 *                       _chunk() until it returns true or the message ends, _end(); or
 *                       pop3_session_retr_fail() when it cannot be read
 *   POP3_ACTION_UPDATE  in one transaction remove the messages marked deleted in
 *                       pop3_session_maildrop() and mark \Seen those retrieved, then
 *                       pop3_session_update_done() (RFC 1939 6)
 *   POP3_ACTION_CLOSE   flush the output and close the connection
 *
 * While an action is pending the session reads no input; pipelined commands (RFC 2449 6.6)
 * wait in the caller's buffer and are passed in again after the *_done call. */
#ifndef MERPATI_POP3_SESSION_H
#define MERPATI_POP3_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "services/pop3/pop3_output.h"
#include "store/maildrop.h"

#define POP3_SESSION_USER_MAX 255
#define POP3_SESSION_PASS_MAX 255
#define POP3_SESSION_EXPIRE_NEVER (-2L)

enum pop3_action {
	POP3_ACTION_READ,   /* nothing to do but wait for more input */
	POP3_ACTION_LOGIN,
	POP3_ACTION_STLS,
	POP3_ACTION_RETR,
	POP3_ACTION_UPDATE,
	POP3_ACTION_CLOSE,
};

enum pop3_login_result {
	POP3_LOGIN_OK,
	POP3_LOGIN_FAILED,    /* wrong user or password: -ERR [AUTH] (RFC 3206 4) */
	POP3_LOGIN_IN_USE,    /* the maildrop is locked by another session (RFC 2449 8.1.1) */
	POP3_LOGIN_TEMPFAIL,  /* database or lock trouble: -ERR [SYS/TEMP] (RFC 3206 5) */
	POP3_LOGIN_PERMFAIL,  /* the account cannot be served: -ERR [SYS/PERM] (RFC 3206 5) */
	POP3_LOGIN_DELAY,     /* too soon after the last session (RFC 2449 8.1.2) */
};

struct pop3_session_config {
	const char *hostname;        /* in the greeting */
	size_t max_line;             /* command line limit, CRLF included (RFC 2449 4: 255) */
	size_t max_sasl_line;        /* SASL response line limit (RFC 5034 4) */
	unsigned max_bad_commands;   /* unknown or malformed commands before closing */
	unsigned max_auth_failures;  /* failed logins before closing */
	long expire_days;            /* CAPA EXPIRE days, POP3_SESSION_EXPIRE_NEVER, or -1: not
				      * advertised (RFC 2449 6.7) */
	long login_delay;            /* CAPA LOGIN-DELAY seconds; -1: not advertised (6.8) */
	bool stls_offered;           /* a certificate is configured for STLS */
};

struct pop3_session;

/* pop3_session_new - a session in the AUTHORIZATION state. tls: the connection is
 * already encrypted (port 995); secure: passwords may be sent now (TLS, or the
 * MERPATI_PLAINTEXT_AUTH policy allows this client) */
struct pop3_session *pop3_session_new(const struct pop3_session_config *cfg,
				      const struct pop3_output *out, bool tls, bool secure);
void pop3_session_free(struct pop3_session **s);

/* pop3_session_greet - write the greeting (RFC 1939 4) */
void pop3_session_greet(struct pop3_session *s);

/* pop3_session_input - run commands from buf until one needs an action or input runs
 * out; returns the octets consumed. *action_r says what the caller must do next. */
size_t pop3_session_input(struct pop3_session *s, const uint8_t *buf, size_t len,
			  enum pop3_action *action_r);

/* pop3_session_timeout - the idle timer fired: say so and close (RFC 1939 3) */
void pop3_session_timeout(struct pop3_session *s);
/* pop3_session_shutdown - the server is stopping and this session has not logged in: say
 * so with RFC 3206's [SYS/TEMP] (try again later, elsewhere) and close */
void pop3_session_shutdown(struct pop3_session *s);

/* For POP3_ACTION_LOGIN. */
const char *pop3_session_login_user(const struct pop3_session *s);
const char *pop3_session_login_pass(const struct pop3_session *s);
/* pop3_session_login_done - report the login; on OK the session takes md. Returns
 * POP3_ACTION_CLOSE when too many logins failed, else POP3_ACTION_READ */
enum pop3_action pop3_session_login_done(struct pop3_session *s, enum pop3_login_result r,
					 struct maildrop *md);

/* For POP3_ACTION_STLS: the handshake ended; false closes the connection. */
enum pop3_action pop3_session_tls_done(struct pop3_session *s, bool ok);

/* For POP3_ACTION_RETR. */
uint32_t pop3_session_retr_uid(const struct pop3_session *s);
/* pop3_session_retr_index - the message's index in pop3_session_maildrop() */
size_t pop3_session_retr_index(const struct pop3_session *s);
void pop3_session_retr_begin(struct pop3_session *s);
/* pop3_session_retr_chunk - encode stored bytes; true when no more are wanted (TOP) */
bool pop3_session_retr_chunk(struct pop3_session *s, const uint8_t *data, size_t len);
void pop3_session_retr_end(struct pop3_session *s);
/* pop3_session_retr_fail - before retr_begin only: answer -ERR instead */
void pop3_session_retr_fail(struct pop3_session *s, bool temporary);

/* For POP3_ACTION_UPDATE: the maildrop with the deleted marks; ok: all removed. */
struct maildrop *pop3_session_maildrop(struct pop3_session *s);
size_t pop3_session_deleted_count(const struct pop3_session *s);
void pop3_session_update_done(struct pop3_session *s, bool ok);

/* pop3_session_authenticated - true in the TRANSACTION state (for logs and locks) */
bool pop3_session_authenticated(const struct pop3_session *s);

#endif
