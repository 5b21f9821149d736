/* imap_sync - tell the client what other sessions changed in its selected mailbox:
 * EXPUNGE (RFC 3501 7.4.1) or VANISHED (RFC 7162 3.2.10), EXISTS (7.3.1), and FETCH
 * FLAGS (7.4.2) with UID and MODSEQ when QRESYNC/CONDSTORE are on (RFC 7162 3.1.4, 3.2.4).
 * EXPUNGE is never sent during FETCH, STORE or SEARCH (7.4.1): then nothing is reported,
 * so the view keeps its MSNs and its modseq, and the next command reports it all. */
#include <stdlib.h>
#include <string.h>

#include "log/log.h"
#include "services/imap/imap_conn.h"
#include "store/imap_recent.h"
#include "store/mailbox.h"

struct sync_job {
	struct imap_conn *ic;
	int64_t mailbox_id;
	uint64_t since;
	bool allow_expunge;
	bool claim_recent;          /* a read-write selection: new mail is \Recent here */
	uint32_t last;              /* the view's highest UID when the job started */
	uint32_t recent_from, recent_upto;  /* claimed: UIDs in (from, upto] */
	void (*done)(struct imap_conn *);
};

/* sync_claim_recent - new messages this session is the first to be told of are \Recent
 * in it (RFC 3501 2.3.2.1), unless a SELECT elsewhere claimed them first */
static int sync_claim_recent(PGconn *conn, struct sync_job *job, const char **error_r)
{
	const struct store_imap_sync *r = &job->ic->sync;

	job->recent_upto = job->recent_from = 0;
	if (!job->claim_recent || r->nchanges == 0 || r->changes[r->nchanges - 1].uid <= job->last)
		return 0;
	job->recent_upto = r->changes[r->nchanges - 1].uid;
	return store_imap_recent_claim(conn, job->mailbox_id, job->recent_upto, &job->recent_from,
				       error_r) < 0 ? -1 : 0;
}

/* sync_work - on a pool thread */
static int sync_work(PGconn *conn, void *arg, const char **error_r)
{
	struct sync_job *job = arg;
	int r = store_imap_sync_read(conn, job->mailbox_id, job->since, true, &job->ic->sync,
				     error_r);

	if (r > 0 && sync_claim_recent(conn, job, error_r) < 0) {
		store_imap_sync_clear(&job->ic->sync);
		return -1;
	}
	return r;
}

/* sync_uid_set - write uids (ascending) as a compact sequence set */
static void sync_uid_set(struct imap_session *s, const uint32_t *uids, size_t n)
{
	for (size_t i = 0; i < n; ) {
		size_t j = i;

		while (j + 1 < n && uids[j + 1] == uids[j] + 1)
			j++;
		imap_reply_printf(s, "%s%u", i > 0 ? "," : "", uids[i]);
		if (j > i)
			imap_reply_printf(s, ":%u", uids[j]);
		i = j + 1;
	}
}

/* sync_expunges - the expunged UIDs this view holds, reported and removed */
static void sync_expunges(struct imap_conn *ic, const uint32_t *gone, size_t n)
{
	struct imap_session *s = &ic->s;

	if (n == 0)
		return;
	if (s->enabled & IMAP_ENABLED_QRESYNC) {
		imap_reply_raw(s, "* VANISHED ", 11);
		sync_uid_set(s, gone, n);
		imap_reply_crlf(s);
		for (size_t i = 0; i < n; i++)
			imap_view_remove(s->selected, gone[i]);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		uint32_t msn = imap_view_remove(s->selected, gone[i]);

		if (msn != 0)
			imap_reply_untagged(s, "%u EXPUNGE", msn);
	}
}

/* imap_sync_fetch_flags - "* n FETCH (FLAGS (...) [UID u] [MODSEQ (m)])" for one message */
void imap_sync_fetch_flags(struct imap_session *s, uint32_t msn,
			   const struct store_imap_change *c)
{
	char *kw[STORE_MAILBOX_KEYWORDS_MAX], *copy = strdup(c->keywords), *save = NULL;
	size_t nkw = 0;

	if (copy == NULL)
		abort();
	for (char *t = strtok_r(copy, " ", &save); t != NULL && nkw < STORE_MAILBOX_KEYWORDS_MAX;
	     t = strtok_r(NULL, " ", &save))
		kw[nkw++] = t;
	imap_reply_printf(s, "* %u FETCH (", msn);
	if (s->enabled & IMAP_ENABLED_QRESYNC)
		imap_reply_printf(s, "UID %u ", c->uid);
	imap_reply_raw(s, "FLAGS ", 6);
	imap_reply_flags(s, imap_view_flags(s, msn, c->flags), (const char *const *)kw, nkw);
	if (s->enabled & (IMAP_ENABLED_CONDSTORE | IMAP_ENABLED_QRESYNC))
		imap_reply_printf(s, " MODSEQ (%llu)", (unsigned long long)c->modseq);
	imap_reply_raw(s, ")\r\n", 3);
	free(copy);
}

