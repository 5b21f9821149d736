/* cmd_append - APPEND (RFC 3501 6.3.11) and MULTIAPPEND (RFC 3502: several messages, all
 * or none) with APPENDUID (RFC 4315 3), APPENDLIMIT
 * (RFC 7889: a message over STORE_MESSAGE_MAX gets NO [TOOBIG]) and literal8 (RFC 3516
 * 4.4). The bytes arrive whole in the command's literal (the parser bounds it); parsing
 * with lib/mime, storing and appending happen on the store pool (imap_msg_append). */
#include "services/imap/imap.h"
#include "services/imap/imap_cmds.h"
#include "services/imap/fetch_flags.h"
#include "services/imap/fetch_uidset.h"
#include "store/db.h"
#include "store/imap_msg_append.h"
#include "store/imap_msg_quota.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

struct append_cmd {
	int64_t account_id;
	const char *name;
	struct imap_msg_append *msgs;   /* in the arena */
	size_t n;
	/* out */
	struct imap_mailbox_ref ref;
	int found;
	bool no_right;
	uint32_t uidvalidity;
	uint32_t *uids;
	uint64_t modseq;
	const char *sqlstate;
	struct imap_arena *arena;
};

/* append_date - date-time "dd-Mon-yyyy hh:mm:ss +zzzz" (RFC 3501 9) to Unix seconds */
static int append_date(const char *s, int64_t *when_r)
{
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	char mon[4];
	int day, year, h, m, sec, zone, n = 0;
	struct tm tm = { 0 };
	const char *hit;

	if (sscanf(s, "%2d-%3s-%4d %2d:%2d:%2d %5d%n", &day, mon, &year, &h, &m, &sec, &zone,
		   &n) != 7 || s[n] != '\0' || (hit = strcasestr(months, mon)) == NULL ||
	    (hit - months) % 3 != 0 || day < 1 || day > 31 || year < 1970 || year > 9999 ||
	    h > 23 || m > 59 || sec > 60 || zone < -2359 || zone > 2359)
		return -1;
	tm = (struct tm){ .tm_mday = day, .tm_mon = (int)((hit - months) / 3),
			  .tm_year = year - 1900, .tm_hour = h, .tm_min = m, .tm_sec = sec };
	*when_r = (int64_t)timegm(&tm) - (zone / 100 * 3600 + zone % 100 * 60);
	return 0;
}

/* append_parse_one - [flag-list] [date-time] literal from args[*i] (RFC 3501 9 append) */
static int append_parse_one(struct imap_cmd_ctx *ctx, size_t *i, struct imap_msg_append *m,
			    const char **error_r)
{
	const struct imap_command *cmd = ctx->cmd;
	struct fetch_flags flags = { 0 };

	if (cmd->args[*i].type == IMAP_ARG_LIST &&
	    fetch_flags_parse(&cmd->args[(*i)++], ctx->arena, &flags, error_r) < 0)
		return -1;
	if (*i < cmd->nargs && cmd->args[*i].type == IMAP_ARG_STRING &&
	    append_date(cmd->args[(*i)++].str, &m->internal_date) < 0) {
		*error_r = "bad date-time";
		return -1;
	}
	if (*i >= cmd->nargs || cmd->args[*i].type != IMAP_ARG_LITERAL) {
		*error_r = "the message must be a literal";
		return -1;
	}
	m->data = cmd->args[*i].str;
	m->len = cmd->args[(*i)++].len;
	m->flags = flags.flags;
	m->keywords = flags.keywords;
	m->nkeywords = flags.nkeywords;
	return 0;
}

/* append_parse - mailbox, then one or more messages (RFC 3502 2) */
static int append_parse(struct imap_cmd_ctx *ctx, struct append_cmd *c, const char **error_r)
{
	const struct imap_command *cmd = ctx->cmd;
	size_t i = 1;

	if (cmd->nargs < 2 ||
	    (c->name = imap_mailbox_name(ctx->session, &cmd->args[0], ctx->arena, error_r)) == NULL) {
		*error_r = *error_r ? *error_r : "APPEND needs a mailbox and a message";
		return -1;
	}
	c->msgs = imap_arena_array(ctx->arena, cmd->nargs, sizeof(*c->msgs));
	while (i < cmd->nargs) {
		if (c->n == IMAP_MSG_APPEND_MAX) {
			*error_r = "too many messages in one APPEND";
			return -1;
		}
		if (append_parse_one(ctx, &i, &c->msgs[c->n++], error_r) < 0)
			return -1;
	}
	c->uids = imap_arena_array(ctx->arena, c->n, sizeof(uint32_t));
	return 0;
}

