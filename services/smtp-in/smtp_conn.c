/* smtp_conn.c - a client connection of merpati-smtp-in */
#include "smtp_conn.h"

#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bus/bus.h"
#include "log/log.h"
#include "smtp_received.h"
#include "smtp_server.h"
#include "smtp_store.h"
#include "store/auth_failures.h"
#include "tls/tls.h"

#define INPUT_WINDOW (64 * 1024) /* holds any command line (smtp_parser_line_bound) */
#define RECEIVED_MAX 2048

struct smtp_conn {
	struct smtp_server *srv;
	enum smtp_listener kind;
	struct net_conn *net;      /* NULL once the net layer closed it */
	struct smtp_session *s;
	char id[NET_ID_MAX];
	char peer[NET_ADDR_MAX];
	struct event *idle;        /* client silence (RFC 5321 4.5.3.2) */
	struct event *delay;       /* the pause before answering a failed AUTH */
	bool busy;                 /* a store job or the AUTH delay refers to us */
	bool tls_pending;          /* STARTTLS handshake under way (the net layer's, not a job) */
	int64_t account_id;        /* after AUTH */
	char account[STORE_ADDRESS_SIZE]; /* its canonical address, for Received */
	char txid[17];             /* Received id of the message being stored */
	struct queue_in_job job;
	unsigned messages;
	struct smtp_conn *prev, *next; /* in srv->conns */
};

static void conn_process(struct smtp_conn *c);

/* conn_free_if_done - free once the client is gone and nothing refers to us */
static void conn_free_if_done(struct smtp_conn *c)
{
	if (c->net != NULL || c->busy)
		return;
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		c->srv->conns = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	c->srv->nconns--;
	event_free(c->idle);
	event_free(c->delay);
	free(c->job.rcpts);
	smtp_session_free(&c->s);
	free(c);
}

/* conn_flush - hand the session's replies to the connection */
static void conn_flush(struct smtp_conn *c)
{
	struct evbuffer *out = smtp_session_output(c->s);
	size_t n = evbuffer_get_length(out);

	if (n > 0 && c->net != NULL)
		net_conn_write(c->net, evbuffer_pullup(out, (ev_ssize_t)n), n);
	evbuffer_drain(out, n);
}

/* conn_idle_arm - restart the silence timer */
static void conn_idle_arm(struct smtp_conn *c)
{
	struct timeval tv = { c->srv->cfg->timeout, 0 };

	event_add(c->idle, &tv);
}

/* conn_busy - a job is out: stop reading until it is back */
static void conn_busy(struct smtp_conn *c)
{
	c->busy = true;
	if (c->net != NULL)
		net_conn_pause(c->net);
}

/* conn_back - the job is back: answer it and go on with buffered input; false when the
 * client left meanwhile (the connection is then freed) */
static bool conn_back(struct smtp_conn *c)
{
	c->busy = false;
	if (c->net == NULL) {
		conn_free_if_done(c);
		return false;
	}
	net_conn_resume(c->net);
	conn_idle_arm(c);
	return true;
}

/* on_rcpt - the RCPT lookup is back */
static void on_rcpt(enum smtp_rcpt_result r, void *arg)
{
	struct smtp_conn *c = arg;

	if (!conn_back(c))
		return;
	smtp_session_rcpt_done(c->s, r);
	if (r != SMTP_RCPT_OK)
		smtp_server_count(SMTP_METRIC_RCPT_REFUSED, 1);
	conn_process(c);
}

/* on_expn - the EXPN lookup is back */
static void on_expn(enum smtp_expn_result r, const char *const *members, size_t n,
		    bool truncated, void *arg)
{
	struct smtp_conn *c = arg;

	if (!conn_back(c))
		return;
	smtp_session_expn_done(c->s, r, members, n, truncated);
	conn_process(c);
}

/* on_sender - the may-send-as check is back */
static void on_sender(enum smtp_check_result r, void *arg)
{
	struct smtp_conn *c = arg;

	if (!conn_back(c))
		return;
	smtp_session_sender_done(c->s, r);
	conn_process(c);
}

/* on_auth_delay - the pause after a failed AUTH is over: answer it */
static void on_auth_delay(evutil_socket_t fd, short what, void *arg)
{
	struct smtp_conn *c = arg;

	if (!conn_back(c))
		return;
	smtp_session_auth_done(c->s, SMTP_AUTH_FAILED);
	conn_process(c);
}