/* sync_apply - report what the read found; false when expunges must wait (the claimed
 * \Recent UIDs are then kept in the view for the next sync, which appends them) */
static bool sync_apply(struct imap_conn *ic, const struct sync_job *job)
{
	bool allow_expunge = job->allow_expunge;
	struct imap_view *v = ic->s.selected;
	struct store_imap_sync *r = &ic->sync;
	uint32_t *gone = calloc(r->nexpunged + 1, sizeof(*gone));
	uint32_t last = v->count > 0 ? v->uids[v->count - 1] : 0, before = v->count;
	size_t ngone = 0;

	if (gone == NULL)
		abort();
	for (size_t i = 0; i < r->nexpunged; i++)
		if (imap_view_msn(v, r->expunged[i]) != 0)
			gone[ngone++] = r->expunged[i];
	if (ngone > 0 && !allow_expunge) {
		/* the claim is done: keep it for the sync that appends these messages */
		if (job->recent_upto > job->recent_from) {
			/* ranges that do not touch: someone claimed between; never show a
			 * message \Recent in two sessions, rather keep the newer one only */
			if (v->recent_upto == 0 || job->recent_from > v->recent_upto)
				v->recent_from = job->recent_from;
			v->recent_upto = job->recent_upto;
		}
		free(gone);
		return false;
	}
	sync_expunges(ic, gone, ngone);
	free(gone);
	for (size_t i = 0; i < r->nchanges; i++)
		if (r->changes[i].uid > last)
			imap_view_append(v, r->changes[i].uid);
	imap_view_mark_recent(v, job->recent_from, job->recent_upto);
	imap_view_mark_recent(v, v->recent_from, v->recent_upto);
	v->recent_from = v->recent_upto = 0;
	if (v->count != before || ngone > 0) {
		imap_reply_untagged(&ic->s, "%u EXISTS", v->count);
		/* RFC 3501 7.3.2: with the size; IMAP4rev2 has no RECENT */
		if (!(ic->s.enabled & IMAP_ENABLED_REV2))
			imap_reply_untagged(&ic->s, "%u RECENT", v->nrecent);
	}
	for (size_t i = 0; i < r->nchanges; i++) {
		uint32_t msn;

		/* a change this session's own STORE already answered is not sent again */
		if (r->changes[i].uid <= last && (msn = imap_view_msn(v, r->changes[i].uid)) != 0 &&
		    !imap_view_already_reported(v, msn, r->changes[i].modseq))
			imap_sync_fetch_flags(&ic->s, msn, &r->changes[i]);
	}
	v->highestmodseq = r->highestmodseq;
	v->uidnext = r->uidnext;
	return true;
}

/* sync_done - back on the loop thread */
static void sync_done(int ret, const char *error, void *arg)
{
	struct sync_job *job = arg;
	struct imap_conn *ic = job->ic;
	void (*done)(struct imap_conn *) = job->done;

	ic->jobs--;
	ic->syncing = false;
	if (ic->net == NULL) {
		free(job);
		store_imap_sync_clear(&ic->sync);
		imap_session_release(ic);
		return;
	}
	if (ret == 0 || (ret > 0 && ic->s.selected != NULL &&
			 ic->sync.uidvalidity != ic->s.selected->uidvalidity)) {
		free(job);
		store_imap_sync_clear(&ic->sync);
		/* RFC 3501 7.1.5: the selected mailbox went away under us */
		imap_session_close(ic, "Selected mailbox was deleted");
		return;
	}
	if (ret < 0)
		log_warn("session=%s event=store_error op=sync error=\"%s\"", ic->id,
			 error != NULL ? error : "store unavailable");
	else if (ic->s.selected != NULL && ic->s.selected->mailbox_id == job->mailbox_id)
		sync_apply(ic, job);
	free(job);
	store_imap_sync_clear(&ic->sync);
	done(ic);
}

/* imap_sync_start - submit the read; false when no mailbox is selected or the pool
 * refused (then nothing is reported now) */
bool imap_sync_start(struct imap_conn *ic, bool allow_expunge, void (*done)(struct imap_conn *))
{
	struct sync_job *job;

	if (ic->s.selected == NULL || ic->syncing)
		return false;
	if ((job = calloc(1, sizeof(*job))) == NULL)
		abort();
	job->ic = ic;
	job->mailbox_id = ic->s.selected->mailbox_id;
	job->since = ic->s.selected->highestmodseq;
	job->allow_expunge = allow_expunge;
	job->claim_recent = !ic->s.selected->readonly;
	job->last = ic->s.selected->count > 0 ?
		ic->s.selected->uids[ic->s.selected->count - 1] : 0;
	job->done = done;
	ic->jobs++;
	ic->syncing = true;
	if (store_pool_submit(ic->srv->pool, sync_work, sync_done, job) == 0)
		return true;
	ic->jobs--;
	ic->syncing = false;
	free(job);
	return false;
}
