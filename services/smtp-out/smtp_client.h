/* smtp_client - the SMTP client session as a state machine: reply bytes in, commands and
 * events out (RFC 5321 3 and 4). No sockets, no database: the connection layer feeds what
 * the server sent and acts on the returned event; commands go to the evbuffer given at
 * creation.
 *
 *   greeting 220 -> EHLO (HELO when EHLO is refused, RFC 5321 3.2)
 *   STARTTLS whenever offered and TLS is available (RFC 3207; opportunistic, RFC 7435),
 *     EHLO again afterwards (RFC 3207 4.2)
 *   READY: smtp_client_send() starts a transaction, smtp_client_quit() ends the session
 *   MAIL / RCPT / DATA pipelined when offered (RFC 2920), with SIZE (RFC 1870), SMTPUTF8
 *     (RFC 6531) and DSN parameters (RFC 3461) when the server lists them
 *   BODY: the caller streams the dot-stuffed body (smtp_dot.h) then smtp_client_body_sent()
 *   MSG_DONE: every recipient of the message has its result; the session is READY again,
 *     so several messages for one host share a connection.
 */
#ifndef MERPATI_SMTPOUT_CLIENT_H
#define MERPATI_SMTPOUT_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <event2/buffer.h>

#include "services/smtp-out/smtp_ehlo.h"
#include "services/smtp-out/smtp_reply.h"

#define SMTP_CLIENT_RESULT_MAX 512   /* per-recipient reply kept, bytes */
#define SMTP_CLIENT_RCPTS_MAX 100    /* recipients per transaction (RFC 5321 4.5.3.1.8) */

/* DSN flags as in lib/queue (RFC 3461 4.1) */
#define SMTP_CLIENT_NOTIFY_SUCCESS 0x01
#define SMTP_CLIENT_NOTIFY_FAILURE 0x02
#define SMTP_CLIENT_NOTIFY_DELAY   0x04
#define SMTP_CLIENT_NOTIFY_NEVER   0x08

struct smtp_client_rcpt {
	const char *address;
	const char *orcpt;        /* "rfc822;user@example.com" or "" */
	unsigned notify;          /* SMTP_CLIENT_NOTIFY_*; 0: not given */
	/* results */
	int code;                 /* 0: no answer yet */
	char enh[SMTP_REPLY_ENH_MAX];
	char text[SMTP_CLIENT_RESULT_MAX];  /* "550 5.1.1 no such user" */
};

struct smtp_client_msg {
	const char *sender;       /* "" for the null reverse-path */
	const char *envid;        /* "" when none */
	int ret;                  /* 0 unset, 1 FULL, 2 HDRS */
	uint64_t size;
	bool needs_smtputf8;      /* an address or header is not ASCII */
	size_t nrcpts;
	struct smtp_client_rcpt *rcpts;
};

enum smtp_client_event {
	SMTP_CLIENT_NEED_MORE,    /* no event: feed on (more bytes if nothing was consumed) */
	SMTP_CLIENT_STARTTLS,     /* start the TLS handshake now, then smtp_client_tls_done() */
	SMTP_CLIENT_READY,        /* give a message or quit */
	SMTP_CLIENT_BODY,         /* stream the body now */
	SMTP_CLIENT_MSG_DONE,     /* results are in the message's rcpts */
	SMTP_CLIENT_FAILED,       /* the host cannot be used; smtp_client_last() says why */
	SMTP_CLIENT_CLOSED,       /* QUIT answered */
};

struct smtp_client;

/* smtp_client_new - a session that writes commands to out; tls_available: a client TLS
 * context exists and TLS is not active yet */
struct smtp_client *smtp_client_new(const char *helo_name, bool tls_available,
				    struct evbuffer *out);
void smtp_client_free(struct smtp_client **c);
/* smtp_client_feed - parse at most one reply from buf; *consumed_r bytes used. Returns the
 * event, or -1 with *error_r on a malformed reply or one that fits no state */
int smtp_client_feed(struct smtp_client *c, const uint8_t *buf, size_t len,
		     size_t *consumed_r, const char **error_r);
/* smtp_client_tls_done - the handshake succeeded: EHLO again */
void smtp_client_tls_done(struct smtp_client *c);
/* smtp_client_send - start msg in READY. Returns SMTP_CLIENT_NEED_MORE when commands went
 * out, or SMTP_CLIENT_MSG_DONE when every recipient failed before sending anything (SIZE
 * too large: 5.3.4; SMTPUTF8 needed but not offered: 5.6.7). msg must live until done. */
int smtp_client_send(struct smtp_client *c, struct smtp_client_msg *msg);
/* smtp_client_body_sent - the body and its final "." are queued */
void smtp_client_body_sent(struct smtp_client *c);
/* smtp_client_quit - send QUIT (RFC 5321 4.1.1.10) */
void smtp_client_quit(struct smtp_client *c);
/* smtp_client_last - the last reply seen */
const struct smtp_reply *smtp_client_last(const struct smtp_client *c);
/* smtp_client_ehlo - what the server offered */
const struct smtp_ehlo *smtp_client_ehlo(const struct smtp_client *c);
/* smtp_client_is_ready - waiting for a message or QUIT */
bool smtp_client_is_ready(const struct smtp_client *c);
/* smtp_client_tls - STARTTLS completed on this session */
bool smtp_client_tls(const struct smtp_client *c);
/* smtp_client_xtext - RFC 3461 4: bytes outside "!".."~", "+" and "=" as "+HH" */
void smtp_client_xtext(const char *in, struct evbuffer *out);

#endif
