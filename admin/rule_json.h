/* rule_json - filter rules: command-line options to the JSON the mda runs, and back to text.
 *
 * A rule is stored in filter_rules as two JSON arrays (db/migrations/0004_users.sql):
 *
 *   conditions, ALL of which must hold (an empty array matches every message):
 *     {"field":"from",    "op":"contains", "value":TEXT}   From: contains TEXT
 *     {"field":"to",      "op":"contains", "value":TEXT}   To: or Cc: contains TEXT
 *     {"field":"subject", "op":"contains", "value":TEXT}
 *     {"field":"header",  "name":NAME, "op":"contains", "value":TEXT}
 *     {"field":"size",    "op":"over"|"under", "value":BYTES}
 *   "contains" is a case-insensitive substring match on the decoded field (RFC 5228 2.7.1
 *   :contains with the i;ascii-casemap comparator).
 *
 *   actions, run in order (at least one):
 *     {"fileinto":MAILBOX} {"redirect":ADDRESS} {"flag":FLAG} {"seen":true}
 *     {"discard":true} {"stop":true}
 *   FLAG is an IMAP system flag (\Flagged, \Answered, \Seen, \Draft, \Deleted) or a keyword
 *   atom (RFC 3501 9). "stop" ends rule processing for the message (RFC 5228 3.3).
 *
 * Everything here is pure (no I/O) so it is unit-tested on its own. */
#ifndef MERPATI_RULE_JSON_H
#define MERPATI_RULE_JSON_H

#include <stddef.h>

#include <jansson.h>

#define RULE_JSON_TEXT_MAX 1024      /* bytes of a TEXT to match */
#define RULE_JSON_HEADER_MAX 128     /* bytes of a header field name */
#define RULE_JSON_KEYWORD_MAX 128    /* bytes of a keyword */
#define RULE_JSON_ITEMS_MAX 32       /* conditions, and actions, per rule */

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
