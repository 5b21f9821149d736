/* cmd_store - STORE and UID STORE (RFC 3501 6.4.6, RFC 7162 3.1.3).
 *
 * One transaction: the messages whose modseq is above UNCHANGEDSINCE are reported in
 * [MODIFIED ...] and left alone; the others get the new flags and the mailbox's next
 * modseq (lib/store/mailbox.c, under the mailbox row lock). Then the rows are read back
 * for the untagged FETCH responses (none with .SILENT, RFC 3501 6.4.6). */
#include "services/imap/imap.h"
#include "services/imap/imap_cmds.h"
#include "services/imap/fetch_flags.h"
#include "services/imap/fetch_write.h"
#include "store/db.h"
#include "store/imap_msg_fetch.h"

#include <inttypes.h>
#include <string.h>
#include <strings.h>

#define STORE_CMD_BATCH IMAP_MSG_FETCH_BATCH

/* What a FETCH reply after STORE needs of a message (a full imap_msg_row carries its
 * trace: too big to keep one per message of a large set). */
struct store_row {
	uint32_t uid;
	uint64_t modseq;
	unsigned flags;
	const char **keywords;
	size_t nkeywords;
};

struct store_cmd {
	struct imap_arena *arena;
	int64_t mailbox_id;
	uint32_t *uids;
	size_t n;
	enum store_flags_op op;
	bool silent;
	struct fetch_flags flags;
	uint64_t unchangedsince;
	/* out */
	struct store_row *rows;        /* the requested messages after the change */
	size_t nrows;
	uint32_t *modified;            /* failed the UNCHANGEDSINCE test */
	size_t nmodified;
	uint64_t modseq;               /* of the change, 0 when nothing changed */
};

/* store_keep - imap_msg_fetch_fn: copy a row into the arena */
static int store_keep(const struct imap_msg_row *row, void *arg)
{
	struct store_cmd *c = arg;
	struct store_row *r = &c->rows[c->nrows++];

	*r = (struct store_row){ .uid = row->uid, .modseq = row->modseq, .flags = row->flags,
				 .nkeywords = row->nkeywords };
	r->keywords = imap_arena_array(c->arena, row->nkeywords + 1, sizeof(char *));
	for (size_t i = 0; i < row->nkeywords; i++)
		r->keywords[i] = imap_arena_strdup(c->arena, row->keywords[i]);
	return 0;
}

/* store_note_modified - imap_msg_fetch_fn: a message changed since UNCHANGEDSINCE */
static int store_note_modified(const struct imap_msg_row *row, void *arg)
{
	struct store_cmd *c = arg;

	c->modified[c->nmodified++] = row->uid;
	return 0;
}

/* store_rows - read rows of uids in batches through fn */
static int store_rows(PGconn *conn, struct store_cmd *c, uint64_t since, imap_msg_fetch_fn *fn,
		      const char **error_r)
{
	for (size_t i = 0; i < c->n; i += STORE_CMD_BATCH) {
		size_t k = c->n - i < STORE_CMD_BATCH ? c->n - i : STORE_CMD_BATCH;
		if (imap_msg_fetch_rows(conn, c->mailbox_id, c->uids + i, k, since, 0, fn, c,
					error_r) < 0)
			return -1;
	}
	return 0;
}

/* store_tx - the transaction (db_tx may run it again: outputs start over) */
static int store_tx(PGconn *conn, void *arg, const char **error_r)
{
	struct store_cmd *c = arg;

	c->nrows = c->nmodified = 0;
	c->modseq = 0;
	if (store_mailbox_lock(conn, &c->mailbox_id, 1, error_r) < 0)
		return -1;
	if (c->unchangedsince > 0 &&
	    store_rows(conn, c, c->unchangedsince, store_note_modified, error_r) < 0)
		return -1;
	if (store_mailbox_store_flags(conn, c->mailbox_id, c->uids, c->n, c->op, c->flags.flags,
				      c->flags.keywords, c->flags.nkeywords, c->unchangedsince,
				      &c->modseq, error_r) < 0)
		return -1;
	return store_rows(conn, c, 0, store_keep, error_r);
}