/* on_login - the password check is back; a failure is answered after the delay */
static void on_login(enum smtp_auth_result r, int64_t account_id, const char *address,
		     void *arg)
{
	struct smtp_conn *c = arg;
	const char *user = smtp_session_auth_user(c->s);
	char q[LOG_QUOTE_MAX];

	if (r == SMTP_AUTH_LOCKED)
		log_warn("session=%s event=auth result=locked client=%s", c->id, c->peer);
	else
		log_info("session=%s event=auth user=%s result=%s", c->id,
			 log_quote(q, user != NULL ? user : "", user != NULL ? strlen(user) : 0),
			 r == SMTP_AUTH_OK ? "ok" : r == SMTP_AUTH_FAILED ? "failed" : "tempfail");
	if (r == SMTP_AUTH_FAILED) {
		struct timeval tv = { c->srv->cfg->auth_fail_delay_ms / 1000,
				      (c->srv->cfg->auth_fail_delay_ms % 1000) * 1000 };

		smtp_server_count(SMTP_METRIC_AUTH_FAILED, 1);
		evtimer_add(c->delay, &tv); /* still busy until it fires */
		return;
	}
	if (!conn_back(c))
		return;
	if (r == SMTP_AUTH_OK) {
		c->account_id = account_id;
		snprintf(c->account, sizeof(c->account), "%s", address);
		smtp_server_count(SMTP_METRIC_AUTH_OK, 1);
	}
	smtp_session_auth_done(c->s, r);
	conn_process(c);
}

/* conn_auth - check the password, unless this address is locked out: the failures are
 * counted in the store, so the lockout holds across every smtp-in replica */
static void conn_auth(struct smtp_conn *c)
{
	char client[STORE_AUTH_CLIENT_MAX + 1];
	struct smtp_store_lockout lockout = { client, c->srv->cfg->lockout_failures,
					      c->srv->cfg->lockout_window };

	if (smtp_session_auth_user(c->s) == NULL) {
		smtp_session_auth_done(c->s, SMTP_AUTH_FAILED);
		return;
	}
	snprintf(client, sizeof(client), "smtp:%s", c->peer);
	conn_busy(c);
	if (smtp_store_login(c->srv->pool, smtp_session_auth_user(c->s),
			     smtp_session_auth_password(c->s), &lockout, on_login, c) < 0) {
		c->busy = false;
		smtp_session_auth_done(c->s, SMTP_AUTH_TEMPFAIL);
	}
}

/* notify_bits - SMTP_NOTIFY_* to QUEUE_NOTIFY_* */
static unsigned notify_bits(unsigned n)
{
	return ((n & SMTP_NOTIFY_SUCCESS) ? QUEUE_NOTIFY_SUCCESS : 0) |
	       ((n & SMTP_NOTIFY_FAILURE) ? QUEUE_NOTIFY_FAILURE : 0) |
	       ((n & SMTP_NOTIFY_DELAY) ? QUEUE_NOTIFY_DELAY : 0) |
	       ((n & SMTP_NOTIFY_NEVER) ? QUEUE_NOTIFY_NEVER : 0);
}

/* conn_envelope - the queue_in job for the session's transaction; -1 if an address does
 * not fit the store's bounds */
static int conn_envelope(struct smtp_conn *c, const struct smtp_envelope *env)
{
	struct queue_in_job *j = &c->job;
	static const enum queue_listener listeners[] = {
		QUEUE_LISTENER_MX, QUEUE_LISTENER_SUBMISSION, QUEUE_LISTENER_SUBMISSIONS,
	};

	free(j->rcpts);
	memset(j, 0, sizeof(*j));
	if (smtp_address_mailbox(&env->mail->from, j->sender, sizeof(j->sender)) < 0)
		return -1;
	snprintf(j->client_ip, sizeof(j->client_ip), "%.*s", QUEUE_IP_MAX, c->peer);
	snprintf(j->helo, sizeof(j->helo), "%.*s", QUEUE_HELO_MAX, smtp_session_helo(c->s));
	j->auth_account_id = smtp_session_authenticated(c->s) ? c->account_id : 0;
	j->listener = listeners[c->kind];
	j->ret = env->mail->ret == SMTP_RET_FULL ? QUEUE_RET_FULL :
		 env->mail->ret == SMTP_RET_HDRS ? QUEUE_RET_HDRS : QUEUE_RET_UNSET;
	snprintf(j->envid, sizeof(j->envid), "%s", env->mail->envid);
	j->rcpts = calloc(env->rcpt_count, sizeof(*j->rcpts));
	if (j->rcpts == NULL)
		abort();
	j->nrcpts = env->rcpt_count;
	for (size_t i = 0; i < env->rcpt_count; i++) {
		if (smtp_address_mailbox(&env->rcpts[i].to, j->rcpts[i].address,
					 sizeof(j->rcpts[i].address)) < 0)
			return -1;
		snprintf(j->rcpts[i].orcpt, sizeof(j->rcpts[i].orcpt), "%s", env->rcpts[i].orcpt);
		j->rcpts[i].notify = notify_bits(env->rcpts[i].notify);
	}
	return 0;
}

