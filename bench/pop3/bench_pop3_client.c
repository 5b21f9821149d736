/* bench_pop3_client - the per-session state machine of merpati-bench-pop3; the connection
 * itself is bench/common/bench_conn. */
#include "bench_pop3_client.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>


enum bench_pop3_state {
	ST_GREETING, ST_USER, ST_PASS, ST_LIST, ST_LIST_BODY, ST_UIDL, ST_UIDL_BODY,
	ST_RETR, ST_RETR_BODY, ST_QUIT,
};

struct bench_pop3_client {
	struct bench_conn conn;
	enum bench_pop3_state state;
	unsigned listed;            /* messages in the LIST answer */
	unsigned next;              /* next message number to RETR */
	uint64_t msg_bytes;         /* bytes of the message being retrieved */
};

/* client_send - queue one command line and wait in state next */
static void client_send(struct bench_pop3_client *c, enum bench_pop3_state next,
			const char *verb, const char *arg)
{
	bench_conn_sendf(&c->conn, "%s%s%s", verb, arg != NULL ? " " : "",
			 arg != NULL ? arg : "");
	c->state = next;
}

/* client_retr_next - RETR the next message, or QUIT when all are retrieved or time is up */
static void client_retr_next(struct bench_pop3_client *c)
{
	char num[16];

	if (c->next > c->listed || bench_run_past_deadline(c->conn.run)) {
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
	if (strncmp(line, "+OK", 3) == 0) {
		c->conn.run->commands++;
		return true;
	}
	bench_conn_error(&c->conn, "refused", line);
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
static bool client_line(void *owner, const char *line, size_t len)
{
	struct bench_pop3_client *c = owner;

	switch (c->state) {
	case ST_GREETING:
	case ST_USER:
	case ST_PASS:
		if (!client_status(c, line))
			return false;
		if (c->state == ST_GREETING)
			client_send(c, ST_USER, "USER", c->conn.user);
		else if (c->state == ST_USER)
			client_send(c, ST_PASS, "PASS", c->conn.run->password);
		else
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
			c->conn.run->messages++;
			c->conn.run->bytes += c->msg_bytes;
			c->next++;
			client_retr_next(c);
		}
		return true;
	case ST_QUIT:
		if (!client_status(c, line))
			return false;
		bench_conn_session_end(&c->conn);
		return false;
	}
	return false;
}

/* client_session - a new connection: wait for the greeting */
static void client_session(void *owner)
{
	struct bench_pop3_client *c = owner;

	c->state = ST_GREETING;
	c->listed = 0;
	c->next = 0;
}

static const struct bench_conn_ops client_ops = { client_session, client_line };

struct bench_conn *bench_pop3_client_new(struct bench_run *run, const char *user)
{
	struct bench_pop3_client *c = calloc(1, sizeof(*c));

	if (c == NULL)
		abort();
	if (!bench_conn_init(&c->conn, run, user, &client_ops, c)) {
		free(c);
		return NULL;
	}
	return &c->conn;
}
