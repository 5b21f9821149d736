/* web_session - login sessions in webmail_sessions (only the SHA-256 of the token is
 * stored), the session cookie, and the CSRF token derived from the session token. */
#ifndef MERPATI_WEBMAIL_WEB_SESSION_H
#define MERPATI_WEBMAIL_WEB_SESSION_H

#include "services/webmail/web_server.h"

#define WEB_SESSION_COOKIE "merpati_session"

/* web_session_cookie - the session token from a Cookie header into token ("" when none or
 * malformed) */
void web_session_cookie(const char *header, char token[WEB_TOKEN_SIZE]);
/* web_session_csrf - the CSRF token of a session token */
void web_session_csrf(const char *token, char csrf[WEB_TOKEN_SIZE]);
/* web_session_check - on a worker: find the session of call->token and check the CSRF
 * token for state changes. 1 valid (call->account_id set), 0 refused (401/403 set), -1
 * store error */
int web_session_check(PGconn *conn, struct web_call *call, const char **error_r);
/* web_session_is_admin - the address is listed in MERPATI_WEBMAIL_ADMINS */
bool web_session_is_admin(const struct web_config *cfg, const char *address);

#endif
