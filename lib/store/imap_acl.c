/* imap_acl.c - mailbox rights (RFC 4314): the owner holds all, grants live in mailbox_acl */
#include "store/imap_acl.h"
#include "store/db.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#define ACL_MAILBOX_COLUMNS "m.id, m.account_id, m.name, coalesce(m.special_use, ''), " \
			    "m.subscribed, m.uidvalidity, m.uidnext, m.highestmodseq, " \
			    "m.messages, m.unseen, m.total_size"

/* acl_mailbox_from_row - fill a mailbox from ACL_MAILBOX_COLUMNS starting at column col */
static void acl_mailbox_from_row(const PGresult *res, int row, int col, struct store_mailbox *m)
{
	m->id = db_get_int64(res, row, col);
	m->account_id = db_get_int64(res, row, col + 1);
	(void)db_copy_str(res, row, col + 2, m->name, sizeof(m->name));
	(void)db_copy_str(res, row, col + 3, m->special_use, sizeof(m->special_use));
	m->subscribed = db_get_bool(res, row, col + 4);
	m->uidvalidity = (uint32_t)db_get_int64(res, row, col + 5);
	m->uidnext = (uint32_t)db_get_int64(res, row, col + 6);
	m->highestmodseq = (uint64_t)db_get_int64(res, row, col + 7);
	m->messages = (uint32_t)db_get_int64(res, row, col + 8);
	m->unseen = (uint32_t)db_get_int64(res, row, col + 9);
	m->total_size = db_get_int64(res, row, col + 10);
}

/* store_acl_normalize - rights letters into RFC 4314 order, obsolete c/d expanded */
int store_acl_normalize(const char *in, char out[STORE_ACL_RIGHTS_SIZE])
{
	bool have[sizeof(STORE_ACL_ALL)] = { false };
	size_t n = 0;

	for (const char *p = in; *p != '\0'; p++) {
		/* RFC 4314 2.1.1: "c" stood for k and x, "d" for e, t and x */
		const char *add = *p == 'c' ? "kx" : *p == 'd' ? "etx" : NULL;
		const char *at;

		if (add == NULL && (at = strchr(STORE_ACL_ALL, *p)) == NULL)
			return -1;
		if (add == NULL) {
			have[at - STORE_ACL_ALL] = true;
			continue;
		}
		for (; *add != '\0'; add++)
			have[strchr(STORE_ACL_ALL, *add) - STORE_ACL_ALL] = true;
	}
	for (size_t i = 0; STORE_ACL_ALL[i] != '\0'; i++)
		if (have[i])
			out[n++] = STORE_ACL_ALL[i];
	out[n] = '\0';
	return 0;
}

/* store_acl_has - every letter of need is in rights */
bool store_acl_has(const char *rights, const char *need)
{
	for (const char *p = need; *p != '\0'; p++)
		if (strchr(rights, *p) == NULL)
			return false;
	return true;
}

/* store_acl_rights - owner: all; others: their grant, "" without one */
int store_acl_rights(PGconn *conn, int64_t account_id, int64_t mailbox_id,
		     char rights_r[STORE_ACL_RIGHTS_SIZE], const char **error_r)
{
	char acc[24], mb[24];
	const char *params[2] = { db_int64_param(acc, account_id), db_int64_param(mb, mailbox_id) };
	PGresult *res;

	rights_r[0] = '\0';
	res = db_query(conn, "SELECT m.account_id = $1::bigint, coalesce(a.rights, '') "
		       "FROM mailboxes m LEFT JOIN mailbox_acl a "
		       "ON a.mailbox_id = m.id AND a.grantee_id = $1::bigint WHERE m.id = $2::bigint",
		       2, params, error_r);
	if (res == NULL)
		return -1;
	if (PQntuples(res) == 0) {
		PQclear(res);
		return 0;
	}
	if (db_get_bool(res, 0, 0))
		memcpy(rights_r, STORE_ACL_ALL, STORE_ACL_RIGHTS_SIZE);
	else if (store_acl_normalize(db_get_str(res, 0, 1), rights_r) < 0)
		rights_r[0] = '\0'; /* the table's CHECK keeps other letters out */
	PQclear(res);
	return 1;
}

