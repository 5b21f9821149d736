/* net_listener.c - accept connections: limits, the optional PROXY header, plain or TLS */
#include "net/net_internal.h"
#include "log/log.h"
#include "metrics/metrics.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/listener.h>

#define NET_BACKLOG 512
#define NET_PROXY_TIMEOUT 30   /* seconds to send the PROXY header when no read timeout */
#define NET_ACCEPT_PAUSE_MS 200 /* after accept() fails (out of descriptors): wait, retry */

struct net_listener {
	struct event_base *base;
	struct evconnlistener *ev;
	struct event *resume;          /* re-enables accepting after a failure */
	struct net_listener_opts opts;
	enum net_plaintext_auth policy;
	struct net_iplimit *ips;
	unsigned count;
	struct net_conn *conns;
};

/* count_refused - a connection turned away, by reason */
static void count_refused(const char *reason)
{
	char name[METRICS_NAME_MAX];

	snprintf(name, sizeof(name), "merpati_net_refused_total{reason=\"%s\"}", reason);
	metrics_counter_inc(metrics_counter(name, "Connections closed before the protocol began"));
}

/* open_gauge - connections open in this process */
static struct metrics_gauge *open_gauge(void)
{
	return metrics_gauge("merpati_net_connections_open", "Client connections open now");
}

/* drop - close a connection the protocol never saw (no callbacks ran) */
static void drop(struct net_conn *c, const char *reason)
{
	log_info("session=%s event=refused peer=%s reason=\"%s\"", c->id, c->peer_str, reason);
	count_refused(reason);
	net_conn_end(c, NET_CLOSE_ERROR);
}

/* admit - the client's address is known: check its limit, start I/O, tell the service */
static void admit(struct net_listener *l, struct net_conn *c)
{
	SSL *ssl = NULL;

	if (!net_iplimit_acquire(l->ips, (struct sockaddr *)&c->peer, l->opts.max_per_ip)) {
		drop(c, "per_ip_limit");
		return;
	}
	c->ip_counted = true;
	if (l->opts.implicit_tls && (ssl = SSL_new(l->opts.tls_ctx)) == NULL) {
		drop(c, "tls_session");
		return;
	}
	if (net_conn_start(c, ssl, BUFFEREVENT_SSL_ACCEPTING) < 0) {
		drop(c, "bufferevent");
		return;
	}
	metrics_counter_inc(metrics_counter("merpati_net_accepted_total",
					    "Client connections accepted"));
	log_debug("session=%s event=connect peer=%s tls=%d", c->id, c->peer_str, (int)c->tls);
	l->opts.accept_cb(c, l->opts.arg);
}

/* proxy_consume - take n header bytes off the socket (they were seen with MSG_PEEK) */
static int proxy_consume(struct net_conn *c, size_t n)
{
	ssize_t got = recv(c->fd, c->proxy_buf + c->proxy_len, n, 0);

	if (got != (ssize_t)n)
		return -1;
	c->proxy_len += n;
	return 0;
}

/* on_proxy - read the PROXY header without reading past it: peek, parse, consume exactly
 * the header; while the parser needs more, every byte so far is header and is consumed */
static void on_proxy(evutil_socket_t fd, short what, void *arg)
{
	struct net_conn *c = arg;
	struct proxy_header h;
	const char *error = "incomplete";
	ssize_t n, r;

	if (what & EV_TIMEOUT) {
		drop(c, "proxy_timeout");
		return;
	}
	n = recv(fd, c->proxy_buf + c->proxy_len, PROXY_HEADER_MAX - c->proxy_len, MSG_PEEK);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return;
	if (n <= 0) {
		drop(c, "proxy_eof");
		return;
	}
	r = proxy_parse(c->proxy_buf, c->proxy_len + (size_t)n, &h, &error);
	if (r < 0 || (r == 0 && c->proxy_len + (size_t)n == PROXY_HEADER_MAX) ||
	    proxy_consume(c, r == 0 ? (size_t)n : (size_t)r - c->proxy_len) < 0) {
		log_info("session=%s event=proxy_error reason=\"%s\"", c->id, error);
		drop(c, "proxy_header");
		return;
	}
	if (r == 0)
		return;
	if (!h.local)
		net_conn_set_peer(c, (struct sockaddr *)&h.src, h.src_len);
	event_free(c->proxy_ev);
	c->proxy_ev = NULL;
	admit(c->listener, c);
}

