/* net - listeners and connections over libevent bufferevents, plain or TLS (DESIGN.md 5).
 *
 * A service opens a listener per configured address and gets one struct net_conn per
 * client. The connection hides whether bytes travel in clear, under implicit TLS, or
 * under TLS started in the middle (STARTTLS/STLS); the protocol layer only reads lines
 * from net_conn_input() and writes replies with net_conn_write()/net_conn_printf().
 *
 *   static void on_accept(struct net_conn *c, void *arg)
 *   {
 *       struct session *s = session_new(c);
 *       net_conn_set_callbacks(c, on_read, on_close, s);
 *       net_conn_printf(c, "220 %s ESMTP\r\n", config_hostname());
 *   }
 *   struct net_listener_opts o = { .accept_cb = on_accept, .tls_ctx = ctx,
 *                                  .max_per_ip = 20, .read_timeout = 300 };
 *   config_listen("MERPATI_SMTP_LISTEN", ":25", &addr);
 *   l = net_listener_new(base, &addr, &o, &error);
 *
 * Ownership: the net layer owns each connection until its close callback has run; after
 * it returns the connection is freed. The session must drop its pointer there.
 */
#ifndef MERPATI_NET_H
#define MERPATI_NET_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <openssl/ssl.h>

#include "config/config.h"
#include "tls/tls.h"

#define NET_ADDR_MAX 64   /* textual IPv6 address with zone, NUL included */
#define NET_ID_MAX 17     /* 16 hex digits + NUL */

struct net_conn;
struct net_listener;

/* MERPATI_PLAINTEXT_AUTH (DESIGN.md section 6): where passwords may travel without TLS. */
enum net_plaintext_auth {
	NET_PLAINTEXT_AUTH_NEVER,
	NET_PLAINTEXT_AUTH_LOOPBACK, /* 127.0.0.0/8 and ::1 count as secure (default) */
	NET_PLAINTEXT_AUTH_ALWAYS,
};

/* Why a connection ended, as passed to the close callback. */
enum net_close_reason {
	NET_CLOSE_LOCAL,    /* net_conn_close() finished flushing */
	NET_CLOSE_EOF,      /* the peer closed */
	NET_CLOSE_TIMEOUT,  /* read or write timeout */
	NET_CLOSE_ERROR,    /* socket or TLS error */
};

typedef void (*net_accept_cb)(struct net_conn *conn, void *arg);
/* net_read_cb - new bytes are in net_conn_input(conn) */
typedef void (*net_read_cb)(struct net_conn *conn, void *arg);
/* net_close_cb - called exactly once; conn is freed when it returns */
typedef void (*net_close_cb)(struct net_conn *conn, enum net_close_reason reason, void *arg);
/* net_tls_cb - a STARTTLS handshake finished (ok) or failed (conn then closes) */
typedef void (*net_tls_cb)(struct net_conn *conn, bool ok, void *arg);

struct net_listener_opts {
	net_accept_cb accept_cb;
	void *arg;
	SSL_CTX *tls_ctx;        /* needed for implicit_tls and for STARTTLS; may be NULL */
	bool implicit_tls;       /* TLS from the first byte (465, 993, 995) */
	bool proxy_protocol;     /* require a PROXY v1/v2 header; drop connections without */
	unsigned max_conns;      /* 0: unlimited; over it new connections are closed */
	unsigned max_per_ip;     /* 0: unlimited; per client address (after PROXY) */
	int read_timeout;        /* seconds, 0: none; also bounds the wait for a PROXY header */
	int write_timeout;       /* seconds, 0: none */
	size_t max_input;        /* bound on unread input; 0: NET_DEFAULT_MAX_INPUT */
};

#define NET_DEFAULT_MAX_INPUT (1024 * 1024)

/* net_listener_new - listen on addr (IPv4 or IPv6, SO_REUSEADDR); NULL + *error_r */
struct net_listener *net_listener_new(struct event_base *base,
				      const struct config_listen *addr,
				      const struct net_listener_opts *opts,
				      const char **error_r);
/* net_listener_port - the bound port (useful when the configured port was 0) */
int net_listener_port(const struct net_listener *l);
/* net_listener_count - connections currently open on this listener */
unsigned net_listener_count(const struct net_listener *l);
/* net_listener_stop_accepting - the start of a graceful stop: take the connections the
 * kernel has already completed (their clients would otherwise get a reset), then close the
 * listening socket, so new clients are refused at connect and a proxy in front tries
 * another replica; open connections stay. Safe to call twice. */
void net_listener_stop_accepting(struct net_listener *l);
/* net_listener_free - stop accepting and close every connection (close callbacks run) */
void net_listener_free(struct net_listener **l);

/* net_conn_set_callbacks - where reads and the close go; call from the accept callback */
void net_conn_set_callbacks(struct net_conn *c, net_read_cb read_cb, net_close_cb close_cb,
			    void *arg);