/* store_job - imap_job_fn */
static int store_job(PGconn *conn, void *arg, const char **error_r)
{
	return db_tx(conn, store_tx, arg, error_r);
}

/* store_item - FLAGS, +FLAGS, -FLAGS with or without .SILENT (RFC 3501 6.4.6) */
static int store_item(const char *s, struct store_cmd *c)
{
	c->op = *s == '+' ? STORE_FLAGS_ADD : *s == '-' ? STORE_FLAGS_REMOVE : STORE_FLAGS_SET;
	s += *s == '+' || *s == '-';
	if (strncasecmp(s, "FLAGS", 5) != 0)
		return -1;
	c->silent = strcasecmp(s + 5, ".SILENT") == 0;
	return s[5] == '\0' || c->silent ? 0 : -1;
}

/* store_modifiers - (UNCHANGEDSINCE n) (RFC 7162 3.1.3) */
static int store_modifiers(const struct imap_arg *m, struct store_cmd *c, const char **error_r)
{
	if (m->type != IMAP_ARG_LIST || m->count != 2 ||
	    !imap_arg_atom_is(&m->list[0], "UNCHANGEDSINCE") ||
	    imap_arg_number(&m->list[1], INT64_MAX, &c->unchangedsince) < 0) {
		*error_r = "bad STORE modifier";
		return -1;
	}
	return 0;
}

/* store_parse - set [modifiers] item value */
static int store_parse(struct imap_cmd_ctx *ctx, struct store_cmd *c, const char **error_r)
{
	const struct imap_command *cmd = ctx->cmd;
	struct imap_seqset set;
	size_t i = 1;

	if (cmd->nargs != 3 && cmd->nargs != 4) {
		*error_r = "STORE needs a set, an item and flags";
		return -1;
	}
	if (imap_seqset_parse(&cmd->args[0], ctx->arena, &set, error_r) < 0)
		return -1;
	if (cmd->nargs == 4 && store_modifiers(&cmd->args[i++], c, error_r) < 0)
		return -1;
	if (cmd->args[i].type != IMAP_ARG_ATOM || store_item(cmd->args[i].str, c) < 0) {
		*error_r = "STORE item is FLAGS, +FLAGS or -FLAGS (.SILENT)";
		return -1;
	}
	if (fetch_flags_parse(&cmd->args[i + 1], ctx->arena, &c->flags, error_r) < 0)
		return -1;
	return imap_view_resolve(ctx->session->selected, &set, cmd->uid, ctx->arena, &c->uids,
				 &c->n, error_r);
}

/* store_start - parse and submit */
static enum imap_cmd_result store_start(struct imap_cmd_ctx *ctx)
{
	struct imap_session *s = ctx->session;
	struct store_cmd *c = ctx->state = imap_arena_alloc(ctx->arena, sizeof(*c));
	const char *error = NULL;

	c->arena = ctx->arena;
	c->mailbox_id = s->selected->mailbox_id;
	if (store_parse(ctx, c, &error) < 0) {
		imap_reply_tagged(ctx, IMAP_BAD, NULL, "%s", error != NULL ? error : "bad STORE");
		return IMAP_CMD_DONE;
	}
	if (s->selected->readonly) {
		imap_reply_tagged(ctx, IMAP_NO, NULL, "mailbox is read-only");
		return IMAP_CMD_DONE;
	}
	if (c->unchangedsince > 0)
		s->enabled |= IMAP_ENABLED_CONDSTORE; /* RFC 7162 3.1 */
	c->rows = imap_arena_array(ctx->arena, c->n + 1, sizeof(*c->rows));
	c->modified = imap_arena_array(ctx->arena, c->n + 1, sizeof(uint32_t));
	if (imap_cmd_submit(ctx, store_job, c) < 0) {
		imap_reply_tagged(ctx, IMAP_NO, "UNAVAILABLE", "store unavailable");
		return IMAP_CMD_DONE;
	}
	ctx->step = 1;
	return IMAP_CMD_WAIT;
}

