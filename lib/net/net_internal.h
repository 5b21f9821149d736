/* net_internal.h - what the net files share and nobody else may touch */
#ifndef MERPATI_NET_INTERNAL_H
#define MERPATI_NET_INTERNAL_H

#include "net/net.h"
#include "net/proxy.h"

#include <stdint.h>

#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>

#define NET_CLOSE_FLUSH_TIMEOUT 30   /* seconds to send what is queued at close */

struct net_iplimit;

/* net_iplimit_new / _free - a table of connection counts per client address */
struct net_iplimit *net_iplimit_new(void);
void net_iplimit_free(struct net_iplimit **t);
/* net_iplimit_acquire - count one more for sa; false (not counted) when max is reached */
bool net_iplimit_acquire(struct net_iplimit *t, const struct sockaddr *sa, unsigned max);
/* net_iplimit_release - one connection of sa ended */
void net_iplimit_release(struct net_iplimit *t, const struct sockaddr *sa);

struct net_conn {
	struct event_base *base;
	struct net_listener *listener;   /* NULL for outgoing connections */
	struct bufferevent *bev;         /* NULL while reading a PROXY header */
	evutil_socket_t fd;
	bool fd_owned;                   /* plain bufferevents do not close the socket */
	SSL_CTX *tls_ctx;                /* for STARTTLS; NULL: not offered */
	enum net_plaintext_auth policy;

	bool tls;                        /* bytes travel under TLS (or will, handshaking) */
	bool handshaking;                /* STARTTLS handshake under way */
	bool swap_pending;               /* STARTTLS waits for the plaintext reply to drain */
	SSL *swap_ssl;                   /* the SSL the swap will use */
	enum bufferevent_ssl_state swap_state;
	bool closing;                    /* net_conn_close: flushing, then the end */
	bool ended;                      /* close callback ran or is running */
	bool connecting;                 /* outgoing, not yet connected */
	bool ip_counted;

	struct sockaddr_storage peer;
	socklen_t peer_len;
	char peer_str[NET_ADDR_MAX];
	char local_str[NET_ADDR_MAX];
	char id[NET_ID_MAX];

	net_read_cb read_cb;
	net_close_cb close_cb;
	net_tls_cb tls_cb;
	net_connect_cb connect_cb;
	void *arg;
	void *connect_arg;
	int read_timeout;
	int write_timeout;
	size_t max_input;

	struct event *task;              /* deferred work: TLS swap, end after flush */
	struct event *proxy_ev;          /* reading the PROXY header */
	uint8_t proxy_buf[PROXY_HEADER_MAX];
	size_t proxy_len;

	struct net_conn *prev, *next;    /* in the listener's list */
};

/* net_conn_new - a connection around a connected socket (no bufferevent yet) */
struct net_conn *net_conn_new(struct event_base *base, evutil_socket_t fd,
			      const struct sockaddr *peer, socklen_t peer_len);
/* net_conn_set_peer - replace the peer address (PROXY protocol) */
void net_conn_set_peer(struct net_conn *c, const struct sockaddr *peer, socklen_t len);
/* net_conn_start - create the bufferevent: plain, or TLS with ssl in the given state */
int net_conn_start(struct net_conn *c, SSL *ssl, enum bufferevent_ssl_state state);
/* net_conn_start_connect - begin connecting c->bev (a plain one made with fd -1) to sa */
int net_conn_start_connect(struct net_conn *c, const struct sockaddr *sa, socklen_t len);
/* net_conn_end - run the close callback once and free the connection */
void net_conn_end(struct net_conn *c, enum net_close_reason reason);

/* net_listener_conn_gone - a connection of l is being freed */
void net_listener_conn_gone(struct net_listener *l, struct net_conn *c);

#endif
