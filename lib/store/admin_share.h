/* admin_share - letting another account use a mailbox, with RFC 4314 rights, as an
 * administrator does (`merpati share`, the webmail's /api/admin/shares); results as
 * admin.h describes. Grants live in mailbox_acl, which IMAP SETACL also writes. */
#ifndef MERPATI_STORE_ADMIN_SHARE_H
#define MERPATI_STORE_ADMIN_SHARE_H

#include <libpq-fe.h>
#include <stdint.h>

#include "store/admin.h"
#include "store/imap_acl.h"
#include "store/mailbox.h"

/* A grant named by owner, mailbox name and grantee, resolved to ids. */
struct store_admin_share {
	char owner[STORE_ADDRESS_SIZE], grantee[STORE_ADDRESS_SIZE];
	char mailbox[STORE_MAILBOX_NAME_MAX + 1]; /* as stored: INBOX in capitals */
	int64_t owner_id, grantee_id, mailbox_id;
	char rights[STORE_ACL_RIGHTS_SIZE];       /* RFC 4314 order */
};

/* store_admin_share_rights - validate RIGHTS (RFC 4314 2.1 letters) and write each once,
 * in RFC 4314 order, into out */
enum store_admin_code store_admin_share_rights(const char *in, char out[STORE_ACL_RIGHTS_SIZE],
					       struct store_admin_result *r);
/* store_admin_share_resolve - owner, mailbox and grantee as given to ids into *s;
 * NOT_FOUND for an unknown account or mailbox, INVALID when grantee is the owner */
enum store_admin_code store_admin_share_resolve(PGconn *conn, const char *owner,
						const char *mailbox, const char *grantee,
						struct store_admin_share *s,
						struct store_admin_result *r);
/* store_admin_share_grant - give grantee rights on owner's mailbox, replacing any it had */
enum store_admin_code store_admin_share_grant(PGconn *conn, const char *owner,
					      const char *mailbox, const char *grantee,
					      const char *rights, struct store_admin_share *s,
					      struct store_admin_result *r);
/* store_admin_share_revoke - remove the grant; NOT_FOUND when there is none */
enum store_admin_code store_admin_share_revoke(PGconn *conn, const char *owner,
					       const char *mailbox, const char *grantee,
					       struct store_admin_share *s,
					       struct store_admin_result *r);

/* store_admin_share_fn - one grant of a listing; non-zero stops */
typedef int store_admin_share_fn(const struct store_admin_share *s, void *arg);
/* store_admin_share_list - grants by owner, mailbox, grantee; those where address
 * (normalised; NULL: any) is owner or grantee; at most limit (< 0: all) after offset.
 * Returns the number listed or -1 with *error_r. */
int store_admin_share_list(PGconn *conn, const char *address, int64_t limit, int64_t offset,
			   store_admin_share_fn *fn, void *arg, const char **error_r);

#endif
