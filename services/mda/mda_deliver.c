/* mda_deliver.c - the delivery transaction of one inbound job (see mda_deliver.h) */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <glib.h>

#include "config/config.h"
#include "dsn/dsn.h"
#include "log/log.h"
#include "queue/queue_out_dsn.h"
#include "store/db.h"
#include "store/db_prepared.h"
#include "store/mailbox.h"
#include "store/recipient.h"
#include "services/mda/mda_deliver.h"
#include "services/mda/mda_rules.h"

#define DETAIL_MAX 512

/* attempt - the state of one try of the transaction; thrown away when db_tx retries */
struct attempt {
	struct mda_delivery *d;
	PGconn *conn;
	struct mda_result res;   /* copied to d->result after COMMIT */
	GHashTable *accounts;    /* account ids already delivered to: one copy per job */
	GHashTable *remotes;     /* remote addresses already queued */
	GArray *added_accounts;  /* account ids added for the current recipient */
	GPtrArray *added_remotes; /* remote keys added for the current recipient */
	int64_t age;             /* seconds since the job was accepted (at its lease) */
	bool rcpt_deferred;      /* the current recipient is deferred */
	const char *rcpt_address;
	char defer_reason[128];
};

/* Statements run for every job, prepared once per connection (db_prepared.h). */
static const struct db_stmt event_stmt = {
	"mda_event",
	"INSERT INTO delivery_events (queue_in_id, sha256, sender, recipient, event, detail)"
	" VALUES ($1, decode($2, 'hex'), $3, left($4, 254), $5, left($6, 2048))", 6 };
static const struct db_stmt over_quota_stmt = {
	"mda_over_quota",
	"SELECT quota_bytes > 0 AND used_bytes + $2 > quota_bytes FROM accounts WHERE id = $1", 2 };

/* event - a delivery_events row inside the transaction */
static int event(struct attempt *a, const char *recipient, const char *kind,
		 const char *detail, const char **error_r)
{
	char idbuf[24];
	const char *params[] = { db_int64_param(idbuf, a->d->job->id), a->d->job->sha256,
				 a->d->job->sender, recipient, kind, detail };

	return db_exec_prepared(a->conn, &event_stmt, params, error_r) < 0 ? -1 : 0;
}

/* wants_failure_dsn - RFC 3461 4.1: a failure is reported unless NOTIFY leaves FAILURE out;
 * never to the null reverse-path, so a bounce is never bounced (RFC 5321 4.5.5) */
static bool wants_failure_dsn(const struct queue_in_job *job, const struct queue_rcpt *rcpt)
{
	if (job->sender[0] == '\0' || (rcpt->notify & QUEUE_NOTIFY_NEVER) != 0)
		return false;
	return rcpt->notify == 0 || (rcpt->notify & QUEUE_NOTIFY_FAILURE) != 0;
}

/* bounce - queue an RFC 3464 failure report for one recipient to the sender, inside the
 * delivery transaction; the idempotency key makes a replayed job queue it once */
static int bounce(struct attempt *a, const struct queue_rcpt *rcpt, const char *status,
		  const char *diagnostic, const char **error_r)
{
	const struct queue_in_job *job = a->d->job;
	bool full = job->ret == QUEUE_RET_FULL && a->d->raw_len <= DSN_ORIGINAL_MAX;
	struct dsn_in in = {
		.kind = DSN_FAILED, .reporting_mta = config_hostname(), .to = job->sender,
		.envid = job->envid, .arrival = time(NULL) - (time_t)a->age,
		.recipient = rcpt->address, .orcpt = rcpt->orcpt, .status = status,
		.remote_mta = "", .diagnostic = diagnostic, .full = full, .original = a->d->raw,
		.original_len = full || a->d->raw_len < DSN_HEADERS_MAX ? a->d->raw_len
									: DSN_HEADERS_MAX };
	char key[QUEUE_KEY_MAX + 1];
	gchar *lower = g_ascii_strdown(rcpt->address, -1);
	gchar *hash = g_compute_checksum_for_string(G_CHECKSUM_SHA256, lower, -1);
	int64_t id;
	size_t len;
	uint8_t *msg;
	int r;

	snprintf(key, sizeof(key), "mda-dsn:%" PRId64 ":%.40s", job->id, hash);
	g_free(hash);
	g_free(lower);
	if ((msg = dsn_build(&in, &len)) == NULL)
		return db_fail("", error_r, "the DSN for %s could not be built", rcpt->address);
	r = queue_out_dsn_insert(a->conn, job->sender, msg, len, key, &id, error_r);
	free(msg);
	if (r < 0)
		return -1;
	a->res.bounces += r == 1;
	return 0;
}

