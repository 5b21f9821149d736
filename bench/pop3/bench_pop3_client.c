/* bench_pop3_client - the per-connection state machine of merpati-bench-pop3. */
#include "bench_pop3_client.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>

enum bench_pop3_state {
	ST_GREETING, ST_USER, ST_PASS, ST_LIST, ST_LIST_BODY, ST_UIDL, ST_UIDL_BODY,
	ST_RETR, ST_RETR_BODY, ST_QUIT, ST_DONE,
};

struct bench_pop3_client {
	struct bench_pop3_run *run;
	struct bufferevent *bev;
	char user[BENCH_POP3_NAME_MAX];
	enum bench_pop3_state state;
	unsigned listed;            /* messages in the LIST answer */
	unsigned next;              /* next message number to RETR */
	uint64_t msg_bytes;         /* bytes of the message being retrieved */
};

static void client_session(struct bench_pop3_client *c);

/* past_deadline - true once the run's time is up */
static bool past_deadline(const struct bench_pop3_run *run)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec > run->deadline.tv_sec ||
	       (now.tv_sec == run->deadline.tv_sec && now.tv_nsec >= run->deadline.tv_nsec);
}

/* client_finish - this client starts no more sessions; the loop ends with the last one */
static void client_finish(struct bench_pop3_client *c)
{
	if (c->bev != NULL) {
		bufferevent_free(c->bev);
		c->bev = NULL;
	}
	if (c->state != ST_DONE) {
		c->state = ST_DONE;
		if (--c->run->active == 0)
			event_base_loopexit(c->run->base, NULL);
	}
}

/* client_next_session - after a session ends: another one, or finish */
static void client_next_session(struct bench_pop3_client *c)
{
	if (c->bev != NULL) {
		bufferevent_free(c->bev);
		c->bev = NULL;
	}
	if (past_deadline(c->run) || c->run->errors >= c->run->max_errors)
		client_finish(c);
	else
		client_session(c);
}

/* client_error - count a failure and start over */
static void client_error(struct bench_pop3_client *c, const char *what, const char *line)
{
	c->run->errors++;
	fprintf(stderr, "merpati-bench-pop3: %s: %s%s%.80s\n", c->user, what,
		line != NULL ? ": " : "", line != NULL ? line : "");
	client_next_session(c);
}

/* client_send - queue one command line (CRLF added) */
static void client_send(struct bench_pop3_client *c, enum bench_pop3_state next,
			const char *verb, const char *arg)
{
	evbuffer_add_printf(bufferevent_get_output(c->bev), "%s%s%s\r\n", verb,
			    arg != NULL ? " " : "", arg != NULL ? arg : "");
	c->state = next;
}

/* client_retr_next - RETR the next message, or QUIT when all are retrieved or time is up */
static void client_retr_next(struct bench_pop3_client *c)
{
	char num[16];

	if (c->next > c->listed || past_deadline(c->run)) {
		client_send(c, ST_QUIT, "QUIT", NULL);
		return;
	}
	snprintf(num, sizeof(num), "%u", c->next);
	c->msg_bytes = 0;
	client_send(c, ST_RETR, "RETR", num);
}

/* client_status - a status line in a state that waits for one; false after an error */
static bool client_status(struct bench_pop3_client *c, const char *line)
{
	if (strncmp(line, "+OK", 3) == 0)
		return true;
	client_error(c, "refused", line);
	return false;
}

/* client_body_line - one line of a multi-line answer (RFC 1939 3); true at its end */
static bool client_body_line(struct bench_pop3_client *c, const char *line, size_t len)
{
	if (len == 1 && line[0] == '.')
		return true;
	if (c->state == ST_LIST_BODY)
		c->listed++;
	else if (c->state == ST_RETR_BODY)
		c->msg_bytes += len + 2;
	return false;
}

