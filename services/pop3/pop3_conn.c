/* pop3_conn.c - a POP3 connection: net bytes -> session, actions dispatched, STLS, the
 * UPDATE state, timers. Login and lock upkeep live in pop3_conn_login.c, RETR/TOP
 * streaming in pop3_conn_retr.c. */
#include "services/pop3/pop3_conn_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <sodium.h>

#include "log/log.h"

static void conn_process(struct pop3_conn *pc);

/* conn_write - the session's output sink */
static void conn_write(void *ctx, const void *data, size_t len)
{
	struct pop3_conn *pc = ctx;

	if (pc->net != NULL)
		net_conn_write(pc->net, data, len);
}

/* pop3_conn_release - free once closed and no job refers to the connection */
void pop3_conn_release(struct pop3_conn *pc)
{
	if (pc->net != NULL || pc->jobs > 0)
		return;
	event_free(pc->idle);
	event_free(pc->refresh);
	event_free(pc->wait);
	free(pc->read.buf);
	pop3_session_free(&pc->s);
	sodium_memzero(&pc->login, sizeof(pc->login));
	if (pc->prev != NULL)
		pc->prev->next = pc->next;
	else
		pc->srv->conns = pc->next;
	if (pc->next != NULL)
		pc->next->prev = pc->prev;
	pc->srv->live_conns--;
	free(pc);
}

/* pop3_conn_submit - run a job on the store pool, keeping the connection alive meanwhile;
 * *conn_slot is the job's back pointer */
int pop3_conn_submit(struct pop3_conn *pc, void **conn_slot, store_pool_work_fn *work,
		       store_pool_done_fn *done)
{
	*conn_slot = pc;
	pc->jobs++;
	if (store_pool_submit(pc->srv->pool, work, done, conn_slot) == 0)
		return 0;
	pc->jobs--;
	return -1;
}

/* pop3_conn_close - flush what is queued and close; the close callback finishes the job */
void pop3_conn_close(struct pop3_conn *pc)
{
	if (pc->net != NULL)
		net_conn_close(pc->net);
}

/* conn_idle_arm - restart the autologout timer */
static void conn_idle_arm(struct pop3_conn *pc)
{
	struct timeval tv = { pc->srv->cfg->idle_timeout, 0 };

	event_add(pc->idle, &tv);
}

/* pop3_conn_resume - an action ended: read on, run pipelined commands, or close */
void pop3_conn_resume(struct pop3_conn *pc, enum pop3_action a)
{
	pc->busy = false;
	if (a == POP3_ACTION_CLOSE) {
		pop3_conn_close(pc);
		return;
	}
	if (pc->net != NULL)
		net_conn_resume(pc->net);
	conn_process(pc);
}

/* conn_wait_fired - the failed-login delay or a back-pressure pause ended */
static void conn_wait_fired(evutil_socket_t fd, short what, void *arg)
{
	struct pop3_conn *pc = arg;
	int waiting = pc->waiting;

	pc->waiting = POP3_CONN_WAIT_NONE;
	if (pc->net == NULL)
		return;
	if (waiting == POP3_CONN_WAIT_LOGIN)
		pop3_conn_login_finish(pc);
	else if (waiting == POP3_CONN_WAIT_OUTPUT)
		pop3_conn_retr_next(pc);
}

/* conn_update_done - the UPDATE transaction ended: publish, answer, close */
static void conn_update_done(int ret, const char *error, void *arg)
{
	struct pop3_conn *pc = *(void **)arg;
	bool ok = ret >= 0;

	pc->jobs--;
	pc->updating = false;
	if (ok) {
		const struct maildrop_update_result *r = &pc->update.result;
		/* the transaction released the lock */
		pc->updated = true;
		if (r->seen > 0)
			pop3_server_publish(pc->srv, pc->update.md, POP3_EVENT_SEEN, r->modseq);
		if (r->removed > 0) {
			pop3_server_count(POP3_METRIC_EXPUNGED, r->removed);
			pop3_server_publish(pc->srv, pc->update.md, POP3_EVENT_EXPUNGE, r->modseq);
		}
	} else {
		log_warn("session=%s event=store_error op=update error=\"%s\"", pc->id,
			 error != NULL ? error : "store unavailable");
	}
	log_info("session=%s event=update ok=%d removed=%d seen=%d", pc->id, ok,
		 ok ? pc->update.result.removed : 0, ok ? pc->update.result.seen : 0);
	if (pc->net == NULL) {
		if (!ok)
			pop3_conn_unlock(pc, pc->account_id);
		pop3_conn_release(pc);
		return;
	}
	pop3_session_update_done(pc->s, ok);
	pop3_conn_resume(pc, POP3_ACTION_CLOSE);
}

