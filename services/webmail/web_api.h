/* web_api - helpers the API route files share. */
#ifndef MERPATI_WEBMAIL_WEB_API_H
#define MERPATI_WEBMAIL_WEB_API_H

#include "services/webmail/web_server.h"
#include "store/imap_acl.h"
#include "store/mailbox.h"

/* web_api_folder_access - the mailbox call->ids[0] and the caller's rights on it. A mailbox
 * the caller may not see (no "l" nor "r") is 404 as if absent; one without every right in
 * need is 403. 1 allowed, 0 refused (reply set), -1 store error */
int web_api_folder_access(PGconn *conn, struct web_call *call, const char *need,
			  struct store_mailbox *mb, char rights[STORE_ACL_RIGHTS_SIZE],
			  const char **error_r);
/* web_api_folder_json - the folder object of docs/WEBMAIL-API.md */
json_t *web_api_folder_json(const struct store_mailbox *mb, const char *owner, bool shared,
			    const char *rights);

#endif