/* conn_received - prepend the Received header (RFC 5321 4.4) to the body */
static int conn_received(struct smtp_conn *c, const struct smtp_envelope *env)
{
	char hdr[RECEIVED_MAX], tls[128] = "", rcpt[SMTP_ADDRESS_PATH_MAX + 3];
	unsigned char rnd[8];
	SSL *ssl = c->net != NULL ? net_conn_ssl(c->net) : NULL;
	struct smtp_received r = {
		.helo = smtp_session_helo(c->s), .client_ip = c->peer,
		.hostname = c->srv->cfg->session.hostname, .esmtp = smtp_session_esmtp(c->s),
		.tls = smtp_session_tls(c->s), .authenticated = smtp_session_authenticated(c->s),
		.smtputf8 = env->mail->smtputf8, .auth_user = c->account,
		.id = c->txid, .when = time(NULL),
	};
	int n;

	randombytes_buf(rnd, sizeof(rnd));
	sodium_bin2hex(c->txid, sizeof(c->txid), rnd, sizeof(rnd));
	if (ssl != NULL)
		r.tls_info = tls_describe(ssl, tls, sizeof(tls));
	if (env->rcpt_count == 1 && smtp_address_format(&env->rcpts[0].to, rcpt, sizeof(rcpt)) > 0)
		r.for_rcpt = rcpt;
	n = smtp_received_format(&r, hdr, sizeof(hdr));
	if (n < 0)
		return -1;
	return evbuffer_prepend(env->body, hdr, (size_t)n);
}

/* on_insert - the queue insert is back: 250 only if it committed, then the kick */
static void on_insert(int64_t id, const char *error, void *arg)
{
	struct smtp_conn *c = arg;
	struct smtp_envelope env;
	char qid[24], q[LOG_QUOTE_MAX];

	smtp_session_envelope(c->s, &env);
	if (id > 0) {
		smtp_server_count(SMTP_METRIC_ACCEPTED, 1);
		smtp_server_count(SMTP_METRIC_ACCEPTED_BYTES, (int64_t)evbuffer_get_length(env.body));
		log_info("session=%s event=queued id=%" PRId64 " txid=%s from=%s rcpts=%zu size=%zu",
			 c->id, id, c->txid, log_quote(q, c->job.sender, strlen(c->job.sender)),
			 c->job.nrcpts, evbuffer_get_length(env.body));
		/* a hint after the commit (DESIGN.md rule 4): mda polls if it is lost */
		if (c->srv->kick_push != NULL && bus_send_queue_kick(c->srv->kick_push, id, "smtp-in") < 0)
			log_warn("session=%s event=kick_dropped id=%" PRId64, c->id, id);
	} else {
		smtp_server_count(SMTP_METRIC_STORE_FAILED, 1);
		log_error("session=%s event=store_failed txid=%s error=%s", c->id, c->txid,
			  log_quote(q, error != NULL ? error : "", error != NULL ? strlen(error) : 0));
	}
	if (!conn_back(c))
		return;
	snprintf(qid, sizeof(qid), "%" PRId64, id);
	smtp_session_store_done(c->s, id > 0 ? qid : NULL);
	c->messages++;
	conn_process(c);
}

/* conn_store - Received header, envelope, and the insert on the pool */
static void conn_store(struct smtp_conn *c)
{
	struct smtp_envelope env;
	size_t len;
	const void *msg;

	smtp_session_envelope(c->s, &env);
	if (conn_envelope(c, &env) < 0 || conn_received(c, &env) < 0) {
		smtp_session_store_done(c->s, NULL);
		return;
	}
	len = evbuffer_get_length(env.body);
	msg = evbuffer_pullup(env.body, (ev_ssize_t)len);
	conn_busy(c);
	if (smtp_store_insert(c->srv->pool, &c->job, msg, len, on_insert, c) < 0) {
		c->busy = false;
		smtp_session_store_done(c->s, NULL);
	}
}

