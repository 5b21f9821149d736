/* web_api_rules - the account's filter rules (table filter_rules), in the JSON `merpati
 * rule` writes and the mda runs, checked by lib/rules (rules/rule_check.h describes it):
 * list, and replace the whole ordered list in one transaction. */
#include "services/webmail/web_routes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/rule_check.h"
#include "store/db.h"

#define RULES_MAX 100

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
	const char *why;
	char message[256];
	size_t i;

	if (!json_is_array(rules) || json_array_size(rules) > RULES_MAX) {
		web_call_error(call, 400, "bad_request", "rules must be an array");
		return 0;
	}
	json_array_foreach(rules, i, rule)
		if (rule_check_rule(rule, &why) < 0) {
			snprintf(message, sizeof(message), "rule %zu is not valid: %s", i + 1, why);
			web_call_error(call, 400, "bad_request", message);
			return 0;
		}
	if (db_tx(conn, replace_tx, &r, error_r) < 0)
		return -1;
	return web_api_rules_list(conn, call, error_r);
}
