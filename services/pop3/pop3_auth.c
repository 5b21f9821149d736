/* pop3_auth.c - AUTHORIZATION state: USER/PASS (RFC 1939 7), AUTH PLAIN and LOGIN
 * (RFC 5034, RFC 4616), STLS (RFC 2595 4), and the answer to a login attempt */
#include "services/pop3/pop3_session_int.h"

#include <assert.h>
#include <string.h>

#include <sodium.h>

/* Mechanisms offered in CAPA SASL and by AUTH without arguments. */
static const char *const auth_mechanisms[] = { "PLAIN", "LOGIN" };

/* auth_insecure - RFC 2595 2.3 / DESIGN.md: no passwords in the clear unless allowed */
static bool auth_insecure(struct pop3_session *s)
{
	if (s->secure)
		return false;
	pop3_session_reply(s, "-ERR [AUTH] Plaintext authentication disallowed on non-secure "
			   "connections%s", s->cfg.stls_offered ? ", use STLS first" : "");
	return true;
}

/* auth_copy - bounded copy of a credential; false when too long or holding a NUL */
static bool auth_copy(char *dst, size_t size, const void *src, size_t len)
{
	if (len >= size || memchr(src, '\0', len) != NULL)
		return false;
	memcpy(dst, src, len);
	dst[len] = '\0';
	return true;
}

/* auth_begin_login - hand the credentials to the caller */
static enum pop3_action auth_begin_login(struct pop3_session *s)
{
	s->sasl = POP3_SASL_NONE;
	return POP3_ACTION_LOGIN;
}

enum pop3_action pop3_auth_user(struct pop3_session *s, const struct pop3_cmd *cmd)
{
	if (auth_insecure(s))
		return POP3_ACTION_READ;
	if (!auth_copy(s->user, sizeof(s->user), cmd->args[0].s, cmd->args[0].len)) {
		pop3_session_reply(s, "-ERR User name too long");
		return POP3_ACTION_READ;
	}
	/* RFC 1939 7: answering +OK whether or not the user exists tells an attacker less */
	s->have_user = true;
	pop3_session_reply(s, "+OK");
	return POP3_ACTION_READ;
}

enum pop3_action pop3_auth_pass(struct pop3_session *s, const struct pop3_cmd *cmd)
{
	if (auth_insecure(s))
		return POP3_ACTION_READ;
	if (!s->have_user) {
		pop3_session_reply(s, "-ERR USER first");
		return POP3_ACTION_READ;
	}
	if (!auth_copy(s->pass, sizeof(s->pass), cmd->rest.s, cmd->rest.len)) {
		pop3_session_reply(s, "-ERR [AUTH] Password too long");
		return POP3_ACTION_READ;
	}
	return auth_begin_login(s);
}

/* auth_decode - RFC 5034 4: base64 through libsodium; "=" is an empty response */
static int auth_decode(const uint8_t *b64, size_t len, uint8_t *out, size_t max,
		       size_t *out_len_r)
{
	if (len == 1 && b64[0] == '=') {
		*out_len_r = 0;
		return 0;
	}
	return sodium_base642bin(out, max, (const char *)b64, len, NULL, out_len_r, NULL,
				 sodium_base64_VARIANT_ORIGINAL);
}

/* auth_plain_split - RFC 4616 2: [authzid] NUL authcid NUL passwd, where an authzid, if
 * any, must name the same user: nobody logs in as someone else */
static bool auth_plain_split(struct pop3_session *s, const uint8_t *msg, size_t n)
{
	const uint8_t *nul1 = memchr(msg, '\0', n), *nul2;
	size_t zlen, clen;

	if (nul1 == NULL)
		return false;
	zlen = (size_t)(nul1 - msg);
	nul2 = memchr(nul1 + 1, '\0', n - zlen - 1);
	if (nul2 == NULL)
		return false;
	clen = (size_t)(nul2 - nul1 - 1);
	if (zlen != 0 && (zlen != clen || memcmp(msg, nul1 + 1, clen) != 0))
		return false;
	return auth_copy(s->user, sizeof(s->user), nul1 + 1, clen) &&
	       auth_copy(s->pass, sizeof(s->pass), nul2 + 1, n - zlen - clen - 2);
}

/* auth_plain - the PLAIN mechanism's one message (RFC 4616) */
static enum pop3_action auth_plain(struct pop3_session *s, const uint8_t *b64, size_t len)
{
	uint8_t msg[POP3_SESSION_USER_MAX * 2 + POP3_SESSION_PASS_MAX + 3];
	size_t n;
	bool ok;

	s->sasl = POP3_SASL_NONE;
	if (auth_decode(b64, len, msg, sizeof(msg), &n) < 0) {
		pop3_session_reply(s, "-ERR Invalid base64 data");
		return POP3_ACTION_READ;
	}
	ok = auth_plain_split(s, msg, n);
	sodium_memzero(msg, sizeof(msg));
	if (!ok)
		return pop3_session_login_done(s, POP3_LOGIN_FAILED, NULL);
	return auth_begin_login(s);
}

/* auth_login_step - the LOGIN mechanism: user name, then password, each base64 */
static enum pop3_action auth_login_step(struct pop3_session *s, const uint8_t *b64, size_t len)
{
	bool user = s->sasl == POP3_SASL_LOGIN_USER;
	uint8_t buf[POP3_SESSION_PASS_MAX + 1];
	size_t n;

