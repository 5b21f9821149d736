/* mda_rules.h - per-user filter rules (filter_rules, JSON as rules/rule_check.h describes)
 * evaluated against one message at delivery. Sieve's model (RFC 5228): "fileinto",
 * "redirect" and "discard" cancel the implicit keep into INBOX; "stop" ends the rules. */
#ifndef MERPATI_MDA_RULES_H
#define MERPATI_MDA_RULES_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mime/mime.h"
#include "store/address.h"
#include "store/mailbox.h"

#define MDA_RULES_MAX 200        /* rules read per account */
#define MDA_RULES_FILEINTO_MAX 8 /* distinct mailboxes one message is filed into */
#define MDA_RULES_REDIRECT_MAX 4 /* redirects per message (RFC 5228 4.2 allows a limit) */

struct mda_rules_outcome {
	bool keep;                   /* implicit keep still in force: INBOX */
	size_t nfileinto;
	char fileinto[MDA_RULES_FILEINTO_MAX][STORE_MAILBOX_NAME_MAX + 1];
	size_t nredirect;
	char redirect[MDA_RULES_REDIRECT_MAX][STORE_ADDRESS_SIZE];
	unsigned flags;              /* STORE_FLAG_* */
	size_t nkeywords;
	char keywords[STORE_MAILBOX_KEYWORDS_MAX][STORE_MAILBOX_KEYWORD_MAX + 1];
	unsigned matched;            /* rules that applied */
};

/* mda_rules_init - the outcome of no rules: keep into INBOX */
void mda_rules_init(struct mda_rules_outcome *out);
/* mda_rules_apply - evaluate one rule (its conditions and actions as JSON text) against
 * the message; 1 it applied (*stop_r set by "stop"), 0 it did not, -1 malformed JSON */
int mda_rules_apply(const char *conditions, const char *actions, const struct mime_meta *m,
		    int64_t size, struct mda_rules_outcome *out, bool *stop_r,
		    const char **error_r);
/* mda_rules_run - read the account's enabled rules in position order and apply them;
 * a malformed rule is skipped (logged). 0, or -1 on a database error */
int mda_rules_run(PGconn *conn, int64_t account_id, const struct mime_meta *m, int64_t size,
		  struct mda_rules_outcome *out, const char **error_r);

#endif
