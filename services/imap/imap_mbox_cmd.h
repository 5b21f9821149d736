/* imap_mbox_cmd - the shape CREATE, DELETE, RENAME, SUBSCRIBE and UNSUBSCRIBE share: read
 * one or two mailbox names, run one store call on the pool, map its result to a reply. */
#ifndef MERPATI_IMAP_MBOX_CMD_H
#define MERPATI_IMAP_MBOX_CMD_H

#include "services/imap/imap.h"

struct imap_mbox_op {
	int64_t account_id;
	const char *name;      /* UTF-8, in the command's arena */
	const char *name2;     /* RENAME's new name */
	int64_t id;            /* CREATE's new mailbox id */
	const char *special_use;  /* CREATE's USE attribute (RFC 6154 3), NULL for none */
	int ret;               /* the store call's value */
	bool unique;           /* it failed on a unique constraint (name taken) */
};

/* imap_mbox_op_fn - the store call (on a pool thread) */
typedef int imap_mbox_op_fn(PGconn *conn, struct imap_mbox_op *op, const char **error_r);

/* imap_mbox_cmd_start - parse nnames mailbox arguments (no shared namespace: other
 * accounts' mailboxes are not created, renamed or deleted here) and submit fn */
enum imap_cmd_result imap_mbox_cmd_start(struct imap_cmd_ctx *ctx, size_t nnames,
					 imap_mbox_op_fn *fn);
/* imap_mbox_cmd_start_use - the same for one name followed by an argument the handler
 * has checked, with op->special_use set (CREATE ... (USE (...))) */
enum imap_cmd_result imap_mbox_cmd_start_use(struct imap_cmd_ctx *ctx, imap_mbox_op_fn *fn,
					     const char *special_use);
/* imap_mbox_cmd_op - the finished operation (after the handler is called again) */
struct imap_mbox_op *imap_mbox_cmd_op(struct imap_cmd_ctx *ctx);

#endif