/* wait_proxy - watch the socket for the PROXY header, with a deadline */
static void wait_proxy(struct net_listener *l, struct net_conn *c)
{
	struct timeval tv = { l->opts.read_timeout > 0 ? l->opts.read_timeout
						       : NET_PROXY_TIMEOUT, 0 };

	c->proxy_ev = event_new(l->base, c->fd, EV_READ | EV_PERSIST, on_proxy, c);
	if (c->proxy_ev == NULL || event_add(c->proxy_ev, &tv) != 0)
		abort();
}

/* set_nodelay - send replies at once. A reply is often written in two parts (IMAP's
 * untagged data when a store job is done, then the tagged line; a TLS record, then the
 * next), and Nagle's algorithm (RFC 896) holds the second part until the client ACKs the
 * first, which a client with nothing to send delays by up to 40 ms (RFC 1122 4.2.3.2).
 * A failure only costs latency, so it is not an error. */
static void set_nodelay(evutil_socket_t fd, const struct sockaddr *sa)
{
	int one = 1;

	if (sa->sa_family == AF_INET || sa->sa_family == AF_INET6)
		(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

/* on_accept - a new socket: count it, then PROXY header or straight to admit */
static void on_accept(struct evconnlistener *ev, evutil_socket_t fd, struct sockaddr *sa,
		      int len, void *arg)
{
	struct net_listener *l = arg;
	struct net_conn *c;

	set_nodelay(fd, sa);
	c = net_conn_new(l->base, fd, sa, (socklen_t)len);

	c->listener = l;
	c->next = l->conns;
	if (l->conns != NULL)
		l->conns->prev = c;
	l->conns = c;
	l->count++;
	metrics_gauge_add(open_gauge(), 1);
	c->tls_ctx = l->opts.tls_ctx;
	c->policy = l->policy;
	c->read_timeout = l->opts.read_timeout;
	c->write_timeout = l->opts.write_timeout;
	if (l->opts.max_input > 0)
		c->max_input = l->opts.max_input;
	if (l->opts.max_conns > 0 && l->count > l->opts.max_conns)
		drop(c, "max_conns");
	else if (l->opts.proxy_protocol)
		wait_proxy(l, c);
	else
		admit(l, c);
}

/* on_resume - try accepting again */
static void on_resume(evutil_socket_t fd, short what, void *arg)
{
	struct net_listener *l = arg;

	if (l->ev != NULL)
		evconnlistener_enable(l->ev);
}

/* on_accept_error - accept() failed, typically EMFILE: the pending connection stays in the
 * backlog and would wake us again at once, so stop accepting for a moment */
static void on_accept_error(struct evconnlistener *ev, void *arg)
{
	struct net_listener *l = arg;
	struct timeval tv = { 0, NET_ACCEPT_PAUSE_MS * 1000 };

	log_warn("event=accept_error reason=\"%s\"",
		 evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR()));
	evconnlistener_disable(ev);
	evtimer_add(l->resume, &tv);
}

void net_listener_conn_gone(struct net_listener *l, struct net_conn *c)
{
	if (c->ip_counted)
		net_iplimit_release(l->ips, (struct sockaddr *)&c->peer);
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		l->conns = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	l->count--;
	metrics_gauge_add(open_gauge(), -1);
}

/* bind_socket - a listening socket for host:port; "" is every address, IPv6 and IPv4 */
static evutil_socket_t bind_socket(const struct config_listen *addr, const char **error_r)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_PASSIVE | AI_NUMERICSERV };
	struct addrinfo *res = NULL;
	const char *host = addr->host[0] != '\0' ? addr->host : "::";
	evutil_socket_t fd = -1;
	int one = 1, zero = 0;

	if (getaddrinfo(host, addr->port, &hints, &res) != 0 && addr->host[0] == '\0')
		getaddrinfo("0.0.0.0", addr->port, &hints, &res); /* no IPv6 here */
	if (res == NULL) {
		*error_r = "cannot resolve the listen address";
		return -1;
	}
	fd = socket(res->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd >= 0) {
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (res->ai_family == AF_INET6 && addr->host[0] == '\0')
			setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
		if (bind(fd, res->ai_addr, res->ai_addrlen) != 0) {
			*error_r = strerror(errno);
			close(fd);
			fd = -1;
		}
	} else {
		*error_r = strerror(errno);
	}
	freeaddrinfo(res);
	return fd;
}

