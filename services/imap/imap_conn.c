/* imap_conn - a connection's life: accept, greeting, reads, store jobs for handlers,
 * timers (autologout, sleeps, output drain, IDLE poll), events, close. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log/log.h"
#include "services/imap/imap_conn.h"

/* conn_write - the session's output sink */
static void conn_write(void *ctx, const void *data, size_t len)
{
	struct imap_conn *ic = ctx;

	if (ic->net == NULL)
		return;
	if (ic->z == NULL) {
		net_conn_write(ic->net, data, len);
		return;
	}
	struct evbuffer *tmp = evbuffer_new();

	if (tmp == NULL)
		abort();
	if (imap_compress_out(ic->z, data, len, tmp) == 0) {
		size_t n = evbuffer_get_length(tmp);

		net_conn_write(ic->net, evbuffer_pullup(tmp, (ssize_t)n), n);
	}
	evbuffer_free(tmp);
}

/* imap_conn_input - see imap_conn.h */
struct evbuffer *imap_conn_input(struct imap_conn *ic)
{
	return ic->z != NULL ? imap_compress_plain(ic->z) : net_conn_input(ic->net);
}

/* imap_conn_compress_start - RFC 4978 3: everything after the OK is compressed, bytes
 * already received after the command included */
void imap_conn_compress_start(struct imap_conn *ic)
{
	if ((ic->z = imap_compress_new()) == NULL) {
		imap_session_close(ic, "Compression failed");
		return;
	}
	log_info("session=%s event=compress", ic->id);
	if (imap_compress_in(ic->z, net_conn_input(ic->net),
			     (size_t)ic->s.cfg->limits.max_command + 65536) < 0)
		imap_session_close(ic, "Corrupt compressed input");
}

/* conn_pending - bytes waiting to be sent */
static size_t conn_pending(void *ctx)
{
	struct imap_conn *ic = ctx;

	return ic->net != NULL ? net_conn_output_len(ic->net) : 0;
}

struct conn_job {
	struct imap_conn *ic;
	imap_job_fn *work;
	void *arg;
};

/* conn_job_work - on a pool thread */
static int conn_job_work(PGconn *conn, void *arg, const char **error_r)
{
	struct conn_job *job = arg;

	return job->work(conn, job->arg, error_r);
}

/* conn_job_done - back on the loop: hand the result to the handler and call it again */
static void conn_job_done(int ret, const char *error, void *arg)
{
	struct conn_job *job = arg;
	struct imap_conn *ic = job->ic;

	free(job);
	ic->jobs--;
	if (ic->net == NULL) {
		imap_session_release(ic);
		return;
	}
	ic->ctx.job_ret = ret;
	ic->ctx.job_error = error != NULL ? imap_arena_strdup(ic->ctx.arena, error) : NULL;
	if (ret < 0)
		log_warn("session=%s event=store_error command=%s error=\"%s\"", ic->id,
			 ic->cmd.name, error != NULL ? error : "store unavailable");
	imap_session_continue(ic);
}

/* imap_cmd_submit - see imap.h */
int imap_cmd_submit(struct imap_cmd_ctx *ctx, imap_job_fn *work, void *arg)
{
	struct imap_conn *ic = (struct imap_conn *)ctx->session->conn;
	struct conn_job *job;

	if (ic == NULL || ic->srv->pool == NULL)
		return -1;
	if ((job = malloc(sizeof(*job))) == NULL)
		abort();
	*job = (struct conn_job){ .ic = ic, .work = work, .arg = arg };
	ic->jobs++;
	if (store_pool_submit(ic->srv->pool, conn_job_work, conn_job_done, job) == 0)
		return 0;
	ic->jobs--;
	free(job);
	return -1;
}

/* imap_cmd_sleep - see imap.h */
void imap_cmd_sleep(struct imap_cmd_ctx *ctx, unsigned ms)
{
	struct imap_conn *ic = (struct imap_conn *)ctx->session->conn;
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };

	ic->timer_for = IMAP_TIMER_SLEEP;
	event_add(ic->timer, &tv);
}

/* imap_session_publish - see imap.h */
void imap_session_publish(struct imap_session *s, int64_t owner_id, int64_t mailbox_id,
			  uint32_t uidvalidity, uint64_t modseq, enum imap_event kind,
			  const uint32_t *uids, size_t n)
{
	struct imap_conn *ic = (struct imap_conn *)s->conn;

	if (ic != NULL)
		imap_server_publish(ic->srv, owner_id, mailbox_id, uidvalidity, modseq, (int)kind,
				    uids, n);
}

/* conn_idle_synced - a sync during IDLE ended; DONE may have come meanwhile */
static void conn_idle_synced(struct imap_conn *ic)
{
	if (ic->idle == IMAP_IDLE_DONE) {
		imap_session_continue(ic);
		return;
	}
	if (ic->sync_again) {
		ic->sync_again = false;
		imap_sync_start(ic, true, conn_idle_synced);
	}
}

/* imap_conn_event - new changes in the selected mailbox: during IDLE report them now
 * (RFC 2177 3); otherwise the next command's sync does */
void imap_conn_event(struct imap_conn *ic)
{
	if (ic->net == NULL || ic->idle != IMAP_IDLE_ON)
		return;
	if (ic->syncing) {
		ic->sync_again = true;
		return;
	}
	imap_sync_start(ic, true, conn_idle_synced);
}

