/* pop3_session.c - the POP3 state machine: command table, dispatch, actions (RFC 1939 3) */
#include "services/pop3/pop3_session_int.h"

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#define AUTH POP3_STATE_AUTHORIZATION
#define TRANS POP3_STATE_TRANSACTION

/* RFC 1939 4-7, RFC 2449 5, RFC 2595 4, RFC 5034 4. Argument counts are checked here;
 * what depends on the session (USER before PASS, message numbers) in each handler. */
static const struct pop3_command session_commands[] = {
	{ "USER", AUTH, 1, 1, false, pop3_auth_user },
	{ "PASS", AUTH, 1, 3, true, pop3_auth_pass },
	{ "AUTH", AUTH, 0, 2, false, pop3_auth_auth },
	{ "STLS", AUTH, 0, 0, false, pop3_auth_stls },
	{ "CAPA", AUTH | TRANS, 0, 0, false, pop3_capa_capa },
	{ "QUIT", AUTH | TRANS, 0, 0, false, pop3_commands_quit },
	{ "STAT", TRANS, 0, 0, false, pop3_commands_stat },
	{ "LIST", TRANS, 0, 1, false, pop3_commands_list },
	{ "UIDL", TRANS, 0, 1, false, pop3_commands_uidl },
	{ "RETR", TRANS, 1, 1, false, pop3_commands_retr },
	{ "TOP", TRANS, 2, 2, false, pop3_commands_top },
	{ "DELE", TRANS, 1, 1, false, pop3_commands_dele },
	{ "NOOP", TRANS, 0, 0, false, pop3_commands_noop },
	{ "RSET", TRANS, 0, 0, false, pop3_commands_rset },
};

struct pop3_session *pop3_session_new(const struct pop3_session_config *cfg,
				      const struct pop3_output *out, bool tls, bool secure)
{
	struct pop3_session *s = calloc(1, sizeof(*s));

	if (s == NULL)
		abort();
	s->cfg = *cfg;
	s->out = *out;
	s->state = POP3_STATE_AUTHORIZATION;
	s->pending = POP3_ACTION_READ;
	s->tls = tls;
	s->secure = secure || tls;
	return s;
}

void pop3_session_free(struct pop3_session **s)
{
	if (*s == NULL)
		return;
	sodium_memzero((*s)->pass, sizeof((*s)->pass));
	maildrop_free(&(*s)->md);
	free(*s);
	*s = NULL;
}

void pop3_session_write(struct pop3_session *s, const void *data, size_t len)
{
	s->out.write(s->out.ctx, data, len);
}

void pop3_session_reply(struct pop3_session *s, const char *fmt, ...)
{
	/* RFC 2449 4: responses are at most 512 octets including the CRLF */
	char line[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line) - 2, fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	if ((size_t)n > sizeof(line) - 3)
		n = (int)sizeof(line) - 3;
	memcpy(line + n, "\r\n", 2);
	pop3_session_write(s, line, (size_t)n + 2);
}

void pop3_session_greet(struct pop3_session *s)
{
	pop3_session_reply(s, "+OK %s Merpati POP3 server ready", s->cfg.hostname);
}

bool pop3_session_bad(struct pop3_session *s, const char *why)
{
	if (++s->bad_commands >= s->cfg.max_bad_commands) {
		pop3_session_reply(s, "-ERR Too many bad commands, closing");
		s->state = POP3_STATE_CLOSED;
		return true;
	}
	pop3_session_reply(s, "-ERR %s", why);
	return false;
}

/* session_find - the table row for a verb, or NULL */
static const struct pop3_command *session_find(const char *verb)
{
	for (size_t i = 0; i < sizeof(session_commands) / sizeof(session_commands[0]); i++)
		if (strcmp(session_commands[i].verb, verb) == 0)
			return &session_commands[i];
	return NULL;
}

