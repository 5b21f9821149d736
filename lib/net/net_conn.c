/* net_conn.c - one connection: a bufferevent on a socket, plain or TLS, and its lifecycle.
 *
 * The bufferevent always sits directly on the socket (bufferevent_socket_new or
 * bufferevent_openssl_socket_new), never on a filter: STARTTLS replaces the plain one by a
 * TLS one once the "go ahead" reply has reached the kernel. Nothing the plain bufferevent
 * had read survives the swap, so plaintext pipelined after STARTTLS is discarded (RFC 3207
 * section 5), and closing only has to wait for one output buffer to drain. */
#include "net/net_internal.h"
#include "log/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/rand.h>

static void conn_on_read(struct bufferevent *bev, void *arg);
static void conn_on_write(struct bufferevent *bev, void *arg);
static void conn_on_event(struct bufferevent *bev, short what, void *arg);

/* conn_on_task - deferred work, run from the loop and never inside a caller's call */
static void conn_on_task(evutil_socket_t fd, short what, void *arg)
{
	struct net_conn *c = arg;

	if (c->swap_pending && evbuffer_get_length(bufferevent_get_output(c->bev)) == 0) {
		c->swap_pending = false;
		bufferevent_free(c->bev);   /* the plain one; its unread input goes with it */
		c->bev = NULL;
		if (net_conn_start(c, c->swap_ssl, c->swap_state) < 0) {
			net_conn_end(c, NET_CLOSE_ERROR);
			return;
		}
		c->swap_ssl = NULL;
	}
	if (c->closing && (c->bev == NULL ||
			   evbuffer_get_length(bufferevent_get_output(c->bev)) == 0))
		net_conn_end(c, NET_CLOSE_LOCAL);
}

struct net_conn *net_conn_new(struct event_base *base, evutil_socket_t fd,
			      const struct sockaddr *peer, socklen_t peer_len)
{
	struct net_conn *c = calloc(1, sizeof(*c));
	uint8_t id[8];

	if (c == NULL)
		abort();
	c->base = base;
	c->fd = fd;
	c->fd_owned = true;
	c->max_input = NET_DEFAULT_MAX_INPUT;
	c->task = event_new(base, -1, 0, conn_on_task, c);
	if (c->task == NULL)
		abort();
	if (RAND_bytes(id, sizeof(id)) != 1)
		abort();
	for (size_t i = 0; i < sizeof(id); i++)
		snprintf(c->id + 2 * i, 3, "%02x", id[i]);
	if (peer != NULL)
		net_conn_set_peer(c, peer, peer_len);
	return c;
}

void net_conn_set_peer(struct net_conn *c, const struct sockaddr *peer, socklen_t len)
{
	if (len > sizeof(c->peer))
		len = sizeof(c->peer);
	memcpy(&c->peer, peer, len);
	c->peer_len = len;
	net_addr_format((const struct sockaddr *)&c->peer, c->peer_str);
}

/* conn_set_local - the address the socket is bound to, as text */
static void conn_set_local(struct net_conn *c)
{
	struct sockaddr_storage local;
	socklen_t len = sizeof(local);

	if (c->fd >= 0 && getsockname(c->fd, (struct sockaddr *)&local, &len) == 0)
		net_addr_format((struct sockaddr *)&local, c->local_str);
}

int net_conn_start(struct net_conn *c, SSL *ssl, enum bufferevent_ssl_state state)
{

	if (ssl == NULL) {
		c->bev = bufferevent_socket_new(c->base, c->fd, 0);
	} else {
		/* TLS takes the socket over: libevent closes it and frees the SSL. */
		c->bev = bufferevent_openssl_socket_new(c->base, c->fd, ssl, state,
							BEV_OPT_CLOSE_ON_FREE);
		if (c->bev == NULL)
			SSL_free(ssl);
		else {
			c->fd_owned = false;
			c->tls = true;
			bufferevent_openssl_set_allow_dirty_shutdown(c->bev, 1);
		}
	}
	if (c->bev == NULL)
		return -1;
	conn_set_local(c);
	bufferevent_setcb(c->bev, conn_on_read, conn_on_write, conn_on_event, c);
	bufferevent_setwatermark(c->bev, EV_READ, 0, c->max_input);
	net_conn_set_timeouts(c, c->read_timeout, c->write_timeout);
	bufferevent_enable(c->bev, c->closing ? EV_WRITE : EV_READ | EV_WRITE);
	return 0;
}

int net_conn_start_connect(struct net_conn *c, const struct sockaddr *sa, socklen_t len)
{
	/* Callbacks only after the call: when connect() fails at once, libevent runs the
	 * event callback from inside bufferevent_socket_connect and also returns -1, and
	 * the failure must be handled once, by our caller. Later outcomes come from the loop. */
	if (bufferevent_socket_connect(c->bev, sa, (int)len) < 0)
		return -1;
	bufferevent_setcb(c->bev, conn_on_read, conn_on_write, conn_on_event, c);
	bufferevent_enable(c->bev, EV_READ | EV_WRITE);
	return 0;
}