/* conn_autologout_arm - restart the inactivity timer */
static void conn_autologout_arm(struct imap_conn *ic)
{
	struct timeval tv = { ic->srv->cfg->idle_timeout, 0 };

	event_add(ic->autologout, &tv);
}

/* conn_autologout - RFC 3501 5.4: no command for the configured time (30 min) */
static void conn_autologout(evutil_socket_t fd, short what, void *arg)
{
	struct imap_conn *ic = arg;

	(void)fd;
	(void)what;
	log_info("session=%s event=idle_timeout", ic->id);
	imap_session_close(ic, "Autologout; idle for too long");
}

/* conn_timer - a sleep ended, the output drained, or the IDLE poll is due */
static void conn_timer(evutil_socket_t fd, short what, void *arg)
{
	struct imap_conn *ic = arg;
	int why = ic->timer_for;

	(void)fd;
	(void)what;
	ic->timer_for = IMAP_TIMER_NONE;
	if (ic->net == NULL)
		return;
	if (why == IMAP_TIMER_OUTPUT && net_conn_output_len(ic->net) > IMAP_OUTPUT_HIGH / 2) {
		struct timeval tv = { 0, 20000 };

		ic->timer_for = IMAP_TIMER_OUTPUT;
		event_add(ic->timer, &tv);
		return;
	}
	if (why == IMAP_TIMER_POLL) {
		imap_conn_event(ic);
		imap_conn_poll_arm(ic);
		return;
	}
	imap_session_continue(ic);
}

/* imap_conn_poll_arm - during IDLE, re-read the mailbox now and then even without events
 * (DESIGN.md rule 4: bus messages are hints) */
void imap_conn_poll_arm(struct imap_conn *ic)
{
	struct timeval tv = { ic->s.cfg->poll_interval, 0 };

	if (ic->idle != IMAP_IDLE_ON)
		return;
	ic->timer_for = IMAP_TIMER_POLL;
	event_add(ic->timer, &tv);
}

/* conn_on_read - bytes arrived: not idle any more; run what is complete */
static void conn_on_read(struct net_conn *c, void *arg)
{
	struct imap_conn *ic = arg;

	(void)c;
	conn_autologout_arm(ic);
	if (ic->z != NULL && imap_compress_in(ic->z, net_conn_input(ic->net),
					      (size_t)ic->s.cfg->limits.max_command + 65536) < 0) {
		imap_session_close(ic, "Corrupt compressed input");
		return;
	}
	imap_session_process(ic);
}

/* conn_on_close - the net layer closed the connection (called once) */
static void conn_on_close(struct net_conn *c, enum net_close_reason reason, void *arg)
{
	static const char *const reasons[] = { "local", "eof", "timeout", "error" };
	struct imap_conn *ic = arg;

	(void)c;
	log_info("session=%s event=disconnect reason=%s", ic->id, reasons[reason]);
	ic->net = NULL;
	event_del(ic->autologout);
	event_del(ic->timer);
	imap_session_release(ic);
}

/* conn_new - the connection's state and its session */
static struct imap_conn *conn_new(struct imap_server *srv, struct net_conn *c)
{
	struct imap_conn *ic = calloc(1, sizeof(*ic));
	struct event_base *base = net_conn_base(c);

	if (ic == NULL)
		abort();
	ic->srv = srv;
	ic->net = c;
	snprintf(ic->id, sizeof(ic->id), "%s", net_conn_id(c));
	ic->s.state = IMAP_STATE_NOT_AUTH;
	ic->s.cfg = &srv->cfg->session;
	ic->s.out = (struct imap_output){ conn_write, conn_pending, ic };
	ic->s.arena = imap_arena_new(512);
	ic->s.tls = net_conn_is_tls(c);
	ic->s.secure = net_conn_is_secure(c);
	ic->s.conn = (struct imap_conn *)ic;
	ic->s.pool = srv->pool;
	ic->cmd_arena = imap_arena_new(2048);
	ic->autologout = evtimer_new(base, conn_autologout, ic);
	ic->timer = evtimer_new(base, conn_timer, ic);
	if (ic->autologout == NULL || ic->timer == NULL)
		abort();
	srv->live_conns++;
	ic->next = srv->conns;
	if (srv->conns != NULL)
		srv->conns->prev = ic;
	srv->conns = ic;
	return ic;
}

/* imap_conn_accept - greet (RFC 3501 7.1.1) with the capabilities */
void imap_conn_accept(struct net_conn *c, void *arg)
{
	struct imap_listener_ctx *lc = arg;
	struct imap_conn *ic = conn_new(lc->srv, c);

	log_info("session=%s event=connect client=%s tls=%d", ic->id, net_conn_peer(c),
		 lc->implicit_tls);
	net_conn_set_callbacks(c, conn_on_read, conn_on_close, ic);
	if (lc->srv->draining) {
		/* taken from the backlog as the stop began: BYE as the greeting (RFC 3501 7.1.5) */
		imap_session_drain(ic);
		return;
	}
	imap_reply_raw(&ic->s, "* OK [", 6);
	imap_capability_write(&ic->s);
	imap_reply_printf(&ic->s, "] %s Merpati IMAP ready\r\n", ic->s.cfg->hostname);
	conn_autologout_arm(ic);
}
