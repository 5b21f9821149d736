/* recipient - what an address means to this server.
 *
 * store_recipient_lookup answers SMTP RCPT TO (RFC 5321 4.1.1.3): is the domain ours, and if
 * so, does the address lead anywhere? store_recipient_expand turns an address into the final
 * list of deliveries for the mda. The rules, in order, for an address of one of our domains:
 *   1. an enabled account with that address: deliver to it, unless it has forwards; then
 *      deliver to the forward targets, and to the account too if it keeps a copy;
 *   2. aliases with that source: expand every target;
 *   3. plus-addressing: "user+tag@d" is tried as "user@d" (rules 1-2);
 *   4. postmaster@ and abuse@ (RFC 5321 4.5.1, RFC 2142): the domain's administrator, or when
 *      none is set its oldest enabled account;
 *   5. the domain's catch-all alias "@d";
 *   6. otherwise unknown.
 * Targets in foreign domains become remote deliveries. Expansion is recursive with loop
 * detection, at most STORE_RECIPIENT_DEPTH_MAX levels and STORE_RECIPIENT_TARGETS_MAX
 * deliveries; duplicates (same account or same remote address) are delivered once. */
#ifndef MERPATI_STORE_RECIPIENT_H
#define MERPATI_STORE_RECIPIENT_H

#include <libpq-fe.h>
#include <stdint.h>

#include "store/address.h"

#define STORE_RECIPIENT_DEPTH_MAX 8
#define STORE_RECIPIENT_TARGETS_MAX 100

enum store_recipient_kind {
	STORE_RECIPIENT_LOCAL,         /* ours and it leads somewhere: accept */
	STORE_RECIPIENT_LOCAL_UNKNOWN, /* ours but no such user: 550 5.1.1 */
	STORE_RECIPIENT_FOREIGN,       /* not our domain: relay only for authenticated users */
};

/* store_recipient_lookup - classify an address for RCPT; 0 with *kind_r set, -1 on error
 * (a malformed address is an error with a message, not a kind). Expansion stops at the
 * first delivery found, so a large alias costs little here. */
int store_recipient_lookup(PGconn *conn, const char *address,
			   enum store_recipient_kind *kind_r, const char **error_r);

struct store_recipient_target {
	int64_t account_id;               /* > 0: deliver into this account's mailboxes */
	char address[STORE_ADDRESS_SIZE]; /* account address (Delivered-To), or remote address */
	char tag[STORE_ADDRESS_LOCAL_MAX + 1]; /* the +tag of the original address, if any */
};

struct store_recipient_list {
	size_t count;
	struct store_recipient_target targets[STORE_RECIPIENT_TARGETS_MAX];
};

/* store_recipient_expand - every delivery for one address; 0 with out filled (count may be
 * 0: nobody), -1 on error (database, depth or fan-out limit exceeded) */
int store_recipient_expand(PGconn *conn, const char *address, struct store_recipient_list *out,
			   const char **error_r);

#endif
