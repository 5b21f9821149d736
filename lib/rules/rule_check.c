/* rule_check - filter rule values and JSON, checked in one place (RFC 5228 semantics,
 * RFC 3501 flags, RFC 5322 field names). */
#include "rules/rule_check.h"

#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "store/address.h"

/* RFC 3501 2.3.2 system flags that a rule may set, in their canonical spelling. */
static const char *const system_flags[] = {
	"\\Seen", "\\Answered", "\\Flagged", "\\Deleted", "\\Draft", NULL,
};

static const char flag_error[] = "a flag is \\Seen, \\Answered, \\Flagged, \\Deleted, \\Draft "
				 "or an IMAP keyword atom (RFC 3501 9)";

/* has_control - a C0 control character or DEL */
static bool has_control(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++)
		if (*p < 0x20 || *p == 0x7f)
			return true;
	return false;
}

int rule_check_text(const char *s, const char **error_r)
{
	size_t len = strlen(s);

	if (len == 0 || len > RULE_CHECK_TEXT_MAX) {
		*error_r = "text to match must have 1 to 1024 bytes";
		return -1;
	}
	if (has_control(s)) {
		*error_r = "text to match may not contain control characters";
		return -1;
	}
	return 0;
}

int rule_check_header_name(const char *s, size_t len, const char **error_r)
{
	if (len == 0 || len > RULE_CHECK_HEADER_MAX) {
		*error_r = "a header name has 1 to 128 characters";
		return -1;
	}
	for (size_t i = 0; i < len; i++)
		if (s[i] < 33 || s[i] > 126 || s[i] == ':') {
			*error_r = "a header name is printable ASCII without spaces or ':' (RFC 5322 2.2)";
			return -1;
		}
	return 0;
}

/* keyword_ok - RFC 3501 9 flag-keyword: an atom (no atom-specials, no CTL, no space) */
static int keyword_ok(const char *s, const char **error_r)
{
	size_t len = strlen(s);

	if (len == 0 || len > RULE_CHECK_KEYWORD_MAX) {
		*error_r = "a keyword has 1 to 128 characters";
		return -1;
	}
	for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++)
		if (*p <= 0x20 || *p >= 0x7f || strchr("(){%*\"\\]", *p) != NULL) {
			*error_r = flag_error;
			return -1;
		}
	return 0;
}

const char *rule_check_flag(const char *value, const char **error_r)
{
	if (value[0] == '\\') {
		for (int i = 0; system_flags[i] != NULL; i++)
			if (strcasecmp(value, system_flags[i]) == 0)
				return system_flags[i];
		*error_r = flag_error;
		return NULL;
	}
	return keyword_ok(value, error_r) < 0 ? NULL : value;
}

int rule_check_mailbox(const char *s, const char **error_r)
{
	if (s[0] == '\0' || strlen(s) > RULE_CHECK_MAILBOX_MAX) {
		*error_r = "a mailbox name has 1 to 1024 bytes";
		return -1;
	}
	if (has_control(s)) {
		*error_r = "a mailbox name may not contain control characters";
		return -1;
	}
	return 0;
}

int rule_check_address(const char *s, const char **error_r)
{
	char address[STORE_ADDRESS_SIZE];

	return store_address_normalize(s, address, error_r) < 0 ? -1 : 0;
}

/* fail - set *error_r, return -1 */
static int fail(const char **error_r, const char *why)
{
	*error_r = why;
	return -1;
}

/* string_member - the string value of key, or NULL */
static const char *string_member(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

int rule_check_condition(const json_t *c, const char **error_r)
{
	const char *field = string_member(c, "field"), *op = string_member(c, "op");
	const json_t *value = json_object_get(c, "value");
	const char *name = string_member(c, "name");

	if (!json_is_object(c) || field == NULL || op == NULL)
		return fail(error_r, "a condition is an object with field, op and value");
	if (strcmp(field, "size") == 0) {
		if (json_object_size(c) != 3 || (strcmp(op, "over") != 0 && strcmp(op, "under") != 0))
			return fail(error_r, "a size condition is {field, op over|under, value}");
		if (!json_is_integer(value) || json_integer_value(value) < 0 ||
		    json_integer_value(value) > RULE_CHECK_SIZE_MAX)
			return fail(error_r, "a size is a number of bytes");
		return 0;
	}
	if (strcmp(op, "contains") != 0)
		return fail(error_r, "a text condition's op is contains");
	if (json_string_value(value) == NULL)
		return fail(error_r, "a condition's value is text");
	if (rule_check_text(json_string_value(value), error_r) < 0)
		return -1;
	if (strcmp(field, "header") == 0) {
		if (json_object_size(c) != 4 || name == NULL)
			return fail(error_r, "a header condition is {field, name, op, value}");
		return rule_check_header_name(name, strlen(name), error_r);
	}
	if (json_object_size(c) != 3 || (strcmp(field, "from") != 0 && strcmp(field, "to") != 0 &&
					 strcmp(field, "subject") != 0))
		return fail(error_r, "a condition's field is from, to, subject, header or size");
	return 0;
}

int rule_check_action(const json_t *a, const char **error_r)
{
	const char *key, *s;
	json_t *v;

	if (!json_is_object(a) || json_object_size(a) != 1)
		return fail(error_r, "an action is an object with one member");
	json_object_foreach((json_t *)a, key, v) {
		s = json_string_value(v);
		if (strcmp(key, "seen") == 0 || strcmp(key, "discard") == 0 ||
		    strcmp(key, "stop") == 0)
			return json_is_true(v) ? 0 : fail(error_r, "seen, discard and stop take true");
		if (strcmp(key, "fileinto") != 0 && strcmp(key, "redirect") != 0 &&
		    strcmp(key, "flag") != 0)
			break;
		if (s == NULL)
			return fail(error_r, "fileinto, redirect and flag take a string");
		if (strcmp(key, "fileinto") == 0)
			return rule_check_mailbox(s, error_r);
		if (strcmp(key, "redirect") == 0)
			return rule_check_address(s, error_r);
		return rule_check_flag(s, error_r) == NULL ? -1 : 0;
	}
	return fail(error_r, "an action is fileinto, redirect, flag, seen, discard or stop");
}

/* check_items - an array of min..RULE_CHECK_ITEMS_MAX items, each passing check */
static int check_items(const json_t *arr, size_t min,
		       int (*check)(const json_t *, const char **), const char **error_r)
{
	size_t i;
	const json_t *v;

	if (!json_is_array(arr) || json_array_size(arr) < min)
		return fail(error_r, min > 0 ? "a rule needs an array of actions, at least one" :
					       "conditions is an array");
	if (json_array_size(arr) > RULE_CHECK_ITEMS_MAX)
		return fail(error_r, "a rule has at most 32 conditions and 32 actions");
	json_array_foreach(arr, i, v)
		if (check(v, error_r) < 0)
			return -1;
	return 0;
}

int rule_check_rule(const json_t *rule, const char **error_r)
{
	const json_t *name = json_object_get(rule, "name"), *en = json_object_get(rule, "enabled");

	if (!json_is_object(rule))
		return fail(error_r, "a rule is an object");
	if (name != NULL && (!json_is_string(name) ||
			     strlen(json_string_value(name)) > RULE_CHECK_NAME_MAX))
		return fail(error_r, "a rule's name is a string of at most 256 bytes");
	if (en != NULL && !json_is_boolean(en))
		return fail(error_r, "enabled is true or false");
	if (check_items(json_object_get(rule, "conditions"), 0, rule_check_condition,
			error_r) < 0)
		return -1;
	return check_items(json_object_get(rule, "actions"), 1, rule_check_action, error_r);
}