/* net_conn_input - bytes received and not yet consumed; drain what you parse */
struct evbuffer *net_conn_input(struct net_conn *c);
/* net_conn_write - queue bytes for the peer; -1 if the connection is closing, or while a
 * STARTTLS upgrade waits for its plaintext reply to go out (nothing may follow it in clear) */
int net_conn_write(struct net_conn *c, const void *data, size_t len);
int net_conn_printf(struct net_conn *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* net_conn_output_len - bytes queued and not yet sent (for back-pressure) */
size_t net_conn_output_len(struct net_conn *c);
/* net_conn_pause / net_conn_resume - stop and restart reading (e.g. while the store works) */
void net_conn_pause(struct net_conn *c);
void net_conn_resume(struct net_conn *c);
/* net_conn_set_timeouts - seconds; 0 disables */
void net_conn_set_timeouts(struct net_conn *c, int read_timeout, int write_timeout);

/* net_conn_starttls - begin TLS on a plain connection after the "go ahead" reply has been
 * queued (RFC 3207 section 4, RFC 2595 section 4, RFC 3501 6.2.1). Every byte the client
 * sent after the command and before the handshake is discarded (RFC 3207 section 5:
 * a plaintext command injected there must never run as if sent under TLS), so the
 * caller must stop parsing the current input when this returns. done_cb tells when the
 * handshake succeeded; until then reads are not delivered. -1 if TLS is not available
 * on this connection or already active. */
int net_conn_starttls(struct net_conn *c, net_tls_cb done_cb, const char **error_r);
/* net_conn_can_starttls - a TLS context is configured and TLS is not yet active */
bool net_conn_can_starttls(const struct net_conn *c);

/* net_conn_close - stop reading, send what is queued, then close; the close callback
 * runs with NET_CLOSE_LOCAL afterwards (never from inside this call) */
void net_conn_close(struct net_conn *c);

/* net_conn_is_tls - TLS is active (implicit or after STARTTLS, handshake done) */
bool net_conn_is_tls(const struct net_conn *c);
/* net_conn_is_secure - passwords may be accepted here under MERPATI_PLAINTEXT_AUTH */
bool net_conn_is_secure(const struct net_conn *c);
/* net_conn_ssl - the SSL object when TLS is active, else NULL */
SSL *net_conn_ssl(const struct net_conn *c);
/* net_conn_peer - the client's address as text ("192.0.2.1", "2001:db8::1") */
const char *net_conn_peer(const struct net_conn *c);
/* net_conn_peer_addr - the client's address (after PROXY, the real client) */
const struct sockaddr *net_conn_peer_addr(const struct net_conn *c, socklen_t *len_r);
/* net_conn_local - the address the client connected to, as text */
const char *net_conn_local(const struct net_conn *c);
/* net_conn_id - a random 16-hex-digit id for logs ("session=...") */
const char *net_conn_id(const struct net_conn *c);
/* net_conn_base - the event loop this connection runs on */
struct event_base *net_conn_base(const struct net_conn *c);

/* net_plaintext_auth_from_config - MERPATI_PLAINTEXT_AUTH (exit 2 on a bad value) */
enum net_plaintext_auth net_plaintext_auth_from_config(void);
/* net_is_secure - the pure rule behind net_conn_is_secure */
bool net_is_secure(enum net_plaintext_auth policy, bool tls, const struct sockaddr *peer);
/* net_addr_is_loopback - 127.0.0.0/8, ::1 and ::ffff:127.0.0.0/104 */
bool net_addr_is_loopback(const struct sockaddr *sa);
/* net_addr_format - address (without port) as text into buf[NET_ADDR_MAX] */
const char *net_addr_format(const struct sockaddr *sa, char buf[NET_ADDR_MAX]);

/* Outgoing connections (smtp-out). */

/* net_connect_cb - conn is connected, or NULL on failure with a reason */
typedef void (*net_connect_cb)(struct net_conn *conn, const char *error, void *arg);

/* net_connect - connect to addr:port (numeric address), giving up after timeout seconds;
 * the callback runs once. The connection starts in clear (net_conn_starttls_client
 * upgrades it); give it callbacks with net_conn_set_callbacks and end it with
 * net_conn_close like any other, it is freed after its close callback. */
int net_connect(struct event_base *base, const char *addr, int port, int timeout,
		net_connect_cb cb, void *arg, const char **error_r);
/* net_conn_starttls_client - start TLS as the client (after the server's 220), with SNI
 * host; verify as tls_client_ssl_new says; done_cb reports the handshake's outcome */
int net_conn_starttls_client(struct net_conn *c, SSL_CTX *ctx, const char *host,
			     enum tls_verify verify, net_tls_cb done_cb, const char **error_r);

#endif