/* on_tls - the STARTTLS handshake ended */
static void on_tls(struct net_conn *net, bool ok, void *arg)
{
	struct smtp_conn *c = arg;

	c->tls_pending = false;
	if (!ok) {
		log_info("session=%s event=starttls result=failed", c->id);
		c->busy = false;
		return; /* the net layer closes; on_close frees */
	}
	if (!conn_back(c))
		return;
	smtp_session_tls_started(c->s);
	conn_process(c);
}

/* conn_starttls - RFC 3207: the 220 is queued; plaintext read after it is dropped */
static void conn_starttls(struct smtp_conn *c)
{
	const char *err;

	conn_busy(c);
	c->tls_pending = true;
	if (net_conn_starttls(c->net, on_tls, &err) < 0) {
		log_warn("session=%s event=starttls result=failed error=%s", c->id, err);
		c->busy = false;
		c->tls_pending = false;
		net_conn_close(c->net);
	}
}

/* conn_act - carry out one action of the session */
static void conn_act(struct smtp_conn *c, enum smtp_action a)
{
	switch (a) {
	case SMTP_ACTION_READ:
		return;
	case SMTP_ACTION_RCPT:
		conn_busy(c);
		if (smtp_store_rcpt(c->srv->pool, &smtp_session_rcpt(c->s)->to, on_rcpt, c) < 0) {
			c->busy = false;
			smtp_session_rcpt_done(c->s, SMTP_RCPT_TEMPFAIL);
		}
		return;
	case SMTP_ACTION_SENDER:
		conn_busy(c);
		if (smtp_store_sender(c->srv->pool, c->account_id, &smtp_session_mail(c->s)->from,
				      on_sender, c) < 0) {
			c->busy = false;
			smtp_session_sender_done(c->s, SMTP_CHECK_TEMPFAIL);
		}
		return;
	case SMTP_ACTION_EXPN:
		conn_busy(c);
		if (smtp_store_expn(c->srv->pool, smtp_session_expn_address(c->s), on_expn, c) < 0) {
			c->busy = false;
			smtp_session_expn_done(c->s, SMTP_EXPN_TEMPFAIL, NULL, 0, false);
		}
		return;
	case SMTP_ACTION_AUTH:
		conn_auth(c);
		return;
	case SMTP_ACTION_STORE:
		conn_store(c);
		return;
	case SMTP_ACTION_STARTTLS:
		conn_starttls(c);
		return;
	case SMTP_ACTION_CLOSE:
		net_conn_close(c->net);
		return;
	}
}

/* conn_process - run buffered input through the session until it waits */
static void conn_process(struct smtp_conn *c)
{
	while (c->net != NULL && !c->busy) {
		struct evbuffer *in = net_conn_input(c->net);
		size_t total = evbuffer_get_length(in), window = total < INPUT_WINDOW ? total : INPUT_WINDOW;
		const uint8_t *p = window > 0 ? evbuffer_pullup(in, (ev_ssize_t)window) :
				   (const uint8_t *)"";
		size_t used = 0;
		enum smtp_action a = smtp_session_input(c->s, p, window, &used);

		evbuffer_drain(in, used);
		conn_flush(c);
		if (a == SMTP_ACTION_CLOSE) {
			net_conn_close(c->net);
			return;
		}
		if (a != SMTP_ACTION_READ) {
			conn_act(c, a);
			conn_flush(c);
			continue;
		}
		if (used == 0 || evbuffer_get_length(in) == 0)
			return;
	}
}

/* conn_on_read - new bytes from the client */
static void conn_on_read(struct net_conn *net, void *arg)
{
	struct smtp_conn *c = arg;

	conn_idle_arm(c);
	conn_process(c);
}

/* conn_on_idle - the client said nothing for too long (RFC 5321 4.5.3.2) */
static void conn_on_idle(evutil_socket_t fd, short what, void *arg)
{
	struct smtp_conn *c = arg;

	if (c->net == NULL)
		return;
	if (c->busy) {
		conn_idle_arm(c); /* we are the slow one: wait for the store */
		return;
	}
	log_info("session=%s event=timeout", c->id);
	smtp_session_timeout(c->s);
	conn_flush(c);
	net_conn_close(c->net);
}

