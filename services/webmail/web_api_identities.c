/* web_api_identities - the addresses the account sends as, with names and signatures. */
#include "services/webmail/web_routes.h"

#include <stdio.h>
#include <string.h>

#include "store/account.h"
#include "store/web_identity.h"

/* append_identity - web_identity_fn adding the identity object to a JSON array */
static int append_identity(const struct web_identity *ident, void *arg)
{
	json_array_append_new(arg, json_pack("{s:i, s:s, s:s, s:s}", "id", ident->id, "name",
					     ident->name, "email", ident->email, "signature",
					     ident->signature));
	return 0;
}

/* answer_list - 200 {"identities":[...]} as stored */
static int answer_list(PGconn *conn, struct web_call *call, const char **error_r)
{
	json_t *arr = json_array();

	if (web_identity_list(conn, call->account_id, call->address, append_identity, arr,
			      error_r) < 0) {
		json_decref(arr);
		return -1;
	}
	web_call_json(call, 200, json_pack("{s:o}", "identities", arr));
	return 0;
}

int web_api_identities(PGconn *conn, struct web_call *call, const char **error_r)
{
	return answer_list(conn, call, error_r);
}

/* text_ok - a string of at most max bytes without control characters (but newlines and
 * tabs when multiline) */
static bool text_ok(const char *s, size_t max, bool multiline)
{
	if (s == NULL || strlen(s) > max)
		return false;
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 && !(multiline && (*s == '\n' || *s == '\r' ||
								*s == '\t')))
			return false;
	return true;
}

/* optional_string - the member's string, "" when absent, NULL when not a string */
static const char *optional_string(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);

	return v == NULL ? "" : json_string_value(v);
}

/* identity_of - entry i of the body into *ident; 1 good, 0 400 set, -1 error. Its email
 * must pass the rule smtp-in applies at MAIL FROM (store_account_may_send_as). */
static int identity_of(PGconn *conn, struct web_call *call, const json_t *o, size_t i,
		       struct web_identity *ident, const char **error_r)
{
	const char *email = json_string_value(json_object_get(o, "email"));
	int r;

	ident->id = (int)i;
	ident->email = email;
	ident->name = optional_string(o, "name");
	ident->signature = optional_string(o, "signature");
	if (!json_is_object(o) || email == NULL || strlen(email) < 3 ||
	    strlen(email) >= STORE_ADDRESS_SIZE || !text_ok(email, STORE_ADDRESS_SIZE, false)) {
		web_call_error(call, 400, "bad_request", "each identity needs an email string");
		return 0;
	}
	if (!text_ok(ident->name, WEB_IDENTITY_NAME_MAX, false) ||
	    !text_ok(ident->signature, WEB_IDENTITY_SIGNATURE_MAX, true)) {
		web_call_error(call, 400, "bad_request", "name (200 bytes, one line) and "
			       "signature (4096 bytes) must be strings");
		return 0;
	}
	if ((r = store_account_may_send_as(conn, call->account_id, email, error_r)) == 0) {
		web_call_error(call, 400, "bad_request", "an identity's email must be the "
			       "account's address or an alias of it");
	}
	return r;
}

int web_api_identities_replace(PGconn *conn, struct web_call *call, const char **error_r)
{
	const json_t *list = json_object_get(call->in, "identities");
	struct web_identity idents[WEB_IDENTITY_MAX];
	size_t n = json_array_size(list);
	int r;

	if (!json_is_array(list) || n > WEB_IDENTITY_MAX) {
		web_call_error(call, 400, "bad_request", "identities: an array of at most 20");
		return 0;
	}
	for (size_t i = 0; i < n; i++)
		if ((r = identity_of(conn, call, json_array_get(list, i), i, &idents[i],
				     error_r)) <= 0)
			return r;
	if ((r = web_identity_replace(conn, call->account_id, idents, n, error_r)) == -2) {
		web_call_error(call, 400, "bad_request", "an address is listed twice");
		return 0;
	}
	return r < 0 ? -1 : answer_list(conn, call, error_r);
}
