/* cmd_list - LIST (RFC 3501 6.3.8, RFC 9051 6.3.9) with LIST-EXTENDED (RFC 5258):
 * selection SUBSCRIBED / SPECIAL-USE / REMOTE / RECURSIVEMATCH, return SUBSCRIBED /
 * CHILDREN / SPECIAL-USE / STATUS (RFC 5819); CHILDREN attributes (RFC 3348) and
 * special-use attributes (RFC 6154) always; LSUB (RFC 3501 6.3.9). Mailboxes shared by
 * ACL appear under "Shared/<owner>/" (RFC 2342, RFC 4314 4: those with the "l" right). */
#include <stdio.h>
#include <string.h>

#include "services/imap/imap.h"
#include "services/imap/imap_cmds.h"
#include "services/imap/imap_match.h"
#include "services/imap/imap_status.h"
#include "store/imap_list.h"

#define LIST_MAX 10000  /* mailboxes listed at once (children are found by a scan) */

#define SEL_SUBSCRIBED  0x01
#define SEL_SPECIAL_USE 0x02
#define RET_SUBSCRIBED  0x04
#define RET_STATUS      0x08
#define LIST_LSUB       0x10

struct list_entry {
	const char *name;          /* as listed: own name, or Shared/<owner>/<name> */
	struct store_mailbox m;
	struct imap_status_extra x;  /* LIST-STATUS counters not on the mailbox row */
	bool noselect;             /* a level of the shared namespace itself */
};

struct list_job {
	int64_t account_id;
	unsigned status_items;     /* LIST-STATUS items, 0 without RETURN (STATUS ...) */
	struct imap_arena *arena;
	struct list_entry *e;
	size_t n, cap;
};

/* list_push - one entry (the arena is the command's; only this job uses it meanwhile) */
static struct list_entry *list_push(struct list_job *job, const char *name)
{
	if (job->n == job->cap) {
		size_t ncap = job->cap == 0 ? 32 : job->cap * 2;
		struct list_entry *ne = imap_arena_array(job->arena, ncap, sizeof(*ne));

		if (job->n > 0)
			memcpy(ne, job->e, job->n * sizeof(*ne));
		job->e = ne;
		job->cap = ncap;
	}
	struct list_entry *e = &job->e[job->n++];

	e->name = imap_arena_strdup(job->arena, name);
	return e;
}

/* list_own - one of the account's mailboxes */
static int list_own(const struct store_mailbox *m, void *arg)
{
	struct list_job *job = arg;

	if (job->n >= LIST_MAX)
		return 1;
	list_push(job, m->name)->m = *m;
	return 0;
}

/* list_shared - a shared mailbox, with its owner's level as \Noselect when new */
static int list_shared(const struct store_imap_shared *s, void *arg)
{
	struct list_job *job = arg;
	char *owner = imap_arena_printf(job->arena, "%s%s", IMAP_SHARED_PREFIX, s->owner);
	struct list_entry *e;

	if (job->n + 3 >= LIST_MAX)
		return 1;
	if (job->n == 0 || strncmp(job->e[job->n - 1].name, owner, strlen(owner)) != 0) {
		if (job->n == 0 || strncmp(job->e[job->n - 1].name, IMAP_SHARED_PREFIX,
					   strlen(IMAP_SHARED_PREFIX)) != 0)
			list_push(job, "Shared")->noselect = true;
		list_push(job, owner)->noselect = true;
	}
	e = list_push(job, imap_arena_printf(job->arena, "%s/%s", owner, s->mailbox.name));
	e->m = s->mailbox;
	e->m.subscribed = false;
	return 0;
}

/* list_work - on a pool thread */
static int list_work(PGconn *conn, void *arg, const char **error_r)
{
	struct list_job *job = arg;

	if (store_mailbox_list(conn, job->account_id, list_own, job, error_r) < 0)
		return -1;
	if (store_imap_shared_list(conn, job->account_id, list_shared, job, error_r) < 0)
		return -1;
	for (size_t i = 0; job->status_items != 0 && i < job->n; i++)
		if (!job->e[i].noselect && imap_status_extra_read(conn, job->e[i].m.id,
								  job->status_items, &job->e[i].x,
								  error_r) < 0)
			return -1;
	return 0;
}