/* conn_free - release everything; the close callback has run (or never will) */
static void conn_free(struct net_conn *c)
{
	if (c->listener != NULL)
		net_listener_conn_gone(c->listener, c);
	if (c->proxy_ev != NULL)
		event_free(c->proxy_ev);
	event_free(c->task);
	if (c->bev != NULL)
		bufferevent_free(c->bev);
	if (c->swap_ssl != NULL)
		SSL_free(c->swap_ssl);
	if (c->fd_owned && c->fd >= 0)
		evutil_closesocket(c->fd);
	free(c);
}

void net_conn_end(struct net_conn *c, enum net_close_reason reason)
{
	static const char *const reasons[] = { "local", "eof", "timeout", "error" };

	if (c->ended)
		return;
	c->ended = true;
	log_debug("session=%s event=disconnect reason=%s", c->id, reasons[reason]);
	/* Our own clean close ends TLS with close_notify (RFC 8446 6.1); what was queued
	 * has been sent, so the alert goes straight to the socket. */
	if (reason == NET_CLOSE_LOCAL && c->tls && !c->handshaking && c->bev != NULL)
		SSL_shutdown(bufferevent_openssl_get_ssl(c->bev));
	if (c->close_cb != NULL)
		c->close_cb(c, reason, c->arg);
	conn_free(c);
}

/* conn_on_read - hand new bytes to the protocol layer */
static void conn_on_read(struct bufferevent *bev, void *arg)
{
	struct net_conn *c = arg;

	if (c->closing || c->swap_pending || c->ended || c->connecting || c->read_cb == NULL)
		return;
	c->read_cb(c, c->arg);
}

/* conn_on_write - the output drained: a pending TLS swap or close may proceed */
static void conn_on_write(struct bufferevent *bev, void *arg)
{
	struct net_conn *c = arg;

	if (c->swap_pending || c->closing)
		event_active(c->task, EV_TIMEOUT, 0);
}

/* log_tls_error - why a TLS connection failed, for the logs */
static void log_tls_error(struct net_conn *c)
{
	unsigned long e;
	char buf[256];

	while ((e = bufferevent_get_openssl_error(c->bev)) != 0) {
		ERR_error_string_n(e, buf, sizeof(buf));
		log_info("session=%s event=tls_error peer=%s reason=\"%s\"", c->id, c->peer_str,
			 buf);
	}
}

/* conn_on_connected - handshake done (TLS) or outgoing connection established */
static void conn_on_connected(struct net_conn *c)
{
	if (c->connecting) {
		c->connecting = false;
		c->fd = bufferevent_getfd(c->bev);
		conn_set_local(c);
		net_conn_set_timeouts(c, 0, 0);
		c->connect_cb(c, NULL, c->connect_arg);
		/* The server's first bytes may have been read in the same loop pass, before
		 * this event, when there was no read callback yet: hand them over now. */
		if (evbuffer_get_length(bufferevent_get_input(c->bev)) > 0)
			bufferevent_trigger(c->bev, EV_READ, BEV_TRIG_DEFER_CALLBACKS);
		return;
	}
	if (c->handshaking) {
		c->handshaking = false;
		if (c->tls_cb != NULL)
			c->tls_cb(c, true, c->arg);
	}
}

/* conn_on_event - connected, end of stream, timeout or error */
static void conn_on_event(struct bufferevent *bev, short what, void *arg)
{
	struct net_conn *c = arg;
	enum net_close_reason reason = NET_CLOSE_ERROR;

	if (what & BEV_EVENT_CONNECTED) {
		conn_on_connected(c);
		return;
	}
	if (what & BEV_EVENT_EOF)
		reason = NET_CLOSE_EOF;
	else if (what & BEV_EVENT_TIMEOUT)
		reason = NET_CLOSE_TIMEOUT;
	if (c->tls)
		log_tls_error(c);
	if (c->connecting) {
		c->connecting = false;
		c->connect_cb(NULL, reason == NET_CLOSE_TIMEOUT ? "timeout" : "connect failed",
			      c->connect_arg);
		c->ended = true;
		c->fd = bufferevent_getfd(c->bev);
		conn_free(c);
		return;
	}
	if (c->handshaking) {
		c->handshaking = false;
		if (c->tls_cb != NULL)
			c->tls_cb(c, false, c->arg);
	}
	net_conn_end(c, reason);
}

void net_conn_set_callbacks(struct net_conn *c, net_read_cb read_cb, net_close_cb close_cb,
			    void *arg)
{
	c->read_cb = read_cb;
	c->close_cb = close_cb;
	c->arg = arg;
}

struct evbuffer *net_conn_input(struct net_conn *c)
{
	return bufferevent_get_input(c->bev);
}

int net_conn_write(struct net_conn *c, const void *data, size_t len)
{
	/* While STARTTLS waits to swap, a write would leave in clear after the reply. */
	if (c->closing || c->ended || c->swap_pending)
		return -1;
	return bufferevent_write(c->bev, data, len) == 0 ? 0 : -1;
}

