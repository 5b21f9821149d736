/* alias.c - aliases: one source address to many targets, and per-domain catch-alls */
#include "store/alias.h"
#include "store/db.h"

#include <stdio.h>
#include <string.h>

/* alias_source - canonical source ("user@d" or "@d" for the catch-all) and its domain */
static int alias_source(const char *in, char out[STORE_ADDRESS_SIZE],
			char domain[STORE_DOMAIN_SIZE], const char **error_r)
{
	const char *why;

	if (in[0] == '@') {
		if (store_domain_normalize(in + 1, domain, &why) < 0)
			return db_fail("22023", error_r, "malformed catch-all domain: %s", why);
		snprintf(out, STORE_ADDRESS_SIZE, "@%s", domain);
		return 0;
	}
	if (store_address_normalize(in, out, &why) < 0)
		return db_fail("22023", error_r, "malformed alias address: %s", why);
	snprintf(domain, STORE_DOMAIN_SIZE, "%s", store_address_domain(out));
	return 0;
}

/* alias_target - canonical target address */
static int alias_target(const char *in, char out[STORE_ADDRESS_SIZE], const char **error_r)
{
	const char *why;

	if (store_address_normalize(in, out, &why) < 0)
		return db_fail("22023", error_r, "malformed target address: %s", why);
	return 0;
}

int store_alias_add(PGconn *conn, const char *source, const char *target, const char **error_r)
{
	char src[STORE_ADDRESS_SIZE], dst[STORE_ADDRESS_SIZE], domain[STORE_DOMAIN_SIZE];
	const char *params[3] = { src, dst, domain };
	int64_t n;

	if (alias_source(source, src, domain, error_r) < 0 || alias_target(target, dst, error_r) < 0)
		return -1;
	if (strcmp(src, dst) == 0)
		return db_fail("22023", error_r, "an alias cannot point to itself");
	n = db_exec(conn, "INSERT INTO aliases (domain_id, source, target) "
			  "SELECT id, $1, $2 FROM domains WHERE lower(name) = $3",
		    3, params, error_r);
	if (n < 0 && db_error_unique())
		return db_fail("23505", error_r, "alias %s -> %s exists already", src, dst);
	if (n == 0)
		return db_fail("22023", error_r, "unknown domain %s", domain);
	return n < 0 ? -1 : 0;
}

int store_alias_remove(PGconn *conn, const char *source, const char *target,
		       const char **error_r)
{
	char src[STORE_ADDRESS_SIZE], dst[STORE_ADDRESS_SIZE], domain[STORE_DOMAIN_SIZE];
	const char *params[2] = { src, NULL };

	if (alias_source(source, src, domain, error_r) < 0)
		return -1;
	if (target != NULL) {
		if (alias_target(target, dst, error_r) < 0)
			return -1;
		params[1] = dst;
	}
	return (int)db_exec(conn, "DELETE FROM aliases WHERE lower(source) = $1 "
				  "AND ($2::text IS NULL OR lower(target) = $2)",
			    2, params, error_r);
}

/* alias_list_adapter - a store_alias_page_fn calling a store_alias_list_fn */
struct alias_list_adapter {
	store_alias_list_fn *fn;
	void *arg;
};

static int alias_list_adapt(const struct store_alias *a, void *arg)
{
	struct alias_list_adapter *ad = arg;

	return ad->fn(a->source, a->target, ad->arg);
}

int store_alias_list(PGconn *conn, const char *domain, store_alias_list_fn *fn, void *arg,
		     const char **error_r)
{
	struct alias_list_adapter ad = { fn, arg };

	return store_alias_list_page(conn, domain, NULL, -1, 0, alias_list_adapt, &ad, error_r);
}

int store_alias_list_page(PGconn *conn, const char *domain, const char *match, int64_t limit,
			  int64_t offset, store_alias_page_fn *fn, void *arg, const char **error_r)
{
	char norm[STORE_DOMAIN_SIZE], page[2][24];
	const char *params[4] = { NULL, NULL, NULL, match }, *why;
	struct store_alias a;
	PGresult *res;
	int i, n;

	if (domain != NULL) {
		if (store_domain_normalize(domain, norm, &why) < 0)
			return db_fail("22023", error_r, "malformed domain name: %s", why);
		params[0] = norm;
	}
	db_page_params(page, limit, offset, params + 1);
	res = db_query(conn, "SELECT a.id, a.source, a.target FROM aliases a JOIN domains d "
			     "ON d.id = a.domain_id WHERE ($1::text IS NULL OR lower(d.name) = $1) "
			     "AND ($4::text IS NULL OR strpos(lower(a.source), lower($4)) > 0 "
			     "OR strpos(lower(a.target), lower($4)) > 0) "
			     "ORDER BY a.source, a.target LIMIT $2::bigint OFFSET $3::bigint",
		       4, params, error_r);
	if (res == NULL)
		return -1;
	n = PQntuples(res);
	for (i = 0; i < n; i++) {
		a.id = db_get_int64(res, i, 0);
		(void)db_copy_str(res, i, 1, a.source, sizeof(a.source));
		(void)db_copy_str(res, i, 2, a.target, sizeof(a.target));
		if (fn(&a, arg) != 0)
			break;
	}
	PQclear(res);
	return n;
}

int store_alias_members(PGconn *conn, const char *address, struct store_alias_members *out,
			const char **error_r)
{
	char norm[STORE_ADDRESS_SIZE], limit[16];
	const char *params[2] = { norm, limit }, *why;
	PGresult *res;
	int i, n;

	memset(out, 0, offsetof(struct store_alias_members, members));
	if (store_address_normalize(address, norm, &why) < 0)
		return db_fail("22023", error_r, "malformed address: %s", why);
	/* one more than we keep, to know the list was cut */
	snprintf(limit, sizeof(limit), "%d", STORE_ALIAS_MEMBERS_MAX + 1);
	res = db_query(conn, "SELECT 0, address, enabled, 0::bigint FROM accounts "
			     "WHERE lower(address) = $1 UNION ALL (SELECT 1, target, true, id "
			     "FROM aliases WHERE lower(source) = $1 ORDER BY id LIMIT $2::int) "
			     "ORDER BY 1, 4",
		       2, params, error_r);
	if (res == NULL)
		return -1;
	n = PQntuples(res);
	if (n > 0 && db_get_int64(res, 0, 0) == 0) {
		if (db_get_bool(res, 0, 2)) {
			out->kind = STORE_ALIAS_MEMBERS_ACCOUNT;
			out->count = 1;
			(void)db_copy_str(res, 0, 1, out->members[0], STORE_ADDRESS_SIZE);
		}
		PQclear(res);
		return 0;
	}
	if (n > 0)
		out->kind = STORE_ALIAS_MEMBERS_LIST;
	for (i = 0; i < n && i < STORE_ALIAS_MEMBERS_MAX; i++)
		(void)db_copy_str(res, i, 1, out->members[i], STORE_ADDRESS_SIZE);
	out->count = (size_t)i;
	out->truncated = n > STORE_ALIAS_MEMBERS_MAX;
	PQclear(res);
	return 0;
}

int store_alias_remove_id(PGconn *conn, int64_t id, const char **error_r)
{
	char buf[24];
	const char *params[1] = { db_int64_param(buf, id) };

	return (int)db_exec(conn, "DELETE FROM aliases WHERE id = $1", 1, params, error_r);
}