	if (auth_decode(b64, len, buf, sizeof(buf), &n) < 0 ||
	    !(user ? auth_copy(s->user, sizeof(s->user), buf, n) :
		     auth_copy(s->pass, sizeof(s->pass), buf, n))) {
		sodium_memzero(buf, sizeof(buf));
		s->sasl = POP3_SASL_NONE;
		pop3_session_reply(s, "-ERR Invalid base64 data");
		return POP3_ACTION_READ;
	}
	sodium_memzero(buf, sizeof(buf));
	if (!user)
		return auth_begin_login(s);
	s->sasl = POP3_SASL_LOGIN_PASS;
	pop3_session_reply(s, "+ UGFzc3dvcmQ6"); /* "Password:" */
	return POP3_ACTION_READ;
}

enum pop3_action pop3_auth_sasl_line(struct pop3_session *s, const uint8_t *line, size_t len)
{
	if (len == 1 && line[0] == '*') {
		/* RFC 5034 4: the client cancels the exchange */
		s->sasl = POP3_SASL_NONE;
		pop3_session_reply(s, "-ERR Authentication cancelled");
		return POP3_ACTION_READ;
	}
	if (s->sasl == POP3_SASL_PLAIN)
		return auth_plain(s, line, len);
	return auth_login_step(s, line, len);
}

/* auth_list - AUTH without arguments lists the mechanisms, as many clients expect */
static enum pop3_action auth_list(struct pop3_session *s)
{
	pop3_session_reply(s, "+OK");
	for (size_t i = 0; i < sizeof(auth_mechanisms) / sizeof(auth_mechanisms[0]); i++)
		pop3_session_reply(s, "%s", auth_mechanisms[i]);
	pop3_session_write(s, ".\r\n", 3);
	return POP3_ACTION_READ;
}

enum pop3_action pop3_auth_auth(struct pop3_session *s, const struct pop3_cmd *cmd)
{
	const struct pop3_arg *ir = cmd->argc == 2 ? &cmd->args[1] : NULL;

	if (cmd->argc == 0)
		return auth_list(s);
	if (auth_insecure(s))
		return POP3_ACTION_READ;
	if (pop3_parser_arg_equals(&cmd->args[0], "PLAIN")) {
		s->sasl = POP3_SASL_PLAIN;
		if (ir != NULL)
			return auth_plain(s, (const uint8_t *)ir->s, ir->len);
		pop3_session_reply(s, "+ ");
		return POP3_ACTION_READ;
	}
	if (pop3_parser_arg_equals(&cmd->args[0], "LOGIN")) {
		s->sasl = POP3_SASL_LOGIN_USER;
		if (ir != NULL)
			return auth_login_step(s, (const uint8_t *)ir->s, ir->len);
		pop3_session_reply(s, "+ VXNlcm5hbWU6"); /* "Username:" */
		return POP3_ACTION_READ;
	}
	pop3_session_reply(s, "-ERR Unsupported authentication mechanism");
	return POP3_ACTION_READ;
}

enum pop3_action pop3_auth_stls(struct pop3_session *s, const struct pop3_cmd *cmd)
{
	if (s->tls || !s->cfg.stls_offered) {
		pop3_session_reply(s, "-ERR %s", s->tls ? "Already using TLS" : "STLS not available");
		return POP3_ACTION_READ;
	}
	/* RFC 2595 4: the handshake starts right after this line */
	pop3_session_reply(s, "+OK Begin TLS negotiation");
	return POP3_ACTION_STLS;
}

const char *pop3_session_login_user(const struct pop3_session *s)
{
	return s->user;
}

const char *pop3_session_login_pass(const struct pop3_session *s)
{
	return s->pass;
}

/* auth_login_ok - RFC 1939 7: the maildrop is locked and the TRANSACTION state begins */
static void auth_login_ok(struct pop3_session *s, struct maildrop *md)
{
	s->md = md;
	s->state = POP3_STATE_TRANSACTION;
	pop3_session_reply(s, "+OK Logged in, %zu messages (%llu octets)", md->count,
			   (unsigned long long)md->total_size);
}

enum pop3_action pop3_session_login_done(struct pop3_session *s, enum pop3_login_result r,
					 struct maildrop *md)
{
	sodium_memzero(s->pass, sizeof(s->pass));
	s->pending = POP3_ACTION_READ;
	s->have_user = false;
	switch (r) {
	case POP3_LOGIN_OK:
		assert(md != NULL);
		auth_login_ok(s, md);
		return POP3_ACTION_READ;
	case POP3_LOGIN_IN_USE:
		pop3_session_reply(s, "-ERR [IN-USE] Mailbox is in use by another POP3 session");
		return POP3_ACTION_READ;
	case POP3_LOGIN_TEMPFAIL:
		pop3_session_reply(s, "-ERR [SYS/TEMP] Temporary server failure, try again later");
		return POP3_ACTION_READ;
	case POP3_LOGIN_PERMFAIL:
		pop3_session_reply(s, "-ERR [SYS/PERM] This mailbox cannot be served, contact "
				   "the administrator");
		return POP3_ACTION_READ;
	case POP3_LOGIN_DELAY:
		pop3_session_reply(s, "-ERR [LOGIN-DELAY] Wait at least %ld seconds between logins",
				   s->cfg.login_delay);
		return POP3_ACTION_READ;
	case POP3_LOGIN_FAILED:
		break;
	}
	/* RFC 3206 4 / RFC 2449 8: [AUTH] says the credentials were wrong; after too
	 * many, the same answer and the connection ends */
	pop3_session_reply(s, "-ERR [AUTH] Authentication failed");
	if (++s->auth_failures >= s->cfg.max_auth_failures) {
		s->state = POP3_STATE_CLOSED;
		return POP3_ACTION_CLOSE;
	}
	return POP3_ACTION_READ;
}