/* acl_merge - the rights a grant ends up with after mode */
static int acl_merge(const char *old, enum store_acl_mode mode, const char *given,
		     char out[STORE_ACL_RIGHTS_SIZE])
{
	char norm[STORE_ACL_RIGHTS_SIZE], both[2 * STORE_ACL_RIGHTS_SIZE];
	size_t n = 0;

	if (store_acl_normalize(given, norm) < 0)
		return -1;
	if (mode == STORE_ACL_REPLACE) {
		memcpy(out, norm, sizeof(norm));
		return 0;
	}
	if (mode == STORE_ACL_ADD) {
		snprintf(both, sizeof(both), "%s%s", old, norm);
		return store_acl_normalize(both, out);
	}
	for (const char *p = old; *p != '\0'; p++)
		if (strchr(norm, *p) == NULL)
			out[n++] = *p;
	out[n] = '\0';
	return 0;
}

/* acl_grantee - the account id of a grantee address and the mailbox's owner;
 * 1 both found, 0 one missing, -1 error */
static int acl_grantee(PGconn *conn, int64_t mailbox_id, const char *grantee, int64_t *id_r,
		       int64_t *owner_r, const char **error_r)
{
	char address[STORE_ADDRESS_SIZE], mb[24];
	const char *params[2];
	PGresult *res;
	int found;

	if (store_address_normalize(grantee, address, error_r) < 0)
		return 0;
	params[0] = address;
	params[1] = db_int64_param(mb, mailbox_id);
	res = db_query(conn, "SELECT a.id, m.account_id FROM accounts a, mailboxes m "
		       "WHERE a.address = $1 AND m.id = $2::bigint", 2, params, error_r);
	if (res == NULL)
		return -1;
	found = PQntuples(res) == 1;
	if (found) {
		*id_r = db_get_int64(res, 0, 0);
		*owner_r = db_get_int64(res, 0, 1);
	}
	PQclear(res);
	return found;
}

/* store_acl_set - SETACL: lock the grant, merge, write or delete it */
int store_acl_set(PGconn *conn, int64_t mailbox_id, const char *grantee,
		  enum store_acl_mode mode, const char *rights, const char **error_r)
{
	char mb[24], gr[24], merged[STORE_ACL_RIGHTS_SIZE];
	const char *params[3];
	int64_t grantee_id, owner_id;
	PGresult *res;
	int found = acl_grantee(conn, mailbox_id, grantee, &grantee_id, &owner_id, error_r);

	if (found <= 0)
		return found;
	if (grantee_id == owner_id)
		return db_fail("42501", error_r, "the owner's rights cannot be changed");
	params[0] = db_int64_param(mb, mailbox_id);
	params[1] = db_int64_param(gr, grantee_id);
	res = db_query(conn, "SELECT rights FROM mailbox_acl WHERE mailbox_id = $1::bigint "
		       "AND grantee_id = $2::bigint", 2, params, error_r);
	if (res == NULL)
		return -1;
	found = acl_merge(PQntuples(res) > 0 ? db_get_str(res, 0, 0) : "", mode, rights, merged);
	PQclear(res);
	if (found < 0)
		return db_fail("22023", error_r, "unknown right in \"%.32s\"", rights);
	params[2] = merged;
	if (merged[0] == '\0')
		return db_exec(conn, "DELETE FROM mailbox_acl WHERE mailbox_id = $1::bigint "
			       "AND grantee_id = $2::bigint", 2, params, error_r) < 0 ? -1 : 1;
	return db_exec(conn, "INSERT INTO mailbox_acl (mailbox_id, grantee_id, rights) "
		       "VALUES ($1::bigint, $2::bigint, $3) ON CONFLICT (mailbox_id, grantee_id) "
		       "DO UPDATE SET rights = excluded.rights", 3, params, error_r) < 0 ? -1 : 1;
}

/* store_acl_delete - DELETEACL: drop the grant */
int store_acl_delete(PGconn *conn, int64_t mailbox_id, const char *grantee,
		     const char **error_r)
{
	char address[STORE_ADDRESS_SIZE], mb[24];
	const char *params[2];
	int64_t n;

	if (store_address_normalize(grantee, address, error_r) < 0)
		return 0;
	params[0] = db_int64_param(mb, mailbox_id);
	params[1] = address;
	n = db_exec(conn, "DELETE FROM mailbox_acl WHERE mailbox_id = $1::bigint AND grantee_id = "
		    "(SELECT id FROM accounts WHERE address = $2)", 2, params, error_r);
	return n < 0 ? -1 : n > 0;
}

