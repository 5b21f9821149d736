/* smtp_client.c - the client session state machine (see smtp_client.h) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "services/smtp-out/smtp_client.h"

enum state {
	ST_GREETING, ST_EHLO, ST_HELO, ST_STARTTLS, ST_TLS, ST_READY,
	ST_MAIL, ST_RCPT, ST_DATA, ST_BODY, ST_DOT, ST_RSET, ST_QUIT, ST_CLOSED,
};

struct smtp_client {
	enum state state;
	char helo[256];
	bool tls_available, tls_active;
	struct evbuffer *out;
	struct smtp_reply last;
	struct smtp_ehlo ehlo;
	bool esmtp;
	struct smtp_client_msg *msg;
	size_t rcpt_sent;     /* RCPT commands written */
	size_t rcpt_seen;     /* RCPT replies read */
	size_t accepted;      /* recipients with a 2xx RCPT reply */
	bool mail_ok;
};

/* one handler per state: the reply in c->last, returns the event or -1 */
typedef int state_fn(struct smtp_client *c, const char **error_r);

struct smtp_client *smtp_client_new(const char *helo_name, bool tls_available,
				    struct evbuffer *out)
{
	struct smtp_client *c = calloc(1, sizeof(*c));

	if (c == NULL)
		abort();
	snprintf(c->helo, sizeof(c->helo), "%s", helo_name);
	c->tls_available = tls_available;
	c->out = out;
	c->state = ST_GREETING;
	return c;
}

void smtp_client_free(struct smtp_client **c)
{
	free(*c);
	*c = NULL;
}

void smtp_client_xtext(const char *in, struct evbuffer *out)
{
	for (const unsigned char *p = (const unsigned char *)in; *p != '\0'; p++) {
		if (*p < '!' || *p > '~' || *p == '+' || *p == '=')
			evbuffer_add_printf(out, "+%02X", *p);
		else
			evbuffer_add(out, p, 1);
	}
}

/* set_result - record reply r (or a made-up one) for recipient i */
static void set_result(struct smtp_client_rcpt *rc, int code, const char *enh, const char *text)
{
	rc->code = code;
	snprintf(rc->enh, sizeof(rc->enh), "%s", enh);
	snprintf(rc->text, sizeof(rc->text), "%s", text);
}

/* set_from_last - recipient gets the last reply */
static void set_from_last(struct smtp_client *c, struct smtp_client_rcpt *rc)
{
	char text[SMTP_CLIENT_RESULT_MAX];

	set_result(rc, c->last.code, c->last.enh, smtp_reply_summary(&c->last, text, sizeof(text)));
}

/* fail_unanswered - every recipient without a result, or every accepted one (after DATA
 * or the final dot), gets the last reply */
static void apply_last(struct smtp_client *c, bool only_accepted)
{
	for (size_t i = 0; i < c->msg->nrcpts; i++) {
		struct smtp_client_rcpt *rc = &c->msg->rcpts[i];

		if (only_accepted ? rc->code / 100 == 2 : rc->code == 0)
			set_from_last(c, rc);
	}
}

/* send_ehlo - EHLO, or HELO when fallback */
static int send_greet(struct smtp_client *c, bool helo)
{
	evbuffer_add_printf(c->out, "%s %s\r\n", helo ? "HELO" : "EHLO", c->helo);
	c->state = helo ? ST_HELO : ST_EHLO;
	return SMTP_CLIENT_NEED_MORE;
}

/* on_greeting - 220 (RFC 5321 4.2, 3.1): anything else makes the host unusable */
static int on_greeting(struct smtp_client *c, const char **error_r)
{
	if (c->last.code != 220)
		return SMTP_CLIENT_FAILED;
	return send_greet(c, false);
}

