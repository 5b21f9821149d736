/* smtp_session - the ESMTP state machine of one connection: bytes in, actions out.
 *
 * Pure protocol layer: no sockets, no database, no globals, no clock. The caller (the net
 * layer in smtp_server.c, or a test) feeds input with smtp_session_input, writes whatever
 * smtp_session_output holds to the client, and acts on the returned action:
 *
 *   SMTP_ACTION_READ      flush output, then wait for more input
 *   SMTP_ACTION_RCPT      check smtp_session_rcpt(s), then call smtp_session_rcpt_done
 *   SMTP_ACTION_SENDER    may smtp_session_auth_user send as the MAIL FROM address?
 *                         then smtp_session_sender_done
 *   SMTP_ACTION_AUTH      check smtp_session_auth_user / _auth_password, then
 *                         smtp_session_auth_done (after the failure delay, when it failed)
 *   SMTP_ACTION_STORE     commit smtp_session_envelope + body, then smtp_session_store_done
 *   SMTP_ACTION_EXPN      look up smtp_session_expn_address(s) (an alias's targets, or
 *                         the account), then smtp_session_expn_done
 *   SMTP_ACTION_STARTTLS  flush the 220, DISCARD every input byte already read but not
 *                         consumed (RFC 3207 4.2 / CVE-2011-0411), start TLS, then call
 *                         smtp_session_tls_started
 *   SMTP_ACTION_CLOSE     flush and close
 *
 * After an action other than READ/CLOSE the session waits; once the matching *_done call
 * is made, call smtp_session_input again with the unconsumed input (PIPELINING, RFC 2920:
 * commands of one read are processed and answered in order).
 *
 * Listener policies (DESIGN.md 3.9): MX takes mail for our domains from anyone and offers
 * no AUTH; SUBMISSION and SUBMISSIONS require AUTH before MAIL, and AUTH is offered only
 * over TLS unless the connection counts as secure for passwords (plaintext_auth). */
#ifndef MERPATI_SMTP_SESSION_H
#define MERPATI_SMTP_SESSION_H

#include <event2/buffer.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "smtp_parser.h"
#include "smtp_sasl.h"

enum smtp_listener { SMTP_LISTENER_MX, SMTP_LISTENER_SUBMISSION, SMTP_LISTENER_SUBMISSIONS };

/* MERPATI_SMTP_EXPN: who may expand a list (RFC 5321 3.5.2, 7.3) */
enum smtp_expn_policy {
	SMTP_EXPN_OFF,  /* nobody: 502 */
	SMTP_EXPN_AUTH, /* authenticated sessions only; others 502 */
};

/* Reply lines of one EXPN answer: members, plus one line saying the list was cut. */
#define SMTP_EXPN_MEMBERS_MAX 100

struct smtp_session_config {
	enum smtp_listener listener;
	const char *hostname;      /* copied */
	size_t line_max;           /* command line, CRLF included (RFC 5321 4.5.3.1.4) */
	size_t text_line_max;      /* message text line, CRLF included (RFC 5322 2.1.1) */
	size_t message_max;        /* bytes (RFC 1870) */
	unsigned recipients_max;   /* RFC 5321 4.5.3.1.8 */
	unsigned errors_max;       /* refused commands before 421 */
	unsigned auth_failures_max; /* failed AUTH before 421 */
	bool starttls_available;   /* a certificate is loaded */
	bool tls;                  /* already encrypted (implicit TLS) */
	bool plaintext_auth;       /* secure for passwords without TLS (MERPATI_PLAINTEXT_AUTH) */
	enum smtp_expn_policy expn;
};

enum smtp_action {
	SMTP_ACTION_READ,
	SMTP_ACTION_RCPT,
	SMTP_ACTION_SENDER,
	SMTP_ACTION_AUTH,
	SMTP_ACTION_STORE,
	SMTP_ACTION_STARTTLS,
	SMTP_ACTION_CLOSE,
	SMTP_ACTION_EXPN,
};

