/* cmd_capability - CAPABILITY (RFC 3501 6.1.1, RFC 9051 6.1.1) */
#include <string.h>

#include "services/imap/imap.h"
#include "services/imap/imap_cmds.h"
#include "services/imap/imap_conn.h"

/* Extensions available in every state (all three IMAP areas). Each one is implemented;
 * tests/integration/test_imap_proto.py fails on a name it does not know. LITERAL+ covers
 * LITERAL- (RFC 7888 4), which is not advertised as well. QUOTA=RES-STORAGE: the one
 * resource of cmd_quota.c (RFC 9208 3.3). */
static const char capa_common[] =
	"IMAP4rev1 IMAP4rev2 LITERAL+ ENABLE ID IDLE NAMESPACE UNSELECT CHILDREN "
	"LIST-EXTENDED LIST-STATUS SPECIAL-USE STATUS=SIZE CONDSTORE QRESYNC UIDPLUS MOVE "
	"ESEARCH SORT THREAD=REFERENCES THREAD=ORDEREDSUBJECT QUOTA QUOTA=RES-STORAGE ACL "
	"RIGHTS=texk UTF8=ACCEPT COMPRESS=DEFLATE BINARY MULTIAPPEND CREATE-SPECIAL-USE SEARCHRES";

/* imap_capability_text - before login: STARTTLS while it is possible, and either
 * AUTH=PLAIN with SASL-IR or LOGINDISABLED (RFC 3501 6.2.3, 7.2.1); in arena */
const char *imap_capability_text(struct imap_session *s, struct imap_arena *arena)
{
	struct imap_conn *ic = (struct imap_conn *)s->conn;
	bool before = s->state == IMAP_STATE_NOT_AUTH;
	bool starttls = before && !s->tls && ic != NULL && ic->net != NULL &&
		net_conn_can_starttls(ic->net);

	return imap_arena_printf(arena, "CAPABILITY %s APPENDLIMIT=%llu%s%s", capa_common,
				 (unsigned long long)s->cfg->limits.max_literal,
				 starttls ? " STARTTLS" : "",
				 !before ? "" : s->secure ? " AUTH=PLAIN SASL-IR" : " LOGINDISABLED");
}

/* imap_capability_write - the same onto the output */
void imap_capability_write(struct imap_session *s)
{
	struct imap_arena *a = imap_arena_new(1024);
	const char *text = imap_capability_text(s, a);

	imap_reply_raw(s, text, strlen(text));
	imap_arena_free(&a);
}

/* cmd_capability - "* CAPABILITY ..." then OK */
enum imap_cmd_result cmd_capability(struct imap_cmd_ctx *ctx)
{
	if (ctx->cmd->nargs != 0) {
		imap_reply_tagged(ctx, IMAP_BAD, NULL, "CAPABILITY takes no arguments");
		return IMAP_CMD_DONE;
	}
	imap_reply_raw(ctx->session, "* ", 2);
	imap_capability_write(ctx->session);
	imap_reply_crlf(ctx->session);
	imap_reply_tagged(ctx, IMAP_OK, NULL, "CAPABILITY completed");
	return IMAP_CMD_DONE;
}