int net_conn_printf(struct net_conn *c, const char *fmt, ...)
{
	va_list ap;
	int rc;

	if (c->closing || c->ended || c->swap_pending)
		return -1;
	va_start(ap, fmt);
	rc = evbuffer_add_vprintf(bufferevent_get_output(c->bev), fmt, ap);
	va_end(ap);
	return rc < 0 ? -1 : 0;
}

size_t net_conn_output_len(struct net_conn *c)
{
	return evbuffer_get_length(bufferevent_get_output(c->bev));
}

void net_conn_pause(struct net_conn *c)
{
	bufferevent_disable(c->bev, EV_READ);
}

void net_conn_resume(struct net_conn *c)
{
	if (c->closing || c->swap_pending || c->ended)
		return;
	bufferevent_enable(c->bev, EV_READ);
	/* Bytes already buffered raise no new read event: deliver them now, from the loop. */
	if (evbuffer_get_length(bufferevent_get_input(c->bev)) > 0)
		bufferevent_trigger(c->bev, EV_READ, BEV_TRIG_DEFER_CALLBACKS);
}

void net_conn_set_timeouts(struct net_conn *c, int read_timeout, int write_timeout)
{
	struct timeval r = { read_timeout, 0 }, w = { write_timeout, 0 };

	c->read_timeout = read_timeout;
	c->write_timeout = write_timeout;
	if (c->bev != NULL)
		bufferevent_set_timeouts(c->bev, read_timeout > 0 ? &r : NULL,
					 write_timeout > 0 ? &w : NULL);
}

/* begin_swap - stop reading, drop what was read, and swap once the reply has drained */
static void begin_swap(struct net_conn *c, SSL *ssl, enum bufferevent_ssl_state state,
		       net_tls_cb done_cb)
{
	struct evbuffer *in = bufferevent_get_input(c->bev);

	if (evbuffer_get_length(in) > 0)
		log_info("session=%s event=starttls_discard bytes=%zu peer=%s", c->id,
			 evbuffer_get_length(in), c->peer_str);
	evbuffer_drain(in, evbuffer_get_length(in));
	bufferevent_disable(c->bev, EV_READ);
	c->swap_pending = true;
	c->swap_ssl = ssl;
	c->swap_state = state;
	c->handshaking = true;
	c->tls_cb = done_cb;
	event_active(c->task, EV_TIMEOUT, 0);
}

int net_conn_starttls(struct net_conn *c, net_tls_cb done_cb, const char **error_r)
{
	SSL *ssl;

	if (!net_conn_can_starttls(c)) {
		*error_r = "TLS not available or already active";
		return -1;
	}
	if ((ssl = SSL_new(c->tls_ctx)) == NULL) {
		*error_r = "cannot create the TLS session";
		return -1;
	}
	begin_swap(c, ssl, BUFFEREVENT_SSL_ACCEPTING, done_cb);
	return 0;
}

int net_conn_starttls_client(struct net_conn *c, SSL_CTX *ctx, const char *host,
			     enum tls_verify verify, net_tls_cb done_cb, const char **error_r)
{
	SSL *ssl;

	if (c->tls || c->swap_pending || c->closing || c->ended) {
		*error_r = "TLS already active or connection closing";
		return -1;
	}
	if ((ssl = tls_client_ssl_new(ctx, host, verify)) == NULL) {
		*error_r = "cannot create the TLS session";
		return -1;
	}
	begin_swap(c, ssl, BUFFEREVENT_SSL_CONNECTING, done_cb);
	return 0;
}

bool net_conn_can_starttls(const struct net_conn *c)
{
	return c->tls_ctx != NULL && !c->tls && !c->swap_pending && !c->closing && !c->ended;
}

void net_conn_close(struct net_conn *c)
{
	if (c->closing || c->ended)
		return;
	c->closing = true;
	/* A peer that stops reading must not keep a closing connection forever. */
	if (c->write_timeout == 0)
		net_conn_set_timeouts(c, c->read_timeout, NET_CLOSE_FLUSH_TIMEOUT);
	if (c->bev != NULL)
		bufferevent_disable(c->bev, EV_READ);
	event_active(c->task, EV_TIMEOUT, 0);
}

bool net_conn_is_tls(const struct net_conn *c)
{
	return c->tls && !c->handshaking;
}

bool net_conn_is_secure(const struct net_conn *c)
{
	return net_is_secure(c->policy, net_conn_is_tls(c), (const struct sockaddr *)&c->peer);
}

SSL *net_conn_ssl(const struct net_conn *c)
{
	return net_conn_is_tls(c) ? bufferevent_openssl_get_ssl(c->bev) : NULL;
}

const char *net_conn_peer(const struct net_conn *c)
{
	return c->peer_str;
}

const struct sockaddr *net_conn_peer_addr(const struct net_conn *c, socklen_t *len_r)
{
	*len_r = c->peer_len;
	return (const struct sockaddr *)&c->peer;
}

const char *net_conn_local(const struct net_conn *c)
{
	return c->local_str;
}

const char *net_conn_id(const struct net_conn *c)
{
	return c->id;
}

struct event_base *net_conn_base(const struct net_conn *c)
{
	return c->base;
}
