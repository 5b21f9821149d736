/* admin_share.c - grants on mailboxes (RFC 4314) as an administrator makes them */
#include "store/admin_share.h"
#include "store/account.h"
#include "store/db.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

enum store_admin_code store_admin_share_rights(const char *in, char out[STORE_ACL_RIGHTS_SIZE],
					       struct store_admin_result *r)
{
	size_t n = 0;

	if (in[0] == '\0')
		return store_admin_fail(r, STORE_ADMIN_INVALID, "no rights given (e.g. lrs)");
	for (const char *p = in; *p != '\0'; p++)
		if (strchr(STORE_ACL_ALL, *p) == NULL)
			return store_admin_fail(r, STORE_ADMIN_INVALID, "'%c' is not an RFC 4314 right "
						"(use the letters %s)", *p, STORE_ACL_ALL);
	for (const char *l = STORE_ACL_ALL; *l != '\0'; l++)
		if (strchr(in, *l) != NULL)
			out[n++] = *l;
	out[n] = '\0';
	return STORE_ADMIN_OK;
}

/* share_account - the id of the account named by in (normalised into address) */
static enum store_admin_code share_account(PGconn *conn, const char *in, const char *role,
					   char address[STORE_ADDRESS_SIZE], int64_t *id_r,
					   struct store_admin_result *r)
{
	struct store_account a;
	const char *error = NULL;
	enum store_admin_code code;
	int found;

	if ((code = store_admin_address(in, role, address, r)) != STORE_ADMIN_OK)
		return code;
	if ((found = store_account_find(conn, address, &a, &error)) < 0)
		return store_admin_db(r, error);
	if (found == 0)
		return store_admin_fail(r, STORE_ADMIN_NOT_FOUND, "user %s does not exist", address);
	*id_r = a.id;
	return STORE_ADMIN_OK;
}

/* share_mailbox - the id of the owner's mailbox s->mailbox */
static enum store_admin_code share_mailbox(PGconn *conn, struct store_admin_share *s,
					   struct store_admin_result *r)
{
	char owner_id[24];
	const char *params[2] = { db_int64_param(owner_id, s->owner_id), s->mailbox };
	const char *error = NULL;
	PGresult *res;

	res = db_query(conn, "SELECT id FROM mailboxes WHERE account_id = $1 AND name = $2",
		       2, params, &error);
	if (res == NULL)
		return store_admin_db(r, error);
	if (PQntuples(res) == 0) {
		PQclear(res);
		return store_admin_fail(r, STORE_ADMIN_NOT_FOUND, "%s has no mailbox '%.200s'",
					s->owner, s->mailbox);
	}
	s->mailbox_id = db_get_int64(res, 0, 0);
	PQclear(res);
	return STORE_ADMIN_OK;
}

enum store_admin_code store_admin_share_resolve(PGconn *conn, const char *owner,
						const char *mailbox, const char *grantee,
						struct store_admin_share *s,
						struct store_admin_result *r)
{
	enum store_admin_code code;

	memset(s, 0, sizeof(*s));
	if (strlen(mailbox) > STORE_MAILBOX_NAME_MAX)
		return store_admin_fail(r, STORE_ADMIN_INVALID, "mailbox name longer than %d bytes",
					STORE_MAILBOX_NAME_MAX);
	/* INBOX in any case is the INBOX (RFC 3501 5.1) */
	snprintf(s->mailbox, sizeof(s->mailbox), "%s",
		 strcasecmp(mailbox, "INBOX") == 0 ? "INBOX" : mailbox);
	if ((code = share_account(conn, owner, "owner", s->owner, &s->owner_id, r)) != 0 ||
	    (code = share_mailbox(conn, s, r)) != STORE_ADMIN_OK ||
	    (code = share_account(conn, grantee, "grantee", s->grantee, &s->grantee_id, r)) != 0)
		return code;
	if (s->owner_id == s->grantee_id)
		return store_admin_fail(r, STORE_ADMIN_INVALID, "%s owns the mailbox already",
					s->owner);
	return STORE_ADMIN_OK;
}