/* fail_rcpt - a recipient failed for good: record it and tell the sender (status is the
 * RFC 3463 code, diagnostic the text after it) */
static int fail_rcpt(struct attempt *a, const struct queue_rcpt *rcpt, const char *address,
		     const char *status, const char *diagnostic, const char **error_r)
{
	char detail[DETAIL_MAX], reply[DETAIL_MAX];

	a->res.failed++;
	snprintf(detail, sizeof(detail), "%s %s", status, diagnostic);
	if (event(a, address, "failed", detail, error_r) < 0)
		return -1;
	if (!wants_failure_dsn(a->d->job, rcpt))
		return 0;
	/* Diagnostic-Code is an SMTP reply as a remote server would have given it */
	snprintf(reply, sizeof(reply), "550 %s %s", status, diagnostic);
	return bounce(a, rcpt, status, reply, error_r);
}

/* remote - an outbound job for a target outside our domains (forward, redirect) */
static int remote(struct attempt *a, const struct queue_rcpt *rcpt, const char *address,
		  const char *why, const char **error_r)
{
	const struct queue_in_job *job = a->d->job;
	struct queue_out_job out = { 0 };
	char *lower = g_ascii_strdown(address, -1);
	gchar *hash;
	int r;

	if (g_hash_table_contains(a->remotes, lower)) {
		g_free(lower);
		return 0;
	}
	g_hash_table_add(a->remotes, lower);
	g_ptr_array_add(a->added_remotes, lower);
	g_strlcpy(out.sender, job->sender, sizeof(out.sender));
	g_strlcpy(out.recipient, address, sizeof(out.recipient));
	g_strlcpy(out.sha256, job->sha256, sizeof(out.sha256));
	out.notify = rcpt->notify;
	g_strlcpy(out.orcpt, rcpt->orcpt, sizeof(out.orcpt));
	out.ret = job->ret;
	g_strlcpy(out.envid, job->envid, sizeof(out.envid));
	/* the key makes a replayed job (lease lost after commit) create nothing twice */
	hash = g_compute_checksum_for_string(G_CHECKSUM_SHA256, lower, -1);
	snprintf(out.idempotency_key, sizeof(out.idempotency_key), "in:%" PRId64 ":%.40s",
		 job->id, hash);
	g_free(hash);
	if ((r = queue_out_insert(a->conn, &out, error_r)) < 0)
		return -1;
	if (r == 1)
		a->res.outbound++;
	return event(a, address, strcmp(why, "forward") == 0 ? "forwarded" : "queued", why,
		     error_r);
}

/* trace - the per-recipient header lines shown before the shared blob (DESIGN.md rule 5):
 * Return-Path (RFC 5321 4.4) and Delivered-To */
static size_t trace(struct attempt *a, const char *address, char *buf, size_t size)
{
	int n = snprintf(buf, size, "Return-Path: <%s>\r\nDelivered-To: %s\r\n",
			 a->d->job->sender, address);

	return n > 0 && (size_t)n < size ? (size_t)n : 0;
}

/* find_mailbox - the named mailbox, else INBOX (made with the defaults if missing) */
static int find_mailbox(struct attempt *a, int64_t account_id, const char *name,
			struct store_mailbox *mb, const char **error_r)
{
	int r = store_mailbox_find(a->conn, account_id, name, mb, error_r);

	if (r != 0)
		return r < 0 ? -1 : 0;
	if ((r = store_mailbox_find(a->conn, account_id, "INBOX", mb, error_r)) != 0)
		return r < 0 ? -1 : 0;
	if (store_mailbox_create_defaults(a->conn, account_id, error_r) < 0)
		return -1;
	r = store_mailbox_find(a->conn, account_id, "INBOX", mb, error_r);
	return r == 1 ? 0 : db_fail("", error_r, "account %" PRId64 " has no INBOX", account_id);
}

