/* rule_json.c - filter rule options to JSON and JSON back to "if ... then ..." text */
#include "admin/rule_json.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config/config.h"
#include "rules/rule_check.h"
#include "store/address.h"

struct rule_option {
	const char *name;
	bool has_value;
	bool is_action;
};

static const struct rule_option rule_options[] = {
	{ "from", true, false }, { "to", true, false }, { "subject", true, false },
	{ "header", true, false }, { "larger", true, false }, { "smaller", true, false },
	{ "fileinto", true, true }, { "redirect", true, true }, { "flag", true, true },
	{ "seen", false, true }, { "discard", false, true }, { "stop", false, true },
	{ NULL, false, false },
};

/* rule_json_init - empty conditions and actions */
void rule_json_init(struct rule_json *r)
{
	r->conditions = json_array();
	r->actions = json_array();
	if (r->conditions == NULL || r->actions == NULL)
		abort();
}

/* rule_json_free - release both arrays */
void rule_json_free(struct rule_json *r)
{
	json_decref(r->conditions);
	json_decref(r->actions);
	r->conditions = r->actions = NULL;
}

/* rule_find - the option called name, or NULL */
static const struct rule_option *rule_find(const char *name)
{
	for (const struct rule_option *o = rule_options; o->name != NULL; o++)
		if (strcmp(o->name, name) == 0)
			return o;
	return NULL;
}

/* rule_json_option - 1 takes a value, 0 takes none, -1 unknown */
int rule_json_option(const char *name)
{
	const struct rule_option *o = rule_find(name);

	return o == NULL ? -1 : o->has_value ? 1 : 0;
}

/* rule_append - append item (stolen) to array, bounded by RULE_CHECK_ITEMS_MAX */
static int rule_append(json_t *array, json_t *item, const char **error_r)
{
	if (item == NULL)
		abort();
	if (json_array_size(array) >= RULE_CHECK_ITEMS_MAX) {
		json_decref(item);
		*error_r = "a rule has at most 32 conditions and 32 actions";
		return -1;
	}
	json_array_append_new(array, item);
	return 0;
}

/* rule_add_condition - from/to/subject/header/larger/smaller */
static int rule_add_condition(struct rule_json *r, const char *name, const char *value,
			      const char **error_r)
{
	const char *colon;
	size_t bytes;

	if (strcmp(name, "larger") == 0 || strcmp(name, "smaller") == 0) {
		if (config_parse_size(value, &bytes) < 0 || bytes > (size_t)1 << 50) {
			*error_r = "a size is bytes, or with k, M or G (e.g. 500k, 2M)";
			return -1;
		}
		return rule_append(r->conditions, json_pack("{s:s, s:s, s:I}", "field", "size",
			"op", name[0] == 'l' ? "over" : "under", "value", (json_int_t)bytes), error_r);
	}
	if (strcmp(name, "header") != 0) {
		if (rule_check_text(value, error_r) < 0)
			return -1;
		return rule_append(r->conditions, json_pack("{s:s, s:s, s:s}", "field", name,
			"op", "contains", "value", value), error_r);
	}
	colon = strchr(value, ':');
	if (colon == NULL) {
		*error_r = "wants NAME:TEXT, e.g. List-Id:announce";
		return -1;
	}
	if (rule_check_header_name(value, (size_t)(colon - value), error_r) < 0 ||
	    rule_check_text(colon + 1, error_r) < 0)
		return -1;
	return rule_append(r->conditions, json_pack("{s:s, s:s%, s:s, s:s}", "field", "header",
		"name", value, (size_t)(colon - value), "op", "contains", "value", colon + 1),
		error_r);
}

/* rule_add_action - fileinto/redirect/flag/seen/discard/stop */
static int rule_add_action(struct rule_json *r, const char *name, const char *value,
			   const char **error_r)
{
	char address[STORE_ADDRESS_SIZE];
	const char *flag;

	if (value == NULL)
		return rule_append(r->actions, json_pack("{s:b}", name, 1), error_r);
	if (strcmp(name, "fileinto") == 0) {
		if (rule_check_mailbox(value, error_r) < 0)
			return -1;
		return rule_append(r->actions, json_pack("{s:s}", name,
			strcasecmp(value, "INBOX") == 0 ? "INBOX" : value), error_r);
	}
	if (strcmp(name, "redirect") == 0) {
		if (store_address_normalize(value, address, error_r) < 0)
			return -1;
		return rule_append(r->actions, json_pack("{s:s}", name, address), error_r);
	}
	if ((flag = rule_check_flag(value, error_r)) == NULL)
		return -1;
	return rule_append(r->actions, json_pack("{s:s}", name, flag), error_r);
}