enum store_admin_code store_admin_share_grant(PGconn *conn, const char *owner,
					      const char *mailbox, const char *grantee,
					      const char *rights, struct store_admin_share *s,
					      struct store_admin_result *r)
{
	char norm[STORE_ACL_RIGHTS_SIZE], mb[24], gr[24];
	const char *params[3] = { NULL, NULL, norm }, *error = NULL;
	enum store_admin_code code;

	if ((code = store_admin_share_rights(rights, norm, r)) != STORE_ADMIN_OK ||
	    (code = store_admin_share_resolve(conn, owner, mailbox, grantee, s, r)) != 0)
		return code;
	snprintf(s->rights, sizeof(s->rights), "%s", norm);
	params[0] = db_int64_param(mb, s->mailbox_id);
	params[1] = db_int64_param(gr, s->grantee_id);
	if (db_exec(conn, "INSERT INTO mailbox_acl (mailbox_id, grantee_id, rights)"
		    " VALUES ($1, $2, $3) ON CONFLICT (mailbox_id, grantee_id)"
		    " DO UPDATE SET rights = EXCLUDED.rights", 3, params, &error) < 0)
		return store_admin_db(r, error);
	return STORE_ADMIN_OK;
}

enum store_admin_code store_admin_share_revoke(PGconn *conn, const char *owner,
					       const char *mailbox, const char *grantee,
					       struct store_admin_share *s,
					       struct store_admin_result *r)
{
	char mb[24], gr[24];
	const char *params[2], *error = NULL;
	enum store_admin_code code;
	int64_t removed;

	if ((code = store_admin_share_resolve(conn, owner, mailbox, grantee, s, r)) != 0)
		return code;
	params[0] = db_int64_param(mb, s->mailbox_id);
	params[1] = db_int64_param(gr, s->grantee_id);
	removed = db_exec(conn, "DELETE FROM mailbox_acl WHERE mailbox_id = $1 AND grantee_id = $2",
			  2, params, &error);
	if (removed < 0)
		return store_admin_db(r, error);
	if (removed == 0)
		return store_admin_fail(r, STORE_ADMIN_NOT_FOUND, "%s has no rights on %s's mailbox %s",
					s->grantee, s->owner, s->mailbox);
	return STORE_ADMIN_OK;
}

int store_admin_share_list(PGconn *conn, const char *address, int64_t limit, int64_t offset,
			   store_admin_share_fn *fn, void *arg, const char **error_r)
{
	char page[2][24];
	const char *params[3] = { address, NULL, NULL };
	struct store_admin_share s;
	PGresult *res;
	int i, n;

	db_page_params(page, limit, offset, params + 1);
	res = db_query(conn, "SELECT o.address, m.name, g.address, acl.rights, o.id, g.id, m.id"
		       " FROM mailbox_acl acl JOIN mailboxes m ON m.id = acl.mailbox_id"
		       " JOIN accounts o ON o.id = m.account_id"
		       " JOIN accounts g ON g.id = acl.grantee_id"
		       " WHERE $1::text IS NULL OR lower(o.address) = $1 OR lower(g.address) = $1"
		       " ORDER BY o.address, m.name, g.address LIMIT $2::bigint OFFSET $3::bigint",
		       3, params, error_r);
	if (res == NULL)
		return -1;
	n = PQntuples(res);
	for (i = 0; i < n; i++) {
		memset(&s, 0, sizeof(s));
		(void)db_copy_str(res, i, 0, s.owner, sizeof(s.owner));
		(void)db_copy_str(res, i, 1, s.mailbox, sizeof(s.mailbox));
		(void)db_copy_str(res, i, 2, s.grantee, sizeof(s.grantee));
		(void)db_copy_str(res, i, 3, s.rights, sizeof(s.rights));
		s.owner_id = db_get_int64(res, i, 4);
		s.grantee_id = db_get_int64(res, i, 5);
		s.mailbox_id = db_get_int64(res, i, 6);
		if (fn(&s, arg) != 0)
			break;
	}
	PQclear(res);
	return n;
}