/* session_dispatch - check a parsed command against the table, then proceed */
static enum pop3_action session_dispatch(struct pop3_session *s, const struct pop3_cmd *cmd)
{
	const struct pop3_command *c = cmd->verb[0] != '\0' ? session_find(cmd->verb) : NULL;
	const char *bad = cmd->bad;
	char why[64];

	if (c == NULL)
		bad = "Unknown command";
	else if (bad == NULL && !c->whole_line && cmd->args_bad != NULL)
		bad = cmd->args_bad;
	else if (bad == NULL && (c->whole_line ? cmd->rest.len == 0 :
				 cmd->argc < c->min_args || cmd->argc > c->max_args))
		bad = "Wrong number of arguments";
	else if (bad == NULL && (c->states & s->state) == 0) {
		/* counted too: a client must not idle forever on commands it may not use */
		snprintf(why, sizeof(why), "%s is not valid in this state", c->verb);
		bad = why;
	}
	if (bad != NULL)
		return pop3_session_bad(s, bad) ? POP3_ACTION_CLOSE : POP3_ACTION_READ;
	return c->proceed(s, cmd);
}

/* session_step - run one line from buf; returns octets consumed, 0 for more input */
static ssize_t session_step(struct pop3_session *s, const uint8_t *buf, size_t len,
			    enum pop3_action *action_r)
{
	struct pop3_cmd cmd;
	const char *error;
	size_t line_len;
	ssize_t n;

	if (s->sasl != POP3_SASL_NONE) {
		n = pop3_parser_line(buf, len, s->cfg.max_sasl_line, &line_len, &error);
		if (n > 0)
			*action_r = pop3_auth_sasl_line(s, buf, line_len);
	} else {
		n = pop3_parser_parse(buf, len, s->cfg.max_line, &cmd, &error);
		if (n > 0)
			*action_r = session_dispatch(s, &cmd);
	}
	if (n < 0) {
		/* the end of the line is unknown, so nothing after it can be trusted */
		pop3_session_reply(s, "-ERR Line too long, closing");
		s->state = POP3_STATE_CLOSED;
		*action_r = POP3_ACTION_CLOSE;
	}
	return n;
}

size_t pop3_session_input(struct pop3_session *s, const uint8_t *buf, size_t len,
			  enum pop3_action *action_r)
{
	enum pop3_action a = POP3_ACTION_READ;
	size_t used = 0;

	assert(s->pending == POP3_ACTION_READ);
	while (a == POP3_ACTION_READ && s->state != POP3_STATE_CLOSED) {
		ssize_t n = session_step(s, buf + used, len - used, &a);
		if (n <= 0)
			break;
		used += (size_t)n;
	}
	if (s->state == POP3_STATE_CLOSED)
		a = POP3_ACTION_CLOSE;
	if (a != POP3_ACTION_CLOSE)
		s->pending = a;
	*action_r = a;
	return used;
}

void pop3_session_timeout(struct pop3_session *s)
{
	/* RFC 1939 3: an autologout timer closes without entering the UPDATE state */
	pop3_session_reply(s, "-ERR Disconnected for inactivity");
	s->state = POP3_STATE_CLOSED;
}

void pop3_session_shutdown(struct pop3_session *s)
{
	pop3_session_reply(s, "-ERR [SYS/TEMP] Server shutting down, try again shortly");
	s->state = POP3_STATE_CLOSED;
}

enum pop3_action pop3_session_tls_done(struct pop3_session *s, bool ok)
{
	assert(s->pending == POP3_ACTION_STLS);
	s->pending = POP3_ACTION_READ;
	if (!ok) {
		s->state = POP3_STATE_CLOSED;
		return POP3_ACTION_CLOSE;
	}
	/* RFC 2595 4: forget anything learnt before TLS */
	s->tls = s->secure = true;
	s->have_user = false;
	s->user[0] = '\0';
	return POP3_ACTION_READ;
}

bool pop3_session_authenticated(const struct pop3_session *s)
{
	return s->md != NULL;
}
