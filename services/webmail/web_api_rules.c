/* web_api_rules - the account's filter rules (table filter_rules), in the JSON `merpati
 * rule` writes and the mda runs (admin/rule_json.h describes it): list, and replace the
 * whole ordered list in one transaction. */
#include "services/webmail/web_routes.h"

#include <stdlib.h>
#include <string.h>

#include "store/db.h"

#define RULES_MAX 100
#define RULE_ITEMS_MAX 32   /* conditions, and actions, per rule (RULE_JSON_ITEMS_MAX) */
#define RULE_TEXT_MAX 1024  /* bytes of a text value (RULE_JSON_TEXT_MAX) */

/* text_ok - a string of 1..RULE_TEXT_MAX bytes without control characters */
static bool text_ok(const json_t *v)
{
	const char *s = json_string_value(v);

	if (s == NULL || s[0] == '\0' || strlen(s) > RULE_TEXT_MAX)
		return false;
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20)
			return false;
	return true;
}

/* condition_ok - {"field":from|to|subject,"op":"contains","value":TEXT},
 * {"field":"header","name":NAME,...} or {"field":"size","op":over|under,"value":BYTES} */
static bool condition_ok(const json_t *c)
{
	const char *field = json_string_value(json_object_get(c, "field"));
	const char *op = json_string_value(json_object_get(c, "op"));
	const json_t *value = json_object_get(c, "value");

	if (!json_is_object(c) || field == NULL || op == NULL)
		return false;
	if (strcmp(field, "size") == 0)
		return json_object_size(c) == 3 && (strcmp(op, "over") == 0 || strcmp(op, "under") == 0) &&
		       json_is_integer(value) && json_integer_value(value) >= 0;
	if (strcmp(op, "contains") != 0 || !text_ok(value))
		return false;
	if (strcmp(field, "header") == 0)
		return json_object_size(c) == 4 && text_ok(json_object_get(c, "name")) &&
		       strlen(json_string_value(json_object_get(c, "name"))) <= 128;
	return json_object_size(c) == 3 && (strcmp(field, "from") == 0 ||
		strcmp(field, "to") == 0 || strcmp(field, "subject") == 0);
}

/* action_ok - exactly one of fileinto/redirect/flag (TEXT) or seen/discard/stop (true) */
static bool action_ok(const json_t *a)
{
	const char *key;
	json_t *v;

	if (!json_is_object(a) || json_object_size(a) != 1)
		return false;
	json_object_foreach((json_t *)a, key, v) {
		if (strcmp(key, "fileinto") == 0 || strcmp(key, "flag") == 0)
			return text_ok(v);
		if (strcmp(key, "redirect") == 0)
			return text_ok(v) && strchr(json_string_value(v), '@') != NULL;
		if (strcmp(key, "seen") == 0 || strcmp(key, "discard") == 0 ||
		    strcmp(key, "stop") == 0)
			return json_is_true(v);
	}
	return false;
}

/* items_ok - an array of min..RULE_ITEMS_MAX items each passing ok */
static bool items_ok(const json_t *arr, size_t min, bool (*ok)(const json_t *))
{
	size_t i;
	const json_t *v;

	if (!json_is_array(arr) || json_array_size(arr) < min ||
	    json_array_size(arr) > RULE_ITEMS_MAX)
		return false;
	json_array_foreach(arr, i, v)
		if (!ok(v))
			return false;
	return true;
}

/* rule_ok - one rule of the PUT body */
static bool rule_ok(const json_t *r)
{
	const json_t *name = json_object_get(r, "name"), *en = json_object_get(r, "enabled");

	return json_is_object(r) && (name == NULL || (json_is_string(name) &&
	       strlen(json_string_value(name)) <= 256)) && (en == NULL || json_is_boolean(en)) &&
	       items_ok(json_object_get(r, "conditions"), 0, condition_ok) &&
	       items_ok(json_object_get(r, "actions"), 1, action_ok);
}

int web_api_rules_list(PGconn *conn, struct web_call *call, const char **error_r)
{
	char id[24];
	const char *params[1] = {db_int64_param(id, call->account_id)};
	PGresult *res = db_query(conn, "SELECT id, position, name, enabled, conditions::text, "
				 "actions::text FROM filter_rules WHERE account_id = $1 "
				 "ORDER BY position", 1, params, error_r);
	json_t *arr;

	if (res == NULL)
		return -1;
	arr = json_array();
	for (int i = 0; i < PQntuples(res); i++)
		json_array_append_new(arr, json_pack("{s:I, s:I, s:s, s:b, s:o, s:o}",
			"id", (json_int_t)db_get_int64(res, i, 0),
			"position", (json_int_t)db_get_int64(res, i, 1), "name", db_get_str(res, i, 2),
			"enabled", db_get_bool(res, i, 3),
			"conditions", json_loads(db_get_str(res, i, 4), 0, NULL),
			"actions", json_loads(db_get_str(res, i, 5), 0, NULL)));
	PQclear(res);
	web_call_json(call, 200, json_pack("{s:o}", "rules", arr));
	return 0;
}

struct replace {
	int64_t account_id;
	const json_t *rules;
};

/* replace_tx - delete the account's rules and insert the new list at positions 0.. */
static int replace_tx(PGconn *conn, void *arg, const char **error_r)
{
	struct replace *r = arg;
	char id[24], pos[24];
	const char *del[1] = {db_int64_param(id, r->account_id)};
	const json_t *rule;
	size_t i;

	if (db_exec(conn, "DELETE FROM filter_rules WHERE account_id = $1", 1, del, error_r) < 0)
		return -1;
	json_array_foreach(r->rules, i, rule) {
		const json_t *name = json_object_get(rule, "name");
		char *cond = json_dumps(json_object_get(rule, "conditions"), JSON_COMPACT);
		char *act = json_dumps(json_object_get(rule, "actions"), JSON_COMPACT);
		const char *params[6] = {id, db_int64_param(pos, (int64_t)i),
					 name != NULL ? json_string_value(name) : "", cond, act,
					 json_is_false(json_object_get(rule, "enabled")) ? "f" : "t"};
		int64_t n = db_exec(conn, "INSERT INTO filter_rules (account_id, position, name, "
				    "conditions, actions, enabled) VALUES ($1, $2, $3, $4::jsonb, "
				    "$5::jsonb, $6::boolean)", 6, params, error_r);

		free(cond);
		free(act);
		if (n < 0)
			return -1;
	}
	return 0;
}

int web_api_rules_replace(PGconn *conn, struct web_call *call, const char **error_r)
{
	const json_t *rules = json_object_get(call->in, "rules"), *rule;
	struct replace r = {call->account_id, rules};
	size_t i;

	if (!json_is_array(rules) || json_array_size(rules) > RULES_MAX) {
		web_call_error(call, 400, "bad_request", "rules must be an array");
		return 0;
	}
	json_array_foreach(rules, i, rule)
		if (!rule_ok(rule)) {
			web_call_error(call, 400, "bad_request", "a rule is not valid");
			return 0;
		}
	if (db_tx(conn, replace_tx, &r, error_r) < 0)
		return -1;
	return web_api_rules_list(conn, call, error_r);
}