/* on_ehlo - extensions; STARTTLS first when offered (RFC 3207); HELO on refusal */
static int on_ehlo(struct smtp_client *c, const char **error_r)
{
	if (c->last.code / 100 != 2)
		return c->last.code / 100 == 5 ? send_greet(c, true) : SMTP_CLIENT_FAILED;
	c->esmtp = true;
	smtp_ehlo_parse(&c->last, &c->ehlo);
	if (c->ehlo.starttls && c->tls_available && !c->tls_active) {
		evbuffer_add_printf(c->out, "STARTTLS\r\n");
		c->state = ST_STARTTLS;
		return SMTP_CLIENT_NEED_MORE;
	}
	c->state = ST_READY;
	return SMTP_CLIENT_READY;
}

/* on_helo - the RFC 821 fallback: no extensions */
static int on_helo(struct smtp_client *c, const char **error_r)
{
	if (c->last.code / 100 != 2)
		return SMTP_CLIENT_FAILED;
	c->esmtp = false;
	memset(&c->ehlo, 0, sizeof(c->ehlo));
	c->state = ST_READY;
	return SMTP_CLIENT_READY;
}

/* on_starttls - 220: handshake; refused: go on in clear (opportunistic, RFC 7435) */
static int on_starttls(struct smtp_client *c, const char **error_r)
{
	if (c->last.code == 220) {
		c->state = ST_TLS;
		return SMTP_CLIENT_STARTTLS;
	}
	c->state = ST_READY;
	return SMTP_CLIENT_READY;
}

void smtp_client_tls_done(struct smtp_client *c)
{
	/* RFC 3207 4.2: forget what was learnt in clear and ask again */
	c->tls_active = true;
	memset(&c->ehlo, 0, sizeof(c->ehlo));
	(void)send_greet(c, false);
}

/* write_mail - MAIL FROM with the parameters the server understands */
static void write_mail(struct smtp_client *c)
{
	const struct smtp_client_msg *m = c->msg;

	evbuffer_add_printf(c->out, "MAIL FROM:<%s>", m->sender);
	if (c->ehlo.has_size)
		evbuffer_add_printf(c->out, " SIZE=%llu", (unsigned long long)m->size);
	if (c->ehlo.eightbitmime)
		evbuffer_add_printf(c->out, " BODY=8BITMIME");
	if (m->needs_smtputf8)
		evbuffer_add_printf(c->out, " SMTPUTF8");
	if (c->ehlo.dsn && m->ret != 0)
		evbuffer_add_printf(c->out, " RET=%s", m->ret == 1 ? "FULL" : "HDRS");
	if (c->ehlo.dsn && m->envid[0] != '\0') {
		evbuffer_add_printf(c->out, " ENVID=");
		smtp_client_xtext(m->envid, c->out);
	}
	evbuffer_add_printf(c->out, "\r\n");
}

/* write_notify - NOTIFY=NEVER or the list (RFC 3461 4.1) */
static void write_notify(struct evbuffer *out, unsigned n)
{
	static const struct { unsigned bit; const char *name; } names[] = {
		{ SMTP_CLIENT_NOTIFY_SUCCESS, "SUCCESS" }, { SMTP_CLIENT_NOTIFY_FAILURE, "FAILURE" },
		{ SMTP_CLIENT_NOTIFY_DELAY, "DELAY" } };
	const char *sep = " NOTIFY=";

	if (n & SMTP_CLIENT_NOTIFY_NEVER) {
		evbuffer_add_printf(out, " NOTIFY=NEVER");
		return;
	}
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (n & names[i].bit) {
			evbuffer_add_printf(out, "%s%s", sep, names[i].name);
			sep = ",";
		}
}

