/* web_api_admin - paging, fields, transactions and answers of the /api/admin/ routes */
#include "services/webmail/web_api_admin.h"

#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "store/admin_domain.h"
#include "store/db.h"

/* page_number - a decimal query parameter in 0..max; def when absent; -1 when malformed */
static int64_t page_number(struct web_call *call, const char *name, int64_t def, int64_t max)
{
	char buf[WEB_ADMIN_PARAM_SIZE];
	int64_t v = 0;

	if (!web_call_query(call, name, buf, sizeof(buf)))
		return def;
	if (buf[0] == '\0' || strlen(buf) > 10)
		return -1;
	for (const char *p = buf; *p != '\0'; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		v = v * 10 + (*p - '0');
	}
	return v <= max ? v : -1;
}

bool web_api_admin_page(struct web_call *call, int64_t *limit_r, int64_t *offset_r)
{
	*limit_r = page_number(call, "limit", WEB_ADMIN_LIMIT_DEFAULT, WEB_ADMIN_LIMIT_MAX);
	*offset_r = page_number(call, "offset", 0, WEB_ADMIN_OFFSET_MAX);
	if (*limit_r < 1 || *offset_r < 0) {
		web_call_error(call, 400, "bad_request",
			       "limit must be 1 to 1000 and offset a number from 0");
		return false;
	}
	return true;
}

/* list_match - the optional ?q= filter into buf: false after a 400; *match_r NULL when absent
 * or empty (PostgreSQL refuses text that is not UTF-8, so that is checked here) */
static bool list_match(struct web_call *call, char *buf, size_t size, const char **match_r)
{
	*match_r = NULL;
	if (!web_call_query(call, "q", buf, size) || buf[0] == '\0')
		return true;
	if (strlen(buf) > WEB_ADMIN_MATCH_MAX || !g_utf8_validate(buf, -1, NULL)) {
		web_call_error(call, 400, "bad_request", "q must be UTF-8 text of at most 254 bytes");
		return false;
	}
	*match_r = buf;
	return true;
}

int web_api_admin_list_by_domain(PGconn *conn, struct web_call *call, const char *key,
			     web_api_admin_lister *list, const char **error_r)
{
	char in[WEB_ADMIN_PARAM_SIZE], domain[STORE_DOMAIN_SIZE], q[WEB_ADMIN_PARAM_SIZE];
	bool one = web_call_query(call, "domain", in, sizeof(in)) && in[0] != '\0';
	struct store_admin_result r;
	struct store_domain d;
	const char *match;
	int64_t limit, offset;
	json_t *arr;

	if (!web_api_admin_page(call, &limit, &offset) || !list_match(call, q, sizeof(q), &match))
		return 0;
	if (one && (store_admin_domain_name(in, domain, &r) != STORE_ADMIN_OK ||
		    store_admin_domain_find(conn, domain, &d, &r) != STORE_ADMIN_OK))
		return web_api_admin_fail(call, &r, error_r);
	arr = json_array();
	return web_api_admin_list_answer(call, key, arr, list(conn, one ? domain : NULL, match,
							  limit, offset, arr, error_r));
}

int web_api_admin_list_answer(struct web_call *call, const char *key, json_t *arr, int n)
{
	if (n < 0) {
		json_decref(arr);
		return -1;
	}
	web_call_json(call, 200, json_pack("{s:o}", key, arr));
	return 0;
}

const char *web_api_admin_string(struct web_call *call, const char *key, size_t max)
{
	const char *s = json_string_value(json_object_get(call->in, key));
	char msg[96];

	if (s != NULL && strlen(s) <= max) {
		const char *p = s;

		while (*p != '\0' && (unsigned char)*p >= 0x20 && *p != 0x7f)
			p++;
		if (*p == '\0')
			return s;
	}
	snprintf(msg, sizeof(msg), "%s must be a string of at most %zu bytes", key, max);
	web_call_error(call, 400, "bad_request", msg);
	return NULL;
}

void web_api_admin_refuse(struct web_call *call, const struct store_admin_result *r)
{
	switch (r->code) {
	case STORE_ADMIN_NOT_FOUND:
		web_call_error(call, 404, "not_found", r->message);
		break;
	case STORE_ADMIN_EXISTS:
		web_call_error(call, 409, "exists", r->message);
		break;
	case STORE_ADMIN_REFUSED:
		web_call_error(call, 409, "not_empty", r->message);
		break;
	default:
		web_call_error(call, 400, "bad_request", r->message);
		break;
	}
}

int web_api_admin_fail(struct web_call *call, const struct store_admin_result *r,
		   const char **error_r)
{
	if (r->code == STORE_ADMIN_DB) {
		*error_r = r->db_error;
		return -1;
	}
	web_api_admin_refuse(call, r);
	return 0;
}

struct admin_tx {
	web_api_admin_tx_fn *fn;
	void *arg;
	struct store_admin_result *r;
};

/* admin_tx_body - db_tx body: the operation; a refusal rolls back */
static int admin_tx_body(PGconn *conn, void *arg, const char **error_r)
{
	struct admin_tx *t = arg;
	enum store_admin_code code;

	t->r->code = STORE_ADMIN_OK;
	code = t->fn(conn, t->arg, t->r);
	if (code == STORE_ADMIN_OK)
		return 0;
	*error_r = code == STORE_ADMIN_DB ? t->r->db_error : t->r->message;
	return -1;
}

int web_api_admin_tx(PGconn *conn, web_api_admin_tx_fn *fn, void *arg, struct store_admin_result *r,
		 const char **error_r)
{
	struct admin_tx t = { fn, arg, r };

	r->code = STORE_ADMIN_OK;
	if (db_tx(conn, admin_tx_body, &t, error_r) == 0)
		return 1;
	/* BEGIN or COMMIT failed (code still OK), or the database failed inside */
	if (r->code == STORE_ADMIN_OK || r->code == STORE_ADMIN_DB)
		return -1;
	return 0;
}
