/* imap_commands - the command table: each command's handler, the states it may run in
 * (RFC 3501 6: 6.1 any, 6.2 not authenticated, 6.3 authenticated, 6.4 selected) and how
 * the mailbox sync treats it. */
#include <stddef.h>
#include <string.h>

#include "services/imap/imap.h"
#include "services/imap/imap_cmds.h"

#define ANY (IMAP_STATE_NOT_AUTH | IMAP_STATE_AUTH | IMAP_STATE_SELECTED)
#define NAUTH IMAP_STATE_NOT_AUTH
#define AUTH (IMAP_STATE_AUTH | IMAP_STATE_SELECTED)
#define SEL IMAP_STATE_SELECTED

static const struct imap_command_def commands[] = {
	{ "APPEND", cmd_append, AUTH, 0 },
	{ "AUTHENTICATE", cmd_authenticate, NAUTH, IMAP_CMDF_NO_SYNC },
	{ "CAPABILITY", cmd_capability, ANY, 0 },
	{ "CHECK", cmd_check, SEL, 0 },
	{ "CLOSE", cmd_close, SEL, IMAP_CMDF_NO_SYNC },
	{ "COMPRESS", cmd_compress, ANY, IMAP_CMDF_NO_SYNC },
	{ "COPY", cmd_copy, SEL, IMAP_CMDF_UID },
	{ "CREATE", cmd_create, AUTH, 0 },
	{ "DELETE", cmd_delete, AUTH, 0 },
	{ "DELETEACL", cmd_acl_deleteacl, AUTH, 0 },
	{ "ENABLE", cmd_enable, AUTH, 0 },
	{ "EXAMINE", cmd_examine, AUTH, IMAP_CMDF_NO_SYNC },
	{ "EXPUNGE", cmd_expunge, SEL, IMAP_CMDF_UID },
	{ "FETCH", cmd_fetch, SEL, IMAP_CMDF_UID | IMAP_CMDF_NO_EXPUNGE },
	{ "GETACL", cmd_acl_getacl, AUTH, 0 },
	{ "GETQUOTA", cmd_quota_getquota, AUTH, 0 },
	{ "GETQUOTAROOT", cmd_quota_getquotaroot, AUTH, 0 },
	{ "ID", cmd_id, ANY, 0 },
	{ "IDLE", cmd_idle, AUTH, 0 },
	{ "LIST", cmd_list, AUTH, 0 },
	{ "LISTRIGHTS", cmd_acl_listrights, AUTH, 0 },
	{ "LOGIN", cmd_login, NAUTH, IMAP_CMDF_NO_SYNC },
	{ "LOGOUT", cmd_logout, ANY, IMAP_CMDF_NO_SYNC },
	{ "LSUB", cmd_lsub, AUTH, 0 },
	{ "MOVE", cmd_move, SEL, IMAP_CMDF_UID },
	{ "MYRIGHTS", cmd_acl_myrights, AUTH, 0 },
	{ "NAMESPACE", cmd_namespace, AUTH, 0 },
	{ "NOOP", cmd_noop, ANY, 0 },
	{ "RENAME", cmd_rename, AUTH, 0 },
	{ "SEARCH", cmd_search, SEL, IMAP_CMDF_UID | IMAP_CMDF_NO_EXPUNGE },
	{ "SELECT", cmd_select, AUTH, IMAP_CMDF_NO_SYNC },
	{ "SETACL", cmd_acl_setacl, AUTH, 0 },
	{ "SETQUOTA", cmd_quota_setquota, AUTH, 0 },
	{ "SORT", cmd_sort, SEL, IMAP_CMDF_UID | IMAP_CMDF_NO_EXPUNGE },
	{ "STARTTLS", cmd_starttls, NAUTH, IMAP_CMDF_NO_SYNC },
	{ "STATUS", cmd_status, AUTH, 0 },
	{ "STORE", cmd_store, SEL, IMAP_CMDF_UID | IMAP_CMDF_NO_EXPUNGE },
	{ "SUBSCRIBE", cmd_subscribe, AUTH, 0 },
	{ "THREAD", cmd_thread, SEL, IMAP_CMDF_UID | IMAP_CMDF_NO_EXPUNGE },
	{ "UNSELECT", cmd_unselect, SEL, IMAP_CMDF_NO_SYNC },
	{ "UNSUBSCRIBE", cmd_unsubscribe, AUTH, 0 },
};

/* imap_commands_find - binary search over the sorted table */
const struct imap_command_def *imap_commands_find(const char *name)
{
	size_t lo = 0, hi = sizeof(commands) / sizeof(commands[0]);

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(name, commands[mid].name);

		if (c == 0)
			return &commands[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}
