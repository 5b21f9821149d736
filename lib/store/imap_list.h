/* imap_list - mailboxes other accounts share with an IMAP user (RFC 4314, RFC 2342 shared
 * namespace "Shared/<owner>/<name>"), read from mailbox_acl. */
#ifndef MERPATI_STORE_IMAP_LIST_H
#define MERPATI_STORE_IMAP_LIST_H

#include <libpq-fe.h>
#include <stdint.h>

#include "store/address.h"
#include "store/mailbox.h"

struct store_imap_shared {
	char owner[STORE_ADDRESS_SIZE];     /* the owning account's address */
	struct store_mailbox mailbox;
	char rights[16];                    /* the grantee's rights (RFC 4314 2.1) */
};

/* store_imap_shared_fn - one shared mailbox; non-zero stops */
typedef int store_imap_shared_fn(const struct store_imap_shared *s, void *arg);
/* store_imap_shared_list - mailboxes of other accounts on which grantee_id holds "l"
 * (RFC 4314 4), by owner then name; the number listed or -1 */
int store_imap_shared_list(PGconn *conn, int64_t grantee_id, store_imap_shared_fn *fn,
			   void *arg, const char **error_r);
/* store_imap_shared_find - owner's mailbox name if shared with grantee_id with "l";
 * 1 found, 0 not, -1 error */
int store_imap_shared_find(PGconn *conn, int64_t grantee_id, const char *owner,
			   const char *name, struct store_imap_shared *out, const char **error_r);

#endif
