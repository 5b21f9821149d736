/* web_forward - the message a compose object forwards ("forward": {"folder","uid"}). */
#ifndef MERPATI_WEBMAIL_WEB_FORWARD_H
#define MERPATI_WEBMAIL_WEB_FORWARD_H

#include <stddef.h>

#include "services/webmail/web_server.h"

/* web_forward_load - the stored bytes of the message "forward" names, when the caller may
 * read its folder (RFC 4314 "r"). 1 loaded into *raw_r (malloc'd) and *len_r, 0 refused
 * (reply set: 400 bad shape, 404 no such folder or message; *raw_r NULL), 2 nothing to
 * forward, -1 store error */
int web_forward_load(PGconn *conn, struct web_call *call, char **raw_r, size_t *len_r,
		     const char **error_r);

#endif