/* store_was_modified - uid failed the UNCHANGEDSINCE test */
static bool store_was_modified(const struct store_cmd *c, uint32_t uid)
{
	for (size_t i = 0; i < c->nmodified; i++)
		if (c->modified[i] == uid)
			return true;
	return false;
}

/* store_write_row - one "* n FETCH (UID .. FLAGS (..) [MODSEQ (..)])" */
static void store_write_row(struct imap_session *s, uint32_t msn, const struct fetch_items *items,
			    const struct store_row *r)
{
	struct imap_msg_row row;

	memset(&row, 0, sizeof(row));
	row.uid = r->uid;
	row.modseq = r->modseq;
	row.flags = r->flags;
	row.nkeywords = r->nkeywords;
	memcpy(row.keywords, r->keywords, r->nkeywords * sizeof(char *));
	fetch_write_begin(s, msn, items, &row, true, false);
	fetch_write_end(s);
}

/* store_reply - untagged FETCHes, then OK with [MODIFIED set] when some were skipped */
static enum imap_cmd_result store_reply(struct imap_cmd_ctx *ctx, struct store_cmd *c)
{
	struct imap_session *s = ctx->session;
	struct fetch_items items = { .flags = FETCH_FLAGS };
	char *modified = imap_arena_strdup(ctx->arena, "");

	if (s->enabled & IMAP_ENABLED_CONDSTORE)
		items.flags |= FETCH_MODSEQ;
	/* our own change is reported here: the sync after the command need not repeat it,
	 * unless someone else's change came in between (then the sync reports both) */
	if (c->modseq != 0 && c->modseq == s->selected->highestmodseq + 1)
		s->selected->highestmodseq = c->modseq;
	if (c->modseq != 0)
		imap_session_publish(s, s->selected->owner_id, c->mailbox_id, s->selected->uidvalidity,
				     c->modseq, IMAP_EVENT_FLAGS, NULL, 0);
	for (size_t i = 0; i < c->nrows; i++) {
		uint32_t msn = imap_view_msn(s->selected, c->rows[i].uid);

		if (msn == 0 || store_was_modified(c, c->rows[i].uid))
			continue;
		/* told now, or asked not to be told (.SILENT): the sync leaves it out */
		imap_view_reported(s->selected, msn, c->rows[i].modseq);
		/* .SILENT still reports MODSEQ under CONDSTORE (RFC 7162 3.1.3) */
		if (c->silent && !(s->enabled & IMAP_ENABLED_CONDSTORE))
			continue;
		if (c->silent)
			items.flags = FETCH_MODSEQ;
		store_write_row(s, msn, &items, &c->rows[i]);
	}
	for (size_t i = 0; i < c->nmodified; i++)
		modified = imap_arena_printf(ctx->arena, "%s%s%" PRIu32, modified, i ? "," : "",
					     ctx->cmd->uid ? c->modified[i] :
					     imap_view_msn(s->selected, c->modified[i]));
	if (c->nmodified > 0)
		imap_reply_tagged(ctx, IMAP_OK, imap_arena_printf(ctx->arena, "MODIFIED %s", modified),
				  "conditional STORE failed for some messages");
	else
		imap_reply_tagged(ctx, IMAP_OK, NULL, "%sSTORE completed", ctx->cmd->uid ? "UID " : "");
	return IMAP_CMD_DONE;
}

/* cmd_store - STORE and UID STORE */
enum imap_cmd_result cmd_store(struct imap_cmd_ctx *ctx)
{
	if (ctx->step == 0)
		return store_start(ctx);
	if (ctx->job_ret < 0) {
		imap_reply_tagged(ctx, IMAP_NO, "SERVERBUG", "STORE failed: %s",
				  ctx->job_error != NULL ? ctx->job_error : "store unavailable");
		return IMAP_CMD_DONE;
	}
	return store_reply(ctx, ctx->state);
}
