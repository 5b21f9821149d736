/* recipient.c - RCPT lookup and recipient expansion: accounts, forwards, aliases,
 * plus-addressing, postmaster@/abuse@ and catch-alls (rules in recipient.h) */
#include "store/recipient.h"
#include "store/db.h"
#include "store/db_prepared.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define RECIPIENT_VISITED_MAX (2 * STORE_RECIPIENT_TARGETS_MAX)

struct expand {
	PGconn *conn;
	struct store_recipient_list *out;
	size_t nvisited;
	char visited[RECIPIENT_VISITED_MAX][STORE_ADDRESS_SIZE];
	bool first_only; /* RCPT lookup: one delivery is enough to know the address exists */
	const char **error_r;
};

/* What a domain lookup tells: is it ours, and its id (for its administrator). */
struct recipient_domain {
	bool local;
	int64_t id;
};

static int expand_address(struct expand *x, const char *address, const char *tag, int depth);

static const struct db_stmt recipient_domain_stmt = {
	"recipient_domain", "SELECT id FROM domains WHERE lower(name) = $1", 1,
};

/* recipient_domain - is the address's domain ours */
static int recipient_domain(PGconn *conn, const char *address, struct recipient_domain *d,
			    const char **error_r)
{
	const char *params[1] = { store_address_domain(address) };
	PGresult *res = db_query_prepared(conn, &recipient_domain_stmt, params, error_r);

	if (res == NULL)
		return -1;
	d->local = PQntuples(res) > 0;
	d->id = d->local ? db_get_int64(res, 0, 0) : 0;
	PQclear(res);
	return 0;
}

static const struct db_stmt recipient_admin_stmt = {
	"recipient_admin",
	"SELECT a.address FROM domains d JOIN accounts a ON a.id = coalesce(d.admin_account_id, "
	"(SELECT x.id FROM accounts x WHERE x.domain_id = d.id AND x.enabled ORDER BY x.id "
	"LIMIT 1)) WHERE d.id = $1::bigint", 1,
};

/* recipient_admin - who gets the domain's role mail: its admin account, else its oldest
 * enabled account; "" when it has none. Asked only for postmaster@ and abuse@: finding the
 * oldest account can read many of the domain's rows. */
static int recipient_admin(PGconn *conn, int64_t domain_id, char admin[STORE_ADDRESS_SIZE],
			   const char **error_r)
{
	char id[24];
	const char *params[1] = { id };
	PGresult *res;

	snprintf(id, sizeof(id), "%" PRId64, domain_id);
	res = db_query_prepared(conn, &recipient_admin_stmt, params, error_r);
	if (res == NULL)
		return -1;
	admin[0] = '\0';
	if (PQntuples(res) > 0)
		(void)db_copy_str(res, 0, 0, admin, STORE_ADDRESS_SIZE);
	PQclear(res);
	return 0;
}

/* expand_visit - remember an address; false if it was seen already (loop or duplicate) */
static int expand_visit(struct expand *x, const char *address, bool *fresh_r)
{
	size_t i;

	for (i = 0; i < x->nvisited; i++) {
		if (strcmp(x->visited[i], address) == 0) {
			*fresh_r = false;
			return 0;
		}
	}
	if (x->nvisited >= RECIPIENT_VISITED_MAX)
		return db_fail("54000", x->error_r, "recipient expansion visits too many addresses");
	snprintf(x->visited[x->nvisited++], STORE_ADDRESS_SIZE, "%s", address);
	*fresh_r = true;
	return 0;
}

/* expand_add - one delivery: a local account (id > 0) or a remote address; duplicates of
 * the same account or the same remote address are dropped */
static int expand_add(struct expand *x, int64_t account_id, const char *address, const char *tag)
{
	struct store_recipient_target *t;
	size_t i;

	for (i = 0; i < x->out->count; i++) {
		t = &x->out->targets[i];
		if (account_id > 0 ? t->account_id == account_id :
		    (t->account_id == 0 && strcmp(t->address, address) == 0))
			return 0;
	}
	if (x->out->count >= STORE_RECIPIENT_TARGETS_MAX)
		return db_fail("54000", x->error_r, "recipient expands to more than %d deliveries",
			       STORE_RECIPIENT_TARGETS_MAX);
	t = &x->out->targets[x->out->count++];
	t->account_id = account_id;
	snprintf(t->address, sizeof(t->address), "%s", address);
	snprintf(t->tag, sizeof(t->tag), "%s", tag);
	return 0;
}

/* expand_targets - expand the address in column col of every row of a result */
static int expand_targets(struct expand *x, PGresult *res, int col, const char *tag, int depth)
{
	int i, n = PQntuples(res);

	for (i = 0; i < n; i++)
		if (expand_address(x, db_get_str(res, i, col), tag, depth + 1) < 0)
			return -1;
	return 0;
}