/* append - one copy into one mailbox, with the outcome's flags and keywords */
static int append(struct attempt *a, int64_t account_id, const char *address,
		  const char *mailbox, const struct mda_rules_outcome *o, const char **error_r)
{
	const char *keywords[STORE_MAILBOX_KEYWORDS_MAX];
	char tr[STORE_MAILBOX_TRACE_MAX], detail[DETAIL_MAX];
	struct store_mailbox mb;
	struct store_append ap = { 0 };
	uint32_t uid;
	uint64_t modseq;

	if (find_mailbox(a, account_id, mailbox, &mb, error_r) < 0)
		return -1;
	for (size_t i = 0; i < o->nkeywords; i++)
		keywords[i] = o->keywords[i];
	ap.mailbox_id = mb.id;
	ap.sha256_hex = a->d->job->sha256;
	ap.trace = tr;
	ap.trace_len = trace(a, address, tr, sizeof(tr));
	ap.size = a->d->job->size + (int64_t)ap.trace_len;
	ap.flags = o->flags;
	ap.keywords = keywords;
	ap.nkeywords = o->nkeywords;
	if (store_mailbox_append(a->conn, &ap, &uid, &modseq, error_r) < 0)
		return -1;
	a->res.delivered++;
	if (a->res.nevents < MDA_EVENTS_MAX)
		a->res.events[a->res.nevents++] = (struct mda_event){ account_id, mb.id,
			mb.uidvalidity, uid, modseq };
	snprintf(detail, sizeof(detail), "mailbox=%.400s uid=%" PRIu32 " rules=%u", mb.name, uid,
		 o->matched);
	return event(a, address, o->matched > 0 ? "filtered" : "delivered", detail, error_r);
}

/* over_quota - 1 when size more bytes would exceed the account's quota (0: unlimited) */
static int over_quota(struct attempt *a, int64_t account_id, const char **error_r)
{
	char idbuf[24], sizebuf[24];
	const char *params[] = { db_int64_param(idbuf, account_id),
				 db_int64_param(sizebuf, a->d->job->size) };
	PGresult *res = db_query_prepared(a->conn, &over_quota_stmt, params, error_r);
	int r;

	if (res == NULL)
		return -1;
	r = PQntuples(res) == 1 && db_get_bool(res, 0, 0);
	PQclear(res);
	return r;
}

/* quota_fail - over quota: a temporary failure (RFC 3463 4.2.2) until the retry window
 * ends, then a permanent one (5.2.2) */
static int quota_fail(struct attempt *a, const struct queue_rcpt *rcpt, const char *address,
		      const char **error_r)
{
	if (a->age < a->d->cfg->bounce_after) {
		a->rcpt_deferred = true;
		snprintf(a->defer_reason, sizeof(a->defer_reason), "4.2.2 mailbox full: %.90s", address);
		a->res.deferred++;
		return 0;
	}
	return fail_rcpt(a, rcpt, address, "5.2.2", "mailbox full beyond the retry window",
			 error_r);
}

static int deliver_local(struct attempt *a, const struct queue_rcpt *rcpt,
			 const struct store_recipient_target *t, bool run_rules,
			 const char **error_r);

/* redirect - a rule's redirect: expanded like any address; local targets get a plain
 * INBOX copy (no rules again: a redirect cannot loop inside one job) */
static int redirect(struct attempt *a, const struct queue_rcpt *rcpt, const char *address,
		    const char **error_r)
{
	struct store_recipient_list *list = g_new0(struct store_recipient_list, 1);
	int r = store_recipient_expand(a->conn, address, list, error_r);

	for (size_t i = 0; r == 0 && i < list->count; i++) {
		const struct store_recipient_target *t = &list->targets[i];
		r = t->account_id > 0 ? deliver_local(a, rcpt, t, false, error_r)
				      : remote(a, rcpt, t->address, "redirect", error_r);
	}
	if (r == 0 && list->count == 0)
		r = event(a, address, "failed", "redirect to an unknown local address", error_r);
	g_free(list);
	return r;
}

/* seen_account - remember the account for this job (one copy per account per job) */
static void seen_account(struct attempt *a, int64_t account_id)
{
	g_hash_table_add(a->accounts, g_memdup2(&account_id, sizeof(account_id)));
	g_array_append_val(a->added_accounts, account_id);
}

/* apply_outcome - what the rules decided: keep, fileinto, redirect or discard */
static int apply_outcome(struct attempt *a, const struct queue_rcpt *rcpt,
			 const struct store_recipient_target *t,
			 const struct mda_rules_outcome *o, const char **error_r)
{
	int r = 0;

	if (o->keep)
		r = append(a, t->account_id, t->address, "INBOX", o, error_r);
	for (size_t i = 0; r == 0 && i < o->nfileinto; i++)
		r = append(a, t->account_id, t->address, o->fileinto[i], o, error_r);
	for (size_t i = 0; r == 0 && i < o->nredirect; i++)
		r = redirect(a, rcpt, o->redirect[i], error_r);
	if (r == 0 && !o->keep && o->nfileinto == 0 && o->nredirect == 0)
		r = event(a, t->address, "filtered", "discarded by a rule", error_r);
	return r;
}

