/* rule_check - the one validation of filter rules, for everything that writes them
 * (`merpati rule`, the webmail's PUT /api/rules) and matching what the mda runs.
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
 * Pure (no I/O); every function answers -1 (or NULL) with *error_r, a static text for
 * people, when the value is not valid. */
#ifndef MERPATI_RULES_RULE_CHECK_H
#define MERPATI_RULES_RULE_CHECK_H

#include <stddef.h>

#include <jansson.h>

#define RULE_CHECK_TEXT_MAX 1024      /* bytes of a TEXT to match */
#define RULE_CHECK_HEADER_MAX 128     /* bytes of a header field name */
#define RULE_CHECK_KEYWORD_MAX 128    /* bytes of a keyword */
#define RULE_CHECK_MAILBOX_MAX 1024   /* bytes of a fileinto mailbox name */
#define RULE_CHECK_ITEMS_MAX 32       /* conditions, and actions, per rule */
#define RULE_CHECK_NAME_MAX 256       /* bytes of a rule's name */
#define RULE_CHECK_SIZE_MAX ((long long)1 << 50) /* bytes of a size condition */

/* rule_check_text - TEXT to match: 1..1024 bytes without control characters */
int rule_check_text(const char *s, const char **error_r);
/* rule_check_header_name - RFC 5322 2.2 field name: 1..128 printable ASCII but ':' */
int rule_check_header_name(const char *s, size_t len, const char **error_r);
/* rule_check_flag - the canonical spelling of a system flag (case-insensitive), or the
 * keyword atom itself; NULL when neither */
const char *rule_check_flag(const char *value, const char **error_r);
/* rule_check_mailbox - a fileinto name: 1..1024 bytes without control characters */
int rule_check_mailbox(const char *s, const char **error_r);
/* rule_check_address - a redirect target: an address lib/store accepts */
int rule_check_address(const char *s, const char **error_r);

/* rule_check_condition - one condition object of the forms above */
int rule_check_condition(const json_t *c, const char **error_r);
/* rule_check_action - one action object of the forms above */
int rule_check_action(const json_t *a, const char **error_r);
/* rule_check_rule - {"name":..,"enabled":..,"conditions":[..],"actions":[..]}: name (at most
 * 256 bytes) and enabled (boolean) optional, 0..32 conditions, 1..32 actions */
int rule_check_rule(const json_t *rule, const char **error_r);

#endif