/* write_rcpt - RCPT TO for recipient i, with NOTIFY and ORCPT when DSN is offered */
static void write_rcpt(struct smtp_client *c, size_t i)
{
	const struct smtp_client_rcpt *rc = &c->msg->rcpts[i];
	const char *semi;

	evbuffer_add_printf(c->out, "RCPT TO:<%s>", rc->address);
	if (c->ehlo.dsn && rc->notify != 0)
		write_notify(c->out, rc->notify);
	if (c->ehlo.dsn && (semi = strchr(rc->orcpt, ';')) != NULL) {
		/* RFC 3461 4.2: addr-type ";" xtext */
		evbuffer_add_printf(c->out, " ORCPT=%.*s;", (int)(semi - rc->orcpt), rc->orcpt);
		smtp_client_xtext(semi + 1, c->out);
	}
	evbuffer_add_printf(c->out, "\r\n");
	c->rcpt_sent++;
}

/* refuse_all - every recipient fails with a local permanent status, nothing is sent */
static int refuse_all(struct smtp_client *c, const char *enh, const char *text)
{
	char line[SMTP_CLIENT_RESULT_MAX];

	snprintf(line, sizeof(line), "554 %s %s", enh, text);
	for (size_t i = 0; i < c->msg->nrcpts; i++)
		set_result(&c->msg->rcpts[i], 554, enh, line);
	return SMTP_CLIENT_MSG_DONE;
}

int smtp_client_send(struct smtp_client *c, struct smtp_client_msg *msg)
{
	c->msg = msg;
	for (size_t i = 0; i < msg->nrcpts; i++)
		msg->rcpts[i].code = 0;
	/* RFC 1870 section 6: do not send what the server said it will not take */
	if (c->ehlo.has_size && c->ehlo.size > 0 && msg->size > c->ehlo.size)
		return refuse_all(c, "5.3.4", "message size exceeds the remote server's limit");
	/* RFC 6531 3.2: without SMTPUTF8 at the server the message cannot be relayed */
	if (msg->needs_smtputf8 && !c->ehlo.smtputf8)
		return refuse_all(c, "5.6.7", "the remote server does not support SMTPUTF8");
	c->rcpt_sent = c->rcpt_seen = c->accepted = 0;
	c->mail_ok = false;
	write_mail(c);
	if (c->ehlo.pipelining) {  /* RFC 2920 3.1: MAIL, RCPTs and DATA in one group */
		while (c->rcpt_sent < msg->nrcpts)
			write_rcpt(c, c->rcpt_sent);
		evbuffer_add_printf(c->out, "DATA\r\n");
	}
	c->state = ST_MAIL;
	return SMTP_CLIENT_NEED_MORE;
}

/* abort_txn - the transaction cannot go on: RSET, results so far are final */
static int abort_txn(struct smtp_client *c)
{
	apply_last(c, false);
	evbuffer_add_printf(c->out, "RSET\r\n");
	c->state = ST_RSET;
	return SMTP_CLIENT_MSG_DONE;
}

/* send_data - DATA when at least one recipient was accepted (without pipelining) */
static int send_data(struct smtp_client *c)
{
	if (c->accepted == 0)
		return abort_txn(c);
	evbuffer_add_printf(c->out, "DATA\r\n");
	c->state = ST_DATA;
	return SMTP_CLIENT_NEED_MORE;
}

/* on_mail - MAIL's reply; with pipelining the RCPT and DATA replies follow regardless */
static int on_mail(struct smtp_client *c, const char **error_r)
{
	c->mail_ok = c->last.code / 100 == 2;
	if (!c->mail_ok)
		apply_last(c, false);
	if (c->ehlo.pipelining) {
		c->state = c->msg->nrcpts > 0 ? ST_RCPT : ST_DATA;
		return SMTP_CLIENT_NEED_MORE;
	}
	if (!c->mail_ok)
		return abort_txn(c);
	write_rcpt(c, 0);
	c->state = ST_RCPT;
	return SMTP_CLIENT_NEED_MORE;
}