/* client_line - advance the state machine by one server line; false when it stopped */
static bool client_line(struct bench_pop3_client *c, const char *line, size_t len)
{
	switch (c->state) {
	case ST_GREETING:
		if (!client_status(c, line))
			return false;
		client_send(c, ST_USER, "USER", c->user);
		return true;
	case ST_USER:
		if (!client_status(c, line))
			return false;
		client_send(c, ST_PASS, "PASS", c->run->password);
		return true;
	case ST_PASS:
		if (!client_status(c, line))
			return false;
		c->listed = 0;
		client_send(c, ST_LIST, "LIST", NULL);
		return true;
	case ST_LIST:
	case ST_UIDL:
	case ST_RETR:
		if (!client_status(c, line))
			return false;
		c->state = c->state == ST_LIST ? ST_LIST_BODY :
			   c->state == ST_UIDL ? ST_UIDL_BODY : ST_RETR_BODY;
		return true;
	case ST_LIST_BODY:
		if (client_body_line(c, line, len))
			client_send(c, ST_UIDL, "UIDL", NULL);
		return true;
	case ST_UIDL_BODY:
		if (client_body_line(c, line, len)) {
			c->next = 1;
			client_retr_next(c);
		}
		return true;
	case ST_RETR_BODY:
		if (client_body_line(c, line, len)) {
			c->run->messages++;
			c->run->bytes += c->msg_bytes;
			c->next++;
			client_retr_next(c);
		}
		return true;
	case ST_QUIT:
		if (!client_status(c, line))
			return false;
		c->run->sessions++;
		client_next_session(c);
		return false;
	case ST_DONE:
		break;
	}
	return false;
}

/* client_read - every complete line in the input; a line over the bound is an error */
static void client_read(struct bufferevent *bev, void *arg)
{
	struct bench_pop3_client *c = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	size_t len;
	char *line;

	while ((line = evbuffer_readln(in, &len, EVBUFFER_EOL_CRLF)) != NULL) {
		bool more = client_line(c, line, len);

		free(line);
		if (!more)
			return;
	}
	if (evbuffer_get_length(in) > BENCH_POP3_LINE_MAX)
		client_error(c, "line too long", NULL);
}

/* client_event - connection established, closed or failed */
static void client_event(struct bufferevent *bev, short what, void *arg)
{
	struct bench_pop3_client *c = arg;

	if (what & BEV_EVENT_CONNECTED)
		return;
	client_error(c, (what & BEV_EVENT_EOF) ? "connection closed" : "connection error",
		     evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR()));
}

/* client_session - connect and wait for the greeting */
static void client_session(struct bench_pop3_client *c)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(c->run->port) };

	if (inet_pton(AF_INET, c->run->host, &sin.sin_addr) != 1) {
		client_error(c, "not an IPv4 address", c->run->host);
		return;
	}
	c->bev = bufferevent_socket_new(c->run->base, -1, BEV_OPT_CLOSE_ON_FREE);
	if (c->bev == NULL) {
		client_finish(c);
		return;
	}
	c->state = ST_GREETING;
	bufferevent_setcb(c->bev, client_read, NULL, client_event, c);
	bufferevent_enable(c->bev, EV_READ | EV_WRITE);
	if (bufferevent_socket_connect(c->bev, (struct sockaddr *)&sin, sizeof(sin)) != 0)
		client_error(c, "connect failed", strerror(errno));
}

struct bench_pop3_client *bench_pop3_client_new(struct bench_pop3_run *run, const char *user)
{
	struct bench_pop3_client *c;

	if (strlen(user) >= BENCH_POP3_NAME_MAX)
		return NULL;
	c = calloc(1, sizeof(*c));
	if (c == NULL)
		abort();
	c->run = run;
	snprintf(c->user, sizeof(c->user), "%s", user);
	c->state = ST_GREETING;
	return c;
}

void bench_pop3_client_start(struct bench_pop3_client *c)
{
	c->run->active++;
	client_session(c);
}

void bench_pop3_client_free(struct bench_pop3_client **cp)
{
	if (*cp == NULL)
		return;
	if ((*cp)->bev != NULL)
		bufferevent_free((*cp)->bev);
	free(*cp);
	*cp = NULL;
}