/* deliver_local - one account: quota, rules, then their outcome */
static int deliver_local(struct attempt *a, const struct queue_rcpt *rcpt,
			 const struct store_recipient_target *t, bool run_rules,
			 const char **error_r)
{
	struct mda_rules_outcome *o;
	int r;

	if (g_hash_table_contains(a->accounts, &t->account_id))
		return 0;
	if ((r = over_quota(a, t->account_id, error_r)) != 0)
		return r < 0 ? -1 : quota_fail(a, rcpt, t->address, error_r);
	seen_account(a, t->account_id);
	o = g_new(struct mda_rules_outcome, 1);
	mda_rules_init(o);
	r = run_rules ? mda_rules_run(a->conn, t->account_id, a->d->meta, a->d->job->size, o,
				      error_r) : 0;
	if (r == 0)
		r = apply_outcome(a, rcpt, t, o, error_r);
	g_free(o);
	return r;
}

/* relay - a recipient outside our domains. smtp-in allows that to authenticated senders
 * only; a job from the MX listener without authentication asking for it is refused here
 * too, so no path through the queue makes an open relay (DESIGN.md rule 9) */
static int relay(struct attempt *a, const struct queue_rcpt *rcpt, const char **error_r)
{
	const struct queue_in_job *job = a->d->job;

	if (job->auth_account_id == 0 && job->listener == QUEUE_LISTENER_MX)
		return fail_rcpt(a, rcpt, rcpt->address, "5.7.1", "relaying denied", error_r);
	return remote(a, rcpt, rcpt->address, "relay", error_r);
}

/* deliver_rcpt - every target of one envelope recipient */
static int deliver_rcpt(struct attempt *a, const struct queue_rcpt *rcpt, const char **error_r)
{
	struct store_recipient_list *list = g_new0(struct store_recipient_list, 1);
	int r = store_recipient_expand(a->conn, rcpt->address, list, error_r);

	a->rcpt_deferred = false;
	if (r == 0 && list->count == 0) {
		/* smtp-in checked at RCPT time; the address went away since */
		r = fail_rcpt(a, rcpt, rcpt->address, "5.1.1", "no such recipient", error_r);
	}
	for (size_t i = 0; r == 0 && i < list->count; i++) {
		const struct store_recipient_target *t = &list->targets[i];
		if (t->account_id > 0)
			r = deliver_local(a, rcpt, t, true, error_r);
		else if (g_ascii_strcasecmp(t->address, rcpt->address) != 0)
			r = remote(a, rcpt, t->address, "forward", error_r);
		else
			r = relay(a, rcpt, error_r);
	}
	g_free(list);
	return r;
}

/* forget_rcpt - a recipient done while others wait: remove it from the deferred job */
static int forget_rcpt(struct attempt *a, const struct queue_rcpt *rcpt, const char **error_r)
{
	char idbuf[24];
	const char *params[] = { db_int64_param(idbuf, a->d->job->id), rcpt->address };

	return db_exec(a->conn, "DELETE FROM queue_in_rcpt WHERE job_id = $1 AND address = $2",
		       2, params, error_r) < 0 ? -1 : 0;
}

/* mail_loop - too many Received fields (RFC 5321 6.3): fail every recipient */
static int mail_loop(struct attempt *a, const char **error_r)
{
	char detail[DETAIL_MAX];

	snprintf(detail, sizeof(detail), "mail loop: %u Received fields (limit %u)",
		 a->d->meta->received, a->d->cfg->max_received);
	log_warn("event=mail_loop job=%" PRId64 " received=%u", a->d->job->id,
		 a->d->meta->received);
	for (size_t i = 0; i < a->d->job->nrcpts; i++) {
		const struct queue_rcpt *rcpt = &a->d->job->rcpts[i];
		if (fail_rcpt(a, rcpt, rcpt->address, "5.4.6", detail, error_r) < 0)
			return -1;
	}
	return 0;
}

/* finish - remove the job, or keep it for the deferred recipients only */
static int finish(struct attempt *a, size_t deferred, const char **error_r)
{
	const struct queue_in_job *job = a->d->job;
	int r = deferred == 0
		? queue_in_finish(a->conn, job->id, a->d->cfg->owner, error_r)
		: queue_in_defer(a->conn, job->id, a->d->cfg->owner, (int)a->d->cfg->retry,
				 a->defer_reason, error_r);

	if (r == 0)
		return db_fail("", error_r, "the lease of job %" PRId64 " was lost", job->id);
	return r < 0 ? -1 : 0;
}