/* conn_update - POP3_ACTION_UPDATE: RFC 1939 6, in one transaction */
static void conn_update(struct pop3_conn *pc)
{
	pc->updating = true;
	pc->update.login_delay = pop3_conn_login_delay(pc);
	pc->update.md = pop3_session_maildrop(pc->s);
	memcpy(pc->update.owner, pc->owner, sizeof(pc->owner));
	if (pop3_conn_submit(pc, &pc->update.conn, pop3_store_update_work, conn_update_done) < 0) {
		pc->jobs++; /* as if submitted: conn_update_done counts it back */
		conn_update_done(-1, "pool queue full", &pc->update.conn);
	}
}

/* conn_tls_done - the STLS handshake ended (RFC 2595 4) */
static void conn_tls_done(struct net_conn *c, bool ok, void *arg)
{
	struct pop3_conn *pc = arg;

	log_info("session=%s event=starttls ok=%d", pc->id, ok);
	pop3_conn_resume(pc, pop3_session_tls_done(pc->s, ok));
}

/* conn_stls - POP3_ACTION_STLS; the net layer drops any plaintext already received */
static void conn_stls(struct pop3_conn *pc)
{
	const char *error;

	if (net_conn_starttls(pc->net, conn_tls_done, &error) < 0) {
		log_warn("session=%s event=starttls_failed error=\"%s\"", pc->id, error);
		pop3_conn_resume(pc, pop3_session_tls_done(pc->s, false));
	}
}

/* conn_act - carry out what the session asked for */
static void conn_act(struct pop3_conn *pc, enum pop3_action a)
{
	if (a == POP3_ACTION_READ)
		return;
	if (a == POP3_ACTION_CLOSE) {
		pop3_conn_close(pc);
		return;
	}
	pc->busy = true;
	if (a != POP3_ACTION_STLS)
		net_conn_pause(pc->net);
	switch (a) {
	case POP3_ACTION_LOGIN: pop3_conn_login_start(pc); break;
	case POP3_ACTION_STLS: conn_stls(pc); break;
	case POP3_ACTION_RETR: pop3_conn_retr_start(pc); break;
	case POP3_ACTION_UPDATE: conn_update(pc); break;
	case POP3_ACTION_READ: case POP3_ACTION_CLOSE: break;
	}
}

/* conn_turn_away - while draining, a session that has not logged in is sent away; true
 * when it was (the connection is closing) */
static bool conn_turn_away(struct pop3_conn *pc)
{
	if (!pc->srv->draining || pc->net == NULL || pc->busy || pop3_session_authenticated(pc->s))
		return false;
	log_info("session=%s event=drain_close", pc->id);
	pop3_session_shutdown(pc->s);
	pop3_conn_close(pc);
	return true;
}

void pop3_conn_drain(struct pop3_server *srv)
{
	struct pop3_conn *pc = srv->conns, *next;

	srv->draining = true;
	for (; pc != NULL; pc = next) {
		next = pc->next; /* closing may free pc */
		(void)conn_turn_away(pc);
	}
}