/* store_acl_list - GETACL: the owner first, then every grant by grantee address */
int store_acl_list(PGconn *conn, int64_t mailbox_id, store_acl_list_fn *fn, void *arg,
		   const char **error_r)
{
	char mb[24];
	const char *params[1] = { db_int64_param(mb, mailbox_id) };
	PGresult *res;
	int n;

	res = db_query(conn, "SELECT o.address, $2 || '', 0 AS k FROM mailboxes m "
		       "JOIN accounts o ON o.id = m.account_id WHERE m.id = $1::bigint "
		       "UNION ALL SELECT g.address, a.rights, 1 FROM mailbox_acl a "
		       "JOIN accounts g ON g.id = a.grantee_id WHERE a.mailbox_id = $1::bigint "
		       "ORDER BY 3, 1", 2, (const char *const[]){ params[0], STORE_ACL_ALL },
		       error_r);
	if (res == NULL)
		return -1;
	n = PQntuples(res);
	for (int i = 0; i < n; i++) {
		char rights[STORE_ACL_RIGHTS_SIZE];

		if (store_acl_normalize(db_get_str(res, i, 1), rights) < 0)
			continue;
		if (fn(db_get_str(res, i, 0), rights, arg) != 0)
			break;
	}
	PQclear(res);
	return n;
}

/* acl_shared_rows - call fn for each row of owner, rights, ACL_MAILBOX_COLUMNS */
static int acl_shared_rows(PGresult *res, store_acl_shared_fn *fn, void *arg)
{
	int n = PQntuples(res);

	for (int i = 0; i < n; i++) {
		struct store_acl_shared s;

		(void)db_copy_str(res, i, 0, s.owner, sizeof(s.owner));
		if (store_acl_normalize(db_get_str(res, i, 1), s.rights) < 0)
			s.rights[0] = '\0';
		acl_mailbox_from_row(res, i, 2, &s.mailbox);
		if (fn != NULL && fn(&s, arg) != 0)
			break;
	}
	return n;
}

/* store_acl_shared_list - what the grantee may LIST in the Shared namespace */
int store_acl_shared_list(PGconn *conn, int64_t grantee_id, store_acl_shared_fn *fn,
			  void *arg, const char **error_r)
{
	char gr[24];
	const char *params[1] = { db_int64_param(gr, grantee_id) };
	PGresult *res;
	int n;

	res = db_query(conn, "SELECT o.address, a.rights, " ACL_MAILBOX_COLUMNS " "
		       "FROM mailbox_acl a JOIN mailboxes m ON m.id = a.mailbox_id "
		       "JOIN accounts o ON o.id = m.account_id "
		       "WHERE a.grantee_id = $1::bigint AND position('l' in a.rights) > 0 "
		       "AND m.account_id <> $1::bigint ORDER BY o.address, m.name",
		       1, params, error_r);
	if (res == NULL)
		return -1;
	n = acl_shared_rows(res, fn, arg);
	PQclear(res);
	return n;
}

/* shared_find_one - copy the single row into out */
static int shared_find_one(const struct store_acl_shared *s, void *arg)
{
	*(struct store_acl_shared *)arg = *s;
	return 1;
}

/* store_acl_shared_find - one shared mailbox by owner address and name */
int store_acl_shared_find(PGconn *conn, int64_t grantee_id, const char *owner,
			  const char *name, struct store_acl_shared *out, const char **error_r)
{
	char gr[24], address[STORE_ADDRESS_SIZE];
	const char *params[3];
	PGresult *res;
	int n;

	if (strlen(name) > STORE_MAILBOX_NAME_MAX ||
	    store_address_normalize(owner, address, error_r) < 0)
		return 0;
	params[0] = db_int64_param(gr, grantee_id);
	params[1] = address;
	params[2] = strcasecmp(name, "INBOX") == 0 ? "INBOX" : name; /* RFC 3501 5.1 */
	res = db_query(conn, "SELECT o.address, a.rights, " ACL_MAILBOX_COLUMNS " "
		       "FROM mailbox_acl a JOIN mailboxes m ON m.id = a.mailbox_id "
		       "JOIN accounts o ON o.id = m.account_id WHERE a.grantee_id = $1::bigint "
		       "AND o.address = $2 AND m.name = $3 AND m.account_id <> $1::bigint",
		       3, params, error_r);
	if (res == NULL)
		return -1;
	n = acl_shared_rows(res, shared_find_one, out);
	PQclear(res);
	return n > 0;
}
