/* imap_login - the part LOGIN and AUTHENTICATE share: check a password on the store pool,
 * count the session against the per-user bound, the delay after a failure, and the state
 * change to authenticated (RFC 3501 6.2.2, 6.2.3). */
#ifndef MERPATI_IMAP_LOGIN_H
#define MERPATI_IMAP_LOGIN_H

#include "services/imap/imap.h"

/* Steps of a login handler from imap_login_start on (the handler's ctx->step). */
#define IMAP_LOGIN_STEP_CHECK 100  /* the password check is running */
#define IMAP_LOGIN_STEP_DELAY 101  /* waiting out the delay after a failure */

/* imap_login_start - check user/password (copied; the caller wipes its own copy) */
enum imap_cmd_result imap_login_start(struct imap_cmd_ctx *ctx, const char *user,
				      const char *pass, size_t pass_len);
/* imap_login_step - the handler was called again at a IMAP_LOGIN_STEP_* step */
enum imap_cmd_result imap_login_step(struct imap_cmd_ctx *ctx);

#endif