/* append_job - imap_job_fn: find the mailbox, check the right, store */
static int append_job(PGconn *conn, void *arg, const char **error_r)
{
	struct append_cmd *c = arg;

	c->found = imap_mailbox_resolve(conn, c->account_id, c->name, &c->ref, error_r);
	if (c->found <= 0)
		return c->found;
	if (strchr(c->ref.rights, 'i') == NULL) {
		c->no_right = true;
		return 0;
	}
	for (size_t i = 0; i < c->n; i++)
		c->msgs[i].mailbox_id = c->ref.mailbox_id;
	if (imap_msg_append_many(conn, c->msgs, c->n, &c->uidvalidity, c->uids, &c->modseq,
				 error_r) < 0) {
		c->sqlstate = imap_arena_strdup(c->arena, db_sqlstate());
		return -1;
	}
	return 0;
}

/* append_start - parse and submit */
static enum imap_cmd_result append_start(struct imap_cmd_ctx *ctx)
{
	struct append_cmd *c = ctx->state = imap_arena_alloc(ctx->arena, sizeof(*c));
	const char *error = NULL;

	c->account_id = ctx->session->account_id;
	c->arena = ctx->arena;
	if (append_parse(ctx, c, &error) < 0) {
		imap_reply_tagged(ctx, IMAP_BAD, NULL, "%s", error);
		return IMAP_CMD_DONE;
	}
	for (size_t i = 0; i < c->n; i++)
		if (c->msgs[i].len > STORE_MESSAGE_MAX) {
			imap_reply_tagged(ctx, IMAP_NO, "TOOBIG", "message over the APPENDLIMIT");
			return IMAP_CMD_DONE;
		}
	if (imap_cmd_submit(ctx, append_job, c) < 0) {
		imap_reply_tagged(ctx, IMAP_NO, "UNAVAILABLE", "store unavailable");
		return IMAP_CMD_DONE;
	}
	ctx->step = 1;
	return IMAP_CMD_WAIT;
}

/* append_done - APPENDUID, or why not */
static enum imap_cmd_result append_done(struct imap_cmd_ctx *ctx, struct append_cmd *c)
{
	if (ctx->job_ret < 0) {
		bool quota = c->sqlstate != NULL && strcmp(c->sqlstate, IMAP_MSG_QUOTA_SQLSTATE) == 0;
		imap_reply_tagged(ctx, IMAP_NO, quota ? "OVERQUOTA" : "SERVERBUG", "APPEND failed: %s",
				  quota ? "quota exceeded" : ctx->job_error ? ctx->job_error : "");
	} else if (c->found == 0) {
		imap_reply_tagged(ctx, IMAP_NO, "TRYCREATE", "no such mailbox");
	} else if (c->no_right) {
		imap_reply_tagged(ctx, IMAP_NO, "NOPERM", "no right to insert there");
	} else {
		imap_session_publish(ctx->session, c->ref.owner_id, c->ref.mailbox_id, c->uidvalidity,
				     c->modseq, IMAP_EVENT_APPEND, c->uids, c->n);
		imap_reply_tagged(ctx, IMAP_OK, imap_arena_printf(ctx->arena, "APPENDUID %u %s",
				  c->uidvalidity, fetch_uidset_format(ctx->arena, c->uids, c->n)),
				  "APPEND completed");
	}
	return IMAP_CMD_DONE;
}

/* cmd_append - APPEND */
enum imap_cmd_result cmd_append(struct imap_cmd_ctx *ctx)
{
	return ctx->step == 0 ? append_start(ctx) : append_done(ctx, ctx->state);
}