/* on_rcpt - one recipient's reply, in order (RFC 2920 3.1) */
static int on_rcpt(struct smtp_client *c, const char **error_r)
{
	struct smtp_client_rcpt *rc = &c->msg->rcpts[c->rcpt_seen++];

	if (c->mail_ok)
		set_from_last(c, rc);
	if (c->last.code / 100 == 2 && c->mail_ok)
		c->accepted++;
	if (c->rcpt_seen < c->msg->nrcpts) {
		if (!c->ehlo.pipelining)
			write_rcpt(c, c->rcpt_seen);
		return SMTP_CLIENT_NEED_MORE;
	}
	if (c->ehlo.pipelining) {
		c->state = ST_DATA;
		return SMTP_CLIENT_NEED_MORE;
	}
	return send_data(c);
}

/* on_data - 354 with accepted recipients: the body; otherwise the transaction ends */
static int on_data(struct smtp_client *c, const char **error_r)
{
	if (c->last.code == 354 && c->accepted > 0) {
		c->state = ST_BODY;
		return SMTP_CLIENT_BODY;
	}
	if (c->last.code == 354) {
		/* RFC 2920 3.1: nothing was accepted, end the empty body, then reset */
		evbuffer_add_printf(c->out, ".\r\n");
		c->state = ST_DOT;
		c->accepted = 0;
		return SMTP_CLIENT_NEED_MORE;
	}
	if (c->mail_ok)
		apply_last(c, true);
	return abort_txn(c);
}

void smtp_client_body_sent(struct smtp_client *c)
{
	c->state = ST_DOT;
}

/* on_dot - the final reply applies to every accepted recipient (RFC 5321 4.1.1.4) */
static int on_dot(struct smtp_client *c, const char **error_r)
{
	if (c->accepted > 0)
		apply_last(c, true);
	else
		return abort_txn(c);
	c->state = ST_READY;
	return SMTP_CLIENT_MSG_DONE;
}

/* on_rset - RSET answered: ready for the next message */
static int on_rset(struct smtp_client *c, const char **error_r)
{
	if (c->last.code / 100 != 2)
		return SMTP_CLIENT_FAILED;
	c->state = ST_READY;
	return SMTP_CLIENT_READY;
}

void smtp_client_quit(struct smtp_client *c)
{
	evbuffer_add_printf(c->out, "QUIT\r\n");
	c->state = ST_QUIT;
}

/* on_quit - the session is over */
static int on_quit(struct smtp_client *c, const char **error_r)
{
	c->state = ST_CLOSED;
	return SMTP_CLIENT_CLOSED;
}

/* unexpected - a reply where none was asked for */
static int unexpected(struct smtp_client *c, const char **error_r)
{
	*error_r = "unexpected reply";
	return -1;
}

static state_fn *const handlers[] = {
	[ST_GREETING] = on_greeting, [ST_EHLO] = on_ehlo, [ST_HELO] = on_helo,
	[ST_STARTTLS] = on_starttls, [ST_TLS] = unexpected, [ST_READY] = unexpected,
	[ST_MAIL] = on_mail, [ST_RCPT] = on_rcpt, [ST_DATA] = on_data, [ST_BODY] = unexpected,
	[ST_DOT] = on_dot, [ST_RSET] = on_rset, [ST_QUIT] = on_quit, [ST_CLOSED] = unexpected,
};

int smtp_client_feed(struct smtp_client *c, const uint8_t *buf, size_t len,
		     size_t *consumed_r, const char **error_r)
{
	ssize_t n = smtp_reply_parse(buf, len, &c->last, error_r);

	*consumed_r = 0;
	if (n <= 0)
		return n < 0 ? -1 : SMTP_CLIENT_NEED_MORE;
	*consumed_r = (size_t)n;
	return handlers[c->state](c, error_r);
}

const struct smtp_reply *smtp_client_last(const struct smtp_client *c)
{
	return &c->last;
}

const struct smtp_ehlo *smtp_client_ehlo(const struct smtp_client *c)
{
	return &c->ehlo;
}

bool smtp_client_tls(const struct smtp_client *c)
{
	return c->tls_active;
}

bool smtp_client_is_ready(const struct smtp_client *c)
{
	return c->state == ST_READY;
}
