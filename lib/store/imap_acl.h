/* imap_acl - rights on mailboxes for IMAP ACL (RFC 4314) and shared mailboxes.
 *
 * The owner of a mailbox holds every right; another account holds the rights stored for it
 * in mailbox_acl (written by `merpati share` and IMAP SETACL). Commands of every area call
 * store_acl_rights before acting on a mailbox they did not look up as the owner's, and test
 * the letter they need with store_acl_has (RFC 4314 4 lists which command needs which). */
#ifndef MERPATI_STORE_IMAP_ACL_H
#define MERPATI_STORE_IMAP_ACL_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stdint.h>

#include "store/address.h"
#include "store/mailbox.h"

/* Every right RFC 4314 2.1 defines, in the order responses list them. */
#define STORE_ACL_ALL "lrswipkxtea"
/* A rights string: at most every letter once, and a NUL. */
#define STORE_ACL_RIGHTS_SIZE (sizeof(STORE_ACL_ALL))

/* store_acl_rights - the rights account_id holds on mailbox_id into rights_r (RFC 4314
 * order; "" for none); 1 when the mailbox exists, 0 when not (rights_r ""), -1 on error */
int store_acl_rights(PGconn *conn, int64_t account_id, int64_t mailbox_id,
		     char rights_r[STORE_ACL_RIGHTS_SIZE], const char **error_r);
/* store_acl_has - rights holds every letter of need */
bool store_acl_has(const char *rights, const char *need);
/* store_acl_normalize - validate a rights string (RFC 4314 2.1 letters, and the obsolete
 * "c" and "d" of RFC 2086 mapped as RFC 4314 2.1.1 says) into RFC 4314 order; -1 when a
 * letter is unknown */
int store_acl_normalize(const char *in, char out[STORE_ACL_RIGHTS_SIZE]);

enum store_acl_mode { STORE_ACL_REPLACE, STORE_ACL_ADD, STORE_ACL_REMOVE };

/* store_acl_set - change grantee's rights on mailbox_id (RFC 4314 3.1, "+" adds, "-"
 * removes); rights that end up empty delete the grant. 1 done, 0 no such grantee account
 * or mailbox, -1 error (also for the owner: the owner's rights cannot be changed). */
int store_acl_set(PGconn *conn, int64_t mailbox_id, const char *grantee,
		  enum store_acl_mode mode, const char *rights, const char **error_r);
/* store_acl_delete - remove grantee's grant (RFC 4314 3.2); 1 removed, 0 none, -1 error */
int store_acl_delete(PGconn *conn, int64_t mailbox_id, const char *grantee,
		     const char **error_r);

/* store_acl_list_fn - one identifier and its rights; non-zero stops */
typedef int store_acl_list_fn(const char *identifier, const char *rights, void *arg);
/* store_acl_list - the owner (every right) then each grant in address order (RFC 4314
 * 3.3 GETACL); returns the number listed, or -1 */
int store_acl_list(PGconn *conn, int64_t mailbox_id, store_acl_list_fn *fn, void *arg,
		   const char **error_r);

/* One mailbox shared with an account, for the Shared namespace. */
struct store_acl_shared {
	char owner[STORE_ADDRESS_SIZE];
	struct store_mailbox mailbox;
	char rights[STORE_ACL_RIGHTS_SIZE];
};
/* store_acl_shared_fn - one shared mailbox; non-zero stops */
typedef int store_acl_shared_fn(const struct store_acl_shared *s, void *arg);
/* store_acl_shared_list - mailboxes of other accounts on which grantee_id holds "l" (RFC
 * 4314 4: LIST shows only those), by owner then name; returns the number, or -1 */
int store_acl_shared_list(PGconn *conn, int64_t grantee_id, store_acl_shared_fn *fn,
			  void *arg, const char **error_r);
/* store_acl_shared_find - the mailbox owner/name shared with grantee_id (any right);
 * 1 found, 0 not found or not shared, -1 error */
int store_acl_shared_find(PGconn *conn, int64_t grantee_id, const char *owner,
			  const char *name, struct store_acl_shared *out, const char **error_r);

#endif
