/* alias - addresses that lead elsewhere: one source to many targets, and catch-alls.
 *
 * A source is a full address of one of our domains, or "@domain" for the catch-all of that
 * domain (used only when nothing more specific matches). Targets are any addresses, ours
 * or foreign; recipient.c expands them recursively. */
#ifndef MERPATI_STORE_ALIAS_H
#define MERPATI_STORE_ALIAS_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/address.h"

/* store_alias_add - add source -> target; -1 if malformed, domain unknown or duplicate */
int store_alias_add(PGconn *conn, const char *source, const char *target, const char **error_r);
/* store_alias_remove - remove one target (target NULL: every target of source);
 * returns rows removed or -1 */
int store_alias_remove(PGconn *conn, const char *source, const char *target,
		       const char **error_r);

/* store_alias_list_fn - called once per (source, target) in order; non-zero stops */
typedef int store_alias_list_fn(const char *source, const char *target, void *arg);
/* store_alias_list - aliases of one domain (NULL: all); returns the count or -1 */
int store_alias_list(PGconn *conn, const char *domain, store_alias_list_fn *fn, void *arg,
		     const char **error_r);
/* One alias row: source -> target. */
struct store_alias {
	int64_t id;
	char source[STORE_ADDRESS_SIZE];
	char target[STORE_ADDRESS_SIZE];
};
/* store_alias_page_fn - called once per alias row in order; non-zero stops */
typedef int store_alias_page_fn(const struct store_alias *a, void *arg);
/* store_alias_list_page - like store_alias_list with ids, only rows whose alias or target
 * contains match (case-insensitive; NULL: every row), at most limit rows (< 0: all) after
 * skipping offset; returns the number listed or -1 */
int store_alias_list_page(PGconn *conn, const char *domain, const char *match, int64_t limit,
			  int64_t offset, store_alias_page_fn *fn, void *arg, const char **error_r);
/* store_alias_remove_id - remove one alias row; 1 removed, 0 no such row, -1 error */
int store_alias_remove_id(PGconn *conn, int64_t id, const char **error_r);

/* What an address is, for SMTP EXPN (RFC 5321 3.5.2). */
enum store_alias_members_kind {
	STORE_ALIAS_MEMBERS_UNKNOWN, /* no enabled account and no alias with that address */
	STORE_ALIAS_MEMBERS_ACCOUNT, /* an enabled account: members[0] is its address */
	STORE_ALIAS_MEMBERS_LIST,    /* an alias: members are its targets, in order */
};

#define STORE_ALIAS_MEMBERS_MAX 100

struct store_alias_members {
	enum store_alias_members_kind kind;
	size_t count;
	bool truncated;              /* the alias has more than STORE_ALIAS_MEMBERS_MAX targets */
	char members[STORE_ALIAS_MEMBERS_MAX][STORE_ADDRESS_SIZE];
};

/* store_alias_members - the direct targets of one alias, or the account of that address,
 * in one round trip; an account takes precedence over an alias of the same address and a
 * disabled account hides it, as in delivery (recipient.h rules 1-2); 0 or -1 */
int store_alias_members(PGconn *conn, const char *address, struct store_alias_members *out,
			const char **error_r);

#endif