/* rule_json_add - append the condition or action of option name with its value */
int rule_json_add(struct rule_json *r, const char *name, const char *value,
		  const char **error_r)
{
	const struct rule_option *o = rule_find(name);

	if (o == NULL || o->has_value != (value != NULL)) {
		*error_r = "unknown rule option";
		return -1;
	}
	if (o->is_action)
		return rule_add_action(r, name, value, error_r);
	return rule_add_condition(r, name, value, error_r);
}

/* rule_json_check - a complete rule: at least one action, and the whole rule as
 * lib/rules checks every rule that is stored */
int rule_json_check(const struct rule_json *r, const char **error_r)
{
	json_t *rule;
	int ret;

	if (json_array_size(r->actions) == 0) {
		*error_r = "a rule needs an action (--fileinto, --redirect, --flag, --seen, "
			   "--discard or --stop)";
		return -1;
	}
	rule = json_pack("{s:O, s:O}", "conditions", r->conditions, "actions", r->actions);
	if (rule == NULL)
		abort();
	ret = rule_check_rule(rule, error_r);
	json_decref(rule);
	return ret;
}

/* A bounded text being built; the end is always terminated. */
struct rule_out {
	char *buf;
	size_t size, len;
};

/* out_add - append formatted text, truncating at the end of the buffer */
static void out_add(struct rule_out *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void out_add(struct rule_out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->len + 1 >= o->size)
		return;
	va_start(ap, fmt);
	n = vsnprintf(o->buf + o->len, o->size - o->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		o->len += (size_t)n < o->size - o->len ? (size_t)n : o->size - o->len - 1;
}

/* str_or - s, or dflt when s is NULL (a JSON member missing or of another type) */
static const char *str_or(const char *s, const char *dflt)
{
	return s != NULL ? s : dflt;
}

/* describe_condition - "from contains "x"", "size over 1048576", "header List-Id ..." */
static void describe_condition(struct rule_out *o, json_t *c)
{
	const char *field = json_string_value(json_object_get(c, "field"));
	const char *op = json_string_value(json_object_get(c, "op"));
	json_t *value = json_object_get(c, "value");

	if (field == NULL || op == NULL)
		out_add(o, "(unreadable condition)");
	else if (strcmp(field, "header") == 0)
		out_add(o, "header %s %s \"%s\"", str_or(json_string_value(json_object_get(c, "name")), "?"),
			op, str_or(json_string_value(value), "?"));
	else if (json_is_integer(value))
		out_add(o, "%s %s %lld", field, op, (long long)json_integer_value(value));
	else
		out_add(o, "%s %s \"%s\"", field, op, str_or(json_string_value(value), "?"));
}

/* describe_action - "fileinto "Lists"", "stop", ... */
static void describe_action(struct rule_out *o, json_t *a)
{
	const char *key;
	json_t *value;

	json_object_foreach(a, key, value) {
		if (json_is_string(value))
			out_add(o, "%s \"%s\"", key, json_string_value(value));
		else
			out_add(o, "%s", key);
		return;
	}
	out_add(o, "(unreadable action)");
}

/* rule_json_describe - "if C and C then A, A" from the stored JSON texts */
const char *rule_json_describe(const char *conditions, const char *actions, char *buf,
			       size_t size)
{
	struct rule_out o = { buf, size, 0 };
	json_t *cs = json_loads(conditions, 0, NULL), *as = json_loads(actions, 0, NULL), *item;
	size_t i;

	buf[0] = '\0';
	json_array_foreach(cs, i, item) {
		out_add(&o, i == 0 ? "if " : " and ");
		describe_condition(&o, item);
	}
	out_add(&o, json_array_size(cs) == 0 ? "always " : " then ");
	json_array_foreach(as, i, item) {
		if (i > 0)
			out_add(&o, ", ");
		describe_action(&o, item);
	}
	json_decref(cs);
	json_decref(as);
	return buf;
}