/* conn_goodbye - 421 4.3.2 and close: the server is stopping */
static void conn_goodbye(struct smtp_conn *c)
{
	log_info("session=%s event=shutdown_goodbye", c->id);
	smtp_session_shutdown(c->s);
	conn_flush(c);
	net_conn_close(c->net);
}

/* conn_on_close - the connection is gone; free now or when the job in flight returns */
static void conn_on_close(struct net_conn *net, enum net_close_reason reason, void *arg)
{
	struct smtp_conn *c = arg;
	static const char *const reasons[] = { "local", "eof", "timeout", "error" };

	log_info("session=%s event=disconnect reason=%s messages=%u", c->id,
		 reason <= NET_CLOSE_ERROR ? reasons[reason] : "other", c->messages);
	smtp_server_count(SMTP_METRIC_CONNECTIONS, -1);
	event_del(c->idle);
	c->net = NULL;
	if (evtimer_pending(c->delay, NULL)) {
		event_del(c->delay); /* nobody is left to hear the failed AUTH */
		c->busy = false;
	}
	if (c->tls_pending) {
		c->tls_pending = false; /* the handshake died with the connection */
		c->busy = false;
	}
	conn_free_if_done(c);
}

/* session_config - this connection's policy: listener, TLS, plaintext-password rule */
static void session_config(struct smtp_conn *c, struct smtp_session_config *sc)
{
	const struct smtp_config *cfg = c->srv->cfg;
	socklen_t len;
	const struct sockaddr *sa = net_conn_peer_addr(c->net, &len);

	*sc = cfg->session;
	sc->listener = c->kind;
	sc->tls = c->kind == SMTP_LISTENER_SUBMISSIONS;
	sc->starttls_available = !sc->tls && c->srv->tls_ctx != NULL;
	sc->plaintext_auth = sa != NULL && net_is_secure(cfg->plaintext_auth, false, sa);
}

/* smtp_conn_accept - a new client: session, timers, greeting */
void smtp_conn_accept(struct net_conn *net, void *arg)
{
	struct smtp_listener_ctx *lc = arg;
	struct smtp_conn *c = calloc(1, sizeof(*c));
	struct smtp_session_config sc;

	if (c == NULL)
		abort();
	c->srv = lc->srv;
	c->kind = lc->kind;
	c->net = net;
	snprintf(c->id, sizeof(c->id), "%s", net_conn_id(net));
	snprintf(c->peer, sizeof(c->peer), "%s", net_conn_peer(net));
	session_config(c, &sc);
	c->s = smtp_session_new(&sc);
	c->idle = evtimer_new(net_conn_base(net), conn_on_idle, c);
	c->delay = evtimer_new(net_conn_base(net), on_auth_delay, c);
	if (c->idle == NULL || c->delay == NULL)
		abort();
	smtp_server_count(SMTP_METRIC_CONNECTIONS, 1);
	log_info("session=%s event=connect client=%s listener=%s", c->id, c->peer,
		 c->kind == SMTP_LISTENER_MX ? "mx" :
		 c->kind == SMTP_LISTENER_SUBMISSION ? "submission" : "submissions");
	net_conn_set_callbacks(net, conn_on_read, conn_on_close, c);
	c->next = c->srv->conns;
	if (c->next != NULL)
		c->next->prev = c;
	c->srv->conns = c;
	c->srv->nconns++;
	conn_idle_arm(c);
	if (c->srv->draining) {
		/* accepted from the backlog while stopping: 421 instead of the greeting */
		evbuffer_drain(smtp_session_output(c->s), evbuffer_get_length(smtp_session_output(c->s)));
		conn_goodbye(c);
		return;
	}
	conn_flush(c);
}

/* smtp_conn_drain - mark every session; say goodbye to those with nothing under way */
void smtp_conn_drain(struct smtp_server *srv)
{
	srv->draining = true;
	for (struct smtp_conn *c = srv->conns; c != NULL; c = c->next) {
		if (c->net == NULL)
			continue;
		if (smtp_session_drain(c->s) && !c->busy &&
		    evbuffer_get_length(net_conn_input(c->net)) == 0)
			conn_goodbye(c);
	}
}

unsigned smtp_conn_live(const struct smtp_server *srv)
{
	return srv->nconns;
}