struct net_listener *net_listener_new(struct event_base *base,
				      const struct config_listen *addr,
				      const struct net_listener_opts *opts,
				      const char **error_r)
{
	struct net_listener *l;
	evutil_socket_t fd;

	if (opts->accept_cb == NULL || (opts->implicit_tls && opts->tls_ctx == NULL)) {
		*error_r = "listener needs an accept callback, and a TLS context for implicit TLS";
		return NULL;
	}
	if ((fd = bind_socket(addr, error_r)) < 0)
		return NULL;
	l = calloc(1, sizeof(*l));
	if (l == NULL)
		abort();
	l->base = base;
	l->opts = *opts;
	l->policy = net_plaintext_auth_from_config();
	l->ips = net_iplimit_new();
	l->ev = evconnlistener_new(base, on_accept, l, LEV_OPT_CLOSE_ON_FREE, NET_BACKLOG, fd);
	l->resume = evtimer_new(base, on_resume, l);
	if (l->ev == NULL || l->resume == NULL) {
		*error_r = "listen failed";
		if (l->ev != NULL)
			evconnlistener_free(l->ev);
		else
			close(fd);
		if (l->resume != NULL)
			event_free(l->resume);
		net_iplimit_free(&l->ips);
		free(l);
		return NULL;
	}
	evconnlistener_set_error_cb(l->ev, on_accept_error);
	log_info("event=listen host=%s port=%d tls=%s proxy=%d", addr->host[0] ? addr->host : "*",
		 net_listener_port(l), opts->implicit_tls ? "implicit" :
		 opts->tls_ctx != NULL ? "starttls" : "none", (int)opts->proxy_protocol);
	return l;
}

int net_listener_port(const struct net_listener *l)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (l->ev == NULL ||
	    getsockname(evconnlistener_get_fd(l->ev), (struct sockaddr *)&ss, &len) != 0)
		return -1;
	if (ss.ss_family == AF_INET6)
		return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	return ntohs(((struct sockaddr_in *)&ss)->sin_port);
}

unsigned net_listener_count(const struct net_listener *l)
{
	return l->count;
}

void net_listener_stop_accepting(struct net_listener *l)
{
	evutil_socket_t fd;

	if (l == NULL || l->ev == NULL)
		return;
	evconnlistener_disable(l->ev);
	event_del(l->resume);
	fd = evconnlistener_get_fd(l->ev);
	/* at most a backlog's worth: the queue cannot hold more */
	for (int i = 0; i < NET_BACKLOG; i++) {
		struct sockaddr_storage ss;
		socklen_t len = sizeof(ss);
		evutil_socket_t nfd = accept4(fd, (struct sockaddr *)&ss, &len,
					      SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (nfd < 0)
			break; /* EAGAIN: the queue is empty */
		on_accept(l->ev, nfd, (struct sockaddr *)&ss, (int)len, l);
	}
	evconnlistener_free(l->ev); /* LEV_OPT_CLOSE_ON_FREE: closes the socket */
	l->ev = NULL;
}

void net_listener_free(struct net_listener **lp)
{
	struct net_listener *l = *lp;

	if (l == NULL)
		return;
	if (l->ev != NULL)
		evconnlistener_free(l->ev);
	event_free(l->resume);
	while (l->conns != NULL)
		net_conn_end(l->conns, NET_CLOSE_LOCAL);
	net_iplimit_free(&l->ips);
	free(l);
	*lp = NULL;
}
