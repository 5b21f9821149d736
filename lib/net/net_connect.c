/* net_connect.c - outgoing connections (smtp-out), plain until STARTTLS */
#include "net/net_internal.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

/* parse_numeric - addr (IPv4 or IPv6 literal) and port into a sockaddr */
static int parse_numeric(const char *addr, int port, struct sockaddr_storage *ss,
			 socklen_t *len_r)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

	if (port <= 0 || port > 65535)
		return -1;
	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, addr, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)port);
		*len_r = sizeof(*sin);
		return 0;
	}
	if (inet_pton(AF_INET6, addr, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)port);
		*len_r = sizeof(*sin6);
		return 0;
	}
	return -1;
}

int net_connect(struct event_base *base, const char *addr, int port, int timeout,
		net_connect_cb cb, void *arg, const char **error_r)
{
	struct sockaddr_storage ss;
	socklen_t len;
	struct net_conn *c;

	if (parse_numeric(addr, port, &ss, &len) < 0) {
		*error_r = "not a numeric address and port";
		return -1;
	}
	c = net_conn_new(base, -1, (struct sockaddr *)&ss, len);
	c->policy = NET_PLAINTEXT_AUTH_NEVER;
	c->connecting = true;
	c->connect_cb = cb;
	c->connect_arg = arg;
	c->bev = bufferevent_socket_new(base, -1, 0);
	if (c->bev == NULL) {
		*error_r = "cannot create the connection";
		net_conn_end(c, NET_CLOSE_ERROR);
		return -1;
	}
	bufferevent_setwatermark(c->bev, EV_READ, 0, c->max_input);
	net_conn_set_timeouts(c, timeout, timeout); /* the write timeout bounds connect() */
	if (net_conn_start_connect(c, (struct sockaddr *)&ss, len) < 0) {
		*error_r = "connect failed";
		c->fd = bufferevent_getfd(c->bev);
		net_conn_end(c, NET_CLOSE_ERROR);
		return -1;
	}
	return 0;
}
