/* imap_cmds - every command handler, one file each (cmd_<name>.c), as the command table
 * (imap_commands.c) names them. See imap.h for the handler convention. */
#ifndef MERPATI_IMAP_CMDS_H
#define MERPATI_IMAP_CMDS_H

#include "services/imap/imap.h"

/* Any state (RFC 3501 6.1, RFC 9051 6.1). */
imap_cmd_fn cmd_capability, cmd_noop, cmd_logout, cmd_id, cmd_compress;
/* Not authenticated (RFC 3501 6.2, RFC 4959). */
imap_cmd_fn cmd_starttls, cmd_login, cmd_authenticate;
/* Authenticated (RFC 3501 6.3 and extensions). */
imap_cmd_fn cmd_enable, cmd_namespace, cmd_list, cmd_lsub, cmd_create, cmd_delete,
	cmd_rename, cmd_subscribe, cmd_unsubscribe, cmd_status, cmd_select, cmd_examine,
	cmd_idle, cmd_append;
/* Selected (RFC 3501 6.4 and extensions). */
imap_cmd_fn cmd_check, cmd_close, cmd_unselect, cmd_expunge, cmd_search, cmd_fetch,
	cmd_store, cmd_copy, cmd_move, cmd_sort, cmd_thread;
/* QUOTA (RFC 9208). */
imap_cmd_fn cmd_quota_getquota, cmd_quota_getquotaroot, cmd_quota_setquota;
/* ACL (RFC 4314). */
imap_cmd_fn cmd_acl_setacl, cmd_acl_deleteacl, cmd_acl_getacl, cmd_acl_listrights,
	cmd_acl_myrights;

#endif