/* list_has_children - another entry lies below e (RFC 3348) */
static bool list_has_children(const struct list_job *job, const struct list_entry *e)
{
	size_t len = strlen(e->name);

	for (size_t i = 0; i < job->n; i++)
		if (strncmp(job->e[i].name, e->name, len) == 0 && job->e[i].name[len] == '/')
			return true;
	return false;
}

/* list_write - one LIST/LSUB line and, for LIST-STATUS, its STATUS */
static void list_write(struct imap_cmd_ctx *ctx, const struct list_job *job,
		       const struct list_entry *e, unsigned opts, unsigned items)
{
	struct imap_session *s = ctx->session;

	imap_reply_printf(s, "* %s (%s%s%s%s%s) \"/\" ", opts & LIST_LSUB ? "LSUB" : "LIST",
			  list_has_children(job, e) ? "\\HasChildren" : "\\HasNoChildren",
			  e->noselect ? " \\Noselect" : "",
			  (opts & (RET_SUBSCRIBED | SEL_SUBSCRIBED)) && e->m.subscribed ?
			  " \\Subscribed" : "",
			  e->m.special_use[0] != '\0' ? " " : "", e->m.special_use);
	imap_reply_mailbox(s, e->name);
	imap_reply_crlf(s);
	if ((opts & RET_STATUS) && !e->noselect)
		imap_status_write(s, e->name, &e->m, &e->x, items);
}

/* list_selected - the selection options say e is listed */
static bool list_selected(const struct list_entry *e, unsigned opts)
{
	if ((opts & (SEL_SUBSCRIBED | LIST_LSUB)) && !e->m.subscribed)
		return false;
	return !(opts & SEL_SPECIAL_USE) || e->m.special_use[0] != '\0';
}

struct list_args {
	unsigned opts, items;
	const char *ref;
	const struct imap_arg *patterns;
	size_t npatterns;
};

/* list_options - a list of option atoms into bits (RFC 5258 3) */
static int list_options(const struct imap_arg *a, bool ret, struct list_args *la)
{
	if (a->type != IMAP_ARG_LIST)
		return -1;
	for (size_t i = 0; i < a->count; i++) {
		const struct imap_arg *o = &a->list[i];

		if (!ret && imap_arg_atom_is(o, "SUBSCRIBED"))
			la->opts |= SEL_SUBSCRIBED | RET_SUBSCRIBED;
		else if (!ret && imap_arg_atom_is(o, "SPECIAL-USE"))
			la->opts |= SEL_SPECIAL_USE;
		else if (!ret && (imap_arg_atom_is(o, "REMOTE") ||
				  imap_arg_atom_is(o, "RECURSIVEMATCH")))
			continue;
		else if (ret && imap_arg_atom_is(o, "SUBSCRIBED"))
			la->opts |= RET_SUBSCRIBED;
		else if (ret && (imap_arg_atom_is(o, "CHILDREN") ||
				 imap_arg_atom_is(o, "SPECIAL-USE")))
			continue;
		else if (ret && imap_arg_atom_is(o, "STATUS") && i + 1 < a->count &&
			 imap_status_items(&a->list[i + 1], &la->items) == 0) {
			la->opts |= RET_STATUS;
			i++;
		} else
			return -1;
	}
	return 0;
}

/* list_parse - [(selection)] reference pattern|(patterns) [RETURN (options)] */
static int list_parse(const struct imap_command *cmd, struct list_args *la)
{
	size_t i = 0;

	if (cmd->nargs > 0 && cmd->args[0].type == IMAP_ARG_LIST &&
	    list_options(&cmd->args[i++], false, la) < 0)
		return -1;
	if (cmd->nargs < i + 2 || (la->ref = imap_arg_astring(&cmd->args[i])) == NULL)
		return -1;
	la->patterns = &cmd->args[i + 1];
	la->npatterns = 1;
	if (la->patterns->type == IMAP_ARG_LIST) {
		la->npatterns = la->patterns->count;
		la->patterns = la->patterns->list;
	}
	for (size_t k = 0; k < la->npatterns; k++)
		if (imap_arg_astring(&la->patterns[k]) == NULL)
			return -1;
	i += 2;
	if (i < cmd->nargs && (!imap_arg_atom_is(&cmd->args[i], "RETURN") || i + 2 != cmd->nargs ||
			       list_options(&cmd->args[i + 1], true, la) < 0))
		return -1;
	return i < cmd->nargs || i == cmd->nargs ? 0 : -1;
}