static const struct db_stmt expand_account_stmt = {
	"recipient_account",
	"SELECT a.id, a.enabled, a.forward_keep_copy, f.target FROM accounts a "
	"LEFT JOIN forwards f ON f.account_id = a.id WHERE lower(a.address) = $1 ORDER BY f.id", 1,
};

/* expand_account - rule 1: an account, with its forwards; 1 handled, 0 no account, -1 */
static int expand_account(struct expand *x, const char *address, const char *tag, int depth)
{
	const char *params[1] = { address };
	PGresult *res;
	int64_t id;
	bool keep;
	int ret = 0;

	res = db_query_prepared(x->conn, &expand_account_stmt, params, x->error_r);
	if (res == NULL)
		return -1;
	if (PQntuples(res) == 0) {
		PQclear(res);
		return 0;
	}
	id = db_get_int64(res, 0, 0);
	keep = db_get_bool(res, 0, 2) || PQgetisnull(res, 0, 3);
	/* a disabled account receives nothing, and nothing else claims its address */
	if (db_get_bool(res, 0, 1)) {
		if (keep)
			ret = expand_add(x, id, address, tag);
		if (ret == 0 && !PQgetisnull(res, 0, 3))
			ret = expand_targets(x, res, 3, tag, depth);
	}
	PQclear(res);
	return ret < 0 ? -1 : 1;
}

static const struct db_stmt expand_alias_stmt = {
	"recipient_alias", "SELECT target FROM aliases WHERE lower(source) = $1 ORDER BY id", 1,
};

/* expand_alias - rule 2 and 5: targets of an alias source ("user@d" or "@d");
 * 1 handled, 0 no such alias, -1 */
static int expand_alias(struct expand *x, const char *source, const char *tag, int depth)
{
	const char *params[1] = { source };
	PGresult *res;
	int found, ret = 0;

	res = db_query_prepared(x->conn, &expand_alias_stmt, params, x->error_r);
	if (res == NULL)
		return -1;
	found = PQntuples(res) > 0;
	if (found)
		ret = expand_targets(x, res, 0, tag, depth);
	PQclear(res);
	return ret < 0 ? -1 : found;
}

/* expand_exact - rules 1 and 2 for one address */
static int expand_exact(struct expand *x, const char *address, const char *tag, int depth)
{
	int r = expand_account(x, address, tag, depth);

	return r != 0 ? r : expand_alias(x, address, tag, depth);
}

/* expand_local - rules 1-6 for an address of one of our domains */
static int expand_local(struct expand *x, const char *address, const struct recipient_domain *d,
			const char *tag, int depth)
{
	char base[STORE_ADDRESS_SIZE], plus[STORE_ADDRESS_LOCAL_MAX + 1], catchall[STORE_ADDRESS_SIZE];
	int r;

	if ((r = expand_exact(x, address, tag, depth)) != 0)
		return r;
	if (store_address_split_plus(address, base, plus) &&
	    (r = expand_exact(x, base, tag[0] ? tag : plus, depth)) != 0)
		return r;
	if (store_address_is_role(address)) {
		char admin[STORE_ADDRESS_SIZE];

		if (recipient_admin(x->conn, d->id, admin, x->error_r) < 0)
			return -1;
		if (admin[0] != '\0')
			return expand_address(x, admin, tag, depth + 1) < 0 ? -1 : 1;
	}
	snprintf(catchall, sizeof(catchall), "@%s", store_address_domain(address));
	return expand_alias(x, catchall, tag, depth);
}

/* expand_address_in - every delivery one address leads to, recursively; known: its
 * domain when the caller has looked it up already, else NULL */
static int expand_address_in(struct expand *x, const char *address, const char *tag, int depth,
			     const struct recipient_domain *known)
{
	struct recipient_domain d;
	bool fresh;

	if (x->first_only && x->out->count > 0)
		return 0;
	if (depth > STORE_RECIPIENT_DEPTH_MAX)
		return db_fail("54000", x->error_r, "aliases nest deeper than %d levels",
			       STORE_RECIPIENT_DEPTH_MAX);
	if (expand_visit(x, address, &fresh) < 0)
		return -1;
	if (!fresh)
		return 0; /* an alias loop, or a target reached twice: deliver once */
	if (known != NULL)
		d = *known;
	else if (recipient_domain(x->conn, address, &d, x->error_r) < 0)
		return -1;
	if (!d.local)
		return expand_add(x, 0, address, tag);
	return expand_local(x, address, &d, tag, depth) < 0 ? -1 : 0;
}

/* expand_address - every delivery one address leads to, recursively */
static int expand_address(struct expand *x, const char *address, const char *tag, int depth)
{
	return expand_address_in(x, address, tag, depth, NULL);
}

