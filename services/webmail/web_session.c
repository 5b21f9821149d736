/* web_session - session cookie, session rows, CSRF, and the login/logout/password routes. */
#include "services/webmail/web_session.h"
#include "services/webmail/web_routes.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "auth/auth.h"
#include "store/account.h"
#include "store/db.h"

#define TOKEN_BYTES 32

/* b64url - base64url without padding of 32 bytes into out (43 characters) */
static void b64url(const unsigned char in[TOKEN_BYTES], char out[WEB_TOKEN_SIZE])
{
	sodium_bin2base64(out, WEB_TOKEN_SIZE, in, TOKEN_BYTES,
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

/* token_hash - what webmail_sessions stores: SHA-256 of the token text */
static void token_hash(const char *token, unsigned char out[crypto_hash_sha256_BYTES])
{
	crypto_hash_sha256(out, (const unsigned char *)token, strlen(token));
}

void web_session_csrf(const char *token, char csrf[WEB_TOKEN_SIZE])
{
	crypto_hash_sha256_state st;
	unsigned char h[crypto_hash_sha256_BYTES];

	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, (const unsigned char *)"merpati-csrf:", 13);
	crypto_hash_sha256_update(&st, (const unsigned char *)token, strlen(token));
	crypto_hash_sha256_final(&st, h);
	b64url(h, csrf);
}

void web_session_cookie(const char *header, char token[WEB_TOKEN_SIZE])
{
	const char *p = header;
	size_t nlen = strlen(WEB_SESSION_COOKIE);

	token[0] = '\0';
	while (p != NULL && *p != '\0') {
		size_t vlen;

		p += strspn(p, " \t;");
		vlen = strcspn(p, ";");
		if (strncmp(p, WEB_SESSION_COOKIE, nlen) == 0 && p[nlen] == '=' &&
		    vlen - nlen - 1 == WEB_TOKEN_SIZE - 1) {
			memcpy(token, p + nlen + 1, WEB_TOKEN_SIZE - 1);
			token[WEB_TOKEN_SIZE - 1] = '\0';
			return;
		}
		p += vlen;
	}
}

bool web_session_is_admin(const struct web_config *cfg, const char *address)
{
	size_t n = strlen(address);

	for (const char *p = cfg->admins; *p != '\0';) {
		size_t len;

		p += strspn(p, " ,");
		len = strcspn(p, " ,");
		if (len == n && n > 0 && strncasecmp(p, address, n) == 0)
			return true;
		p += len;
	}
	return false;
}

/* changes_state - methods that need the CSRF token */
static bool changes_state(const char *method)
{
	return strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0;
}

int web_session_check(PGconn *conn, struct web_call *call, const char **error_r)
{
	static const char sql[] =
		"UPDATE webmail_sessions s SET last_seen = now(), "
		"  expires = greatest(s.expires, now() + $2::bigint * interval '1 second') "
		"FROM accounts a WHERE s.token_hash = $1 AND s.expires > now() "
		"  AND a.id = s.account_id AND a.enabled RETURNING a.id, a.address";
	unsigned char h[crypto_hash_sha256_BYTES];
	char ttl[24], csrf[WEB_TOKEN_SIZE];
	const char *params[2] = {(const char *)h, db_int64_param(ttl, call->cfg->session_ttl)};
	int lengths[2] = {sizeof(h), 0}, formats[2] = {1, 0};
	PGresult *res;

	if (call->token[0] == '\0') {
		web_call_error(call, 401, "unauthenticated", "not logged in");
		return 0;
	}
	token_hash(call->token, h);
	if ((res = db_query_bin(conn, sql, 2, params, lengths, formats, error_r)) == NULL)
		return -1;
	if (PQntuples(res) != 1) {
		PQclear(res);
		web_call_error(call, 401, "unauthenticated", "session expired");
		return 0;
	}
	call->account_id = db_get_int64(res, 0, 0);
	db_copy_str(res, 0, 1, call->address, sizeof(call->address));
	PQclear(res);
	web_session_csrf(call->token, csrf);
	if (changes_state(call->method) && sodium_memcmp(csrf, call->csrf, WEB_TOKEN_SIZE) != 0) {
		web_call_error(call, 403, "csrf", "missing or wrong X-CSRF-Token");
		return 0;
	}
	return 1;
}

/* session_body - {"account":{...},"csrf":...} for login and GET /api/session */
static json_t *session_body(const struct web_call *call, const char *token)
{
	char csrf[WEB_TOKEN_SIZE];

	web_session_csrf(token, csrf);
	return json_pack("{s:{s:I, s:s, s:b}, s:s}", "account", "id", (json_int_t)call->account_id,
			 "address", call->address, "admin",
			 web_session_is_admin(call->cfg, call->address), "csrf", csrf);
}

/* session_insert - a new session row for the account; the token into token */
static int session_insert(PGconn *conn, const struct web_call *call, char token[WEB_TOKEN_SIZE],
			  const char **error_r)
{
	static const char sql[] =
		"INSERT INTO webmail_sessions (token_hash, account_id, expires) "
		"VALUES ($1, $2, now() + $3::bigint * interval '1 second')";
	unsigned char raw[TOKEN_BYTES], h[crypto_hash_sha256_BYTES];
	char id[24], ttl[24];
	const char *params[3] = {(const char *)h, db_int64_param(id, call->account_id),
				 db_int64_param(ttl, call->cfg->session_ttl)};
	int lengths[3] = {sizeof(h), 0, 0}, formats[3] = {1, 0, 0};
	PGresult *res;

	randombytes_buf(raw, sizeof(raw));
	b64url(raw, token);
	token_hash(token, h);
	if ((res = db_query_bin(conn, sql, 3, params, lengths, formats, error_r)) == NULL)
		return -1;
	PQclear(res);
	return 0;
}

int web_session_login(PGconn *conn, struct web_call *call, const char **error_r)
{
	const char *user = json_string_value(json_object_get(call->in, "username"));
	const char *pass = json_string_value(json_object_get(call->in, "password"));
	struct store_account acct;
	char token[WEB_TOKEN_SIZE];
	int r;

	if (user == NULL || pass == NULL || strlen(pass) > AUTH_PASSWORD_MAX) {
		web_call_error(call, 400, "bad_request", "username and password are required");
		return 0;
	}
	r = store_account_login(conn, user, pass, strlen(pass), &acct, error_r);
	if (r < 0)
		return -1;
	if (r == 0) {
		call->login_failed = true;
		web_call_error(call, 401, "unauthenticated", "wrong address or password");
		return 0;
	}
	call->account_id = acct.id;
	snprintf(call->address, sizeof(call->address), "%s", acct.address);
	if (session_insert(conn, call, token, error_r) < 0)
		return -1;
	snprintf(call->set_cookie, sizeof(call->set_cookie),
		 WEB_SESSION_COOKIE "=%s; Path=/; HttpOnly; SameSite=Strict%s", token,
		 call->https ? "; Secure" : "");
	web_call_json(call, 200, session_body(call, token));
	return 0;
}

int web_session_logout(PGconn *conn, struct web_call *call, const char **error_r)
{
	unsigned char h[crypto_hash_sha256_BYTES];
	const char *params[1] = {(const char *)h};
	int lengths[1] = {sizeof(h)}, formats[1] = {1};
	PGresult *res;

	token_hash(call->token, h);
	res = db_query_bin(conn, "DELETE FROM webmail_sessions WHERE token_hash = $1", 1, params,
			   lengths, formats, error_r);
	if (res == NULL)
		return -1;
	PQclear(res);
	snprintf(call->set_cookie, sizeof(call->set_cookie),
		 WEB_SESSION_COOKIE "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0%s",
		 call->https ? "; Secure" : "");
	web_call_json(call, 200, json_object());
	return 0;
}

int web_session_get(PGconn *conn, struct web_call *call, const char **error_r)
{
	web_call_json(call, 200, session_body(call, call->token));
	return 0;
}

/* end_other_sessions - after a password change only this session stays */
static int end_other_sessions(PGconn *conn, const struct web_call *call, const char **error_r)
{
	unsigned char h[crypto_hash_sha256_BYTES];
	char id[24];
	const char *params[2] = {(const char *)h, db_int64_param(id, call->account_id)};
	int lengths[2] = {sizeof(h), 0}, formats[2] = {1, 0};
	PGresult *res;

	token_hash(call->token, h);
	res = db_query_bin(conn, "DELETE FROM webmail_sessions WHERE account_id = $2 "
			   "AND token_hash <> $1", 2, params, lengths, formats, error_r);
	if (res == NULL)
		return -1;
	PQclear(res);
	return 0;
}

int web_session_password(PGconn *conn, struct web_call *call, const char **error_r)
{
	const char *cur = json_string_value(json_object_get(call->in, "current"));
	const char *new = json_string_value(json_object_get(call->in, "new"));
	struct store_account acct;
	char hash[AUTH_HASH_SIZE];
	const char *why;
	int r;

	if (cur == NULL || new == NULL || strlen(cur) > AUTH_PASSWORD_MAX) {
		web_call_error(call, 400, "bad_request", "current and new are required");
		return 0;
	}
	if (auth_password_check(new, strlen(new), &why) < 0) {
		web_call_error(call, 400, "bad_request", why);
		return 0;
	}
	if ((r = store_account_login(conn, call->address, cur, strlen(cur), &acct, error_r)) < 0)
		return -1;
	if (r == 0) {
		web_call_error(call, 403, "forbidden", "the current password is wrong");
		return 0;
	}
	if (auth_hash(new, strlen(new), hash, error_r) < 0 ||
	    store_account_set_password(conn, call->address, hash, error_r) < 0 ||
	    end_other_sessions(conn, call, error_r) < 0)
		return -1;
	web_call_json(call, 200, json_object());
	return 0;
}