/* list_patterns - reference + each pattern, decoded once (NULL for an invalid one) */
static const char **list_patterns(struct imap_cmd_ctx *ctx, const struct list_args *la)
{
	const char **full = imap_arena_array(ctx->arena, la->npatterns, sizeof(*full));

	for (size_t k = 0; k < la->npatterns; k++) {
		const char *error, *pat = imap_mailbox_name(ctx->session, &la->patterns[k],
							    ctx->arena, &error);

		full[k] = pat == NULL ? NULL : imap_arena_printf(ctx->arena, "%s%s", la->ref, pat);
	}
	return full;
}

/* list_reply - every selected entry matching one of the patterns */
static void list_reply(struct imap_cmd_ctx *ctx, const struct list_job *job,
		       const struct list_args *la)
{
	const char **full = list_patterns(ctx, la);

	for (size_t i = 0; i < job->n; i++) {
		if (!list_selected(&job->e[i], la->opts))
			continue;
		for (size_t k = 0; k < la->npatterns; k++) {
			if (full[k] != NULL && imap_match(full[k], job->e[i].name)) {
				list_write(ctx, job, &job->e[i], la->opts, la->items);
				break;
			}
		}
	}
}

/* list_run - both commands; opts has LIST_LSUB for LSUB */
static enum imap_cmd_result list_run(struct imap_cmd_ctx *ctx, unsigned opts)
{
	struct list_args *la = ctx->state;
	struct list_job *job;

	if (ctx->step == 1) {
		job = (struct list_job *)(la + 1);
		if (ctx->job_ret < 0)
			imap_reply_tagged(ctx, IMAP_NO, "UNAVAILABLE", "Try again later");
		else {
			list_reply(ctx, job, la);
			imap_reply_tagged(ctx, IMAP_OK, NULL, "%s completed",
					  opts & LIST_LSUB ? "LSUB" : "LIST");
		}
		return IMAP_CMD_DONE;
	}
	la = imap_arena_alloc(ctx->arena, sizeof(*la) + sizeof(*job));
	la->opts = opts;
	if (list_parse(ctx->cmd, la) < 0 || ((opts & LIST_LSUB) && ctx->cmd->nargs != 2)) {
		imap_reply_tagged(ctx, IMAP_BAD, NULL, "Invalid LIST arguments");
		return IMAP_CMD_DONE;
	}
	if (la->npatterns == 1 && la->patterns[0].len == 0) {
		/* RFC 3501 6.3.8: the delimiter and the root */
		imap_reply_untagged(ctx->session, "%s (\\Noselect) \"/\" \"\"",
				    opts & LIST_LSUB ? "LSUB" : "LIST");
		imap_reply_tagged(ctx, IMAP_OK, NULL, "LIST completed");
		return IMAP_CMD_DONE;
	}
	job = (struct list_job *)(la + 1);
	job->account_id = ctx->session->account_id;
	job->status_items = la->opts & RET_STATUS ? la->items : 0;
	job->arena = ctx->arena;
	ctx->state = la;
	ctx->step = 1;
	if (imap_cmd_submit(ctx, list_work, job) < 0) {
		imap_reply_tagged(ctx, IMAP_NO, "UNAVAILABLE", "Try again later");
		return IMAP_CMD_DONE;
	}
	return IMAP_CMD_WAIT;
}

/* cmd_list - LIST and its extensions */
enum imap_cmd_result cmd_list(struct imap_cmd_ctx *ctx)
{
	return list_run(ctx, 0);
}

/* cmd_lsub - subscribed mailboxes only, as LSUB responses */
enum imap_cmd_result cmd_lsub(struct imap_cmd_ctx *ctx)
{
	return list_run(ctx, LIST_LSUB);
}