/* recipient_expand - expansion of a normalised address, complete or up to a first delivery */
static int recipient_expand(PGconn *conn, const char *norm, bool first_only,
			    const struct recipient_domain *known, struct store_recipient_list *out,
			    const char **error_r)
{
	static __thread struct expand x; /* large: keep it off the worker's stack */

	out->count = 0;
	memset(&x, 0, sizeof(x));
	x.conn = conn;
	x.out = out;
	x.first_only = first_only;
	x.error_r = error_r;
	return expand_address_in(&x, norm, "", 0, known);
}

int store_recipient_expand(PGconn *conn, const char *address, struct store_recipient_list *out,
			   const char **error_r)
{
	char norm[STORE_ADDRESS_SIZE];
	const char *why;

	out->count = 0;
	if (store_address_normalize(address, norm, &why) < 0)
		return db_fail("22023", error_r, "malformed address: %s", why);
	return recipient_expand(conn, norm, false, NULL, out, error_r);
}

/* The RCPT question in one round trip: the domain, the account of that address with its
 * state, and whether aliases (of the address, or the domain's catch-all) exist. */
static const struct db_stmt lookup_stmt = {
	"recipient_lookup",
	"SELECT d.id, a.id, a.enabled, a.forward_keep_copy, "
	"EXISTS (SELECT 1 FROM forwards f WHERE f.account_id = a.id), "
	"EXISTS (SELECT 1 FROM aliases s WHERE lower(s.source) = $1), "
	"EXISTS (SELECT 1 FROM aliases c WHERE lower(c.source) = '@' || $2) "
	"FROM domains d LEFT JOIN accounts a ON lower(a.address) = $1 WHERE lower(d.name) = $2",
	2,
};

enum lookup_answer { LOOKUP_FOREIGN, LOOKUP_LOCAL, LOOKUP_UNKNOWN, LOOKUP_EXPAND };

/* lookup_answer - what the one row says, by the rules of recipient.h; LOOKUP_EXPAND when
 * only a walk through aliases, forwards or the domain's administrator can tell */
static enum lookup_answer lookup_answer(const PGresult *res, const char *norm)
{
	char base[STORE_ADDRESS_SIZE], plus[STORE_ADDRESS_LOCAL_MAX + 1];

	if (PQntuples(res) == 0)
		return LOOKUP_FOREIGN;
	if (!PQgetisnull(res, 0, 1)) {
		/* rule 1: a disabled account receives nothing, and nothing else claims it */
		if (!db_get_bool(res, 0, 2))
			return LOOKUP_UNKNOWN;
		/* an enabled account gets a copy unless it forwards without keeping one */
		return db_get_bool(res, 0, 3) || !db_get_bool(res, 0, 4) ? LOOKUP_LOCAL :
									     LOOKUP_EXPAND;
	}
	/* rules 2-5 may still lead somewhere (an alias's targets can be gone) */
	if (db_get_bool(res, 0, 5) || db_get_bool(res, 0, 6) || store_address_is_role(norm) ||
	    store_address_split_plus(norm, base, plus))
		return LOOKUP_EXPAND;
	return LOOKUP_UNKNOWN; /* rule 6 */
}

int store_recipient_lookup(PGconn *conn, const char *address,
			   enum store_recipient_kind *kind_r, const char **error_r)
{
	static __thread struct store_recipient_list list;
	struct recipient_domain d;
	char norm[STORE_ADDRESS_SIZE];
	const char *why, *params[2];
	enum lookup_answer answer;
	PGresult *res;

	if (store_address_normalize(address, norm, &why) < 0)
		return db_fail("22023", error_r, "malformed address: %s", why);
	params[0] = norm;
	params[1] = store_address_domain(norm);
	if ((res = db_query_prepared(conn, &lookup_stmt, params, error_r)) == NULL)
		return -1;
	answer = lookup_answer(res, norm);
	d.local = answer != LOOKUP_FOREIGN;
	d.id = d.local ? db_get_int64(res, 0, 0) : 0;
	PQclear(res);
	if (answer != LOOKUP_EXPAND) {
		*kind_r = answer == LOOKUP_FOREIGN ? STORE_RECIPIENT_FOREIGN :
			  answer == LOOKUP_LOCAL ? STORE_RECIPIENT_LOCAL :
			  STORE_RECIPIENT_LOCAL_UNKNOWN;
		return 0;
	}
	if (recipient_expand(conn, norm, true, &d, &list, error_r) < 0)
		return -1;
	*kind_r = list.count > 0 ? STORE_RECIPIENT_LOCAL : STORE_RECIPIENT_LOCAL_UNKNOWN;
	return 0;
}