/* rcpt_undo - a deferred recipient leaves no trace but its "deferred" event: its
 * appends and outbound jobs are rolled back to the savepoint, so a retry delivers it once */
static int rcpt_undo(struct attempt *a, const struct mda_result *before, const char **error_r)
{
	size_t deferred = a->res.deferred;

	if (db_exec(a->conn, "ROLLBACK TO SAVEPOINT rcpt", 0, NULL, error_r) < 0)
		return -1;
	for (guint i = 0; i < a->added_accounts->len; i++)
		g_hash_table_remove(a->accounts, &g_array_index(a->added_accounts, int64_t, i));
	for (guint i = 0; i < a->added_remotes->len; i++)
		g_hash_table_remove(a->remotes, g_ptr_array_index(a->added_remotes, i));
	a->res = *before;
	a->res.deferred = deferred;
	return event(a, a->rcpt_address, "deferred", a->defer_reason, error_r);
}

/* rcpt_run - one envelope recipient, all or nothing (a SAVEPOINT around it) */
static int rcpt_run(struct attempt *a, const struct queue_rcpt *rcpt, bool *deferred_r,
		    const char **error_r)
{
	struct mda_result *before = g_new(struct mda_result, 1);
	int r;

	*before = a->res;
	g_array_set_size(a->added_accounts, 0);
	g_ptr_array_set_size(a->added_remotes, 0);
	a->rcpt_address = rcpt->address;
	r = db_exec(a->conn, "SAVEPOINT rcpt", 0, NULL, error_r) < 0 ? -1
		: deliver_rcpt(a, rcpt, error_r);
	*deferred_r = r == 0 && a->rcpt_deferred;
	if (*deferred_r)
		r = rcpt_undo(a, before, error_r);
	g_free(before);
	return r;
}

/* deliver_tx - the body of the transaction (db_tx_fn); no state survives a retry */
static int deliver_tx(PGconn *conn, void *arg, const char **error_r)
{
	struct attempt *a = arg;
	struct mda_delivery *d = a->d;
	bool *deferred = g_new0(bool, d->job->nrcpts + 1);
	size_t ndeferred = 0;
	int r = 0;

	memset(&a->res, 0, sizeof(a->res));
	g_hash_table_remove_all(a->accounts);
	g_hash_table_remove_all(a->remotes);
	a->conn = conn;
	a->age = d->job->age;
	if (store_message_meta_insert(conn, d->job->sha256, d->store_meta, error_r) < 0)
		r = -1;
	else if (d->meta->received > d->cfg->max_received)
		r = mail_loop(a, error_r);
	else
		for (size_t i = 0; r == 0 && i < d->job->nrcpts; i++) {
			r = rcpt_run(a, &d->job->rcpts[i], &deferred[i], error_r);
			ndeferred += r == 0 && deferred[i];
		}
	/* with some recipients deferred, the job stays for them alone */
	for (size_t i = 0; r == 0 && ndeferred > 0 && i < d->job->nrcpts; i++)
		if (!deferred[i])
			r = forget_rcpt(a, &d->job->rcpts[i], error_r);
	g_free(deferred);
	return r < 0 ? -1 : finish(a, ndeferred, error_r);
}

/* mda_deliver - run the delivery transaction */
int mda_deliver(PGconn *conn, struct mda_delivery *d, const char **error_r)
{
	struct attempt a = { .d = d };
	int r;

	a.accounts = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
	a.remotes = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	a.added_accounts = g_array_new(FALSE, FALSE, sizeof(int64_t));
	a.added_remotes = g_ptr_array_new();
	r = db_tx(conn, deliver_tx, &a, error_r);
	if (r >= 0) {
		struct mda_result *res = d->result;
		res->delivered += a.res.delivered;
		res->outbound += a.res.outbound;
		res->deferred += a.res.deferred;
		res->failed += a.res.failed;
		res->bounces += a.res.bounces;
		for (size_t i = 0; i < a.res.nevents && res->nevents < MDA_EVENTS_MAX; i++)
			res->events[res->nevents++] = a.res.events[i];
	}
	g_hash_table_destroy(a.accounts);
	g_hash_table_destroy(a.remotes);
	g_array_free(a.added_accounts, TRUE);
	g_ptr_array_free(a.added_remotes, TRUE);
	return r < 0 ? -1 : 0;
}
