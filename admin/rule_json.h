/* rule_json - filter rules: command-line options to the JSON the mda runs, and back to text.
 *
 * The JSON (conditions and actions arrays of filter_rules) and its validation are
 * lib/rules/rule_check.h's; this file turns `merpati rule` options into it (sizes with
 * k/M/G, "NAME:TEXT" headers, canonical flags and INBOX, normalised redirect addresses).
 *
 * Everything here is pure (no I/O) so it is unit-tested on its own. */
#ifndef MERPATI_RULE_JSON_H
#define MERPATI_RULE_JSON_H

#include <stddef.h>

#include <jansson.h>

#include "rules/rule_check.h"

#define RULE_JSON_TEXT_MAX RULE_CHECK_TEXT_MAX
#define RULE_JSON_HEADER_MAX RULE_CHECK_HEADER_MAX
#define RULE_JSON_KEYWORD_MAX RULE_CHECK_KEYWORD_MAX
#define RULE_JSON_ITEMS_MAX RULE_CHECK_ITEMS_MAX

struct rule_json {
	json_t *conditions; /* array */
	json_t *actions;    /* array */
};

/* rule_json_init - empty conditions and actions */
void rule_json_init(struct rule_json *r);
/* rule_json_free - release both arrays */
void rule_json_free(struct rule_json *r);

/* rule_json_option - is name (without "--") a condition or action option? 1 takes a value,
 * 0 takes none, -1 unknown */
int rule_json_option(const char *name);
/* rule_json_add - append the condition or action of option name with its value (NULL for
 * options without one), validated and normalised; -1 with *error_r */
int rule_json_add(struct rule_json *r, const char *name, const char *value,
		  const char **error_r);
/* rule_json_check - a complete rule: at least one action; -1 with *error_r */
int rule_json_check(const struct rule_json *r, const char **error_r);

/* rule_json_describe - "if from contains "x" then fileinto "Lists", stop" from the stored
 * JSON texts into buf; returns buf (truncated to size, never unterminated) */
const char *rule_json_describe(const char *conditions, const char *actions, char *buf,
			       size_t size);

#endif
