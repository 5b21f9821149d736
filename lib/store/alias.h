/* alias - addresses that lead elsewhere: one source to many targets, and catch-alls.
 *
 * A source is a full address of one of our domains, or "@domain" for the catch-all of that
 * domain (used only when nothing more specific matches). Targets are any addresses, ours
 * or foreign; recipient.c expands them recursively. */
#ifndef MERPATI_STORE_ALIAS_H
#define MERPATI_STORE_ALIAS_H

#include <libpq-fe.h>
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
/* store_alias_list_page - like store_alias_list with ids, at most limit rows (< 0: all)
 * after skipping offset; returns the number listed or -1 */
int store_alias_list_page(PGconn *conn, const char *domain, int64_t limit, int64_t offset,
			  store_alias_page_fn *fn, void *arg, const char **error_r);
/* store_alias_remove_id - remove one alias row; 1 removed, 0 no such row, -1 error */
int store_alias_remove_id(PGconn *conn, int64_t id, const char **error_r);

#endif