enum smtp_rcpt_result {
	SMTP_RCPT_OK,           /* an account, alias or catch-all of ours */
	SMTP_RCPT_NO_SUCH_USER, /* our domain, nobody there */
	SMTP_RCPT_FOREIGN,      /* not one of our domains */
	SMTP_RCPT_TEMPFAIL,     /* the lookup failed */
};

enum smtp_expn_result {
	SMTP_EXPN_LIST,     /* an alias: its targets */
	SMTP_EXPN_ACCOUNT,  /* an account: its own address */
	SMTP_EXPN_UNKNOWN,  /* neither */
	SMTP_EXPN_TEMPFAIL, /* the lookup failed */
};

enum smtp_check_result { SMTP_CHECK_OK, SMTP_CHECK_REFUSED, SMTP_CHECK_TEMPFAIL };

enum smtp_auth_result {
	SMTP_AUTH_OK,
	SMTP_AUTH_FAILED,
	SMTP_AUTH_TEMPFAIL,
	SMTP_AUTH_LOCKED, /* too many failures from this client lately */
};

/* The transaction handed over with SMTP_ACTION_STORE. */
struct smtp_envelope {
	const struct smtp_mail_args *mail;
	const struct smtp_rcpt_args *rcpts;
	size_t rcpt_count;
	struct evbuffer *body; /* decoded message, without the Received header */
};

struct smtp_session;

/* smtp_session_new - a session with the greeting already in its output */
struct smtp_session *smtp_session_new(const struct smtp_session_config *cfg);
void smtp_session_free(struct smtp_session **sp);

/* smtp_session_input - process in[0..len); *consumed_r gets the bytes used */
enum smtp_action smtp_session_input(struct smtp_session *s, const uint8_t *in, size_t len,
				    size_t *consumed_r);
/* smtp_session_output - replies waiting to be written */
struct evbuffer *smtp_session_output(struct smtp_session *s);

/* results of the actions */
void smtp_session_rcpt_done(struct smtp_session *s, enum smtp_rcpt_result r);
void smtp_session_sender_done(struct smtp_session *s, enum smtp_check_result r);
void smtp_session_auth_done(struct smtp_session *s, enum smtp_auth_result r);
void smtp_session_store_done(struct smtp_session *s, const char *queue_id);
void smtp_session_tls_started(struct smtp_session *s);
/* smtp_session_expn_done - members[0..n) are mailboxes ("local@domain"); at most
 * SMTP_EXPN_MEMBERS_MAX are shown, truncated says there were more */
void smtp_session_expn_done(struct smtp_session *s, enum smtp_expn_result r,
			    const char *const *members, size_t n, bool truncated);

/* smtp_session_timeout - 421 4.4.2 and close (RFC 5321 4.5.3.2) */
void smtp_session_timeout(struct smtp_session *s);
/* smtp_session_shutdown - 421 4.3.2 and close */
void smtp_session_shutdown(struct smtp_session *s);
/* smtp_session_drain - the server is stopping: a mail transaction in progress may finish
 * (through its 250), and the next command outside one (QUIT aside) gets 421 4.3.2; true
 * when the session is at a command boundary outside a transaction now, so the caller may
 * say goodbye at once with smtp_session_shutdown */
bool smtp_session_drain(struct smtp_session *s);

/* what the actions need */
const struct smtp_rcpt_args *smtp_session_rcpt(const struct smtp_session *s);
const struct smtp_mail_args *smtp_session_mail(const struct smtp_session *s);
const struct smtp_address *smtp_session_expn_address(const struct smtp_session *s);
void smtp_session_envelope(const struct smtp_session *s, struct smtp_envelope *env_r);
const char *smtp_session_auth_user(const struct smtp_session *s); /* NULL if none */
const char *smtp_session_auth_password(const struct smtp_session *s);

/* facts for the Received header and logs */
const char *smtp_session_helo(const struct smtp_session *s);
bool smtp_session_esmtp(const struct smtp_session *s);
bool smtp_session_tls(const struct smtp_session *s);
bool smtp_session_authenticated(const struct smtp_session *s);
bool smtp_session_closed(const struct smtp_session *s);

#endif
