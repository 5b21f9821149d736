/* web_answered - flag \Answered the account's messages a sent reply answers. */
#ifndef MERPATI_WEBMAIL_WEB_ANSWERED_H
#define MERPATI_WEBMAIL_WEB_ANSWERED_H

#include "services/webmail/web_server.h"

#define WEB_ANSWERED_MAX 16  /* copies of one message (in several folders) flagged at most */

/* web_answered_mark - add \Answered (RFC 3501 2.3.2) to the messages in the caller's own
 * mailboxes whose Message-ID is in_reply_to, as IMAP STORE +FLAGS does (new modseq, a
 * MailboxEvent per mailbox through call). Returns how many changed, or -1 */
int web_answered_mark(PGconn *conn, struct web_call *call, const char *in_reply_to,
		      const char **error_r);

#endif
