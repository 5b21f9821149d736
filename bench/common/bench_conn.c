/* bench_conn - the connection of a bench/ load client over libevent bufferevents. */
#include "bench_conn.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <event2/buffer.h>

static void conn_session(struct bench_conn *c);

void bench_conn_close(struct bench_conn *c)
{
	if (c->bev != NULL) {
		bufferevent_free(c->bev);
		c->bev = NULL;
	}
}

/* conn_finish - this client starts no more sessions; the loop ends with the last one */
static void conn_finish(struct bench_conn *c)
{
	bench_conn_close(c);
	if (!c->done) {
		c->done = true;
		if (--c->run->active == 0)
			event_base_loopexit(c->run->base, NULL);
	}
}

/* conn_next_session - after a session ends: another one, or finish */
static void conn_next_session(struct bench_conn *c)
{
	bench_conn_close(c);
	if (bench_run_past_deadline(c->run) || c->run->errors >= c->run->max_errors)
		conn_finish(c);
	else
		conn_session(c);
}

void bench_conn_session_end(struct bench_conn *c)
{
	c->run->sessions++;
	conn_next_session(c);
}

void bench_conn_error(struct bench_conn *c, const char *what, const char *line)
{
	c->run->errors++;
	fprintf(stderr, "%s: %s: %s%s%.80s\n", c->run->program, c->user, what,
		line != NULL ? ": " : "", line != NULL ? line : "");
	conn_next_session(c);
}

void bench_conn_sendf(struct bench_conn *c, const char *fmt, ...)
{
	struct evbuffer *out = bufferevent_get_output(c->bev);
	va_list ap;

	va_start(ap, fmt);
	evbuffer_add_vprintf(out, fmt, ap);
	va_end(ap);
	evbuffer_add(out, "\r\n", 2);
}

void bench_conn_literal(struct bench_conn *c, size_t len)
{
	c->literal_left = len;
}

/* conn_skip_literal - drop what has arrived of a literal; true when it is all gone */
static bool conn_skip_literal(struct bench_conn *c, struct evbuffer *in)
{
	size_t have = evbuffer_get_length(in);
	size_t n = have < c->literal_left ? have : c->literal_left;

	evbuffer_drain(in, n);
	c->literal_left -= n;
	return c->literal_left == 0;
}

/* conn_read - literal bytes and every complete line; a line over the bound is an error */
static void conn_read(struct bufferevent *bev, void *arg)
{
	struct bench_conn *c = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	size_t len;
	char *line;

	for (;;) {
		if (c->literal_left > 0 && !conn_skip_literal(c, in))
			return;
		line = evbuffer_readln(in, &len, EVBUFFER_EOL_CRLF);
		if (line == NULL)
			break;
		bool more = c->ops->line(c->owner, line, len);

		free(line);
		if (!more)
			return;
	}
	if (evbuffer_get_length(in) > BENCH_LINE_MAX)
		bench_conn_error(c, "line too long", NULL);
}

/* conn_event - connection established, closed or failed */
static void conn_event(struct bufferevent *bev, short what, void *arg)
{
	struct bench_conn *c = arg;

	(void)bev;
	if (what & BEV_EVENT_CONNECTED)
		return;
	bench_conn_error(c, (what & BEV_EVENT_EOF) ? "connection closed" : "connection error",
			 evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR()));
}

/* conn_session - connect and let the protocol wait for the greeting */
static void conn_session(struct bench_conn *c)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(c->run->port) };

	if (inet_pton(AF_INET, c->run->host, &sin.sin_addr) != 1) {
		c->run->errors++;
		conn_finish(c);
		return;
	}
	c->bev = bufferevent_socket_new(c->run->base, -1, BEV_OPT_CLOSE_ON_FREE);
	if (c->bev == NULL) {
		conn_finish(c);
		return;
	}
	c->literal_left = 0;
	c->ops->session(c->owner);
	bufferevent_setcb(c->bev, conn_read, NULL, conn_event, c);
	bufferevent_enable(c->bev, EV_READ | EV_WRITE);
	if (bufferevent_socket_connect(c->bev, (struct sockaddr *)&sin, sizeof(sin)) != 0)
		bench_conn_error(c, "connect failed", strerror(errno));
}

bool bench_conn_init(struct bench_conn *c, struct bench_run *run, const char *user,
		     const struct bench_conn_ops *ops, void *owner)
{
	int n = snprintf(c->user, sizeof(c->user), "%s", user);

	if (n < 0 || (size_t)n >= sizeof(c->user))
		return false;
	c->run = run;
	c->bev = NULL;
	c->ops = ops;
	c->owner = owner;
	c->literal_left = 0;
	c->done = false;
	return true;
}

void bench_conn_free(struct bench_conn **cp)
{
	if (*cp == NULL)
		return;
	bench_conn_close(*cp);
	free((*cp)->owner);
	*cp = NULL;
}

void bench_conn_start(struct bench_conn *c)
{
	c->run->active++;
	conn_session(c);
}
