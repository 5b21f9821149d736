/* pop3_capa.c - CAPA (RFC 2449 5): what this server offers, given the session's state */
#include "services/pop3/pop3_session_int.h"

enum pop3_action pop3_capa_capa(struct pop3_session *s, const struct pop3_cmd *cmd)
{
	bool auth = s->state == POP3_STATE_AUTHORIZATION;

	pop3_session_reply(s, "+OK Capability list follows");
	pop3_session_reply(s, "TOP");
	pop3_session_reply(s, "UIDL");
	pop3_session_reply(s, "RESP-CODES");
	pop3_session_reply(s, "AUTH-RESP-CODE");
	pop3_session_reply(s, "PIPELINING");
	/* RFC 2595 2.3: mechanisms that send passwords are offered only where allowed */
	if (auth && s->secure) {
		pop3_session_reply(s, "USER");
		pop3_session_reply(s, "SASL PLAIN LOGIN");
	}
	if (auth && !s->tls && s->cfg.stls_offered)
		pop3_session_reply(s, "STLS");
	/* RFC 2449 6.7, 6.8: policy values, only when configured */
	if (s->cfg.expire_days == POP3_SESSION_EXPIRE_NEVER)
		pop3_session_reply(s, "EXPIRE NEVER");
	else if (s->cfg.expire_days >= 0)
		pop3_session_reply(s, "EXPIRE %ld", s->cfg.expire_days);
	if (s->cfg.login_delay >= 0)
		pop3_session_reply(s, "LOGIN-DELAY %ld", s->cfg.login_delay);
	pop3_session_reply(s, "IMPLEMENTATION Merpati");
	pop3_session_write(s, ".\r\n", 3);
	return POP3_ACTION_READ;
}