/* conn_process - run the commands waiting in the input buffer (RFC 2449 6.6 pipelining) */
static void conn_process(struct pop3_conn *pc)
{
	size_t window = pc->scfg.max_line > pc->scfg.max_sasl_line ? pc->scfg.max_line :
		pc->scfg.max_sasl_line;

	if (conn_turn_away(pc))
		return;
	while (pc->net != NULL && !pc->busy) {
		struct evbuffer *in = net_conn_input(pc->net);
		size_t avail = evbuffer_get_length(in), want = avail < window ? avail : window;
		enum pop3_action a;
		size_t used;

		if (avail == 0)
			break;
		used = pop3_session_input(pc->s, evbuffer_pullup(in, (ssize_t)want), want, &a);
		evbuffer_drain(in, used);
		conn_act(pc, a);
		if (a == POP3_ACTION_CLOSE || (used == 0 && a == POP3_ACTION_READ))
			break;
	}
}

/* conn_on_read - bytes arrived: the client is not idle; run what is complete */
static void conn_on_read(struct net_conn *c, void *arg)
{
	struct pop3_conn *pc = arg;

	conn_idle_arm(pc);
	conn_process(pc);
}

/* conn_idle_fired - RFC 1939 3: autologout, without entering the UPDATE state */
static void conn_idle_fired(evutil_socket_t fd, short what, void *arg)
{
	struct pop3_conn *pc = arg;

	if (pc->net == NULL)
		return;
	if (pc->busy) {
		/* still streaming a message to a slow client: not idle */
		conn_idle_arm(pc);
		return;
	}
	log_info("session=%s event=idle_timeout", pc->id);
	pop3_session_timeout(pc->s);
	pop3_conn_close(pc);
}

/* conn_on_close - the net layer closed the connection (called once) */
static void conn_on_close(struct net_conn *c, enum net_close_reason reason, void *arg)
{
	static const char *const reasons[] = { "local", "eof", "timeout", "error" };
	struct pop3_conn *pc = arg;

	log_info("session=%s event=disconnect reason=%s", pc->id, reasons[reason]);
	pc->net = NULL;
	event_del(pc->idle);
	event_del(pc->refresh);
	event_del(pc->wait);
	pop3_server_count(POP3_METRIC_CONNECTIONS, -1);
	/* RFC 1939 6: without QUIT nothing is deleted; only the lock goes */
	if (pop3_session_authenticated(pc->s) && !pc->updated && !pc->updating)
		pop3_conn_unlock(pc, pc->account_id);
	pop3_conn_release(pc);
}

void pop3_conn_accept(struct net_conn *c, void *arg)
{
	struct pop3_listener_ctx *lc = arg;
	struct pop3_server *srv = lc->srv;
	struct pop3_conn *pc = calloc(1, sizeof(*pc));
	struct pop3_output out;
	struct event_base *base = net_conn_base(c);

	if (pc == NULL)
		abort();
	pc->srv = srv;
	srv->live_conns++;
	pc->next = srv->conns;
	if (srv->conns != NULL)
		srv->conns->prev = pc;
	srv->conns = pc;
	pc->net = c;
	snprintf(pc->id, sizeof(pc->id), "%s", net_conn_id(c));
	snprintf(pc->owner, sizeof(pc->owner), "%s:%s", srv->instance, pc->id);
	pc->scfg = srv->cfg->session;
	pc->scfg.stls_offered = !lc->implicit_tls && net_conn_can_starttls(c);
	out.write = conn_write;
	out.ctx = pc;
	pc->s = pop3_session_new(&pc->scfg, &out, lc->implicit_tls, net_conn_is_secure(c));
	pc->idle = evtimer_new(base, conn_idle_fired, pc);
	pc->refresh = event_new(base, -1, EV_PERSIST, pop3_conn_refresh, pc);
	pc->wait = evtimer_new(base, conn_wait_fired, pc);
	if (pc->idle == NULL || pc->refresh == NULL || pc->wait == NULL)
		abort();
	pop3_server_count(POP3_METRIC_CONNECTIONS, 1);
	log_info("session=%s event=connect client=%s tls=%d", pc->id, net_conn_peer(c),
		 lc->implicit_tls);
	net_conn_set_callbacks(c, conn_on_read, conn_on_close, pc);
	pop3_session_greet(pc->s);
	conn_idle_arm(pc);
}
